"""The PostgreSQL form of a warroom database: its schema, its two roles, and the checks made
before a server's database is used.

Everything lives in the schema ``warroom`` of the database the URL names, owned by the owner
role (no login). The client role (login) that warroom connects as may read everything, add
journal events, change the state tables, and keep the derived and presence tables; it may not
change or remove an event, empty the journal, or alter a trigger (it owns nothing).

The journal's promises, kept by the server whoever writes:
- ids in commit order with no gap: a SECURITY DEFINER trigger takes the write lock (a
  transaction-scoped advisory lock) and gives each event the next id from a counter only it
  may change (``journal_counter``), so a reader asking for "after the last id seen" never
  skips an event, and a removed last event leaves the counter ahead (``warroom verify``);
- the authenticated database user stamped on each event (``db_user``), whatever the client
  says; only a member of the owner role (``warroom db copy``) keeps the one copied;
- UPDATE, DELETE and TRUNCATE refused by privilege for the client and by trigger for the
  owner; an event without its hash refused (a warroom too old for the chain);
- a NOTIFY on channel ``warroom`` at each commit that adds an event or changes who is
  watching: the live view's nudge (the journal stays the truth).

Versions: ``warroom_meta`` holds the application id and the schema version, the same number
as an SQLite file of this warroom. :data:`PG_MIGRATIONS` moves a database from one version to
the next; the first creates the schema as it stood when PostgreSQL was added (SQLite's 12).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from warroom.db.schema import APPLICATION_ID, SCHEMA_VERSION
from warroom.errors import DatabaseError, UserError

SCHEMA = "warroom"
OWNER = "warroom_owner"
CLIENT = "warroom"
CHANNEL = "warroom"
WRITE_LOCK = APPLICATION_ID  # the advisory lock every write takes (one writer at a time)
MIGRATION_LOCK = APPLICATION_ID + 1

STATE = ("incidents", "roles", "disputes", "handovers", "milestones", "blockers",
         "approvals", "votes", "updates")
KEPT = ("presence", "incident_figures", "derived_marks")
HAS_ID = frozenset({"incidents", "disputes", "handovers", "milestones", "blockers",
                    "approvals", "votes", "updates", "events"})
"""Tables whose rows have an ``id`` (on SQLite the rowid itself); ``roles`` keeps a
``rowid`` column instead, for the order its roles were added in."""

_TABLES = """
CREATE TABLE incidents (
    id BIGINT PRIMARY KEY, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    customer TEXT NOT NULL, service TEXT, severity TEXT NOT NULL, stage TEXT NOT NULL,
    playbook TEXT, drill BIGINT, opened_at TEXT NOT NULL, opened_by TEXT, resolved_at TEXT,
    closed_at TEXT, csat BIGINT, csat_comment TEXT, next_customer_due TEXT,
    next_internal_due TEXT, policy TEXT, tier TEXT, customers TEXT, customer_tz TEXT);
CREATE TABLE roles (
    incident_id BIGINT REFERENCES incidents(id), role TEXT, holder TEXT, team TEXT,
    since TEXT, vacant_since TEXT, contingency TEXT, version BIGINT DEFAULT 0,
    rowid BIGINT NOT NULL, PRIMARY KEY (incident_id, role));
CREATE TABLE disputes (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), role TEXT,
    claimant TEXT, holder TEXT, reason TEXT, opened_at TEXT, settled_at TEXT,
    settled_by TEXT, winner TEXT);
CREATE INDEX idx_disputes_incident_id ON disputes (incident_id);
CREATE TABLE handovers (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), role TEXT,
    from_person TEXT, to_person TEXT, done TEXT, remaining TEXT, dependencies TEXT,
    risks TEXT, offered_at TEXT, role_version BIGINT, status TEXT, closed_at TEXT,
    closed_by TEXT, reason TEXT);
