"""Presence: who has the room open now, in the database, never in the journal; stale rows
(a dead pid on this host, an old heartbeat) are never shown; `warroom who` lists them."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from app_helpers import app_for, open_incident, until

from warroom.cli import main
from warroom.clock import FrozenClock
from warroom.db import presence
from warroom.db.presence import STALE_S, Beacon, present
from warroom.db.store import Store

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "room.db"
    open_incident(path, FrozenClock(NOW - timedelta(hours=1)))
    return path


def events(path) -> int:
    with Store(path) as store:
        return store.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def dead_pid() -> int:
    """A pid that existed and is gone now (a child that exited and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_beat_says_who_is_where_since_when_and_writes_no_journal_event(db):
    before = events(db)
    dana = Beacon(db, "dkim", "dana", host="war1", pid=101)
    assert dana.beat("INC-1001", NOW)
    assert dana.beat("INC-1001", NOW + timedelta(seconds=15))  # a heartbeat keeps "since"
    pat = Beacon(db, "pvance", None, host="war1", pid=102)
    assert pat.beat(None, NOW + timedelta(seconds=20))  # in the picker
    with Store(db) as store:
        found = present(store.conn, NOW + timedelta(seconds=20))
    assert [(h.who, h.incident_key, h.since) for h in found] == [
        ("dana (dkim)", "INC-1001", NOW), ("pvance", None, NOW + timedelta(seconds=20))]
    assert found[0].last_seen == NOW + timedelta(seconds=15)
    assert events(db) == before


def test_switching_incident_restarts_since(db):
    dana = Beacon(db, "dkim", "dana", host="war1", pid=101)
    dana.beat("INC-1001", NOW)
    dana.beat("INC-1002", NOW + timedelta(minutes=5))
    with Store(db) as store:
        (here,) = present(store.conn, NOW + timedelta(minutes=5))
    assert (here.incident_key, here.since) == ("INC-1002", NOW + timedelta(minutes=5))


def test_a_row_whose_heartbeat_is_three_beats_old_is_not_shown(db):
    Beacon(db, "dkim", "dana", host="war2", pid=101).beat("INC-1001", NOW)
    with Store(db) as store:
        assert len(present(store.conn, NOW + timedelta(seconds=STALE_S))) == 1
        assert present(store.conn, NOW + timedelta(seconds=STALE_S + 1)) == []


def test_a_process_gone_on_this_host_vanishes_at_once_and_is_swept(db):
    gone = Beacon(db, "dkim", "dana", pid=dead_pid())  # this host
    assert gone.beat("INC-1001", NOW)
    with Store(db) as store:
        assert present(store.conn, NOW) == []
    me = Beacon(db, "oncall", "alex")
    me.beat("INC-1001", NOW)  # a process's first beat sweeps the dead rows of its host
    with Store(db) as store:
        rows = store.conn.execute("SELECT pid FROM presence").fetchall()
    assert [r[0] for r in rows] == [os.getpid()]


def test_leaving_deletes_the_row(db):
    me = Beacon(db, "oncall", "alex")
    me.beat("INC-1001", NOW)
    me.leave()
    with Store(db) as store:
        assert store.conn.execute("SELECT count(*) FROM presence").fetchone()[0] == 0


def test_others_are_named_once_and_never_include_this_process(db):
    for pid, name in ((1, "dana"), (2, "pat"), (3, "dana")):
        Beacon(db, "u", name, host="war2", pid=pid).beat("INC-1001", NOW)
    Beacon(db, "u", "kim", host="war2", pid=4).beat("INC-1002", NOW)
    me = Beacon(db, "oncall", "alex", host="war2", pid=5)
    me.beat("INC-1001", NOW)
    assert me.look("INC-1001", NOW) == ["dana", "pat"]
    assert me.look(None, NOW) == []  # the picker is no room


def test_a_viewer_that_cannot_write_still_sees_who_is_here(db, monkeypatch):
    Beacon(db, "dkim", "dana", host="war2", pid=7).beat("INC-1001", NOW)
    reader = Beacon(db, "oncall", "alex")
    monkeypatch.setattr(reader, "_connection", lambda: _read_only(reader, db))
    assert reader.beat("INC-1001", NOW) is False
    assert reader.writable is False
    assert reader.beat("INC-1001", NOW) is False  # no second try, nothing raised
    assert reader.look("INC-1001", NOW) == ["dana"]
    reader.leave()


def _read_only(beacon, path):
    if beacon._conn is None:
        beacon._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                       check_same_thread=False, isolation_level=None)
    return beacon._conn


