"""What the PostgreSQL backend promises beyond the tests both backends share: the journal
kept append-only by the server against the client role and its owner, ids in commit order,
the database user stamped on each event, foreign and newer schemas refused untouched, and
psycopg never imported for an SQLite file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timezone

import psycopg
import pytest

from warroom import actions
from warroom.db import chain, pg_schema
from warroom.db.pg_store import PgStore
from warroom.db.schema import SCHEMA_VERSION
from warroom.errors import DatabaseError
from warroom.records import Actor

SAM = Actor(os_user="oncall", display="sam")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
def room(pg_server):
    url = pg_server.fresh()
    yield url
    pg_server.drop(url)


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _opened(url: str) -> PgStore:
    store = PgStore(url)
    actions.open_incident(store, SAM, title="Checkout failing", customer="Acme",
                          severity="SEV1")
    return store


@pytest.mark.parametrize("sql", [
    "UPDATE events SET kind = 'forged'", "DELETE FROM events", "TRUNCATE events",
    "ALTER TABLE events DISABLE TRIGGER events_no_update", "DROP TRIGGER events_in ON events",
    "UPDATE journal_counter SET last_id = 0", "DROP TABLE events",
])
def test_the_client_role_cannot_change_the_journal(room, sql):
    with _opened(room) as store:
        with pytest.raises(sqlite3.OperationalError, match="permission denied|must be owner"):
            store.conn.execute(sql)
        count, broken = chain.check(store.conn)
        assert (count, broken) == (1, None)


@pytest.mark.parametrize("sql", ["UPDATE warroom.events SET kind = 'forged'",
                                 "DELETE FROM warroom.events", "TRUNCATE warroom.events"])
def test_the_owner_is_refused_by_the_triggers(pg_server, room, sql):
    _opened(room).close()
    with pg_server.admin(_dbname(room)) as admin:
        admin.execute("SET ROLE warroom_owner")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            admin.execute(sql)


def test_an_event_without_its_hash_is_refused(room):
    with _opened(room) as store, store.write():
        with pytest.raises(sqlite3.IntegrityError, match="older than the database"):
            store.conn.execute("INSERT INTO events (incident_id, at, os_user, kind, payload) "
                               "VALUES (1, '2026-01-01', 'x', 'note.added', '{}')")


def test_the_server_numbers_events_and_stamps_the_database_user(room):
    with _opened(room) as store:
        with store.write():  # a client naming its own id and user gets the server's
            store.conn.execute(
                "INSERT INTO events (id, incident_id, at, os_user, kind, payload, prev_hash, "
                "hash, db_user) VALUES (99, 1, ?, 'x', 'note.added', '{}', ?, ?, 'postgres')",
                ("2026-12-03T10:00:00+00:00", chain.head(store.conn), "f" * 64))
        rows = store.conn.execute("SELECT id, db_user FROM events ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(1, "warroom"), (2, "warroom")]


def test_ids_follow_commit_order_with_no_gap(room):
    """A transaction that rolls back leaves no gap, and one that waits for the write lock
    gets a later id than the one that committed first."""
    with _opened(room) as store:
        with pytest.raises(RuntimeError), store.write():
            store.journal(SAM, _now(), "note.posted", 1, text="rolled back")
            raise RuntimeError
        first, second = PgStore(room), PgStore(room)
        holding = threading.Event()
        done = []

        def late() -> None:
            holding.wait()
            with second.write():
                done.append(second.journal(SAM, _now(), "note.posted", 1, text="second"))

        worker = threading.Thread(target=late)
        worker.start()
        with first.write():
            holding.set()
            worker.join(0.3)  # the other writer now waits for the lock
            done.append(first.journal(SAM, _now(), "note.posted", 1, text="first"))
        worker.join(10)
        first.close()
        second.close()
        assert done == [2, 3]
        assert chain.check(store.conn) == (3, None)


def test_a_foreign_schema_is_refused_untouched(pg_server):
    with pg_server.admin() as admin:
        admin.execute("CREATE DATABASE foreign_db")
    try:
        with pg_server.admin("foreign_db") as admin:
            admin.execute("CREATE SCHEMA warroom")
            admin.execute("CREATE TABLE warroom.orders (id int)")
            with pytest.raises(DatabaseError, match="not warroom's: nothing was changed"):
                pg_schema.init(admin)
            tables = admin.execute("SELECT table_name FROM information_schema.tables "
                                   "WHERE table_schema = 'warroom'").fetchall()
            assert tables == [("orders",)]
        with pytest.raises(DatabaseError, match="not warroom's"):
            PgStore(pg_server.url("foreign_db", "postgres"))
    finally:
        pg_server.drop(pg_server.url("foreign_db"))


def test_an_empty_database_says_how_to_make_it_a_room(pg_server):
    with pg_server.admin() as admin:
        admin.execute("CREATE DATABASE empty_db")
    try:
        with pytest.raises(DatabaseError, match="holds no warroom database: 'warroom db init'"):
            PgStore(pg_server.url("empty_db", "postgres"))
    finally:
        pg_server.drop(pg_server.url("empty_db"))


def test_a_newer_schema_is_refused_and_a_writer_stops(pg_server, room):
    store = _opened(room)
    with pg_server.admin(_dbname(room)) as admin:
        admin.execute("UPDATE warroom.warroom_meta SET schema_version = %s",
                      (SCHEMA_VERSION + 1,))
        with pytest.raises(DatabaseError, match="newer warroom"):
            pg_schema.init(admin)
    with pytest.raises(DatabaseError, match="newer warroom"):
        PgStore(room)
    with pytest.raises(DatabaseError, match="upgraded by a newer warroom"):
        actions.claim_role(store, SAM, "INC-1001", "lead")
    store.close()


def test_init_twice_is_harmless(pg_server, room):
    _opened(room).close()
    with pg_server.admin(_dbname(room)) as admin:
        before, after, done = pg_schema.init(admin)
    assert (before, after, done) == (SCHEMA_VERSION, SCHEMA_VERSION, [])
    with PgStore(room) as store:
        assert chain.check(store.conn) == (1, None)


def test_a_lost_server_is_one_line(pg_server):
    port = pg_server.port
    with pytest.raises(DatabaseError, match="cannot connect to postgresql://warroom@"
                       "127.0.0.1:1/x"):
        PgStore("postgresql://warroom@127.0.0.1:1/x")
    assert port  # the session's server is untouched


def test_the_password_is_never_shown(pg_server):
    with pytest.raises(DatabaseError) as caught:
        PgStore("postgresql://warroom:s3cret@127.0.0.1:1/x")
    assert "s3cret" not in str(caught.value) and "warroom:***@" in str(caught.value)


def test_psycopg_is_imported_only_for_a_url(tmp_path):
    code = ("import sys\nfrom warroom.db.store import open_store\n"
            f"open_store({str(tmp_path / 'w.db')!r}, create=True).close()\n"
            "import warroom.cli, warroom.actions, warroom.reports.rollup\n"
            "print('psycopg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_restarted_server_is_reconnected_to_by_the_next_action(pg_server, room):
    """A server restart (or a failover) drops the store's connection: an action while the
    server is down is refused in one line with nothing written, and the next action once it
    is back reconnects by itself."""
    store = _opened(room)
    pg_server.down()
    try:
        with pytest.raises(DatabaseError, match="PostgreSQL server|cannot connect"):
            actions.claim_role(store, SAM, "INC-1001", "lead")
    finally:
        pg_server.up()
    actions.claim_role(store, SAM, "INC-1001", "lead")
    with store.read():
        assert store.row("roles", incident_id=1, role="lead")["holder"] == "sam"
        assert chain.check(store.conn) == (2, None)
    store.close()


def test_an_event_that_does_not_link_to_the_last_is_refused(room):
    with _opened(room) as store, store.write():
        with pytest.raises(sqlite3.IntegrityError, match="must link to the last one"):
            store.conn.execute(
                "INSERT INTO events (incident_id, at, os_user, kind, payload, prev_hash, hash) "
                "VALUES (1, '2026-01-01', 'x', 'note.posted', '{}', 'p', 'h')")


def test_a_look_alike_function_in_public_never_runs_as_the_admin(pg_server, room):
    """A client that may create functions in "public" (the default before PostgreSQL 15)
    plants a closer-matching pg_has_role; the admin's next db init must not call it."""
    _opened(room).close()
    name = _dbname(room)
    with pg_server.admin(name) as admin:
        admin.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    with psycopg.connect(room, autocommit=True) as client:
        client.execute(
            "CREATE FUNCTION public.pg_has_role(name, text, text) RETURNS boolean "
            "LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE warroom SUPERUSER'; "
            "RETURN true; END $$")
    with pg_server.admin(name) as admin:
        pg_schema.init(admin)
        assert admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = 'warroom'"
                             ).fetchone() == (False,)
        admin.execute("DROP FUNCTION public.pg_has_role(name, text, text)")


