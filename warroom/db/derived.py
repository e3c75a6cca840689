"""The derived table: per-incident figures kept so that a snapshot need not fold history.

``incident_figures`` holds one row per incident whose figures no longer depend on the time
they are read (see :mod:`warroom.reports.derived`): the figures as JSON text, when it opened
(POSIX seconds, to read only a period's rows) and the last journal event id it was folded
with. ``derived_marks`` holds one row per derived table: the format its rows were made in
and the journal event id they are all up to date with (the marker). Nothing here is the
journal: emptying or dropping these tables loses nothing, the next reader folds again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

FIGURES = "incident_figures"
TABLES = (
    "CREATE TABLE IF NOT EXISTS incident_figures (incident_id INTEGER PRIMARY KEY, "
    "opened REAL NOT NULL, folded_to INTEGER NOT NULL, figures TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS incident_figures_opened ON incident_figures(opened)",
    "CREATE TABLE IF NOT EXISTS derived_marks (name TEXT PRIMARY KEY, format TEXT NOT NULL, "
    "event_id INTEGER NOT NULL)",
)


def _missing(exc: sqlite3.OperationalError) -> bool:
    return "no such table" in str(exc)


def mark(conn: sqlite3.Connection) -> tuple[str, int] | None:
    """(format, event id) the figures are up to date with, or None (never made, or the
    tables dropped)."""
    try:
        row = conn.execute("SELECT format, event_id FROM derived_marks WHERE name = ?",
                           (FIGURES,)).fetchone()
    except sqlite3.OperationalError as exc:
        if _missing(exc):
            return None
        raise
    return None if row is None else (row[0], row[1])


def rows(conn: sqlite3.Connection, opened_from: float | None = None
         ) -> list[tuple[int, int, str]]:
    """(incident id, folded_to, figures text) of every kept incident opened from
    ``opened_from`` on (every one if None)."""
    sql = "SELECT incident_id, folded_to, figures FROM incident_figures"
    try:
        cur = conn.cursor()
        cur.row_factory = None
        if opened_from is None:
            return cur.execute(sql + " ORDER BY incident_id").fetchall()
        return cur.execute(sql + " WHERE opened >= ? ORDER BY incident_id",
                           (opened_from,)).fetchall()
    except sqlite3.OperationalError as exc:
        if _missing(exc):
            return []
        raise


def touched_since(conn: sqlite3.Connection, event_id: int) -> set[int]:
    """The incidents with a journal event above ``event_id`` (recorded since)."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT incident_id FROM events WHERE id > ? AND incident_id IS NOT NULL",
        (event_id,))}


def openings(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(id, opened_at) of every incident."""
    return conn.execute("SELECT id, opened_at FROM incidents").fetchall()


def customers(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """(id, main customer, the others as stored JSON) of every incident."""
    return conn.execute("SELECT id, customer, customers FROM incidents").fetchall()


def journal_of(conn: sqlite3.Connection, ids: Iterable[int]) -> Iterator[tuple]:
    """The journal of each incident in ``ids`` in turn, each in the order things happened,
    as :meth:`~warroom.db.events.JournalReads.journal_stream` yields it."""
    cur = conn.cursor()
    cur.row_factory = None
    sql = ("SELECT id, incident_id, at, os_user, display_name, kind, payload FROM events "
           "WHERE incident_id = ? ORDER BY at, id")
    try:
        for incident_id in ids:
            yield from cur.execute(sql, (incident_id,))
    finally:
        cur.close()


def save(conn: sqlite3.Connection, expected: tuple[str, int] | None, marker: tuple[str, int],
         fresh: Iterable[tuple[int, float, int, str]], drop: Iterable[int] | None) -> bool:
    """Inside a write transaction: if the marker is still ``expected`` (nobody brought the
    table up to date meanwhile), drop the rows of ``drop`` (every row if None), keep the
    ``fresh`` rows (incident id, opened, folded_to, figures) and set the marker. Returns
    whether it did."""
    for sql in TABLES:
        conn.execute(sql)
    if mark(conn) != expected:
        return False
    if drop is None:
        conn.execute("DELETE FROM incident_figures")
    else:
        conn.executemany("DELETE FROM incident_figures WHERE incident_id = ?",
                         ((i,) for i in drop))
    conn.executemany(
        "INSERT INTO incident_figures (incident_id, opened, folded_to, figures) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (incident_id) DO UPDATE SET opened = excluded.opened, "
        "folded_to = excluded.folded_to, figures = excluded.figures", fresh)
    conn.execute("INSERT INTO derived_marks (name, format, event_id) VALUES (?, ?, ?) "
                 "ON CONFLICT (name) DO UPDATE SET format = excluded.format, "
                 "event_id = excluded.event_id", (FIGURES, marker[0], marker[1]))
    return True


def clear(conn: sqlite3.Connection) -> None:
    """Inside a write transaction: forget every derived figure (they are made again)."""
    for sql in TABLES:
        conn.execute(sql)
    conn.execute("DELETE FROM incident_figures")
    conn.execute("DELETE FROM derived_marks WHERE name = ?", (FIGURES,))