def test_a_busy_database_skips_the_beat_and_tries_again_later(db, monkeypatch):
    monkeypatch.setattr(presence, "BUSY_S", 0.01)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    me = Beacon(db, "oncall", "alex")
    try:
        assert me.beat("INC-1001", NOW) is False
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert me.writable and me.beat("INC-1001", NOW)
    me.leave()


def test_text_another_program_wrote_is_cleaned(db):
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO presence VALUES ('war2', 9, 'x\x1b[31m', 'da\u202ena', "
                     "'INC-1001', ?, ?)", (NOW.isoformat(), NOW.isoformat()))
    with Store(db) as store:
        (here,) = present(store.conn, NOW)
    assert here.who == "dana (x)"  # the escape sequence and the bidi override removed


# -- warroom who ------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_who_lists_the_room_and_refuses_an_unknown_incident(db, capsys, monkeypatch):
    monkeypatch.setattr(presence, "now_utc", lambda: NOW + timedelta(minutes=12))
    dana = Beacon(db, "dkim", "dana", host="war2", pid=7)
    dana.beat("INC-1001", NOW)
    dana.beat("INC-1001", NOW + timedelta(minutes=12))
    pat = Beacon(db, "pvance", None, host="war2", pid=8)
    pat.beat(None, NOW + timedelta(minutes=2))
    pat.beat(None, NOW + timedelta(minutes=12))
    code, out, _ = run(capsys, "who", "--db", str(db))
    assert code == 0
    assert out.splitlines() == [
        "INC-1001    dana (dkim)  since 14:00 (12m)  on war2, pid 7",
        "(picking)   pvance       since 14:02 (10m)  on war2, pid 8",
        "times in UTC"]
    code, out, _ = run(capsys, "who", "INC-1001", "--json", "--db", str(db))
    assert [(r["name"], r["os_user"], r["incident"], r["since"]) for r in json.loads(out)] == [
        ("dana", "dkim", "INC-1001", NOW.isoformat())]
    code, out, err = run(capsys, "who", "INC-77", "--db", str(db))
    assert code == 2 and out == "" and err.count("\n") == 1 and "no incident 'INC-77'" in err


def test_who_with_nobody_here(db, capsys):
    assert run(capsys, "who", "1001", "--db", str(db))[1] == "nobody has INC-1001 open\n"


# -- the dashboard ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_footer_names_who_else_is_here_and_the_row_goes_on_exit(db):
    Beacon(db, "dkim", "dana", host="elsewhere", pid=42).beat("INC-1001", presence.now_utc())
    app = app_for(db, FrozenClock(NOW), presence=True)
    from textual.css.query import NoMatches

    from warroom.widgets.footer import IdentityFooter

    def said() -> str:
        try:
            return str(app.screen.query_one(IdentityFooter).query_one("Label.identity").render())
        except NoMatches:  # the footer recomposes when the keys change
            return ""

    async with app.run_test(size=(220, 30)) as pilot:
        assert await until(pilot, lambda: said() == "also here: dana · alex (oncall)"), said()
        with Store(db) as store:
            mine = store.conn.execute("SELECT os_user, display_name, incident_key FROM presence "
                                      "WHERE pid = ?", (os.getpid(),)).fetchall()
        assert [tuple(r) for r in mine] == [("oncall", "alex", "INC-1001")]
    with Store(db) as store:  # a clean exit takes this process's row away
        hosts = [tuple(r) for r in store.conn.execute("SELECT host FROM presence")]
    assert hosts == [("elsewhere",)]


