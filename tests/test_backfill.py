"""Backfill: what was remembered late is recorded at the time it happened (``--at``), the
journal keeps when it was recorded too, and the metrics, the review and the log read it in
the order things happened."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from conftest import START, journal_count, person

from warroom import actions
from warroom.cli import main
from warroom.clock import FrozenClock, parse_at
from warroom.db import queries, schema
from warroom.db import store as store_module
from warroom.db.store import Store, open_store
from warroom.errors import UserError
from warroom.journal import happened_order, line
from warroom.records import Event
from warroom.reports import metrics, review


@pytest.fixture
def world(monkeypatch) -> FrozenClock:
    """The real time, as the store reads it for ``recorded_at`` (the suite pins it off)."""
    real = FrozenClock(START)
    monkeypatch.setattr(store_module, "recording_time", real)
    return real


@pytest.fixture
def db(db_target, monkeypatch):
    """A database for the shell; the store records the real time."""
    monkeypatch.setenv("WARROOM_DB", db_target)
    monkeypatch.setattr(store_module, "recording_time", lambda: datetime.now(timezone.utc))
    return db_target


def journal(path) -> list[Event]:
    with open_store(path) as store:
        return queries.events_after(store, 0)


def test_past_times_people_type():
    now = datetime(2026, 11, 24, 14, 30, tzinfo=timezone.utc)
    at = lambda text: parse_at(text, now)  # noqa: E731
    assert at("-10m") == at("10m ago") == at("10 m ago") == now - timedelta(minutes=10)
    assert at("-1h30m") == now - timedelta(minutes=90)
    assert at("14:05") == at("today 14:05") == datetime(2026, 11, 24, 14, 5, tzinfo=timezone.utc)
    assert at("yesterday 23:50") == datetime(2026, 11, 23, 23, 50, tzinfo=timezone.utc)
    assert at("2026-11-24T09:15") == datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)
    assert at("2026-11-24T09:15+01:00") == datetime(2026, 11, 24, 8, 15, tzinfo=timezone.utc)
    with pytest.raises(UserError, match="has not come yet.*'yesterday 14:45'"):
        at("14:45")
    with pytest.raises(UserError, match="has not come yet"):
        at("2026-11-25T09:00")
    for ahead in ("+10m", "10m", "10"):
        with pytest.raises(UserError, match="reads as a time to come: .*-10m or '10m ago'"):
            at(ahead)
    with pytest.raises(UserError, match="cannot read 'lunch' as a past time"):
        at("lunch")
    with pytest.raises(UserError, match="not a time of day"):
        at("25:00")


def test_claim_update_and_blocker_recorded_when_they_happened(db, capsys):
    before = datetime.now(timezone.utc)
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam", "--at", "-30m"]) == 0
    assert main(["claim", "INC-1001", "lead", "--as", "sam", "--at", "-25m"]) == 0
    assert main(["claim", "INC-1001", "comms", "--as", "alex", "--at", "-22m"]) == 0
    assert main(["update", "INC-1001", "customer", "--known", "EU checkout fails",
                 "--unknown", "cause", "--next-steps", "roll back", "--next", "30m",
                 "--as", "alex", "--at", "20m ago"]) == 0
    assert main(["block", "INC-1001", "DB access", "--waiting-on", "DBA", "--owner", "sam",
                 "--as", "sam", "--at", "-10m"]) == 0
    assert main(["note", "INC-1001", "DBA paged", "--as", "sam"]) == 0
    out = capsys.readouterr().out
    assert "INC-1001: blocker #1 raised: DB access" in out
    after = datetime.now(timezone.utc)
    happened = {(e.kind, e.who): e for e in journal(db)}
    for (kind, who), minutes in ((("incident.opened", "sam"), 30), (("role.claimed", "sam"), 25),
                                 (("role.claimed", "alex"), 22), (("update.posted", "alex"), 20),
                                 (("blocker.raised", "sam"), 10)):
        e = happened[kind, who]
        assert before - timedelta(minutes=minutes) <= e.at <= after - timedelta(minutes=minutes)
        assert before <= e.recorded_at <= after  # the real time, never the --at clock
    note = happened["note.posted", "sam"]  # typed as it happened: recorded then
    assert note.recorded_at - note.at < timedelta(seconds=5)
    update = happened["update.posted", "alex"]
    assert update.payload["next_due"] == (update.at + timedelta(minutes=30)).isoformat()
    with open_store(db) as store:  # the stored state carries the time it happened too
        view = queries.incident_view(store, "INC-1001")
    assert view.role("lead").since == happened["role.claimed", "sam"].at
    assert view.blockers[0].raised_at == happened["blocker.raised", "sam"].at


def test_refused_in_the_future_and_before_the_opening(db, capsys):
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam", "--at", "-30m"]) == 0
    capsys.readouterr()
    count = len(journal(db))
    assert main(["claim", "INC-1001", "lead", "--as", "sam", "--at", "+5m"]) == 2
    assert main(["claim", "INC-1001", "lead", "--as", "sam",
                 "--at", (datetime.now() + timedelta(hours=2)).isoformat()]) == 2
    future = capsys.readouterr().err.splitlines()
    assert len(future) == 2 and "reads as a time to come" in future[0]
    assert future[1].startswith("warroom claim: error: --at ") and "has not come yet" in future[1]
    opened = journal(db)[0].at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert main(["block", "INC-1001", "DB access", "--waiting-on", "DBA", "--owner", "sam",
                 "--as", "sam", "--at", "-40m"]) == 2
    assert capsys.readouterr().err == (
        f"warroom block: error: INC-1001 opened at {opened}: nothing can be recorded as "
        "happening before that\n")
    assert len(journal(db)) == count
    with open_store(db) as store:
        assert queries.incident_view(store, "INC-1001").blockers == []
    assert main(["show", "INC-1001", "--at", "-1m"]) == 2  # reading verbs take no --at
    assert "unrecognized arguments: --at" in capsys.readouterr().err


def test_the_store_refuses_an_event_before_the_opening(store, sam, clock):
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV2", clock=clock).key
    count = journal_count(store)
    earlier = FrozenClock(START - timedelta(minutes=1))
    with pytest.raises(UserError, match="INC-1001 opened at 2026-11-24 14:00"):
        actions.claim_role(store, sam, key, "lead", clock=earlier)
    assert journal_count(store) == count
    assert queries.incident_view(store, key).role("lead").holder is None


def test_a_date_not_today_is_echoed(db, capsys):
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam", "--at", "yesterday 10:00"]) == 0
    assert main(["note", "INC-1001", "paged the DBA", "--as", "sam",
                 "--at", "yesterday 10:30"]) == 0
    out = capsys.readouterr().out.splitlines()
    day = (datetime.now().astimezone() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert out[-2:] == ["INC-1001: note posted",
                        f"  recorded as happening {day} 10:30 (not today)"]


def _room(store, when, lead_at: datetime | None = None) -> int:
    """Open at 14:00; lead at 14:05, comms 14:10, decider 14:20; comms released 14:30,
    taken again 14:40. With ``lead_at``, the lead's claim is typed last (at 14:40), dated
    ``lead_at``: backfilled."""
    sam, alex, pat, dana = (person(n) for n in ("sam", "alex", "pat", "dana"))
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", clock=when(0)).key
    if lead_at is None:
        actions.claim_role(store, sam, key, "lead", clock=when(5))
    actions.claim_role(store, alex, key, "comms", clock=when(10))
    actions.claim_role(store, pat, key, "decider", clock=when(20))
    actions.release_role(store, alex, key, "comms", clock=when(30))
    actions.claim_role(store, dana, key, "comms", clock=when(40))
    if lead_at is not None:
        actions.claim_role(store, sam, key, "lead", clock=FrozenClock(lead_at))
    return store.find_incident(key)["id"]


def test_the_fold_reads_a_backfilled_event_in_its_place(tmp_path, world):
    def when(minutes):
        world.now = START + timedelta(minutes=minutes)
        return world

    now = START + timedelta(hours=1)
    with Store(tmp_path / "typed.db", create=True) as typed:
        _room(typed, when)
        in_order = metrics.for_incident(typed, "INC-1001", now)
    with Store(tmp_path / "late.db", create=True) as late:
        iid = _room(late, when, lead_at=START + timedelta(minutes=5))
        backfilled = metrics.for_incident(late, "INC-1001", now)
        by_id = sorted(late.journal_stream(iid))
    assert in_order.time_to_ownership == backfilled.time_to_ownership == 20 * 60
    for role in ("lead", "comms", "decider"):
        assert in_order.vacant(role) == backfilled.vacant(role)
    assert backfilled.vacant("lead") == 5 * 60 and backfilled.vacant("comms") == 20 * 60
    assert in_order.trio_vacancy == backfilled.trio_vacancy
    assert ([(t.holder, t.start, t.end) for t in in_order.tenures["lead"]]
            == [(t.holder, t.start, t.end) for t in backfilled.tenures["lead"]])
    # read in the order it was typed, the late claim would complete the trio at 14:05
    assert metrics.fold(by_id, now)[iid].time_to_ownership == 5 * 60


def test_log_and_review_in_happened_order_with_the_mark(db, capsys):
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam", "--at", "-30m"]) == 0
    assert main(["claim", "INC-1001", "lead", "--as", "sam"]) == 0
    assert main(["claim", "INC-1001", "comms", "--as", "alex", "--at", "-20m"]) == 0
    capsys.readouterr()
    assert main(["log", "INC-1001"]) == 0
    lines = capsys.readouterr().out.splitlines()
    said = [re.sub(r"^\S+ \S+ #\d+ ", "", text) for text in lines]
    assert said[0].startswith("sam opened INC-1001")
    assert re.fullmatch(r"alex took Communications owner \(was vacant\) \[backfilled \d\d:\d\d\]"
                        r"( \[.+\])?", said[1])
    assert re.fullmatch(r"sam took Investigation lead \(was vacant\)( \[.+\])?", said[2])
    assert "backfilled" not in said[2]
    assert [text.split()[2] for text in lines] == ["#1", "#3", "#2"]
    assert main(["log", "INC-1001", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [1, 3, 2] and all(r["recorded_at"] for r in rows)
    with open_store(db) as store:
        text = review.review(store, "INC-1001", datetime.now(timezone.utc))
    timeline = text.split("## Timeline\n\n")[1].split("\n\n")[0].splitlines()
    assert "alex took Communications owner" in timeline[1] and "\\[backfilled " in timeline[1]
    assert "sam took Investigation lead" in timeline[2] and "backfilled" not in timeline[2]


def test_the_mark_says_when_it_was_recorded():
    at = datetime(2026, 11, 24, 14, 5, tzinfo=timezone.utc)
    claim = Event(id=3, incident_id=1, at=at, os_user="oncall", kind="role.claimed",
                  display_name="sam", payload={"role": "lead"})
    assert line(claim) == "14:05 sam took lead (was vacant)"  # recorded_at unknown
    marked = {
        timedelta(seconds=50): "14:05 sam took lead (was vacant)",
        timedelta(minutes=10): "14:05 sam took lead (was vacant) [backfilled 14:15]",
        timedelta(hours=20): "14:05 sam took lead (was vacant) [backfilled Wed 25 Nov 10:05]",
    }
    for late, words in marked.items():
        event = Event(**{**claim.__dict__, "recorded_at": at + late})
        assert line(event) == words
    earlier = Event(**{**claim.__dict__, "id": 4, "at": at - timedelta(minutes=1)})
    assert [e.id for e in happened_order([claim, earlier])] == [4, 3]


def test_an_old_database_gets_recorded_at_as_at(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    with monkeypatch.context() as old:
        old.setattr(store_module, "MIGRATIONS", schema.MIGRATIONS[:6])
        old.setattr(store_module, "SCHEMA_VERSION", 6)
        Store(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO incidents (key, title, customer, severity, stage, opened_at)"
                 " VALUES ('INC-1001', 't', 'Acme', 'SEV2', 'triage', "
                 "'2026-11-24T14:00:00.000000+00:00')")
    for minute, kind in ((0, "incident.opened"), (5, "role.claimed")):
        conn.execute("INSERT INTO events (incident_id, at, os_user, kind, payload) VALUES "
                     "(1, ?, 'sam', ?, '{\"role\": \"lead\"}')",
                     (f"2026-11-24T14:{minute:02d}:00.000000+00:00", kind))
    conn.commit()
    conn.close()
    with open_store(path) as store:
        rows = store.conn.execute("SELECT at, recorded_at FROM events ORDER BY id").fetchall()
        assert [tuple(r) for r in rows] == [(r[0], r[0]) for r in rows]
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        indexes = {r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")}
        assert {"events_happened", "events_incident_happened"} <= indexes
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.conn.execute("UPDATE events SET recorded_at = NULL")
        events = queries.events_after(store, 0)
    assert line(events[1]) == "14:05 sam took lead (was vacant)"  # not marked backfilled


@pytest.mark.anyio
async def test_the_dashboard_timeline_marks_a_backfilled_entry(tmp_path, world):
    from app_helpers import act, app_for, open_incident, until, who

    from warroom.widgets.timeline import Timeline

    db = tmp_path / "t.db"
    open_incident(db, world, staff=False)
    world.advance(minutes=10)  # remembered ten minutes late
    act(db, actions.claim_role, who("sam"), "INC-1001", "lead",
        clock=FrozenClock(START + timedelta(minutes=5)))
    act(db, actions.claim_role, who("alex"), "INC-1001", "comms", clock=world)
    app = app_for(db, world)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = pilot.app.screen.query_one(Timeline)
        assert await until(pilot, lambda: timeline.oldest_id is not None), "no page loaded"
        assert timeline.plain_lines[:2] == [  # role names, never ids
            "14:10 alex took Communications owner (was vacant)",
            "14:05 sam took Investigation lead (was vacant) [backfilled 14:10]"]


@pytest.mark.parametrize("text", ["+9999999999d", "+99999999d", "0001-01-01T00:00",
                                  "9" * 30 + "d"])
def test_a_time_out_of_range_is_one_line_never_a_traceback(text):
    from warroom.clock import parse_when, utcnow

    with pytest.raises(UserError, match="out of range"):
        parse_when(text, utcnow())


@pytest.mark.parametrize("text", ["-99999999d", "0001-01-01T00:00"])
def test_a_past_time_out_of_range_is_one_line_never_a_traceback(text):
    from warroom.clock import parse_at, utcnow

    with pytest.raises(UserError, match="out of range"):
        parse_at(text, utcnow())


def test_an_impact_start_is_typed_like_any_past_time(db, capsys):
    """``--impact-start -40m`` reads as forty minutes ago, as ``--at -40m`` does."""
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--impact-start", "-40m", "--as", "sam"]) == 0
    opened = journal(db)[0]
    assert opened.payload["impact_start"] is not None
    impact = datetime.fromisoformat(opened.payload["impact_start"])
    assert timedelta(minutes=39) < opened.at - impact < timedelta(minutes=41)


def test_a_stated_time_gets_no_grace_before_a_later_change(db, capsys):
    """The minute's grace is for two people acting at once; a time typed with --at that
    lands before a later update of the same audience is refused, however close."""
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam", "--at", "-20m"]) == 0
    assert main(["claim", "INC-1001", "comms", "--as", "alex", "--at", "-15m"]) == 0
    body = ["--known", "k", "--unknown", "u", "--next-steps", "n", "--as", "alex"]
    assert main(["update", "INC-1001", "customer", "--next", "30m", *body]) == 0
    capsys.readouterr()
    assert main(["update", "INC-1001", "customer", "--next", "50m", "--at", "-40s",
                 *body]) == 2
    assert "cannot record this as happening at" in capsys.readouterr().err
