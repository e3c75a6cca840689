"""`warroom doctor`, `verify`, `backup` and `restore` on a PostgreSQL room: doctor checks the
server, the role connected as (never the owner or a superuser), the client's privileges and
the journal's guards instead of a file; verify names a guard turned off and an event altered
by someone with the power to; backup and restore say what to use instead."""

from __future__ import annotations

import socket

import pytest
from conftest import four_events, person

from warroom.cli import main
from warroom.db.pg_store import PgStore

sam = person("sam")


@pytest.fixture
def room(pg_server, clock):
    """A PostgreSQL room with one incident and four events (client URL)."""
    url = pg_server.fresh()
    with PgStore(url) as store:
        four_events(store, clock)
    yield url
    pg_server.drop(url)


def dbname(url: str) -> str:
    return url.rsplit("/", 1)[1]


def doctor(capsys, url: str) -> tuple[int, list[str]]:
    rc = main(["doctor", "--db", url, "--no-terminal"])
    return rc, capsys.readouterr().out.splitlines()


def verify(capsys, url: str) -> tuple[int, str]:
    rc = main(["verify", "--db", url])
    return rc, capsys.readouterr().out


def flagged(lines: list[str], status: str) -> list[str]:
    """The checks of one status (``ok``, ``warn``, ``FAIL``), without the status."""
    return [line.split(None, 1)[1] for line in lines if line.startswith(f"  {status} ")]


def counter(pg_server, url: str) -> int:
    with pg_server.admin(dbname(url)) as admin:
        return admin.execute("SELECT last_id FROM warroom.journal_counter").fetchone()[0]


def test_doctor_is_green_as_the_client_role_and_keeps_nothing(pg_server, room, capsys):
    before = counter(pg_server, room)
    rc, lines = doctor(capsys, room)
    assert rc == 0, lines
    assert lines[0] == f"warroom doctor: {room} (PostgreSQL; you are " + \
        lines[0].split("you are ", 1)[1]
    assert flagged(lines, "FAIL") == [] and flagged(lines, "warn") == []
    ok = "\n".join(flagged(lines, "ok"))
    for said in ("PostgreSQL 15", f"answers at 127.0.0.1:{pg_server.port}",
                 "schema version 12 (warroom_meta)",
                 "you connect as warroom: not the owner, not a superuser",
                 "a trial write succeeded (rolled back: nothing was kept)",
                 "warroom may add journal events, not change, remove or empty them",
                 "the journal's guards are in place and enabled (events_in, events_no_update, "
                 "events_no_delete, events_no_truncate)",
                 "the journal's hash chain holds (4 events)"):
        assert said in ok, (said, lines)
    assert not any("folder" in line or "WAL" in line or "inotify" in line for line in lines)
    assert lines[-1].startswith("all good: the client role can read and write this room")
    assert counter(pg_server, room) == before


def test_doctor_says_a_superuser_must_not_be_the_client(pg_server, room, capsys):
    rc, lines = doctor(capsys, pg_server.url(dbname(room), "postgres"))
    assert rc == 1
    failed = flagged(lines, "FAIL")
    assert ("you connect as postgres, a superuser: the client must not connect as owner or "
            "superuser (it may change or remove journal events)") in failed
    assert f"        fix: --db {room}   # the client role; the owner is for 'warroom db " \
        "init' and 'warroom db copy'" in lines
    assert "postgres may UPDATE, DELETE, TRUNCATE journal events: only the triggers keep the " \
        "journal append-only" in failed
    assert lines[-1].startswith("2 problem(s), 0 warning(s)")


def test_doctor_says_a_member_of_the_owner_role_must_not_be_the_client(pg_server, room,
                                                                       capsys):
    name = f"owner_{dbname(room)}"
    with pg_server.admin() as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN IN ROLE warroom_owner')
    try:
        rc, lines = doctor(capsys, pg_server.url(dbname(room), name))
        assert rc == 1
        assert (f"you connect as {name}, a member of the owner role warroom_owner: the client "
                "must not connect as owner or superuser (it may change or remove journal "
                "events)") in flagged(lines, "FAIL")
    finally:
        with pg_server.admin() as admin:
            admin.execute(f'DROP ROLE "{name}"')


def test_a_disabled_guard_is_named_by_doctor_and_verify(pg_server, room, capsys):
    with pg_server.admin(dbname(room)) as admin:
        admin.execute("ALTER TABLE warroom.events DISABLE TRIGGER events_no_delete")
    rc, lines = doctor(capsys, room)
    assert rc == 1
    assert flagged(lines, "FAIL") == [
        "the journal's guards are off on the server (events_no_delete disabled): it no longer "
        "keeps the journal append-only"]
    assert "        fix: ALTER TABLE warroom.events ENABLE TRIGGER events_no_delete   # as the " \
        "owner or a superuser" in lines

    rc, out = verify(capsys, room)
    assert rc == 1
    assert out.splitlines() == [
        "the journal's guards are off on the server (events_no_delete disabled): it no longer "
        "keeps the journal append-only; its owner or a superuser must put them back "
        "(warroom doctor says how)", "1 problem(s)"]

    with pg_server.admin(dbname(room)) as admin:
        admin.execute("ALTER TABLE warroom.events ENABLE TRIGGER events_no_delete")
    assert verify(capsys, room)[0] == 0
    assert doctor(capsys, room)[0] == 0