@pytest.mark.anyio
async def test_the_first_write_of_presence_comes_after_the_first_paint(db, tmp_path):
    """The row is a commit (and wakes every other viewer): it waits for the dashboard's
    first paint, as the change feed does (bench/live.py measures that paint)."""
    app = app_for(db, FrozenClock(NOW), presence=True)
    app._trace = str(tmp_path / "trace")  # as WARROOM_TRACE: event 0 at the first paint
    order: list[str] = []
    painted, started = app._write_trace, app._start_presence
    app._write_trace = lambda ids: (order.append(f"paint {ids}"), painted(ids))[1]
    app._start_presence = lambda: (order.append("presence"), started())[1]
    async with app.run_test() as pilot:
        assert await until(pilot, lambda: app._beacon is not None and order)
        with Store(db) as store:
            assert await until(pilot, lambda: store.conn.execute(
                "SELECT count(*) FROM presence").fetchone()[0] == 1)
    assert order[:2] == ["paint [0]", "presence"]


@pytest.mark.anyio
async def test_presence_is_off_without_the_change_feed(db):
    async with app_for(db, FrozenClock(NOW)).run_test() as pilot:
        await pilot.pause()
        with Store(db) as store:
            assert store.conn.execute("SELECT count(*) FROM presence").fetchone()[0] == 0


def test_the_footer_fits_what_it_can_and_keeps_the_note_first():
    from warroom.widgets.footer import fitted

    names = ["dana", "pat", "kim"]
    assert fitted("", names, 100) == "also here: dana, pat, kim"
    assert fitted("", names, 24) == "also here: dana +2"
    assert fitted("", names, 10) == "+3 here"
    assert fitted("", names, 5) == "+3"
    assert fitted("", names, 4) == ""
    assert fitted("demo finished", ["dana"], 100) == "demo finished · also here: dana"
    assert fitted("demo finished", ["dana"], 30) == "demo finished · +1 here"
    assert fitted("demo finished", ["dana"], 3) == "demo finished"  # said, whatever the room
    assert fitted("", [], 100) == ""
    assert socket.gethostname()  # presence keys rows by host: it must have one


@pytest.mark.anyio
async def test_another_viewers_heartbeat_wakes_the_feed_but_rereads_no_incident(db,
                                                                                 monkeypatch):
    """The trade-off of presence in the database: a beat is a commit, so other viewers'
    change feeds wake; they look for new journal events, find none, and read no incident."""
    import warroom.app as app_module

    app = app_module.make_app(str(db), app_module.Actor(os_user="oncall", display="alex"),
                              clock=FrozenClock(NOW), live=True, presence=False,
                              cursor_blink=False)
    wakes, views = [], []
    changed = app.db_changed
    app.db_changed = lambda: (wakes.append(1), changed())[1]
    view = app_module.queries.incident_view
    monkeypatch.setattr(app_module.queries, "incident_view",
                        lambda *a, **k: (views.append(1), view(*a, **k))[1])
    async with app.run_test() as pilot:
        assert await until(pilot, lambda: app._feed._seen == app.store.data_version())
        read_before = len(views)
        Beacon(db, "dkim", "dana", host="elsewhere", pid=42).beat("INC-1001",
                                                                   presence.now_utc())
        assert await until(pilot, lambda: wakes)
        assert len(views) == read_before


@pytest.mark.anyio
async def test_the_beacon_beats_when_kicked_and_stops_when_told(db):
    import asyncio

    Beacon(db, "dkim", "dana", host="war2", pid=7).beat("INC-1002", presence.now_utc())
    room, shown = ["INC-1001"], []
    me = Beacon(db, "oncall", "alex")
    task = asyncio.create_task(me.run(lambda: room[0], shown.append, interval=3600))

    async def settle(condition):
        for _ in range(500):  # bounded by count, not by time: each step yields to the loop
            if condition():
                return True
            await asyncio.sleep(0.01)
        return False

    assert await settle(lambda: shown == [[]])  # alone in INC-1001
    room[0] = "INC-1002"
    me.kick()  # the dashboard switched incident: say so now, not in 15 s
    assert await settle(lambda: shown == [[], ["dana"]])
    me.stop()
    await asyncio.wait_for(task, 10)
    me.leave()
    with Store(db) as store:
        assert [r[0] for r in store.conn.execute("SELECT pid FROM presence")] == [7]
