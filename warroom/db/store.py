"""The connection to the shared database and the discipline every read and write follows.

One SQLite file is shared by every process in the war room. Writes go through
:meth:`Store.write`, which takes the write lock up front (``BEGIN IMMEDIATE``): a deferred
transaction that reads and then writes fails with "database is locked" under contention,
and the busy timeout cannot save it. Reads go through :meth:`Store.read`, one snapshot each.
Here too: the generic row helpers, the journal append, and the reads the actions share.

The file format (the schema, its ordered migrations, the checks on a file before it is
opened) lives in :mod:`warroom.db.schema`; its public names stay importable from here.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from warroom.clock import local_stamp
from warroom.db import chain
from warroom.db.events import JournalReads
from warroom.db.failures import plainly
from warroom.db.order import refuse_out_of_order
from warroom.db.schema import (  # the first four re-exported: always importable from here
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    SQLITE_MAGIC,
    _create_file,
    inspect_file,
)
from warroom.errors import Busy, DatabaseError, NotFound, UserError
from warroom.journal import Kind, known
from warroom.records import Actor
from warroom.text import cut

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "SQLITE_MAGIC", "Store",
           "from_db", "inspect_file", "is_url", "json_default", "open_store", "recording_time",
           "to_db"]
BUSY_TIMEOUT_MS = 5000
WRITE_WAIT_S = 15.0
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def to_db(value: datetime | None) -> str | None:
    """A timezone-aware time as sortable ISO 8601 text in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def is_url(target: object) -> bool:
    """Whether ``--db`` names a PostgreSQL server (else it is an SQLite file's path)."""
    return str(target).startswith(("postgresql://", "postgres://"))


def open_store(target: str | os.PathLike[str], *, create: bool = False) -> "Store":
    """The store ``--db`` / ``$WARROOM_DB`` names: an SQLite file (the default) or a
    ``postgresql://`` URL. psycopg is imported only for a URL."""
    if is_url(target):
        from warroom.db.pg_store import PgStore

        return PgStore(str(target), create=create)
    return Store(target, create=create)


def recording_time() -> datetime | None:
    """When an event is recorded: the real time, never the clock its action got (which
    ``--at`` sets in the past). The tests pin it (their clocks are not the real time)."""
    return datetime.now(timezone.utc)