def test_a_dropped_guard_and_one_firing_only_for_replication_are_named(pg_server, room,
                                                                       capsys):
    with pg_server.admin(dbname(room)) as admin:
        admin.execute("DROP TRIGGER events_no_update ON warroom.events")
        admin.execute("ALTER TABLE warroom.events ENABLE REPLICA TRIGGER events_no_truncate")
    rc, out = verify(capsys, room)
    assert rc == 1
    assert "(events_no_update dropped, events_no_truncate disabled)" in out


def test_verify_passes_on_a_room_with_several_events(room, capsys):
    rc, out = verify(capsys, room)
    assert rc == 0, out
    assert out.startswith("journal intact: 4 events chained, guards in place, stored state "
                          "agrees; last event's hash ")


def test_an_event_rewritten_by_the_superuser_is_named_by_verify(pg_server, room, capsys):
    with pg_server.admin(dbname(room)) as admin:
        admin.execute("ALTER TABLE warroom.events DISABLE TRIGGER events_no_update")
        admin.execute("UPDATE warroom.events SET payload = replace(payload, 'paged the DBA', "
                      "'fixed it myself') WHERE id = 4")
    rc, out = verify(capsys, room)
    assert rc == 1
    assert out.splitlines()[0] == ("JOURNAL ALTERED at event 4: its content was changed after "
                                   "it was written")
    assert "events_no_update disabled" in out

    with pg_server.admin(dbname(room)) as admin:  # the guard back: the edit stays seen
        admin.execute("ALTER TABLE warroom.events ENABLE TRIGGER events_no_update")
    rc, out = verify(capsys, room)
    assert rc == 1
    assert out.splitlines() == ["JOURNAL ALTERED at event 4: its content was changed after "
                                "it was written",
                                "1 problem(s); 3 events check out before the first break"]
    rc, lines = doctor(capsys, room)
    assert rc == 1
    assert flagged(lines, "FAIL") == ["JOURNAL ALTERED at event 4: its content was changed "
                                      "after it was written"]


@pytest.mark.parametrize("argv, said", [
    (["backup", "{tmp}/copy.db"], "warroom backup: error: on PostgreSQL, back up with the "
     "server's own tools (pg_dump, a replica) or copy the room to a file with 'warroom db "
     "copy URL FILE'"),
    (["restore", "{tmp}/copy.db"], "warroom restore: error: on PostgreSQL, restore with the "
     "server's own tools (pg_restore, a replica) or copy a backup file into a fresh database "
     "with 'warroom db copy FILE URL'"),
])
def test_backup_and_restore_on_a_url_say_what_to_use_instead(room, tmp_path, capsys, argv,
                                                             said):
    args = [a.format(tmp=tmp_path) for a in argv]
    assert main(["--db", room, *args]) == 2
    captured = capsys.readouterr()
    assert captured.err == said + "\n" and captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_backup_to_a_url_is_refused_in_one_line(room, tmp_path, capsys):
    db = tmp_path / "room.db"
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "backup", room]) == 2
    assert capsys.readouterr().err == (
        "warroom backup: error: postgresql:// is a server, not a file: copy a room between a "
        "file and a server with 'warroom db copy FROM TO'\n")


def test_an_unreachable_server_is_one_failed_check(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        rc, lines = doctor(capsys, f"postgresql://warroom@127.0.0.1:{port}/room")
    assert rc == 1
    failed = flagged(lines, "FAIL")
    assert len(failed) == 1 and failed[0].startswith(
        f"cannot connect to postgresql://warroom@127.0.0.1:{port}/room: ")
    assert lines[-1].startswith("1 problem(s), 0 warning(s)")


def test_a_database_without_a_room_names_db_init(pg_server, capsys):
    rc, lines = doctor(capsys, pg_server.url("postgres"))
    assert rc == 1
    assert flagged(lines, "FAIL") == [f"{pg_server.url('postgres')} holds no warroom database"]
    assert "        fix: run 'warroom db init' on it, as the database's owner" in lines


def test_a_privilege_too_many_or_too_few_is_named(pg_server, room, capsys):
    with pg_server.admin(dbname(room)) as admin:
        admin.execute("GRANT DELETE ON warroom.events TO warroom")
        admin.execute("REVOKE UPDATE ON warroom.incidents FROM warroom")
    rc, lines = doctor(capsys, room)
    assert rc == 1
    assert flagged(lines, "FAIL") == [
        "a trial write failed: permission denied for table incidents",
        "warroom may DELETE journal events: only the triggers keep the journal append-only"]
    assert '        fix: REVOKE DELETE ON warroom.events FROM "warroom"   # as the ' \
        "database's owner" in lines


def test_doctor_says_which_of_several_hosts_answered(pg_server, room, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        down = s.getsockname()[1]
        hosts = f"127.0.0.1:{down},127.0.0.1:{pg_server.port}"
        url = f"postgresql://warroom@{hosts}/{dbname(room)}"
        rc, lines = doctor(capsys, url)
        assert rc == 0, lines
        answered = (f"127.0.0.1:{pg_server.port} answered, of the 2 hosts in the URL "
                    "(target_session_attrs={}), and is a primary with 0 standby(s) attached")
        assert flagged(lines, "warn") == [
            answered.format("any") + "; after a failover the first host to answer may be a "
            "read-only standby"]
        assert "        fix: add target_session_attrs=read-write to the URL" in lines

        rc, lines = doctor(capsys, url + "?target_session_attrs=read-write")
    assert rc == 0 and flagged(lines, "warn") == []
    assert answered.format("read-write") in flagged(lines, "ok")
