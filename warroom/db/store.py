"""The only module with SQL: opening the file, schema and migrations, reads and writes.

One SQLite file is shared by every process in the war room. Writes go through
:meth:`Store.write`, which takes the write lock up front (``BEGIN IMMEDIATE``): a deferred
transaction that reads and then writes fails with "database is locked" under contention,
and the busy timeout cannot save it. Reads go through :meth:`Store.read`, one snapshot each.
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

from warroom.errors import Busy, DatabaseError, NotFound
from warroom.records import Actor

APPLICATION_ID = int.from_bytes(b"WaRm", "big")
SQLITE_MAGIC = b"SQLite format 3\x00"
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


def _v1(db) -> None:
    """The first schema: incidents, their parts, and the append-only journal."""
    db["incidents"].create(
        {
            "id": int, "key": str, "title": str, "customer": str, "service": str,
            "severity": str, "stage": str, "playbook": str, "drill": int,
            "opened_at": str, "opened_by": str, "resolved_at": str, "closed_at": str,
            "csat": int, "csat_comment": str, "next_customer_due": str,
            "next_internal_due": str, "policy": str,
        },
        pk="id", not_null={"key", "title", "customer", "severity", "stage", "opened_at"},
    )
    db["incidents"].create_index(["key"], unique=True)
    db["roles"].create(
        {
            "incident_id": int, "role": str, "holder": str, "team": str, "since": str,
            "vacant_since": str, "contingency": str, "version": int,
        },
        pk=("incident_id", "role"), foreign_keys=[("incident_id", "incidents", "id")],
        defaults={"version": 0},
    )
    db["disputes"].create(
        {
            "id": int, "incident_id": int, "role": str, "claimant": str, "holder": str,
            "reason": str, "opened_at": str, "settled_at": str, "settled_by": str,
            "winner": str,
        },
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["handovers"].create(
        {
            "id": int, "incident_id": int, "role": str, "from_person": str,
            "to_person": str, "done": str, "remaining": str, "dependencies": str,
            "risks": str, "offered_at": str, "role_version": int, "status": str,
            "closed_at": str, "closed_by": str, "reason": str,
        },
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["milestones"].create(
        {
            "id": int, "incident_id": int, "name": str, "owner": str, "due_at": str,
            "done_at": str, "done_by": str,
        },
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["blockers"].create(
        {
            "id": int, "incident_id": int, "what": str, "waiting_on": str, "owner": str,
            "raised_at": str, "cleared_at": str, "cleared_by": str,
        },
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["approvals"].create(
        {
            "id": int, "incident_id": int, "change": str, "kind": str, "risk": str,
            "rationale": str, "fallback": str, "needed": int, "eligible_roles": str,
            "eligible_people": str, "decider_required": int, "requester": str,
            "requested_at": str, "expires_at": str, "status": str, "decided_at": str,
        },
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["votes"].create(
        {
            "id": int, "approval_id": int, "voter": str, "decision": str, "roles": str,
            "reason": str, "at": str,
        },
        pk="id", foreign_keys=[("approval_id", "approvals", "id")],
    )
    db["votes"].create_index(["approval_id", "voter"], unique=True)
    db["updates"].create(
        {
            "id": int, "incident_id": int, "audience": str, "known": str, "unknown": str,
            "next_steps": str, "next_update_at": str, "author": str, "posted_at": str,
        },
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    for table in ("disputes", "handovers", "milestones", "blockers", "approvals", "updates"):
        db[table].create_index(["incident_id"])
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER REFERENCES incidents(id),
            at TEXT NOT NULL,
            os_user TEXT NOT NULL,
            display_name TEXT,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute("CREATE INDEX events_incident ON events(incident_id, id)")
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END"""
        )


def _v2(db) -> None:
    """Incidents record the customer's tier (enterprise, standard...), which playbooks match."""
    db["incidents"].add_column("tier", str)


def _v3(db) -> None:
    """Approval requests record the rule they were made under ("rollback/high"), which the
    approvals pane shows; requests made before keep it empty."""
    db["approvals"].add_column("rule", str)


MIGRATIONS = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


def _create_file(path: Path) -> None:
    """Create an empty database file readable and writable by owner and group (0660)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660)
    try:
        os.fchmod(fd, 0o660)
    finally:
        os.close(fd)


def inspect_file(path: Path) -> int:
    """Check that ``path`` holds a warroom database this program can use; return its version.

    Reads only: a foreign or newer file is left exactly as it was. An empty file counts as a
    new database (version 0).
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a warroom database")
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise DatabaseError(f"cannot read {path}: {exc.strerror}") from None
    if not header:
        return 0
    if not header.startswith(SQLITE_MAGIC):
        raise DatabaseError(f"{path} is not a warroom database (not an SQLite file)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a warroom database ({exc})") from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return 0
        raise DatabaseError(f"{path} is an SQLite database but not a warroom one")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer warroom (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade warroom to open it"
        )
    return version


