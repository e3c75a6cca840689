"""The file format: what makes a file a warroom database, and how its schema is built.

A warroom database is an SQLite file whose ``PRAGMA application_id`` is :data:`APPLICATION_ID`
and whose ``PRAGMA user_version`` counts the migrations applied to it. :data:`MIGRATIONS` lists
them in order, oldest first: each takes a ``sqlite_utils.Database`` and moves the schema one
version on; a new table or column is a new function appended to the list, never an edit to an
old one. :func:`inspect_file` checks a file before anything writes to it, and
:func:`_create_file` makes a new one with the mode a shared host needs.

This module only describes the format; :class:`warroom.db.store.Store` opens the file and runs
the migrations inside its write discipline (one ``BEGIN IMMEDIATE`` transaction).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from warroom.errors import DatabaseError

APPLICATION_ID = int.from_bytes(b"WaRm", "big")
SQLITE_MAGIC = b"SQLite format 3\x00"


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


NUMBERED = ("milestones", "blockers", "approvals")


def _v4(db) -> None:
    """Milestones, blockers and approval requests are numbered per incident (#1 in each):
    a ``number`` column, filled for existing rows in id order within their incident, and
    unique per incident. Ids stay internal (votes and the journal refer to them)."""
    for table in NUMBERED:
        db[table].add_column("number", int)
        db.execute(
            f"UPDATE {table} SET number = (SELECT COUNT(*) FROM {table} AS o "
            f"WHERE o.incident_id = {table}.incident_id AND o.id <= {table}.id)")
        db[table].create_index(["incident_id", "number"], unique=True)


def _v5(db) -> None:
    """A customer-statement request carries its draft (``statement``: the parts and the
    template, as JSON), and records when and by whom the approved text was posted (once)."""
    db["approvals"].add_column("statement", str)
    db["approvals"].add_column("posted_at", str)
    db["approvals"].add_column("posted_by", str)


def _v6(db) -> None:
    """An incident may affect more customers than its main one: ``customers`` holds the
    others as a JSON list of names (empty or NULL: only the main customer)."""
    db["incidents"].add_column("customers", str)


def _v7(db) -> None:
    """An event records when it was recorded (``recorded_at``, the real time) besides when it
    happened (``at``): an event recorded late (``--at``) differs. Events from before were
    recorded as they happened: ``recorded_at = at``, written with the append-only trigger
    lifted for this one statement. The journal is read in the order things happened
    (``at``, then ``id``), hence the indexes."""
    db.execute("ALTER TABLE events ADD COLUMN recorded_at TEXT")
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET recorded_at = at")
    db.execute(
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END"""
    )
    db.execute("CREATE INDEX events_happened ON events(at, id)")
    db.execute("CREATE INDEX events_incident_happened ON events(incident_id, at, id)")


def _chained(db) -> None:
    """Events are chained by hash (:mod:`warroom.db.chain`): ``prev_hash`` and ``hash``,
    filled for the events written before, in id order, with the append-only trigger lifted
    for this one pass."""
    from warroom.db import chain

    db.execute("ALTER TABLE events ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    db.execute("DROP TRIGGER IF EXISTS events_no_update")
    chain.fill(db.conn)
    db.execute(chain.GUARDS["events_no_update"])


def _customer_tz(db) -> None:
    """An incident may record its customer's time zone (``customer_tz``, an IANA name; NULL:
    UTC): customer-facing text gives its times in that zone."""
    db["incidents"].add_column("customer_tz", str)


def _presence(db) -> None:
    """Who has the room open now (:mod:`warroom.db.presence`): one row per running
    dashboard, keyed by host and pid, kept alive by its heartbeat (``last_seen``). Not part
    of any incident and never journaled."""
    db.execute(
        """CREATE TABLE presence (
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            os_user TEXT NOT NULL,
            display_name TEXT,
            incident_key TEXT,
            since TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (host, pid)
        )"""
    )


def _derived_figures(db) -> None:
    """Per-incident figures derived from the journal (:mod:`warroom.db.derived`): one row
    per resolved incident and a marker, so that a snapshot folds only what changed. Derived:
    emptying them loses nothing."""
    db.execute("CREATE TABLE IF NOT EXISTS incident_figures (incident_id INTEGER PRIMARY KEY, "
               "opened REAL NOT NULL, folded_to INTEGER NOT NULL, figures TEXT NOT NULL)")
    db.execute("CREATE INDEX IF NOT EXISTS incident_figures_opened ON incident_figures(opened)")
    db.execute("CREATE TABLE IF NOT EXISTS derived_marks (name TEXT PRIMARY KEY, "
               "format TEXT NOT NULL, event_id INTEGER NOT NULL)")


def _unchained_refused(db) -> None:
    """An event inserted without its hash is refused (``events_chained``): a dashboard
    started before the upgrade to the chain, still running, would break it for good."""
    from warroom.db import chain

    db.execute(chain.GUARDS["events_chained"])


MIGRATIONS = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _chained, _customer_tz, _presence,
              _derived_figures, _unchained_refused]
SCHEMA_VERSION = len(MIGRATIONS)


def _create_file(path: Path) -> None:
    """Create an empty database file readable and writable by owner and group (0660)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660)
    try:
        os.fchmod(fd, 0o660)
    finally:
        os.close(fd)


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` read-only; ``#``, ``?`` and ``%`` in a file name
    are escaped (a bare ``file:`` + path would cut the name there)."""
    return Path(path).resolve().as_uri() + "?mode=ro"


def inspect_file(path: Path) -> int:
    """Check that ``path`` holds a warroom database this program can use; return its version.

    Reads only: a foreign or newer file is left exactly as it was, and so is its folder (the
    ``-wal`` and ``-shm`` files SQLite makes to read a file in WAL mode are removed again
    when the file is refused). An empty file counts as a new database (version 0).
    """
    sidecars = [Path(f"{path}{end}") for end in ("-wal", "-shm")]
    there = {p for p in sidecars if p.exists()}
    try:
        return _inspect(path)
    except DatabaseError:
        for made in (p for p in sidecars if p not in there):
            made.unlink(missing_ok=True)
        raise


def _inspect(path: Path) -> int:
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
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # the file, its folder or the disk, else not ours
        from warroom.db.failures import worded

        error = worded(exc, path)
        raise (error or DatabaseError(f"{path} is not a warroom database ({exc})")) from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and tables == 0 and version == 0:  # an empty SQLite file
            return 0
        raise DatabaseError(f"{path} is an SQLite database but not a warroom one")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer warroom (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade warroom to open it"
        )
    return version


def remove_file(path: Path) -> None:
    """Remove a database file this process made and never used, with its -wal and -shm."""
    for leftover in (path, *(Path(f"{path}{end}") for end in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def holds_events(path: Path) -> bool:
    """Whether the database at ``path`` holds any journal event (read only; a file that
    cannot be read counts as holding some, so that nothing removes it)."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            return conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return True


def in_use(path: Path) -> bool:
    """Whether another connection is writing ``path`` right now (its write lock is taken),
    or it cannot be told: then nothing removes it."""
    try:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        finally:
            conn.close()
    except sqlite3.Error:
        return True
