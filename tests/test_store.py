"""The database file: append-only journal, refusal of foreign and newer files, file mode."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat

import pytest

from warroom.db.store import APPLICATION_ID, SCHEMA_VERSION, Store
from warroom.errors import DatabaseError


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_journal_refuses_update_and_delete(store, incident):
    # on PostgreSQL warroom's client role has no UPDATE or DELETE on the journal at all
    # (tests/test_pg_backend.py: the owner is refused by the triggers)
    refusal = "append-only" if store.dialect == "sqlite" else "permission denied"
    for sql in ("UPDATE events SET kind = 'forged'", "DELETE FROM events",
                "UPDATE events SET os_user = 'someone-else'"):
        with pytest.raises((sqlite3.IntegrityError, sqlite3.OperationalError), match=refusal):
            store.conn.execute(sql)
    if store.dialect != "sqlite":
        return
    raw = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE events SET os_user = 'someone-else'")
    raw.close()


def test_a_text_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not a database\n")
    before = digest(path)
    with pytest.raises(DatabaseError, match="is not a warroom database .not an SQLite file."):
        Store(path)
    assert digest(path) == before


def test_someone_elses_sqlite_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('acme')")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(DatabaseError, match="an SQLite database but not a warroom one"):
        Store(path, create=True)
    assert digest(path) == before
    assert sorted(os.listdir(tmp_path)) == ["other.db"]


def test_a_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "newer.db"
    Store(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")  # everything in the main file
    conn.close()
    before = digest(path)
    with pytest.raises(DatabaseError, match=f"newer warroom .schema {SCHEMA_VERSION + 1}, "
                       f"this one knows {SCHEMA_VERSION}."):
        Store(path)
    assert digest(path) == before


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_new_database_is_created_0660(tmp_path, umask):
    old = os.umask(umask)
    try:
        Store(tmp_path / "new.db", create=True).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.db").st_mode) == 0o660


def test_an_empty_file_becomes_a_warroom_database_for_a_writer_only(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(DatabaseError, match="holds no warroom database yet"):
        Store(path)  # a reader (show, log, the dashboard) writes nothing, not even the schema
    assert path.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.db"]
    with Store(path, create=True) as store:
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_missing_file_is_not_created_by_readers(tmp_path):
    with pytest.raises(DatabaseError, match="no warroom database at .*open an incident"):
        Store(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_two_stores_opening_a_new_file_migrate_once(tmp_path):
    a = Store(tmp_path / "w.db", create=True)
    b = Store(tmp_path / "w.db", create=True)
    assert b.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    a.close()
    b.close()


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="is a folder"):
        Store(tmp_path)


def test_a_version_1_database_gains_the_tier_column(tmp_path):
    """Migrations run forward on an existing file: v1 incidents keep their rows, tier NULL."""
    import sqlite_utils

    from warroom.db.store import MIGRATIONS

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("INSERT INTO incidents (key, title, customer, severity, stage, opened_at) "
                 "VALUES ('INC-1001', 't', 'c', 'SEV1', 'triage', '2026-11-24T14:00:00+00:00')")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.incident_row("INC-1001")["tier"] is None
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_refused_file_in_wal_mode_leaves_no_wal_or_shm_beside_it(tmp_path):
    """Reading a foreign or newer file in WAL mode makes SQLite create -wal and -shm files;
    refusing it removes them again: the folder is as it was."""
    import sqlite3

    for name, version in (("foreign.db", 0), ("newer.db", 999)):
        path = tmp_path / name
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        if version:
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={version}")
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
        before = sorted(p.name for p in tmp_path.iterdir())
        with pytest.raises(DatabaseError):
            Store(path)
        assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("name", ["room#1.db", "room?.db", "room%20x.db"])
def test_a_database_name_with_uri_characters_opens(tmp_path, name):
    """#, ? and % in a file name: the read-only checks open the same file, not a cut one."""
    path = tmp_path / name
    with Store(path, create=True):
        pass
    with Store(path) as store:
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))
                  ) == [name]


def test_a_file_upgraded_by_a_newer_warroom_meanwhile_is_not_written(tmp_path):
    """A dashboard left running through an upgrade must not write rows the new schema does
    not expect (events without their hash): its next write is refused, in one line."""
    import sqlite3

    from warroom import actions
    from warroom.records import Actor

    path = tmp_path / "room.db"
    with Store(path, create=True) as store:
        newer = sqlite3.connect(path)
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        newer.execute(f"PRAGMA user_version={version + 1}")
        newer.commit()
        newer.close()
        with pytest.raises(DatabaseError, match="upgraded by a newer warroom while this one"):
            actions.open_incident(store, Actor("sam"), title="t", customer="Acme",
                                  severity="SEV2")
        assert store.last_event_id() == 0
