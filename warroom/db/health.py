"""What `warroom doctor` asks of the database itself: a trial write that keeps nothing, the
journal mode, SQLite's quick_check and the journal's hash chain; on a PostgreSQL server
(:func:`server_probes`) the server, the schema version, the role connected as, its
privileges, the journal's guards, the chain and which server answered.

Each probe answers ``(ok, what)``: one line saying what was found, in words a person can act
on. Nothing here changes the file or the server: the trial writes roll back.
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


# -- on a PostgreSQL server ----------------------------------------------------------------

ServerProbe = tuple[bool | None, str, str | None]
"""(ok: True, False a problem, None a warning; what was found; the fix, or None)."""

_ENABLED = ("O", "A")
"""``pg_trigger.tgenabled`` of a trigger that fires in an ordinary session ('D' disabled, 'R'
fires only for replication)."""


def guard_problems(conn) -> list[str]:
    """The journal's guards a PostgreSQL server no longer applies, each as "NAME disabled" or
    "NAME dropped" (``conn``: a warroom.db.pg_conn connection, search_path at the schema)."""
    from warroom.db import pg_schema

    found = {row[0]: row[1] for row in conn.execute(
        "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'events'::regclass "
        "AND NOT tgisinternal")}
    off = set(chain.missing_guards(conn)) | {n for n, e in found.items() if e not in _ENABLED}
    return [f"{name} {'disabled' if name in found else 'dropped'}"
            for name in pg_schema.GUARDS if name in off]


def _client_url(url: str, user: str) -> str:
    """``url`` with its user replaced by ``user`` (and no password)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    hosts = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{hosts}"))


def server_probes(url: str) -> list[ServerProbe]:
    """What ``warroom doctor`` checks on the server ``url`` names, one line each; nothing is
    kept (the trial write rolls back). A server lost midway ends the list with why."""
    from warroom.db import pg_conn
    from warroom.errors import DatabaseError

    where = pg_conn.shown(url)
    try:
        conn = pg_conn.Connection(url)
    except DatabaseError as exc:
        return [(False, " ".join(str(exc).split()), "check the URL, that the server runs "
                 "and that its pg_hba.conf lets this host and user in")]
    out: list[ServerProbe] = []
    try:
        _probe(conn, url, out)
    except DatabaseError as exc:
        out.append((False, str(exc), f"warroom doctor --db {where}   # again, once it is back"))
    except sqlite3.Error as exc:  # a check the server refused (pg_conn words it so)
        out.append((False, f"the server refused a check: {exc}", "connect as the client role "
                    "warroom db init made, or ask the database's owner why"))
    finally:
        conn.close()
    return out


def _probe(conn, url: str, out: list[ServerProbe]) -> None:
    import psycopg

    from warroom.db import pg_conn, pg_schema
    from warroom.db.schema import SCHEMA_VERSION
    from warroom.errors import DatabaseError

    version = conn.execute("SELECT current_setting('server_version')").fetchone()[0]
    info = conn.raw.info
    out.append((True, f"PostgreSQL {version} answers at {info.host}:{info.port}", None))
    out.append(_failover(conn, url))
    init = "'warroom db init' on it, as the database's owner"
    try:
        stored = pg_schema.stored_version(conn.raw)
    except (DatabaseError, psycopg.Error) as exc:
        text = str(exc).strip().splitlines()
        out.append((False, f"cannot read the schema version: {text[0] if text else exc}",
                    f"connect as the client role {pg_schema.CLIENT}, or run {init}"))
        return
    if stored is None:
        out.append((False, f"{pg_conn.shown(url)} holds no warroom database", f"run {init}"))
        return
    if stored != SCHEMA_VERSION:
        newer = stored > SCHEMA_VERSION
        out.append((False, f"schema version {stored}: this warroom knows {SCHEMA_VERSION}",
                    "upgrade warroom" if newer else f"run {init}"))
        return
    out.append((True, f"schema version {stored} (warroom_meta), as this warroom expects", None))
    conn.execute(f"SET search_path TO {pg_schema.SCHEMA}")
    user, role = _role(conn, url)
    out.append(role)
    out.append(_trial_write(conn))
    out.append(_journal_privileges(conn, user))
    out.append(_guards(conn))
    out.append(_chain(conn, url))


