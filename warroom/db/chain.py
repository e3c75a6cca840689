"""The journal's hash chain and its guards: what makes an edit after the fact visible.

Each event stores ``prev_hash``, the hash of the event before it (in id order), and ``hash``,
the SHA-256 of its own content together with ``prev_hash``. Changing, removing or inserting
an event with any tool but warroom breaks the chain at that event or the next one; removing
the last events leaves the table's AUTOINCREMENT counter ahead of the last id (or removed).
Removing the last events and lowering the counter too is seen only against a copy kept
elsewhere: ``warroom verify`` prints the last event's hash to compare. Two triggers
refuse UPDATE and DELETE; a write that finds them dropped puts them back (the store journals
that it did).

What this cannot do: everyone who may write the file can also run warroom's own code, so a
determined member of the group could rebuild the whole chain after editing, or delete the
file. The chain catches edits made with other tools and accidents; backups (``warroom
backup``) are what protect against loss.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event."""

CONTENT = ("incident_id", "at", "recorded_at", "os_user", "display_name", "kind", "payload")
"""The columns an event's hash covers (with its ``prev_hash``), as stored."""

GUARDS = {
    **{name: f"CREATE TRIGGER {name} BEFORE {verb} ON events "
             "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END"
       for name, verb in (("events_no_update", "UPDATE"), ("events_no_delete", "DELETE"))},
    "events_chained": "CREATE TRIGGER events_chained BEFORE INSERT ON events "
                      "WHEN NEW.hash IS NULL BEGIN SELECT RAISE(ABORT, 'this warroom is older "
                      "than the database: restart it (it writes no hash chain)'); END",
}
"""The triggers that keep the journal append-only, and refuse an event without its hash (a
process started before an upgrade, still running old code), by name."""


def digest(prev_hash: str, values: dict[str, Any]) -> str:
    """The hash of an event: SHA-256 over its previous hash and its content as stored."""
    content = [prev_hash, *(values.get(name) for name in CONTENT)]
    text = json.dumps(content, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def head(conn: sqlite3.Connection) -> str:
    """The hash the next event links to: the last event's, or :data:`GENESIS`."""
    row = conn.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    return GENESIS if row is None else (row[0] or GENESIS)


def link(conn: sqlite3.Connection, values: dict[str, Any]) -> dict[str, str]:
    """The chain columns of a new event with ``values`` (as stored); call inside the write
    transaction, so that no other event slips in between."""
    prev = head(conn)
    return {"prev_hash": prev, "hash": digest(prev, values)}


def _on_server(conn: sqlite3.Connection) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"


def missing_guards(conn: sqlite3.Connection) -> list[str]:
    """The append-only triggers that are not in the schema (dropped outside warroom), or on
    PostgreSQL dropped or disabled."""
    if _on_server(conn):
        from warroom.db.pg_schema import GUARDS as SERVER_GUARDS

        present = {row[0] for row in conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass "
            "AND NOT tgisinternal AND tgenabled <> 'D'")}
        return [name for name in SERVER_GUARDS if name not in present]
    present = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")}
    return [name for name in GUARDS if name not in present]


def restore_guards(conn: sqlite3.Connection) -> list[str]:
    """Put back the append-only triggers that are missing; returns their names."""
    missing = missing_guards(conn)
    for name in missing:
        conn.execute(GUARDS[name])
    return missing


@dataclass(frozen=True)
class Break:
    """Where the journal stops being what warroom wrote: the first event that does not
    check out (``event_id``; 0 for the journal as a whole) and what is wrong with it."""

    event_id: int
    problem: str


def _rows(conn: sqlite3.Connection, where: str = "", params: tuple = ()
          ) -> Iterator[sqlite3.Row]:
    """Events with what their hash covers, in id order (``where`` narrows them)."""
    columns = ", ".join(("id", "prev_hash", "hash", *CONTENT))
    cursor = conn.execute(f"SELECT {columns} FROM events {where} ORDER BY id", params)
    cursor.row_factory = sqlite3.Row
    yield from cursor


def check(conn: sqlite3.Connection) -> tuple[int, Break | None]:
    """Walk the chain in id order: how many events check out, and the first break."""
    prev, last_id, count = GENESIS, 0, 0
    for row in _rows(conn):
        broken = _links(row, prev)
        if broken is not None:
            return count, broken
        prev, last_id, count = row["hash"], row["id"], count + 1
    seq = conn.execute("SELECT last_id FROM journal_counter" if _on_server(conn) else
                       "SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    if seq is None and last_id:
        return count, Break(last_id + 1, "the journal's counter was removed: events after "
                            f"{last_id} may have been removed with it")
    if seq is not None and seq[0] > last_id:
        return count, Break(last_id + 1, f"events {last_id + 1} to {seq[0]} were removed")
    return count, None


def fill(conn: sqlite3.Connection) -> None:
    """Chain the events written before the chain existed, in id order (the migration)."""
    prev = GENESIS
    for row in list(_rows(conn)):
        h = digest(prev, dict(row))
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?",
                     (prev, h, row["id"]))
        prev = h


def _links(row: sqlite3.Row, prev: str | None) -> Break | None:
    """Whether one event checks out: linked to ``prev`` (the hash of the event before it;
    None: not known) and hashing to what it says."""
    if not row["prev_hash"]:
        return Break(row["id"], "it was written outside warroom (no chain)")
    if prev is not None and row["prev_hash"] != prev:
        return Break(row["id"], "an event before it was removed or changed")
    if row["hash"] != digest(row["prev_hash"], dict(row)):
        return Break(row["id"], "its content was changed after it was written")
    return None


def step(conn: sqlite3.Connection, after_id: int, prev: str | None
         ) -> tuple[int, str | None, Break | None]:
    """Check the events after ``after_id`` as they arrive (:func:`walk`)."""
    return walk(_rows(conn, "WHERE id > ?", (after_id,)), after_id, prev)


def walk(rows: Iterable[sqlite3.Row], after_id: int, prev: str | None
         ) -> tuple[int, str | None, Break | None]:
    """Check new events, read in id order after ``after_id``: each links to the one before
    (the first to ``prev``, the hash last seen) and hashes to what it says. Returns the last
    id and hash seen, and the first break (then the walk stops there)."""
    for row in rows:
        broken = _links(row, prev)
        if broken is not None:
            return row["id"], prev, broken
        after_id, prev = row["id"], row["hash"]
    return after_id, prev, None


def check_incident(conn: sqlite3.Connection, incident_id: int) -> Break | None:
    """The first of one incident's events that does not check out (its content, its link to
    the event before it, an event removed before it), without walking the whole journal."""
    last: tuple[int, str] | None = None  # the incident's event read just before
    for row in _rows(conn, "WHERE incident_id = ?", (incident_id,)):
        if last is not None and last[0] == row["id"] - 1:
            before: tuple | None = last  # consecutive: no need to look it up
        else:
            before = conn.execute("SELECT id, hash FROM events WHERE id < ? ORDER BY id DESC "
                                  "LIMIT 1", (row["id"],)).fetchone()
        expected = GENESIS if before is None else before[1]
        if before is not None and before[0] != row["id"] - 1:
            return Break(row["id"], "an event before it was removed or changed")
        broken = _links(row, expected)
        if broken is not None:
            return broken
        last = (row["id"], row["hash"])
    return None
