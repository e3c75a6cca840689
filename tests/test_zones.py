"""Times on every live surface: the date when not today, the zone named (the viewer's, from
$TZ, or --tz / WARROOM_TZ), the offset of each instant (DST); and show --json with the
status the dashboard derives."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import START, last_event, refused

from warroom import actions
from warroom.cli import main
from warroom.clock import FrozenClock, local_hm, parse_when, use_zone, when, zone_label
from warroom.db import queries
from warroom.journal import describe
from warroom.render import board
from warroom.render.show import JSON_VERSION, render_show, show_json

BERLIN = ZoneInfo("Europe/Berlin")
# Summer time ends in Berlin on Sunday 25 Oct 2026 at 03:00 CEST (01:00 UTC).
SAT_10_CEST = datetime(2026, 10, 24, 8, 0, tzinfo=timezone.utc)
MON_10_CET = datetime(2026, 10, 26, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def berlin():
    """The viewer's zone set as --tz would set it, put back after."""
    before = use_zone(BERLIN)
    yield
    use_zone(before)


@pytest.fixture
def tz_berlin(monkeypatch):
    """The viewer's zone from $TZ (conftest puts UTC back)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()


def test_today_bare_other_days_dated_other_years_with_the_year():
    now = START  # Tue 24 Nov 2026 14:00 UTC
    assert when(now + timedelta(hours=9, minutes=59), now) == "23:59"
    assert when(now + timedelta(hours=10), now) == "Wed 25 Nov 00:00"
    assert when(now + timedelta(days=21), now) == "Tue 15 Dec 14:00"
    assert when(now - timedelta(days=13, hours=4), now) == "Wed 11 Nov 10:00"
    assert when(datetime(2027, 1, 4, 9, 30, tzinfo=timezone.utc), now) == "Mon 4 Jan 2027 09:30"
    assert local_hm(now + timedelta(days=21)) == "14:00"  # bare only when asked bare


@pytest.mark.parametrize("zone_from", ["berlin", "tz_berlin"])
def test_the_zone_of_each_instant_across_a_dst_change(request, zone_from):
    request.getfixturevalue(zone_from)
    assert zone_label(SAT_10_CEST) == "CEST" and zone_label(MON_10_CET) == "CET"
    assert when(SAT_10_CEST, MON_10_CET) == "Sat 24 Oct 10:00 CEST"
    # 02:30 UTC Sunday is 03:30 CET; 00:30 UTC is 02:30 CEST (the hour that comes twice)
    assert when(datetime(2026, 10, 25, 2, 30, tzinfo=timezone.utc), MON_10_CET) == \
        "Sun 25 Oct 03:30"
    assert when(datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), MON_10_CET) == \
        "Sun 25 Oct 02:30 CEST"
    assert when(MON_10_CET + timedelta(hours=3), MON_10_CET) == "13:00"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset():
    before = use_zone(ZoneInfo("America/Sao_Paulo"))  # tzname "-03"
    try:
        assert zone_label(START) == "-03:00"
        assert when(START, START) == "11:00"
    finally:
        use_zone(before)
    assert zone_label(START, ZoneInfo("Asia/Kathmandu")) == "+05:45"


def test_typed_times_are_read_in_the_viewer_zone(berlin):
    now = SAT_10_CEST
    assert parse_when("14:30", now) == datetime(2026, 10, 24, 12, 30, tzinfo=timezone.utc)
    # tomorrow 09:00 is after the change: CET, one hour more from UTC
    assert parse_when("tomorrow 09:00", now) == datetime(2026, 10, 25, 8, 0, tzinfo=timezone.utc)


def test_dashboard_header_names_the_zone_and_panes_date_other_days(store, sam, tz_berlin):
    clock = FrozenClock(SAT_10_CEST)
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV3", clock=clock).key
    actions.add_milestone(store, sam, key, name="RCA to customer", owner="sam",
                          due_at=SAT_10_CEST + timedelta(days=3), clock=clock)
    view = queries.incident_view(store, key)
    header = "".join(c.text for c in board.header_line(view, MON_10_CET))
    assert header.endswith("times CET")
    assert "".join(c.text for c in board.header_line(view, SAT_10_CEST)).endswith("times CEST")
    # due Tue 27 Oct 08:00 UTC = 09:00 CET; seen from Monday it carries its date
    due = "".join(c.text for c in board.milestone_lines(view, MON_10_CET)[0])
    assert "Tue 27 Oct 09:00 sam" in due


def test_action_messages_date_a_time_not_today(store, sam, incident, clock):
    done = actions.add_milestone(store, sam, incident, name="RCA", owner="sam",
                                 due_at=START + timedelta(days=21), clock=clock)
    assert done.message == "milestone #1 'RCA' due Tue 15 Dec 14:00, owner sam"
    done = actions.move_milestone(store, sam, incident, 1, due_at=START + timedelta(hours=1),
                                  reason="sooner", clock=clock)
    assert done.message == "milestone #1 now due 15:00"


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def db(db_target, monkeypatch):
    path = db_target
    monkeypatch.setenv("WARROOM_DB", str(path))
    monkeypatch.delenv("WARROOM_TZ", raising=False)
    return path


def nothing_written(db) -> bool:
    """No file made, or on a server no incident opened."""
    if not str(db).startswith("postgresql://"):
        return not Path(db).exists()
    from warroom.db.store import open_store

    with open_store(db) as store:
        return store.incidents() == []


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_zone_is_one_line_and_writes_nothing(capsys, db, monkeypatch):
    code, out, err = run(capsys, "open", "Checkout failing", "--customer", "Acme",
                         "--severity", "SEV2", "--tz", "Mars/Olympus")
    assert code == 2 and out == "" and nothing_written(db)
    assert err == ("warroom open: error: --tz 'Mars/Olympus' is not a time zone: use an IANA "
                   "name such as Europe/Berlin, America/New_York or UTC\n")
    monkeypatch.setenv("WARROOM_TZ", "Nowhere")
    code, _, err = run(capsys, "ls")
    assert code == 2 and err.startswith("warroom ls: error: WARROOM_TZ 'Nowhere' is not") \
        and err.count("\n") == 1


def test_show_and_log_in_the_zone_asked_for(capsys, db, monkeypatch):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV3",
               "--as", "sam")[0] == 0
    code, out, _ = run(capsys, "show", "INC-1001", "--tz", "Asia/Tokyo")
    assert code == 0 and out.splitlines()[2] == "times in JST"
    monkeypatch.setenv("WARROOM_TZ", "America/New_York")
    opened = queries_opened(db)
    code, out, _ = run(capsys, "log", "INC-1001")
    ny = opened.astimezone(ZoneInfo("America/New_York"))
    hours = int(ny.utcoffset().total_seconds() // 3600)  # -5 (EST) or -4 (EDT)
    assert out.startswith(f"{ny:%Y-%m-%d %H:%M}{hours:+03d}:00 #1 sam opened INC-1001")
    code, out, _ = run(capsys, "--tz", "UTC", "log", "INC-1001")  # the flag wins
    assert out.startswith(f"{opened:%Y-%m-%d %H:%M}+00:00 #1 sam opened INC-1001")
    assert run(capsys, "show", "INC-1001")[1].splitlines()[2] in ("times in EST",
                                                                  "times in EDT")


def queries_opened(db) -> datetime:
    from warroom.db.store import open_store

    with open_store(db) as store:
        return queries.incident_view(store, "INC-1001").incident.opened_at


# -- show --json ---------------------------------------------------------------------------


def test_show_json_gives_the_derived_status(store, staffed, sam, alex, pat, clock):
    # 14:00 opened (SEV1: customer every 30m, internal every 15m by default)
    actions.add_milestone(store, sam, staffed, name="Acknowledge", owner="alex",
                          due_at=START + timedelta(minutes=10), clock=clock)
    actions.add_milestone(store, sam, staffed, name="Rollback ready", owner="sam",
                          due_at=START + timedelta(minutes=30), clock=clock)
    actions.add_milestone(store, sam, staffed, name="Verify", owner="sam",
                          due_at=START + timedelta(hours=2), clock=clock)
    actions.request_approval(store, sam, staffed, change="Roll back deploy 412", risk="low",
                             rationale="errors began after it", fallback="roll forward",
                             expires_at=START + timedelta(minutes=20), clock=clock)
    clock.advance(minutes=5)
    actions.complete_milestone(store, alex, staffed, 1, clock=clock)  # 14:05: met
    clock.advance(minutes=35)  # 14:40
    actions.complete_milestone(store, sam, staffed, 2, clock=clock)  # due 14:30: missed
    now = clock()
    view = queries.incident_view(store, staffed)
    data = show_json(view, now)
    assert data["schema_version"] == JSON_VERSION == 2
    assert data["zone"] == "UTC" and data["now"] == "2026-11-24T14:40:00Z"
    assert [m["status"] for m in data["milestones"]] == ["met", "missed", "open"]
    approval = data["approvals"][0]
    assert approval["status"] == "expired" and approval["stored_status"] == "pending"
    due = view.incident.next_customer_due
    assert data["updates"]["customer"]["due_at"] == due.isoformat().replace("+00:00", "Z")
    assert data["updates"]["customer"]["status"] == ("overdue" if due < now else "due")
    assert data["updates"]["internal"]["status"] == "overdue"  # due 14:15, nothing posted
    # the text says the same
    text = render_show(view, now)
    assert "EXPIRED" in text and "times in UTC" in text
    clock.advance(hours=2)  # 16:40: Verify (due 16:00) is now overdue
    later = show_json(queries.incident_view(store, staffed), clock())
    assert [m["status"] for m in later["milestones"]] == ["met", "missed", "overdue"]


def test_show_json_on_the_command_line(capsys, db):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV3",
               "--as", "sam")[0] == 0
    code, out, _ = run(capsys, "show", "INC-1001", "--json")
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == 2 and data["incident"]["key"] == "INC-1001"
    assert data["updates"]["customer"]["status"] == "due"


# -- the customer's zone -------------------------------------------------------------------


def test_the_customer_zone_is_journaled_and_customer_text_uses_it(store, staffed, sam, alex,
                                                                  clock):
    done = actions.change_customer_zone(store, sam, staffed, zone="America/New_York",
                                        reason="customer is in Boston", clock=clock)
    assert done.message == "INC-1001: customer times now in America/New_York (EST now)"
    assert describe(last_event(store)) == (
        "sam changed the customer's time zone from none to America/New_York: customer is in "
        "Boston")
    view = queries.incident_view(store, staffed)
    assert view.incident.customer_tz == "America/New_York"
    assert "customer times in America/New_York" in render_show(view, clock())
    # 14:00 UTC is 09:00 EST; the next update at 14:20 UTC reads 09:20 EST for the customer
    posted = actions.post_update(store, alex, staffed, audience="customer",
                                 next_update_at=START + timedelta(minutes=20),
                                 template="acknowledge", clock=clock,
                                 known="card payments fail", unknown="root cause",
                                 next_steps="rolling back")
    assert "by 09:20 EST" in posted.composed and "UTC" not in posted.composed


def test_a_bad_customer_zone_is_refused_and_writes_nothing(store, staffed, sam, clock):
    refused(store, lambda: actions.change_customer_zone(store, sam, staffed, zone="Boston",
                                                        clock=clock),
            "^customer time zone 'Boston' is not a time zone")
    refused(store, lambda: actions.change_customer_zone(store, sam, staffed, zone="UTC",
                                                        clock=clock),
            "already UTC")


def test_customer_zone_from_the_command_line(capsys, db):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV3",
               "--as", "sam")[0] == 0
    code, out, _ = run(capsys, "customers", "INC-1001", "--customer-tz", "Europe/Lisbon",
                       "--as", "sam")
    assert code == 0 and out.startswith("INC-1001: customer times now in Europe/Lisbon")
    code, out, _ = run(capsys, "log", "INC-1001")
    assert "sam changed the customer's time zone from none to Europe/Lisbon" in out
    code, _, err = run(capsys, "customers", "INC-1001", "--customer-tz", "Europe/Lisbon",
                       "--tier", "gold", "--as", "sam")
    assert code == 2 and "on its own" in err


def test_the_customer_zone_can_be_given_at_the_opening(capsys, db):
    code, _, err = run(capsys, "open", "Checkout failing", "--customer", "Acme",
                       "--severity", "SEV3", "--customer-tz", "Mars/Olympus", "--as", "sam")
    assert code == 2 and "--customer-tz 'Mars/Olympus' is not a time zone" in err
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV3",
               "--customer-tz", "America/New_York", "--as", "sam")[0] == 0
    code, out, _ = run(capsys, "show", "INC-1001")
    assert "America/New_York" in out


@pytest.mark.parametrize("zone_flag", [None, "Europe/Berlin"])
def test_a_time_of_day_typed_on_a_dst_day_takes_that_times_offset(monkeypatch, zone_flag):
    """On the day summer time starts (29 March 2026 in Berlin, 02:00 CET -> 03:00 CEST),
    01:30 is CET (00:30 UTC) and 10:00 CEST (08:00 UTC), with $TZ alone or with --tz."""
    import time

    from warroom.clock import parse_at, parse_when, use_zone, viewer_zone

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    before = use_zone(viewer_zone(zone_flag))
    try:
        now = datetime(2026, 3, 29, 8, 0, tzinfo=timezone.utc)  # 10:00 CEST
        assert parse_at("01:30", now) == datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
        autumn = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)  # 02:30 CEST
        assert parse_when("05:00", autumn) == datetime(2026, 10, 25, 4, 0,
                                                       tzinfo=timezone.utc)
    finally:
        use_zone(before)
        monkeypatch.setenv("TZ", "UTC")  # as the suite runs (conftest)
        time.tzset()