class Store:
    """A connection to one warroom database, with the write discipline built in."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise DatabaseError(
                    f"no warroom database at {self.path}: open an incident with "
                    "'warroom open' or pass --db"
                )
            try:
                _create_file(self.path)
            except FileExistsError:
                pass
            except OSError as exc:
                raise DatabaseError(f"cannot create {self.path}: {exc.strerror}") from None
        version = inspect_file(self.path)
        self.conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=FULL")
        if version < SCHEMA_VERSION:
            self._migrate()
        else:
            self._ensure_wal()

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
        """One write transaction: everything inside commits together or not at all."""
        with self._immediate():
            yield self

    @contextmanager
    def read(self) -> Iterator["Store"]:
        """One consistent snapshot for several reads."""
        if self.conn.in_transaction:
            yield self
            return
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

    def update(self, table: str, where: dict[str, Any], **values: Any) -> int:
        self._names(table, *values, *where)
        sets = ", ".join(f"{k} = ?" for k in values)
        conds = " AND ".join(f"{k} IS ?" for k in where)
        params = [_param(v) for v in values.values()] + [_param(v) for v in where.values()]
        return self.conn.execute(f"UPDATE {table} SET {sets} WHERE {conds}", params).rowcount

    def rows(self, table: str, order: str = "id", **where: Any) -> list[sqlite3.Row]:
        self._names(table, order, *where)
        conds = " AND ".join(f"{k} IS ?" for k in where) or "1"
        return self.conn.execute(
            f"SELECT * FROM {table} WHERE {conds} ORDER BY {order}",
            [_param(v) for v in where.values()],
        ).fetchall()

    def row(self, table: str, **where: Any) -> sqlite3.Row | None:
        found = self.rows(table, order="rowid", **where)
        return found[0] if found else None

    def journal(
        self, actor: Actor, at: datetime, kind: str, incident_id: int | None, /, **payload: Any
    ) -> int:
        """Append one event to the journal; call inside :meth:`write`."""
        return self.insert(
            "events", incident_id=incident_id, at=at, os_user=actor.os_user,
            display_name=actor.display, kind=kind,
            payload=json.dumps(payload, default=json_default, sort_keys=True),
        )

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
            raise NotFound(f"no incident {ref.strip()!r}: 'warroom ls' lists them")
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

    def last_event_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def events_after(
        self, after_id: int = 0, incident_id: int | None = None, limit: int | None = None
    ) -> list[sqlite3.Row]:
        """Journal events with id above ``after_id``, oldest first."""
        sql = (
            "SELECT e.*, i.key AS incident_key FROM events e "
            "LEFT JOIN incidents i ON i.id = e.incident_id WHERE e.id > ?"
        )
        params: list[Any] = [after_id]
        if incident_id is not None:
            sql += " AND e.incident_id = ?"
            params.append(incident_id)
        sql += " ORDER BY e.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.conn.execute(sql, params).fetchall()

    def events_before(
        self, before_id: int, incident_id: int | None, limit: int
    ) -> list[sqlite3.Row]:
        """Up to ``limit`` journal events with id below ``before_id``, newest first."""
        sql = (
            "SELECT e.*, i.key AS incident_key FROM events e "
            "LEFT JOIN incidents i ON i.id = e.incident_id WHERE e.id < ?"
        )
        params: list[Any] = [before_id]
        if incident_id is not None:
            sql += " AND e.incident_id = ?"
            params.append(incident_id)
        sql += " ORDER BY e.id DESC LIMIT ?"
        params.append(limit)
        return self.conn.execute(sql, params).fetchall()

    def journal_stream(self, incident_id: int | None = None) -> Iterator[tuple]:
        """Journal events in id order as plain tuples ``(id, incident_id, at, os_user,
        display_name, kind, payload)`` (payload as JSON text), through one cursor: memory
        stays flat however long the journal. Call inside :meth:`read` for one snapshot."""
        cur = self.conn.cursor()
        cur.row_factory = None
        sql = "SELECT id, incident_id, at, os_user, display_name, kind, payload FROM events"
        if incident_id is None:
            cur.execute(sql + " ORDER BY id")
        else:
            cur.execute(sql + " WHERE incident_id = ? ORDER BY id", (incident_id,))
        try:
            yield from cur
        finally:
            cur.close()


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
