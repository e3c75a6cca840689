"""Copies of a live database: ``warroom backup`` and ``warroom restore``.

A plain ``cp`` of a database in WAL mode misses what is still in its ``-wal`` file. A backup
uses SQLite's online backup API, which copies a consistent snapshot while others keep
writing, into a file under a temporary name beside the destination, moved into place once
SQLite's integrity check passes; the copy keeps the source's mode and group, and is left in
rollback-journal mode so that reading it makes no ``-wal``/``-shm`` files. A journal whose
hash chain is broken is still copied (that is when a copy matters most), and said.

A restore replaces the live database's content inside one write transaction on it: the
check that nothing newer would be lost, the copy of what it replaces (kept beside it) and the
replacement happen while no one else can write, so an event committed a moment before is
either refused for or kept, never lost. A damaged live file (unreadable) is moved aside
whole with ``--force``.
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

SIDECARS = ("-wal", "-shm")


@dataclass(frozen=True)
class Copied:
    """What a copy holds: its events, the hash of the last one, its incidents, and where
    its journal's chain breaks (None: whole)."""

    events: int
    head: str
    incidents: int
    broken: chain.Break | None = None


def _summary(conn: sqlite3.Connection, where: Path) -> Copied:
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        raise DatabaseError(f"{where} failed SQLite's integrity check")
    count, broken = chain.check(conn)
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    incidents = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    return Copied(events, chain.head(conn), incidents, broken)


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection; the ``-wal``/``-shm`` files it had to make are removed after."""
    made = [Path(f"{path}{end}") for end in SIDECARS if not Path(f"{path}{end}").exists()]
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()
        for sidecar in made:
            sidecar.unlink(missing_ok=True)


def _copy(source: sqlite3.Connection, dest: Path, like: Path) -> None:
    """Back ``source`` up into a new file at ``dest``, in rollback-journal mode, with the
    mode and group of ``like``."""
    info = os.stat(like)
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    for sidecar in SIDECARS:
        Path(f"{dest}{sidecar}").unlink(missing_ok=True)
    os.chmod(dest, stat.S_IMODE(info.st_mode))
    try:
        os.chown(dest, -1, info.st_gid)
    except PermissionError:  # not a member of that group: the copy keeps ours
        pass


def backup(conn: sqlite3.Connection, source: Path, dest: Path, *, force: bool) -> Copied:
    """Copy the open database ``conn`` (at ``source``) to ``dest`` and check the copy."""
    if dest.is_dir():
        dest = dest / source.name
    if dest.resolve() == source.resolve():
        raise UserError(f"{dest} is the database itself: back it up somewhere else")
    if dest.exists() and not force:
        raise UserError(f"{dest} exists: choose a new name, or --force to replace it")
    temp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        _copy(conn, temp, source)
        with _read_only(temp) as copy:
            try:
                copied = _summary(copy, dest)
            except DatabaseError:
                raise DatabaseError(f"the copy of {source} failed SQLite's integrity check: "
                                    "nothing was written") from None
        os.replace(temp, dest)
    except OSError as exc:
        raise UserError(f"cannot write {dest}: {exc.strerror}") from None
    finally:
        temp.unlink(missing_ok=True)
    return copied


def _kept_name(db: Path, now: datetime) -> Path:
    return db.with_name(f"{db.name}.replaced-{now.strftime('%Y%m%dT%H%M%S')}")


def _move_aside(db: Path, kept: Path) -> None:
    """A damaged database and its sidecars, renamed to ``kept`` (nothing is deleted)."""
    for end in ("", *SIDECARS):
        if Path(f"{db}{end}").exists():
            os.replace(f"{db}{end}", f"{kept}{end}")


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> str:
    names = [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]
    return ", ".join(f'"{n}"' for n in names)


def _replace_content(live: sqlite3.Connection) -> None:
    """Inside the open transaction on ``live``: every table's rows replaced by those of the
    attached ``backup`` (same schema version), the journal's guards lifted and put back."""
    for name in chain.GUARDS:
        live.execute(f"DROP TRIGGER IF EXISTS main.{name}")
    tables = [r[0] for r in live.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in [*tables, "sqlite_sequence"]:
        cols = _columns(live, "main", table)
        live.execute(f"DELETE FROM main.{table}")
        live.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM backup.{table}")
    for sql in chain.GUARDS.values():
        live.execute(sql)


def restore(source: Path, db: Path, *, force: bool, now: datetime) -> tuple[Copied, Path | None]:
    """Replace the database at ``db`` with the backup at ``source``. What it replaces is
    kept beside it (returned); a database holding events the backup lacks is replaced only
    with ``force``."""
    if not source.exists():
        raise UserError(f"no backup at {source}")
    version = inspect_file(source)
    with _read_only(source) as backup_conn:
        wanted = _summary(backup_conn, source)
    if wanted.broken is not None and not force:
        raise UserError(f"{source}: its journal's chain breaks at event "
                        f"{wanted.broken.event_id} ({wanted.broken.problem}); --force restores "
                        "it anyway")
    if not db.exists():
        with _read_only(source) as backup_conn:
            _copy(backup_conn, db, source)
        return wanted, None
    kept = _kept_name(db, now)
    try:
        live_version = inspect_file(db)
    except DatabaseError as exc:
        if not force:
            raise UserError(f"{exc}; --force moves it aside (kept as {kept.name}) and "
                            "restores the backup") from None
        _move_aside(db, kept)
        with _read_only(source) as backup_conn:
            _copy(backup_conn, db, source)
        return wanted, kept
    if live_version != version:
        raise UserError(f"the backup is schema {version}, {db} schema {live_version}: open the "
                        f"backup once with this warroom first (warroom verify --db {source})")
    live = sqlite3.connect(db.resolve().as_uri(), uri=True, isolation_level=None, timeout=15)
    try:
        live.execute("ATTACH DATABASE ? AS backup", (read_only_uri(source),))
        live.execute("BEGIN IMMEDIATE")  # no one writes from the check to the replacement
        current = live.execute("SELECT count(*) FROM events").fetchone()[0]
        known = live.execute("SELECT 1 FROM events WHERE hash = ?",
                             (wanted.head,)).fetchone() is not None
        if current and (current > wanted.events or not known) and not force:
            raise UserError(
                f"{db} holds {current} events, the backup {wanted.events}: restoring would "
                "lose what happened since; --force replaces it (the current file is kept "
                "beside it)")
        with _read_only(db) as now_conn:  # the state under our lock: nothing can change it
            _copy(now_conn, kept, db)
        _replace_content(live)
        live.execute("COMMIT")
    except BaseException:
        if live.in_transaction:
            live.execute("ROLLBACK")
        raise
    finally:
        live.close()
    return wanted, kept
