"""``warroom db copy SRC DEST``: a whole room from one database to another, either backend.

Every state table's rows and every journal event are copied with their ids; the events keep
their hashes and ``prev_hash`` unchanged, so the copy's chain is the source's chain. What is
not copied: who is watching (``presence``, a live thing) and the derived tables
(``incident_figures``, ``derived_marks``: the next reader folds them again).

The discipline:
- the source is read in one snapshot (on PostgreSQL one ``REPEATABLE READ`` transaction) and
  its chain checked first: a broken journal is refused, not spread;
- the destination must be empty: a new SQLite file (created here, and removed again when
  anything fails), or an initialised PostgreSQL database with no incident, no event and a
  journal counter still at 0;
- everything is written in ONE write transaction on the destination, and checked inside it
  before it commits (the chain, the event count, the last hash, every row and id equal to
  the source's): a copy that does not check out writes nothing. On PostgreSQL the server's
  trigger numbers the events from its own counter, so they are inserted in id order into the
  empty journal and their ids must come out equal (they do when the source's journal is
  whole).
- ``roles`` has no id: SQLite's rowid (the order the roles were added in) goes to
  PostgreSQL's ``rowid`` column and back, kept as it was.
- ``db_user`` (PostgreSQL only) is stamped by the destination server with the copier's
  database user, unless the copier is a member of the owner role, which keeps the source's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from warroom.db import chain
from warroom.db.pg_schema import SCHEMA, STATE
from warroom.db.schema import remove_file
from warroom.db.store import Store, is_url, open_store
from warroom.errors import DatabaseError, UserError

TABLES = (*STATE, "events")
"""Copied, in this order (a row's references come before it)."""
DERIVED = ("incident_figures", "derived_marks")
SERVER_ONLY = {"events": "db_user"}
"""A column only PostgreSQL has (SQLite's journal has no database user to keep)."""


@dataclass(frozen=True)
class Copied:
    """What was copied: incidents, events, the last event's hash, rows per table."""

    incidents: int
    events: int
    head: str
    rows: dict[str, int]


def _order(table: str) -> str:
    return "rowid" if table == "roles" else "id"


def columns(store: Store, table: str) -> list[str]:
    """The table's columns as stored; SQLite's ``roles`` with its rowid (PostgreSQL's roles
    keeps it as a column)."""
    if store.dialect == "postgresql":
        return [r[0] for r in store.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position", (SCHEMA, table))]
    names = [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]
    return [*names, "rowid"] if table == "roles" else names


def _read(store: Store, table: str, cols: list[str]) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(
        f"SELECT {', '.join(cols)} FROM {table} ORDER BY {_order(table)}")]


def _shared(source: Store, dest: Store) -> dict[str, list[str]]:
    """Per table, the columns copied: the source's, less one only the server keeps when the
    destination has no place for it. A column the destination lacks otherwise is refused
    (two warrooms of different schemas)."""
    out = {}
    for table in TABLES:
        have, into = columns(source, table), set(columns(dest, table))
        if not have:
            raise DatabaseError(f"{source.where} has no table {table}: not a whole warroom "
                                "database")
        lost = [c for c in have if c not in into and SERVER_ONLY.get(table) != c]
        if lost:
            raise DatabaseError(f"{dest.where} has no column {table}.{lost[0]}: the two "
                                "databases are of different warroom versions; nothing written")
        out[table] = [c for c in have if c in into]
    return out


def _source(store: Store) -> tuple[chain.Break | None, int, str]:
    count, broken = chain.check(store.conn)
    return broken, count, chain.head(store.conn)


def _refuse_filled(dest: Store) -> None:
    """Refuse a destination that holds anything of a room (inside its write transaction)."""
    held = {t: dest.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    counter = dest.conn.execute(
        "SELECT last_id FROM journal_counter" if dest.dialect == "postgresql" else
        "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'events'").fetchone()[0]
    if any(held.values()) or counter:
        raise UserError(f"{dest.where} is not empty ({held['incidents']} incident(s), "
                        f"{held['events']} event(s)"
                        + (f", journal counter at {counter}" if counter else "")
                        + "): db copy writes only into an empty warroom database; nothing "
                        "was written")


def _compare(dest: Store, table: str, cols: list[str], rows: list[tuple]) -> None:
    """The destination's rows of ``table`` equal the source's (ids included)."""
    keep = [c for c in cols if SERVER_ONLY.get(table) != c]
    picks = [cols.index(c) for c in keep]
    want = [tuple(r[i] for i in picks) for r in rows] if len(keep) < len(cols) else rows
    got = _read(dest, table, keep)
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                     min(len(got), len(want)))
        raise DatabaseError(f"the copy's {table} differ from the source's (row {first + 1} "
                            f"of {len(want)}; {len(got)} copied): nothing was written")


def copy(source: Store, dest: Store) -> Copied:
    """Copy the room in ``source`` into the empty ``dest``; both open. Returns what was
    copied, checked inside the destination's write transaction and again once committed."""
    with source.read():
        broken, count, head = _source(source)
        if broken is not None:
            raise UserError(f"{source.where}'s journal is broken at event {broken.event_id} "
                            f"({broken.problem}): not copied ('warroom verify' says more)")
        cols = _shared(source, dest)
        data = {t: _read(source, t, cols[t]) for t in TABLES}
    if len(data["events"]) != count:
        raise DatabaseError(f"{source.where} changed while it was read: try again")
    try:
        with dest.write():
            _refuse_filled(dest)
            for table in TABLES:
                if data[table]:
                    names = cols[table]
                    dest.conn.executemany(
                        f"INSERT INTO {table} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' for _ in names)})", data[table])
            for table in DERIVED:  # derived: empty, whatever an earlier reader kept
                dest.conn.execute(f"DELETE FROM {table}")
            _verify(dest, count, head)
            for table in TABLES:
                _compare(dest, table, cols[table], data[table])
    except sqlite3.Error as exc:
        raise DatabaseError(f"{dest.where} refused the copy ({str(exc).splitlines()[0]}): "
                            "nothing was written") from None
    with dest.read():
        _verify(dest, count, head)
    return Copied(incidents=len(data["incidents"]), events=count, head=head,
                  rows={t: len(data[t]) for t in TABLES})


def _verify(dest: Store, count: int, head: str) -> None:
    got, broken = chain.check(dest.conn)
    if broken is not None or got != count or chain.head(dest.conn) != head:
        why = (f"its chain breaks at event {broken.event_id} ({broken.problem})"
               if broken is not None else f"{got} events chained of {count}, last hash "
               f"{chain.head(dest.conn)[:12]} for {head[:12]}")
        raise DatabaseError(f"the copy in {dest.where} does not check out: {why}; nothing "
                            "was written")


def copy_room(source_target: str, dest_target: str) -> tuple[Copied, str, str]:
    """``warroom db copy``: open both (a new SQLite destination is created, and removed
    again if the copy fails), copy, close. Returns what was copied and the two names."""
    if not is_url(dest_target) and (Path(dest_target).exists() or
                                    Path(dest_target).is_symlink()):
        raise UserError(f"{dest_target} exists: db copy writes a new SQLite file (or into an "
                        "empty PostgreSQL database); nothing was written")
    with open_store(source_target) as source:
        try:
            dest = open_store(dest_target, create=not is_url(dest_target))
        except BaseException:
            if not is_url(dest_target):
                remove_file(Path(dest_target))  # made a moment ago (it did not exist), unused
            raise
        try:
            with dest:
                done = copy(source, dest)
                return done, source.where, dest.where
        except BaseException:
            if not is_url(dest_target) and dest.created:
                remove_file(Path(dest_target))
            raise


def summary(done: Copied, source: str, dest: str) -> str:
    return (f"copied {done.incidents} incident(s) and {done.events} event(s) from {source} "
            f"to {dest}; last hash {done.head[:12]}; verified")
