"""``warroom db init URL``: makes a PostgreSQL database a warroom one, says what it did, is
harmless twice, refuses a foreign or newer schema untouched, and leaves the client role
unable to change the journal."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest

from warroom.cli import main

_names = itertools.count(1)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def empty_db(pg_server, new_roles):
    """A new database with nothing of warroom's in it; its name (dropped before the roles
    that may own its schema)."""
    name = f"init{os.getpid()}_{next(_names)}"
    with pg_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    pg_server.drop(pg_server.url(name))


@pytest.fixture
def new_roles(pg_server):
    """Names for an owner and a client role that do not exist yet; dropped after."""
    n = next(_names)
    owner, client = f"own{os.getpid()}_{n}", f"cli{os.getpid()}_{n}"
    yield owner, client
    with pg_server.admin() as admin:
        for role in (client, owner):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def tables(pg_server, db: str) -> dict[str, list[str]]:
    with pg_server.admin(db) as admin:
        rows = admin.execute("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
                             "ON n.oid = c.relnamespace WHERE n.nspname = 'warroom' "
                             "ORDER BY 1, 2").fetchall()
    return {"warroom": [r[1] for r in rows]}


def role_exists(pg_server, name: str) -> bool:
    with pg_server.admin() as admin:
        return admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                             (name,)).fetchone() is not None


def test_init_then_again_is_harmless(capsys, pg_server, empty_db, new_roles):
    owner, client = new_roles
    admin_url = pg_server.url(empty_db, "postgres")
    code, out, err = run(capsys, "db", "init", admin_url, "--owner", owner, "--client", client)
    assert code == 0, err
    assert f"created role {owner} (no login)" in out and f"created role {client} (login)" in out
    assert "created schema warroom" in out and "schema now at version 12" in out
    assert f'GRANT INSERT ON warroom.events TO "{client}";' in out
    assert f"client URL: {pg_server.url(empty_db, client)} " in out
    assert f'ALTER ROLE "{client}" PASSWORD' in out
    made = tables(pg_server, empty_db)
    assert "events" in made["warroom"] and "warroom_meta" in made["warroom"]

    code, out, err = run(capsys, "db", "init", admin_url, "--owner", owner, "--client", client)
    assert code == 0, err
    assert "already at version 12" in out and "created" not in out
    assert "PASSWORD" not in out  # the client was not created this time
    assert tables(pg_server, empty_db) == made
    client_url = pg_server.url(empty_db, client)
    assert run(capsys, "--db", client_url, "open", "Checkout failing", "--customer", "Acme",
               "--severity", "SEV1")[0] == 0
    code, out, _ = run(capsys, "--db", client_url, "verify")
    assert code == 0 and "1 events chained" in out


def test_a_foreign_warroom_schema_is_refused_untouched(capsys, pg_server, empty_db,
                                                       new_roles):
    owner, client = new_roles
    with pg_server.admin(empty_db) as admin:
        admin.execute("CREATE SCHEMA warroom")
        admin.execute("CREATE TABLE warroom.invoices (id int)")
    code, out, err = run(capsys, "db", "init", pg_server.url(empty_db, "postgres"),
                         "--owner", owner, "--client", client)
    assert code == 2 and out == ""
    assert "not warroom's: nothing was changed" in err and len(err.strip().splitlines()) == 1
    assert tables(pg_server, empty_db) == {"warroom": ["invoices"]}
    assert not role_exists(pg_server, owner) and not role_exists(pg_server, client)


def test_a_newer_schema_is_refused_untouched(capsys, pg_server):
    url = pg_server.fresh()
    name = url.rsplit("/", 1)[1]
    try:
        with pg_server.admin(name) as admin:
            admin.execute("UPDATE warroom.warroom_meta SET schema_version = 99")
        before = tables(pg_server, name)
        code, _, err = run(capsys, "db", "init", pg_server.url(name, "postgres"))
        assert code == 2 and "newer warroom (schema 99" in err
        assert tables(pg_server, name) == before
        with pg_server.admin(name) as admin:
            assert admin.execute("SELECT schema_version FROM warroom.warroom_meta"
                                 ).fetchone()[0] == 99
    finally:
        pg_server.drop(url)


def test_not_a_url_is_refused_and_sqlite_needs_no_init(capsys, tmp_path):
    code, out, err = run(capsys, "db", "init", str(tmp_path / "room.db"))
    assert code == 2 and "not a postgresql:// URL" in err and "SQLite" in err
    assert list(tmp_path.iterdir()) == []
    code, out, _ = run(capsys, "db", "init", "--help")
    assert code == 0 and "Never needed for SQLite" in " ".join(out.split())


def test_bad_role_names_are_refused(capsys, pg_server, empty_db):
    code, _, err = run(capsys, "db", "init", pg_server.url(empty_db, "postgres"),
                       "--client", 'x"; DROP TABLE y; --')
    assert code == 2 and "--client" in err and "not a role name" in err
    assert tables(pg_server, empty_db) == {"warroom": []}


def test_a_role_that_may_create_roles_and_owns_the_database_can_init(capsys, pg_server,
                                                                      new_roles):
    owner, client = new_roles
    admin_role = f"adm{owner}"
    name = f"owned{os.getpid()}_{next(_names)}"
    with pg_server.admin() as admin:
        admin.execute(f'CREATE ROLE "{admin_role}" LOGIN CREATEROLE')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{admin_role}"')
    try:
        code, out, err = run(capsys, "db", "init", pg_server.url(name, admin_role),
                             "--owner", owner, "--client", client)
        assert code == 0, err
        assert "schema now at version 12" in out
        client_url = pg_server.url(name, client)
        assert run(capsys, "--db", client_url, "open", "Checkout failing", "--customer",
                   "Acme", "--severity", "SEV1")[0] == 0
    finally:
        pg_server.drop(pg_server.url(name))
        with pg_server.admin() as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{admin_role}"')


@pytest.mark.parametrize("statement", [
    "UPDATE warroom.events SET payload = '{}'",
    "DELETE FROM warroom.events",
    "TRUNCATE warroom.events",
    "UPDATE warroom.journal_counter SET last_id = 0",
    "DROP TRIGGER events_no_update ON warroom.events",
])
def test_the_client_cannot_change_the_journal(capsys, pg_server, statement):
    url = pg_server.fresh()
    try:
        assert run(capsys, "--db", url, "open", "Checkout failing", "--customer", "Acme",
                   "--severity", "SEV1")[0] == 0
        with psycopg.connect(url, autocommit=True) as client:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                client.execute(statement)
            (count,) = client.execute("SELECT count(*) FROM warroom.events").fetchone()
        assert count == 1
        assert run(capsys, "--db", url, "verify")[0] == 0
    finally:
        pg_server.drop(url)