CREATE INDEX idx_handovers_incident_id ON handovers (incident_id);
CREATE TABLE milestones (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), name TEXT,
    owner TEXT, due_at TEXT, done_at TEXT, done_by TEXT, number BIGINT,
    UNIQUE (incident_id, number));
CREATE TABLE blockers (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), what TEXT,
    waiting_on TEXT, owner TEXT, raised_at TEXT, cleared_at TEXT, cleared_by TEXT,
    number BIGINT, UNIQUE (incident_id, number));
CREATE TABLE approvals (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), change TEXT,
    kind TEXT, risk TEXT, rationale TEXT, fallback TEXT, needed BIGINT, eligible_roles TEXT,
    eligible_people TEXT, decider_required BIGINT, requester TEXT, requested_at TEXT,
    expires_at TEXT, status TEXT, decided_at TEXT, rule TEXT, number BIGINT,
    statement TEXT, posted_at TEXT, posted_by TEXT, UNIQUE (incident_id, number));
CREATE TABLE votes (
    id BIGINT PRIMARY KEY, approval_id BIGINT REFERENCES approvals(id), voter TEXT,
    decision TEXT, roles TEXT, reason TEXT, at TEXT, UNIQUE (approval_id, voter));
CREATE TABLE updates (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), audience TEXT,
    known TEXT, unknown TEXT, next_steps TEXT, next_update_at TEXT, author TEXT,
    posted_at TEXT);
CREATE INDEX idx_updates_incident_id ON updates (incident_id);
CREATE TABLE events (
    id BIGINT PRIMARY KEY, incident_id BIGINT REFERENCES incidents(id), at TEXT NOT NULL,
    os_user TEXT NOT NULL, display_name TEXT, kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}', recorded_at TEXT, prev_hash TEXT, hash TEXT,
    db_user TEXT);
CREATE INDEX events_incident ON events (incident_id, id);
CREATE INDEX events_happened ON events (at, id);
CREATE INDEX events_incident_happened ON events (incident_id, at, id);
CREATE TABLE journal_counter (one BIGINT PRIMARY KEY CHECK (one = 1), last_id BIGINT NOT NULL);
INSERT INTO journal_counter VALUES (1, 0);
CREATE TABLE presence (
    host TEXT NOT NULL, pid BIGINT NOT NULL, os_user TEXT NOT NULL, display_name TEXT,
    incident_key TEXT, since TEXT NOT NULL, last_seen TEXT NOT NULL, PRIMARY KEY (host, pid));
CREATE TABLE incident_figures (incident_id BIGINT PRIMARY KEY, opened DOUBLE PRECISION NOT NULL,
    folded_to BIGINT NOT NULL, figures TEXT NOT NULL);
CREATE INDEX incident_figures_opened ON incident_figures (opened);
CREATE TABLE derived_marks (name TEXT PRIMARY KEY, format TEXT NOT NULL,
    event_id BIGINT NOT NULL);
"""

_GUARDS = """
CREATE FUNCTION warroom_event_in() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp AS $$
BEGIN
    IF NEW.hash IS NULL OR NEW.prev_hash IS NULL THEN
        RAISE EXCEPTION 'this warroom is older than the database: restart it (it writes '
                        'no hash chain)';
    END IF;
    PERFORM pg_advisory_xact_lock({lock});
    IF NEW.prev_hash IS DISTINCT FROM COALESCE(
            (SELECT hash FROM events ORDER BY id DESC LIMIT 1), repeat('0', 64)) THEN
        RAISE EXCEPTION 'an event must link to the last one (its prev_hash): the journal '
                        'is a chain';
    END IF;
    UPDATE journal_counter SET last_id = last_id + 1 RETURNING last_id INTO NEW.id;
    IF NEW.db_user IS NULL OR NOT pg_has_role(session_user, '{owner}', 'MEMBER') THEN
        NEW.db_user := session_user;
    END IF;
    PERFORM pg_notify('{channel}', NEW.id::text);
    RETURN NEW;
END $$;
CREATE FUNCTION warroom_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END $$;
CREATE FUNCTION warroom_presence_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', 'presence');
    RETURN NULL;
