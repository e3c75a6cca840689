"""The journal is tamper-evident: ``warroom verify`` names the first altered event for each way
of rewriting history with other tools, the next write puts dropped guards back (journaled),
and ``backup``/``restore`` copy a live database safely."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from conftest import four_events, person

from warroom import actions
from warroom.cli import main
from warroom.db import chain
from warroom.db.store import Store

sam, dana = person("sam"), person("dana")


@pytest.fixture
def room(tmp_path, monkeypatch, clock):
    """A database with one incident and a few events, and the shell pointed at it."""
    path = tmp_path / "room.db"
    monkeypatch.setenv("WARROOM_DB", str(path))
    with Store(path, create=True) as store:
        four_events(store, clock)
    return path


def tamper(path, *statements):
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def verify(capsys) -> tuple[int, str]:
    rc = main(["verify"])
    return rc, capsys.readouterr().out


def test_an_untouched_journal_verifies(room, capsys):
    with Store(room) as store:
        head = chain.head(store.conn)
    assert verify(capsys) == (0, "journal intact: 4 events chained, guards in place, stored "
                                 f"state agrees; last event's hash {head[:16]} (compare with "
                                 "a copy kept elsewhere: removing the last events and the "
                                 "counter together is seen only there)\n")


def test_the_counter_removed_with_the_last_event_is_named(room, capsys):
    tamper(room, "DROP TRIGGER events_no_delete", "DELETE FROM events WHERE id = 4",
           "DELETE FROM sqlite_sequence WHERE name = 'events'")
    rc, out = verify(capsys)
    assert rc == 1 and "JOURNAL ALTERED at event 4: the journal's counter was removed" in out


def test_replace_into_an_event_is_named(room, capsys):
    tamper(room, "REPLACE INTO events (id, incident_id, at, os_user, display_name, kind, "
                 "payload, recorded_at, prev_hash, hash) SELECT id, incident_id, at, os_user, "
                 "'mallory', kind, payload, recorded_at, prev_hash, hash FROM events WHERE id = 2")
    rc, out = verify(capsys)
    assert rc == 1
    assert out.splitlines()[0] == ("JOURNAL ALTERED at event 2: its content was changed after "
                                   "it was written")


def test_a_forged_insert_is_named(room, capsys):
    tamper(room, "DROP TRIGGER events_chained",
           "INSERT INTO events (incident_id, at, os_user, display_name, kind, payload) "
           "VALUES (1, '2026-11-24T14:30:00.000000+00:00', 'dana', 'dana', "
           "'note.posted', '{\"text\": \"sam approved it\"}')")
    rc, out = verify(capsys)
    assert rc == 1 and out.startswith("JOURNAL ALTERED at event 5: it was written outside "
                                      "warroom (no chain)")


def test_a_deleted_event_is_named_even_with_the_guards_dropped_first(room, capsys):
    tamper(room, "DROP TRIGGER events_no_delete", "DELETE FROM events WHERE id = 3")
    rc, out = verify(capsys)
    assert rc == 1
    assert "JOURNAL ALTERED at event 4: an event before it was removed or changed" in out
    assert "the append-only guards are missing (events_no_delete)" in out


def test_the_last_event_deleted_is_named(room, capsys):
    tamper(room, "DROP TRIGGER events_no_delete", "DELETE FROM events WHERE id = 4")
    rc, out = verify(capsys)
    assert rc == 1 and "JOURNAL ALTERED at event 4: events 4 to 4 were removed" in out


def test_dropped_guards_come_back_with_the_next_write_journaled(room, capsys, clock):
    tamper(room, "DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete")
    rc, out = verify(capsys)
    assert rc == 1 and out.splitlines()[0] == (
        "the append-only guards are missing (events_no_update, events_no_delete): the next "
        "write puts them back and journals it")
    with Store(room) as store:
        actions.add_note(store, dana, "INC-1001", text="still waiting", clock=clock)
        kinds = [r[0] for r in store.conn.execute("SELECT kind FROM events ORDER BY id")]
        assert kinds[-2:] == ["journal.guarded", "note.posted"]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.conn.execute("DELETE FROM events")
    assert verify(capsys)[0] == 0


def test_an_edited_state_table_is_named(room, capsys):
    tamper(room, "UPDATE roles SET holder = 'mallory' WHERE role = 'lead'",
           "UPDATE blockers SET cleared_at = '2026-11-24T14:10:00+00:00'")
    rc, out = verify(capsys)
    assert rc == 1
    assert out.splitlines()[:2] == [
        "stored state differs from the journal: INC-1001: lead is held by mallory, the "
        "journal says sam",
        "stored state differs from the journal: INC-1001: blocker #1 is cleared, the "
        "journal says otherwise"]


def test_the_chain_of_an_old_database_is_filled_by_its_migration(tmp_path, monkeypatch):
    from warroom.db import schema
    from warroom.db import store as store_module

    path = tmp_path / "old.db"
    before = schema.MIGRATIONS.index(schema._chained)  # the database just before the chain
    with monkeypatch.context() as old:
        old.setattr(store_module, "MIGRATIONS", schema.MIGRATIONS[:before])
        old.setattr(store_module, "SCHEMA_VERSION", before)
        Store(path, create=True).close()
    tamper(path, *(f"INSERT INTO events (at, os_user, kind, payload) VALUES "
                   f"('2026-11-24T14:0{n}:00.000000+00:00', 'sam', 'note.posted', '{{}}')"
                   for n in range(3)))
    with Store(path) as store:
        assert chain.check(store.conn) == (3, None)
        hashes = [r[0] for r in store.conn.execute("SELECT prev_hash FROM events ORDER BY id")]
        assert hashes[0] == chain.GENESIS and len(set(hashes)) == 3


def test_backup_copies_a_live_database_and_checks_it(room, tmp_path, capsys):
    os.chmod(room, 0o640)
    with Store(room) as writer:  # a writer holds the database open, with a WAL
        actions.add_note(writer, dana, "INC-1001", text="in the WAL")
        assert main(["backup", str(tmp_path / "copy.db")]) == 0
    assert capsys.readouterr().out.startswith(
        f"backed up 5 events of 1 incident(s) to {tmp_path / 'copy.db'}; the copy checks out "
        "(last event ")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("copy", ".copy"))
                  ) == ["copy.db"]  # no -wal, -shm or temporary file beside it
    assert stat.S_IMODE(os.stat(tmp_path / "copy.db").st_mode) == 0o640
    with Store(tmp_path / "copy.db") as copy:
        assert chain.check(copy.conn) == (5, None)
    assert main(["backup", str(tmp_path / "copy.db")]) == 2  # exists: not replaced
    assert "exists: choose a new name, or --force" in capsys.readouterr().err


def test_restore_keeps_what_it_replaces_and_refuses_to_lose_newer_events(room, tmp_path,
                                                                      capsys):
    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    with Store(room) as store:
        actions.add_note(store, dana, "INC-1001", text="after the backup")
    capsys.readouterr()
    assert main(["restore", str(tmp_path / "copy.db")]) == 2
    assert "holds 5 events, the backup 4: restoring would lose" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "copy.db"), "--force"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"restored 4 events of 1 incident(s) into {room}; the file it "
                          "replaced is kept as ")
    kept = out.split("kept as ")[1].strip()
    with Store(kept) as old, Store(room) as new:
        assert chain.check(old.conn)[0] == 5 and chain.check(new.conn)[0] == 4
    assert main(["restore", str(tmp_path / "nothing.db")]) == 2
    assert capsys.readouterr().err.endswith(f"no backup at {tmp_path / 'nothing.db'}\n")


@pytest.mark.anyio
async def test_the_dashboard_says_journal_altered_in_its_header(room, clock):
    from app_helpers import app_for, pane, until

    app = app_for(room, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        assert "JOURNAL ALTERED" not in pane(app, "header")
        tamper(room, "DROP TRIGGER events_chained",
               "INSERT INTO events (incident_id, at, os_user, display_name, kind, "
               "payload) VALUES (1, '2026-11-24T14:30:00.000000+00:00', 'dana', 'dana', "
               "'note.posted', '{\"text\": \"forged\"}')")
        app.db_changed()  # what the change feed calls
        assert await until(pilot, lambda: "JOURNAL ALTERED at event 5" in pane(app, "header"))
    tamper(room, "DROP TRIGGER events_no_delete", "DELETE FROM events WHERE id = 5",
           "REPLACE INTO events (id, incident_id, at, os_user, display_name, kind, payload, "
           "recorded_at, prev_hash, hash) SELECT id, incident_id, at, os_user, 'mallory', kind, "
           "payload, recorded_at, prev_hash, hash FROM events WHERE id = 3")
    app = app_for(room, clock, name="sam")  # an edit before it opened: found on opening
    async with app.run_test(size=(120, 35)) as pilot:
        assert await until(pilot, lambda: "JOURNAL ALTERED at event 3" in pane(app, "header"))


def test_show_names_an_altered_event(room, capsys):
    tamper(room, "DROP TRIGGER events_no_update", "UPDATE events SET os_user = 'pat' "
                 "WHERE id = 2")
    assert main(["show", "INC-1001"]) == 0
    assert capsys.readouterr().out.startswith(
        "JOURNAL ALTERED at event 2: its content was changed after it was written "
        "(warroom verify)\n")


def test_the_review_opens_with_the_alteration(room, capsys):
    assert main(["review", "INC-1001"]) == 0
    assert "JOURNAL ALTERED" not in capsys.readouterr().out
    tamper(room, "DROP TRIGGER events_no_update", "UPDATE events SET payload = "
                 "'{\"text\": \"all fine\"}' WHERE id = 4")
    assert main(["review", "INC-1001"]) == 0
    assert capsys.readouterr().out.startswith(
        "> **JOURNAL ALTERED at event 4**: its content was changed after it was written")


def test_restore_holds_the_write_lock_from_its_check_to_the_replacement(room, tmp_path,
                                                                        monkeypatch, capsys):
    """No one can commit between restore's "nothing newer would be lost" and its replacing
    the content: a write that tries is kept waiting (and then lands after the restore)."""
    from warroom.db import backup

    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    seen = []
    replace = backup._replace_content

    def meanwhile(live):
        other = sqlite3.connect(room, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        replace(live)

    monkeypatch.setattr(backup, "_replace_content", meanwhile)
    assert main(["restore", str(tmp_path / "copy.db")]) == 0
    assert seen == ["database is locked"]


def test_backup_still_copies_a_journal_whose_chain_broke(room, tmp_path, capsys):
    tamper(room, "DROP TRIGGER events_no_update",
           "UPDATE events SET display_name = 'mallory' WHERE id = 3")
    assert main(["backup", str(tmp_path / "copy.db")]) == 1
    assert "WARNING: the journal's chain breaks at event 3" in capsys.readouterr().out
    with Store(tmp_path / "copy.db") as copy:
        assert copy.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 4


def test_restore_force_moves_a_damaged_database_aside(room, tmp_path, capsys):
    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    data = bytearray(room.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    for sidecar in ("-wal", "-shm"):
        Path(f"{room}{sidecar}").unlink(missing_ok=True)
    room.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["restore", str(tmp_path / "copy.db")]) == 2
    assert "--force moves it aside" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "copy.db"), "--force"]) == 0
    kept = capsys.readouterr().out.split("kept as ")[1].strip()
    assert Path(kept).read_bytes() == bytes(data)  # nothing deleted
    with Store(room) as store:
        assert chain.check(store.conn) == (4, None)


def test_an_event_without_its_hash_is_refused(room):
    """What a process still running pre-chain code would write: refused by the database."""
    with pytest.raises(sqlite3.IntegrityError, match="older than the database: restart it"):
        tamper(room, "INSERT INTO events (incident_id, at, os_user, kind, payload) VALUES "
                     "(1, '2026-11-24T14:30:00.000000+00:00', 'old', 'note.posted', '{}')")


@pytest.mark.anyio
async def test_a_dashboard_shows_a_restored_database_afresh(room, tmp_path, clock, capsys):
    """After `warroom restore`, event ids go back: a running dashboard notices, reloads, and
    does not mistake the restore for an altered journal."""
    from app_helpers import app_for, until

    from warroom.widgets.timeline import Timeline

    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    app = app_for(room, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        with Store(room) as store:
            actions.add_note(store, dana, "INC-1001", text="after the backup", clock=clock)
        app.db_changed()
        timeline = app.screen.query_one(Timeline)
        assert await until(pilot, lambda: "after the backup" in "\n".join(timeline.plain_lines))
        assert main(["restore", str(tmp_path / "copy.db"), "--force"]) == 0
        with Store(room) as store:  # the next event reuses an id the dashboard has seen
            actions.add_note(store, dana, "INC-1001", text="written after the restore",
                             clock=clock)
        app.db_changed()
        assert await until(pilot, lambda: any("restored from a backup" in n.message
                                              for n in app._notifications))
        timeline = app.screen.query_one(Timeline)
        assert await until(pilot, lambda: "written after the restore" in "\n".join(
            timeline.plain_lines))
        assert "after the backup" not in "\n".join(app.screen.query_one(Timeline).plain_lines)
        assert app.journal_break is None