def _failover(conn, url: str) -> ServerProbe:
    """Which of the URL's hosts answered, whether it takes writes, and its standbys."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    hosts = [h for h in str(params.get("host", "")).split(",") if h]
    attrs = params.get("target_session_attrs", "any")
    standby, standbys, sync = conn.execute(
        "SELECT pg_is_in_recovery(), (SELECT count(*) FROM pg_stat_replication), "
        "current_setting('synchronous_standby_names')").fetchone()
    info = conn.raw.info
    said = "the server"
    if len(hosts) > 1:
        said = (f"{info.host}:{info.port} answered, of the {len(hosts)} hosts in the URL "
                f"(target_session_attrs={attrs}), and")
    if standby:
        return (False, f"{said} is a standby in recovery, read-only: every write fails",
                "put ?target_session_attrs=read-write in the URL, or name the primary")
    said += f" is a primary with {standbys} standby(s) attached" + (
        f", synchronous: {sync}" if sync else "")
    if len(hosts) > 1 and attrs not in ("read-write", "primary"):
        return (None, f"{said}; after a failover the first host to answer may be a "
                "read-only standby", "add target_session_attrs=read-write to the URL")
    return True, said, None


def _role(conn, url: str) -> tuple[str, ServerProbe]:
    """The role connected as: the client role, never the owner or a superuser."""
    from warroom.db import pg_schema

    user, superuser, owner = conn.execute(
        "SELECT current_user, r.rolsuper, CASE WHEN to_regrole("
        f"'{pg_schema.OWNER}') IS NULL THEN false ELSE pg_has_role(current_user, "
        f"'{pg_schema.OWNER}', 'MEMBER') END FROM pg_roles r "
        "WHERE r.rolname = current_user").fetchone()
    what = ("a superuser" if superuser else
            f"a member of the owner role {pg_schema.OWNER}" if owner else None)
    if what is None:
        return user, (True, f"you connect as {user}: not the owner, not a superuser", None)
    return user, (False, f"you connect as {user}, {what}: the client must not connect as "
                  "owner or superuser (it may change or remove journal events)",
                  f"--db {_client_url(url, pg_schema.CLIENT)}   # the client role; the owner "
                  "is for 'warroom db init' and 'warroom db copy'")


def _trial_write(conn) -> ServerProbe:
    """An empty INSERT into the journal and an empty UPDATE of the incidents, rolled back:
    the server checks the privileges and that it takes writes, and nothing is kept."""
    try:
        conn.execute("BEGIN")
        try:
            conn.execute("SET LOCAL lock_timeout = '2s'")
            conn.execute("INSERT INTO events SELECT * FROM events WHERE false")
            conn.execute("UPDATE incidents SET stage = stage WHERE false")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        return (False, f"a trial write failed: {exc}", "as the database's owner, give the "
                "client role its grants ('warroom db init' prints them)")
    return True, "a trial write succeeded (rolled back: nothing was kept)", None


def _journal_privileges(conn, user: str) -> ServerProbe:
    """The client may add events, never change, remove or empty them."""
    allowed = [p for p in ("UPDATE", "DELETE", "TRUNCATE") if conn.execute(
        f"SELECT has_table_privilege('events', '{p}')").fetchone()[0]]
    if allowed:
        return (False, f"{user} may {', '.join(allowed)} journal events: only the triggers "
                "keep the journal append-only", f"REVOKE {', '.join(allowed)} ON "
                f"warroom.events FROM \"{user}\"   # as the database's owner")
    return True, f"{user} may add journal events, not change, remove or empty them", None


def _guards(conn) -> ServerProbe:
    from warroom.db import pg_schema

    off = guard_problems(conn)
    if not off:
        return (True, f"the journal's guards are in place and enabled "
                f"({', '.join(pg_schema.GUARDS)})", None)
    disabled = [p.split()[0] for p in off if p.endswith("disabled")]
    fix = "; ".join(f"ALTER TABLE warroom.events ENABLE TRIGGER {n}" for n in disabled)
    if len(disabled) < len(off):
        fix = (fix + "; " if fix else "") + "a dropped guard: make a fresh database with " \
            "'warroom db init' and copy the room into it ('warroom db copy')"
    return (False, f"the journal's guards are off on the server ({', '.join(off)}): it no "
            "longer keeps the journal append-only", fix + "   # as the owner or a superuser")


def _chain(conn, url: str) -> ServerProbe:
    from warroom.db import pg_conn

    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    try:
        count, broken = chain.check(conn)
    finally:
        conn.execute("COMMIT")
    if broken is None:
        return True, f"the journal's hash chain holds ({count} events)", None
    return (False, f"JOURNAL ALTERED at event {broken.event_id}: {broken.problem}",
            f"warroom verify --db {pg_conn.shown(url)}")