END $$;
CREATE TRIGGER events_in BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION warroom_event_in();
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION warroom_append_only();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION warroom_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION warroom_append_only();
CREATE TRIGGER presence_moved AFTER INSERT OR UPDATE OR DELETE ON presence
    FOR EACH STATEMENT EXECUTE FUNCTION warroom_presence_moved();
"""

GUARDS = ("events_in", "events_no_update", "events_no_delete", "events_no_truncate")
"""The journal's triggers by name: one missing or disabled is reported by verify and doctor."""


def _settled(conn, owner: str) -> None:
    """Version 12: the whole schema, as SQLite's migrations 1 to 12 leave it."""
    for statement in _split(_TABLES):
        conn.execute(statement)
    guards = _GUARDS.format(schema=SCHEMA, lock=WRITE_LOCK, owner=owner, channel=CHANNEL)
    for statement in _split(guards):
        conn.execute(statement)


PG_MIGRATIONS: dict[int, Callable] = {12: _settled}
"""Migration to each version (the key), applied in order from the stored version on."""


def _split(script: str) -> list[str]:
    """Statements of a script; a ``$$`` body is kept whole."""
    out, current, body = [], [], False
    for line in script.strip().splitlines():
        current.append(line)
        body ^= line.count("$$") % 2 == 1
        if not body and line.rstrip().endswith(";"):
            out.append("\n".join(current))
            current = []
    if current and "\n".join(current).strip():
        out.append("\n".join(current))
    return out


def stored_version(raw) -> int | None:
    """The schema version of the database ``raw`` (a psycopg connection) is connected to:
    None when it holds no warroom schema at all. A schema ``warroom`` that is not warroom's
    is refused, untouched."""
    found = raw.execute("SELECT to_regclass(%s), to_regnamespace(%s)",
                        (f"{SCHEMA}.warroom_meta", SCHEMA)).fetchone()
    if found[0] is None:
        if found[1] is not None and raw.execute(
                "SELECT count(*) FROM pg_class WHERE relnamespace = to_regnamespace(%s)",
                (SCHEMA,)).fetchone()[0]:
            raise DatabaseError(f"this database has a schema {SCHEMA!r} that is not "
                                "warroom's: nothing was changed")
        return None
    app_id, version = raw.execute(
        f"SELECT application_id, schema_version FROM {SCHEMA}.warroom_meta").fetchone()
    if app_id != APPLICATION_ID:
        raise DatabaseError(f"this database's {SCHEMA!r} schema is not warroom's: nothing "
                            "was changed")
    return version


def refuse_newer(version: int, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"{where} was written by a newer warroom (schema {version}, this "
                            f"one knows {SCHEMA_VERSION}); upgrade warroom to open it")


def new_password() -> str:
    return secrets.token_urlsafe(18)


