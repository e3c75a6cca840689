"""What `warroom doctor` asks of the database itself: a trial write that keeps nothing, the
journal mode, SQLite's quick_check and the journal's hash chain.

Each probe answers ``(ok, what)``: one line saying what was found, in words a person can act
on. Nothing here changes the file: the trial write rolls back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from warroom.db import chain
from warroom.db.failures import worded
from warroom.db.schema import read_only_uri

Probe = tuple[bool, str]


def _said(exc: BaseException, path: Path) -> str:
    error = worded(exc, path)
    return str(error) if error is not None else f"{type(exc).__name__}: {exc}"


def trial_write(path: Path) -> Probe:
    """Take the write lock and create a table, then roll back: what every action needs
    (the file and its -wal and -shm writable), without keeping anything."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=2.0)
    except sqlite3.Error as exc:
        return False, _said(exc, path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE warroom_doctor_probe (x)")
        finally:
            conn.execute("ROLLBACK")
        return True, "a trial write succeeded (rolled back: nothing was kept)"
    except sqlite3.Error as exc:
        return False, _said(exc, path)
    finally:
        conn.close()


def _reader(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True, timeout=2.0)  # (# ? % escaped)


def journal_mode(path: Path) -> Probe:
    """WAL lets readers go on while someone writes; every warroom connection asks for it."""
    try:
        conn = _reader(path)
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, _said(exc, path)
    if mode == "wal":
        return True, "journal mode is WAL"
    return False, f"journal mode is {mode}, not WAL"


def quick_check(path: Path) -> Probe:
    try:
        conn = _reader(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchmany(3)]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, _said(exc, path)
    if rows == ["ok"]:
        return True, "SQLite's quick_check found no damage"
    return False, "SQLite's quick_check found damage: " + "; ".join(rows)


def journal_chain(path: Path) -> Probe:
    """The journal's hash chain, walked as `warroom verify` walks it."""
    try:
        conn = _reader(path)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("BEGIN")
            count, broken = chain.check(conn)
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, _said(exc, path)
    if broken is None:
        return True, f"the journal's hash chain holds ({count} events)"
    return False, f"JOURNAL ALTERED at event {broken.event_id}: {broken.problem}"