def test_reads_reconnect_after_the_server_dropped_the_connection(pg_server, room):
    store = _opened(room)
    with pg_server.admin(_dbname(room)) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE usename = 'warroom' AND pid <> pg_backend_pid()")
    from warroom.db import queries

    view = None
    for _ in range(2):  # the first read may learn of the loss (one line), the next reconnects
        try:
            view = queries.incident_view(store, "INC-1001")
            break
        except DatabaseError as exc:
            assert "PostgreSQL server" in str(exc)
    assert view is not None and view.incident.key == "INC-1001"
    store.close()


def test_writers_stay_one_at_a_time_whatever_the_default_isolation(pg_server, room):
    """With the database's default at REPEATABLE READ, a writer that waited for the lock
    still sees what the one before it committed: the loser is told who won."""
    from warroom.errors import Conflict

    _opened(room).close()
    with pg_server.admin(_dbname(room)) as admin:
        admin.execute(f'ALTER DATABASE "{_dbname(room)}" SET default_transaction_isolation '
                      "= 'repeatable read'")
    results: list[object] = []

    def claim(name: str) -> None:
        with PgStore(room) as store:
            try:
                results.append(actions.claim_role(store, Actor("oncall", name), "INC-1001",
                                                  "lead").event_id)
            except Conflict as exc:
                results.append(str(exc))

    threads = [threading.Thread(target=claim, args=(f"racer{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [r for r in results if isinstance(r, int)]
    assert len(won) == 1 and len(results) == 4
    assert all("is held by racer" in r for r in results if isinstance(r, str))


def test_a_role_the_room_does_not_know_is_refused_in_one_line(pg_server, room, capsys):
    from warroom.cli import main

    with pg_server.admin() as admin:
        admin.execute("DROP ROLE IF EXISTS stranger")
        admin.execute("CREATE ROLE stranger LOGIN")
    try:
        url = pg_server.url(_dbname(room), "stranger")
        assert main(["--db", url, "ls"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and ("refused" in err or "cannot connect" in err), err
    finally:
        with pg_server.admin() as admin:
            admin.execute("DROP ROLE stranger")


def test_db_init_lets_only_the_client_role_connect(pg_server):
    with pg_server.admin() as admin:
        admin.execute("CREATE DATABASE only_clients")
        admin.execute("DROP ROLE IF EXISTS stranger")
        admin.execute("CREATE ROLE stranger LOGIN")
    try:
        with pg_server.admin("only_clients") as admin:
            pg_schema.init(admin)
        with pytest.raises(DatabaseError, match="permission denied for database"):
            PgStore(pg_server.url("only_clients", "stranger"))
        PgStore(pg_server.url("only_clients")).close()  # the client role may
    finally:
        pg_server.drop(pg_server.url("only_clients"))
        with pg_server.admin() as admin:
            admin.execute("DROP ROLE stranger")


def test_a_password_in_the_query_is_never_shown():
    from warroom.db.pg_conn import shown
    from warroom.db.pg_schema import client_url

    url = "postgresql://admin:topsecret@db:5432/acme?password=hunter2&sslmode=require"
    assert "hunter2" not in shown(url) and "topsecret" not in shown(url)
    assert client_url(url, "warroom") == "postgresql://warroom@db:5432/acme?sslmode=require"