def init(raw, *, owner: str = OWNER, client: str = CLIENT) -> tuple[int, int, list[str]]:
    """On an admin connection (``raw``, psycopg, autocommit): create the two roles if they
    are missing, then the schema or its missing migrations, under the migration lock.
    Returns (version before, version after, what was done, as lines)."""
    from psycopg import sql

    done: list[str] = []
    with raw.transaction():
        # pg_catalog's functions only: a look-alike another role put in "public" must never
        # run with the admin's rights
        raw.execute("SET LOCAL search_path = pg_catalog, pg_temp")
        raw.execute("SELECT pg_catalog.pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        before = stored_version(raw)
        if before is not None:
            refuse_newer(before, "this database")
            (held_by,) = raw.execute("SELECT nspowner::regrole::text FROM pg_namespace "
                                     "WHERE nspname = %s", (SCHEMA,)).fetchone()
            if held_by.strip('"') != owner:
                raise DatabaseError(f"the schema {SCHEMA!r} is owned by {held_by}, not "
                                    f"{owner}: pass --owner {held_by}; nothing was changed")
        for name, login in ((owner, False), (client, True)):
            if raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                continue
            raw.execute(sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN"))
                        .format(sql.Identifier(name)))
            done.append(f"created role {name}" + (" (login)" if login else " (no login)"))
        if not raw.execute("SELECT pg_catalog.pg_has_role(current_user, %s, 'MEMBER')",
                           (owner,)).fetchone()[0]:  # an admin not superuser: it may
            raw.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(  # act as the owner
                sql.Identifier(owner)))
            done.append(f"granted {owner} to the admin role (to create and migrate the schema)")
        if before is None:
            raw.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
                sql.Identifier(SCHEMA), sql.Identifier(owner)))
            done.append(f"created schema {SCHEMA}, owned by {owner}")
        (database,) = raw.execute("SELECT pg_catalog.current_database()").fetchone()
        for statement in database_grants(database, client):
            raw.execute(statement)
        raw.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
        raw.execute(sql.SQL("SET LOCAL search_path TO {}, pg_temp").format(
            sql.Identifier(SCHEMA)))
        if before is None:
            raw.execute("CREATE TABLE warroom_meta (application_id BIGINT NOT NULL, "
                        "schema_version BIGINT NOT NULL)")
            raw.execute("INSERT INTO warroom_meta VALUES (%s, 0)", (APPLICATION_ID,))
        version = before or 0
        for target in sorted(PG_MIGRATIONS):
            if target > version:
                PG_MIGRATIONS[target](raw, owner)
                version = target
                done.append(f"schema now at version {version}")
        raw.execute("UPDATE warroom_meta SET schema_version = %s", (version,))
        for statement in grants(owner, client):
            raw.execute(statement)
    return before or 0, version, done


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def database_grants(database: str, client: str) -> list[str]:
    """Who may connect to the room's database: the client role (and its members) only. Any
    role that may connect could otherwise hold the write lock (advisory locks need no
    privilege) and stop every write, or send false nudges."""
    return [f"REVOKE CONNECT, TEMPORARY ON DATABASE {_quoted(database)} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {_quoted(client)}"]


def grants(owner: str, client: str) -> list[str]:
    """The grants that make ``client`` warroom's client role (printed by ``db init``)."""
    c = f'"{client}"'
    return [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {c}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {c}",
        f"GRANT INSERT ON {SCHEMA}.events TO {c}",
        f"GRANT INSERT, UPDATE ON {', '.join(f'{SCHEMA}.{t}' for t in STATE)} TO {c}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(f'{SCHEMA}.{t}' for t in KEPT)} TO {c}",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC",
    ]


_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def role_name(name: str, option: str) -> str:
    """A role name given on the command line: plain lower-case letters, digits and ``_``."""
    if not _ROLE_NAME.match(name):
        raise UserError(f"{option} {name[:40]!r} is not a role name warroom uses: lower-case "
                        "letters, digits and _, not starting with a digit")
    return name


def client_url(url: str, client: str) -> str:
    """The URL clients use: ``url`` with the client role as its user, no password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(item for item in parts.query.split("&")
                     if item and not item.lower().startswith("password="))
    return urlunsplit(parts._replace(netloc=f"{client}@{host}", query=query))


def init_at(url: str, *, owner: str = OWNER, client: str = CLIENT
            ) -> tuple[int, int, list[str]]:
    """:func:`init` on a new admin connection to ``url``; what the server refuses (a role
    that may not create roles, a database it does not own) as one line: nothing changed."""
    import psycopg

    from warroom.db.pg_conn import Connection, shown

    conn = Connection(url)
    try:
        return init(conn.raw, owner=owner, client=client)
    except psycopg.Error as exc:
        text = (getattr(exc.diag, "message_primary", None) or str(exc)).strip()
        raise DatabaseError(f"{shown(url)} refused: {text.splitlines()[0] if text else exc}; "
                            "nothing was changed (connect as a superuser, or a role that may "
                            "create roles and owns the database)") from None
    finally:
        conn.close()