class Store(JournalReads):
    """A connection to one warroom database, with the write discipline built in."""

    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        self.path = Path(path)
        self.target: str | Path = self.path  # what --db named: a file here, a URL on a server
        self.created = False  # whether this process made the file (a refusal may remove it)
        if not self.path.exists():
            if not create:
                raise DatabaseError(
                    f"no warroom database at {self.path}: open an incident with "
                    "'warroom open' or pass --db"
                )
            try:
                _create_file(self.path)
                self.created = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise DatabaseError(f"cannot create {self.path}: {exc.strerror}") from None
        version = inspect_file(self.path)
        if version == 0 and not create:  # read verbs never write: not even the schema
            raise DatabaseError(f"{self.path} holds no warroom database yet: 'warroom open' "
                                "makes it one")
        self.conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        self.conn.row_factory = sqlite3.Row
        try:
            with plainly(self.path):
                self.conn.execute("PRAGMA foreign_keys=ON")
                self.conn.execute("PRAGMA synchronous=FULL")
                if version < SCHEMA_VERSION:
                    self._migrate()
                else:
                    self._ensure_wal()
        except BaseException:
            self.conn.close()
            raise

    def _ensure_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")

    def _migrate(self) -> None:
        """Bring the schema up to date, one migration per transaction, safe to race.

        sqlite-utils builds the tables; it is imported only here, since opening an
        up-to-date database (every dashboard start) does not need its 40 ms import.
        """
        import sqlite_utils

        db = sqlite_utils.Database(self.conn)
        self.conn.execute("PRAGMA journal_mode=WAL")
        with self._immediate():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DatabaseError(f"{self.path} was written by a newer warroom")
            for migration in MIGRATIONS[version:]:
                migration(db)
            self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @property
    def where(self) -> str:
        """The database as named in messages."""
        return str(self.path)

    def reopen(self) -> "Store":
        """A second connection to the same database (for another thread)."""
        return Store(self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -----------------------------------------------------------------

    def _begin_immediate(self) -> None:
        """Take the write lock, polling briefly rather than with SQLite's long back-off."""
        deadline = time.monotonic() + WRITE_WAIT_S
        self.conn.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    if time.monotonic() > deadline:
                        raise Busy(
                            "the database stayed busy with other writers; try again"
                        ) from None
                    time.sleep(random.uniform(0.0002, 0.0015))
        finally:
            self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        self._begin_immediate()
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator["Store"]:
        """One write transaction: everything inside commits together or not at all. A
        file a newer warroom has upgraded since this process opened it is not written: its
        schema (the journal's hash chain, for one) is one this code does not keep."""
        with plainly(self.path), self._immediate():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DatabaseError(f"{self.path} was upgraded by a newer warroom while this "
                                    "one ran: restart warroom (nothing was written)")
            yield self

    @contextmanager
    def read(self) -> Iterator["Store"]:
        """One consistent snapshot for several reads."""
        if self.conn.in_transaction:
            yield self
            return
        with plainly(self.path):
            self.conn.execute("BEGIN")
            try:
                yield self
            finally:
                self.conn.execute("COMMIT")

    def data_version(self) -> int:
        """Changes when another connection commits (``PRAGMA data_version``)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    # -- generic row helpers (table and column names come from code, never users) ----

    @staticmethod
    def _names(*names: str) -> None:
        for name in names:
            if not _IDENT.match(name):
                raise ValueError(f"bad identifier {name!r}")

    def insert(self, table: str, **values: Any) -> int:
        self._names(table, *values)
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", [_param(v) for v in values.values()]
        )
        return cur.lastrowid

    def insert_numbered(self, table: str, incident_id: int, **values: Any) -> tuple[int, int]:
        """Insert a milestone, blocker or approval request with the next number of its
        incident (#1 in each); inside :meth:`write`, so two writers never take one number.
        Returns (id, number)."""
        self._names(table)
        (last,) = self.conn.execute(
            f"SELECT COALESCE(MAX(number), 0) FROM {table} WHERE incident_id = ?",
            (incident_id,)).fetchone()
        return self.insert(table, incident_id=incident_id, number=last + 1, **values), last + 1

    def update(self, table: str, where: dict[str, Any], **values: Any) -> int:
        self._names(table, *values, *where)
        sets = ", ".join(f"{k} = ?" for k in values)
        conds = " AND ".join(f"{k} IS ?" for k in where)
        params = [_param(v) for v in values.values()] + [_param(v) for v in where.values()]
        return self.conn.execute(f"UPDATE {table} SET {sets} WHERE {conds}", params).rowcount

    def rows(self, table: str, order: str = "id", **where: Any) -> list[sqlite3.Row]:
        self._names(table, order, *where)
        conds = " AND ".join(f"{k} IS ?" for k in where) or "1 = 1"
        tie = self._tiebreak(table)  # rows equal in ``order`` in the order they were added,
        by = order if tie is None or order == tie else f"{order}, {tie}"  # on both backends
        return self.conn.execute(
            f"SELECT * FROM {table} WHERE {conds} ORDER BY {by}",
            [_param(v) for v in where.values()],
        ).fetchall()

    def _tiebreak(self, table: str) -> str | None:
        return "rowid"

    def row(self, table: str, **where: Any) -> sqlite3.Row | None:
        found = self.rows(table, order="rowid", **where)
        return found[0] if found else None

    def journal(
        self, actor: Actor, at: datetime, kind: str, incident_id: int | None, /, **payload: Any
    ) -> int:
        """Append one event to the journal; call inside :meth:`write`. ``kind`` must be one
        of :class:`warroom.journal.Kind`: a kind without wording or a place in the metrics
        is a programming error, refused before anything is written. ``at`` is when it
        happened (an incident's events not before it opened); ``recorded_at``, now."""
        if not known(kind):
            raise ValueError(f"unknown journal kind {kind!r}: define it in warroom/journal.py")
        row = incident_id is not None and self.conn.execute(
            "SELECT key, opened_at FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        opened = from_db(row["opened_at"]) if row else None
        if opened is not None and at < opened:
            raise UserError(f"{row['key']} opened at {local_stamp(opened)}: nothing can be "
                            f"recorded as happening before that")
        if row:
            refuse_out_of_order(self.conn, row["key"], incident_id, at, kind, payload)
        restored = self.journal_guards()
        if restored:  # dropped outside warroom: put back, and said in the journal
            self._append(actor, recording_time() or at, Kind.JOURNAL_GUARDED, None,
                         {"restored": restored})
        return self._append(actor, at, kind, incident_id, payload)

    def journal_guards(self) -> list[str]:
        """Put back the journal's guards if they were dropped; returns their names."""
        return chain.restore_guards(self.conn)

    def _append(self, actor: Actor, at: datetime, kind: str, incident_id: int | None,
                payload: dict[str, Any]) -> int:
        """Insert one event, linked to the one before it (:mod:`warroom.db.chain`)."""
        values = {"incident_id": incident_id, "at": to_db(at), "os_user": actor.os_user,
                  "display_name": actor.display, "kind": kind,
                  "recorded_at": to_db(recording_time()),
                  "payload": json.dumps(payload, default=json_default, sort_keys=True)}
        return self.insert("events", **values, **chain.link(self.conn, values))

    # -- queries ----------------------------------------------------------------------

    def incident_row(self, ref: str) -> sqlite3.Row | None:
        """Find an incident by key (``INC-1042``, any case) or number (``1042``)."""
        text = ref.strip().upper()
        if text.isdigit():
            text = f"INC-{text}"
        return self.row("incidents", key=text)

    def find_incident(self, ref: str) -> sqlite3.Row:
        """The incident ``ref`` names, or a NotFound that says how to list them."""
        row = self.incident_row(ref)
        if row is None:
            raise NotFound(f"no incident {cut(ref.strip())!r}: 'warroom ls' lists them")
        return row

    def next_incident_key(self) -> str:
        top = self.conn.execute("SELECT max(id) FROM incidents").fetchone()[0] or 0
        return f"INC-{1001 + top}"

    def incidents(self, include_closed: bool = True) -> list[sqlite3.Row]:
        sql = "SELECT * FROM incidents"
        if not include_closed:
            sql += " WHERE closed_at IS NULL"
        return self.conn.execute(sql + " ORDER BY id").fetchall()

    def vacant_counts(self) -> dict[int, list[str]]:
        """Vacant role names per incident id."""
        out: dict[int, list[str]] = {}
        for r in self.conn.execute(
            "SELECT incident_id, role FROM roles WHERE holder IS NULL ORDER BY rowid"
        ):
            out.setdefault(r[0], []).append(r[1])
        return out

    def open_dispute_counts(self) -> dict[int, int]:
        return dict(
            self.conn.execute(
                "SELECT incident_id, count(*) FROM disputes WHERE settled_at IS NULL "
                "GROUP BY incident_id"
            ).fetchall()
        )

    def votes_for(self, incident_id: int) -> dict[int, list[sqlite3.Row]]:
        out: dict[int, list[sqlite3.Row]] = {}
        for r in self.conn.execute(
            "SELECT v.* FROM votes v JOIN approvals a ON a.id = v.approval_id "
            "WHERE a.incident_id = ? ORDER BY v.id",
            (incident_id,),
        ):
            out.setdefault(r["approval_id"], []).append(r)
        return out

    def last_update(self, incident_id: int, audience: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM updates WHERE incident_id = ? AND audience = ? "
            "ORDER BY posted_at DESC, id DESC LIMIT 1",
            (incident_id, audience),
        ).fetchone()


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=json_default, sort_keys=True)
    if isinstance(value, Enum):
        return value.value
    return value


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__} in the journal")
