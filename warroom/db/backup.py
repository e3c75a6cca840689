"""Copies of a live database: ``warroom backup`` and ``warroom restore``.

A plain ``cp`` of a database in WAL mode misses what is still in its ``-wal`` file. These use
SQLite's online backup API, which copies a consistent snapshot while others keep writing,
write the copy under a temporary name beside its destination and move it into place only
once it checks out (SQLite's integrity check, the journal's hash chain, the same events as
the source). A copy keeps the source's mode and group, so the room's group can still use it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warroom.db import chain
from warroom.db.schema import inspect_file, read_only_uri
from warroom.errors import DatabaseError, UserError


@dataclass(frozen=True)
class Copied:
    """What a copy holds: its events, the hash of the last one, its incidents."""

    events: int
    head: str
    incidents: int


def _summary(conn: sqlite3.Connection, where: Path) -> Copied:
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        raise DatabaseError(f"{where} failed SQLite's integrity check")
    count, broken = chain.check(conn)
    if broken is not None:
        raise DatabaseError(f"{where}: the journal's chain breaks at event {broken.event_id}: "
                            f"{broken.problem} (warroom verify says more)")
    incidents = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    return Copied(count, chain.head(conn), incidents)


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def _copy(source: sqlite3.Connection, dest: Path, like: Path) -> None:
    """Back ``source`` up into a new file at ``dest`` with the mode and group of ``like``."""
    info = os.stat(like)
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
    os.chmod(dest, stat.S_IMODE(info.st_mode))
    try:
        os.chown(dest, -1, info.st_gid)
    except PermissionError:  # not a member of that group: the copy keeps ours
        pass


def _temporary(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{os.getpid()}.tmp")


def backup(conn: sqlite3.Connection, source: Path, dest: Path, *, force: bool) -> Copied:
    """Copy the open database ``conn`` (at ``source``) to ``dest`` and check the copy."""
    if dest.is_dir():
        dest = dest / source.name
    if dest.resolve() == source.resolve():
        raise UserError(f"{dest} is the database itself: back it up somewhere else")
    if dest.exists() and not force:
        raise UserError(f"{dest} exists: choose a new name, or --force to replace it")
    temp = _temporary(dest)
    try:
        _copy(conn, temp, source)
        with _read_only(temp) as copy:
            copied = _summary(copy, temp)
        os.replace(temp, dest)
    except OSError as exc:
        raise UserError(f"cannot write {dest}: {exc.strerror}") from None
    finally:
        temp.unlink(missing_ok=True)
    return copied


def restore(source: Path, db: Path, *, force: bool, now: datetime) -> tuple[Copied, Path | None]:
    """Replace the database at ``db`` with the backup at ``source``. The database it
    replaces is kept beside it (returned); one holding events the backup lacks is replaced
    only with ``force``."""
    if not source.exists():
        raise UserError(f"no backup at {source}")
    inspect_file(source)
    with _read_only(source) as backup_conn:
        wanted = _summary(backup_conn, source)
    if not db.exists():
        with _read_only(source) as backup_conn:
            _copy(backup_conn, db, source)
        return wanted, None
    inspect_file(db)
    with _read_only(db) as live:
        current = live.execute("SELECT count(*) FROM events").fetchone()[0]
        has_head = live.execute("SELECT 1 FROM events WHERE hash = ?",
                                (wanted.head,)).fetchone() is not None
    if (current > wanted.events or not has_head) and current and not force:
        raise UserError(
            f"{db} holds {current} events, the backup {wanted.events}: restoring would lose "
            f"what happened since; --force replaces it (the current file is kept beside it)")
    kept = db.with_name(f"{db.name}.replaced-{now.strftime('%Y%m%dT%H%M%S')}")
    live = sqlite3.connect(db, timeout=5)
    try:
        _copy(live, kept, db)
        with _read_only(source) as backup_conn:
            backup_conn.backup(live)
    except OSError as exc:
        raise UserError(f"cannot restore into {db}: {exc.strerror}") from None
    finally:
        live.close()
    return wanted, kept
