"""Promises of the next update: a customer update promises a later time than the cadence
only when agreed with the customer (``--agreed``), never beyond 7 days; the room is then held
to it, in the dashboard's due time and in the metrics, and times not today are echoed with
their date."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conftest import START, last_event, refused

from warroom import actions
from warroom.cli import main
from warroom.clock import parse_when, said_day_hm
from warroom.db import queries
from warroom.journal import line
from warroom.reports.metrics import for_incident

TOMORROW_9 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def post(store, alex, key, clock, at, **kw):
    return actions.post_update(store, alex, key, audience="customer", known="checkout fails",
                               unknown="why", next_steps="rolling back", next_update_at=at,
                               clock=clock, **kw)


def test_a_later_promise_without_agreed_is_refused_naming_the_cadence(store, staffed, alex,
                                                                         clock):
    refused(store, lambda: post(store, alex, staffed, clock, START + timedelta(hours=2)),
            "the SEV1 customer cadence is 30m: a later next update needs --agreed")
    # an earlier time, or the cadence's own, needs nothing
    done = post(store, alex, staffed, clock, START + timedelta(minutes=30))
    assert done.message.endswith("next due 14:30") and "agreed" not in last_event(store).payload


def test_an_agreed_promise_is_the_next_due_time_and_journaled(store, staffed, alex, clock):
    at = parse_when("tomorrow 09:00", clock())
    assert at == TOMORROW_9
    done = post(store, alex, staffed, clock, at, agreed=True)
    assert done.message == ("posted customer update; next due tomorrow Wed 25 Nov 09:00 "
                            "(agreed with the customer)")
    event = last_event(store)
    assert event.payload["agreed"] is True
    assert datetime.fromisoformat(event.payload["next_due"]) == TOMORROW_9
    assert line(event).endswith("posted a customer update, next update time agreed with "
                                "the customer: checkout fails")
    view = queries.incident_view(store, staffed)
    assert view.incident.next_customer_due == TOMORROW_9


def test_beyond_seven_days_is_refused_even_agreed(store, staffed, alex, clock):
    refused(store, lambda: post(store, alex, staffed, clock, START + timedelta(days=7, minutes=1),
                                agreed=True), "more than 7 days ahead")
    post(store, alex, staffed, clock, START + timedelta(days=7), agreed=True)


def test_agreed_is_for_customer_updates(store, staffed, sam, clock):
    refused(store, lambda: actions.post_update(
        store, sam, staffed, audience="internal", known="k", unknown="u", next_steps="n",
        agreed=True, clock=clock), "only a customer update's next time can be agreed")


def test_the_promise_is_the_due_time_in_the_metrics_once(store, staffed, alex, clock):
    post(store, alex, staffed, clock, START + timedelta(hours=3), agreed=True)
    clock.advance(hours=2)  # four cadence periods pass in silence: nothing is missed
    c = for_incident(store, staffed, clock()).cadence["customer"]
    assert (c.due, c.on_time) == (0, 0)
    clock.advance(minutes=59)  # just before the promise: met, counted once
    post(store, alex, staffed, clock, clock() + timedelta(minutes=30))
    c = for_incident(store, staffed, clock()).cadence["customer"]
    assert (c.due, c.on_time, c.posts) == (1, 1, 2)


def test_a_broken_promise_is_missed_once_then_the_cadence_resumes(store, staffed, alex, clock):
    post(store, alex, staffed, clock, START + timedelta(hours=3), agreed=True)
    clock.advance(hours=3, minutes=10)  # 10 minutes past the promise
    c = for_incident(store, staffed, clock()).cadence["customer"]
    assert (c.due, c.on_time) == (1, 0)


def test_times_not_today_are_echoed_with_their_date():
    now = START
    assert said_day_hm(START + timedelta(hours=1), now) == "15:00"
    assert said_day_hm(TOMORROW_9, now) == "tomorrow Wed 25 Nov 09:00"
    assert said_day_hm(TOMORROW_9 + timedelta(days=2), now) == "Fri 27 Nov 09:00"
    assert parse_when("today 16:30", now) == START + timedelta(hours=2, minutes=30)
    assert parse_when("Tomorrow 9:00", now) == TOMORROW_9


def test_cli_update_needs_agreed_for_a_later_time_and_echoes_the_date(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "cli.db"))
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1"]) == 0
    assert main(["claim", "INC-1001", "comms", "--as", "alex"]) == 0
    capsys.readouterr()
    update = ["update", "INC-1001", "customer", "--known", "k", "--unknown", "u",
              "--next-steps", "n", "--next", "tomorrow 09:00", "--as", "alex"]
    assert main(update) == 2
    # the title picks the customer-outage playbook: its SEV1 customer cadence is 20m
    assert "the SEV1 customer cadence is 20m: a later next update needs --agreed" in (
        capsys.readouterr().err)
    assert main(update + ["--agreed"]) == 0
    out = capsys.readouterr().out
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date()
    year = f" {tomorrow.year}" if tomorrow.month == 1 and tomorrow.day == 1 else ""
    day = f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b}{year}"  # "Fri 4 Dec" (C locale)
    assert f"next due tomorrow {day} 09:00 (agreed with the customer)" in out
    assert main(["update", "INC-1001", "customer", "--known", "k", "--unknown", "u",
                 "--next-steps", "n", "--next", "8d", "--agreed", "--as", "alex"]) == 2
    assert "more than 7 days ahead" in capsys.readouterr().err
