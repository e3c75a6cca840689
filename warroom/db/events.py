"""Reading the journal: the events after or before an id, and the whole journal streamed in
the order things happened. A part of :class:`warroom.db.store.Store`, on its connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any


class JournalReads:
    """The journal's reads; the class that mixes it in provides ``conn``."""

    conn: sqlite3.Connection

    def last_event_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def events_after(
        self, after_id: int = 0, incident_id: int | None = None, limit: int | None = None
    ) -> list[sqlite3.Row]:
        """Journal events with id above ``after_id``, oldest first."""
        return self._page(">", after_id, incident_id, "", limit)

    def events_before(
        self, before_id: int, incident_id: int | None, limit: int
    ) -> list[sqlite3.Row]:
        """Up to ``limit`` journal events with id below ``before_id``, newest first."""
        return self._page("<", before_id, incident_id, " DESC", limit)

    def _page(self, side: str, edge: int, incident_id: int | None, order: str,
              limit: int | None) -> list[sqlite3.Row]:
        """Events on one ``side`` of id ``edge`` (of one incident, or all), by id, with
        their incident's key."""
        sql = ("SELECT e.*, i.key AS incident_key FROM events e "
               f"LEFT JOIN incidents i ON i.id = e.incident_id WHERE e.id {side} ?")
        params: list[Any] = [edge]
        if incident_id is not None:
            sql += " AND e.incident_id = ?"
            params.append(incident_id)
        sql += f" ORDER BY e.id{order}" + (" LIMIT ?" if limit is not None else "")
        params += [limit] if limit is not None else []
        return self.conn.execute(sql, params).fetchall()

    def journal_stream(self, incident_id: int | None = None) -> Iterator[tuple]:
        """Journal events in the order they happened (``at``, then id: an event recorded
        late takes its place in time) as plain tuples ``(id, incident_id, at, os_user,
        display_name, kind, payload)`` (payload as JSON text), through one cursor: memory
        stays flat however long the journal. Call inside :meth:`read` for one snapshot."""
        cur = self.conn.cursor()
        cur.row_factory = None
        sql = "SELECT id, incident_id, at, os_user, display_name, kind, payload FROM events"
        if incident_id is None:
            cur.execute(sql + " ORDER BY at, id")
        else:
            cur.execute(sql + " WHERE incident_id = ? ORDER BY at, id", (incident_id,))
        try:
            yield from cur
        finally:
            cur.close()
