"""The scenario player: history at its own times, live injects at scaled times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom import scenarios, views
from warroom.clock import FrozenClock
from warroom.drills import Player
from warroom.store import Store

START = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)

SCRIPT = """
name = "timing"
summary = "timing test"
ambiguity = ["who leads"]
[incident]
title = "Payments slow"
customer = "Acme"
severity = "SEV2"
opened_ago = "10m"
[[inject]]
at = "2m"
actor = "sam"
do = "claim"
role = "lead"
[[inject]]
at = "10m"
actor = "alex"
do = "claim"
role = "comms"
[[inject]]
at = "20m"
actor = "dana"
do = "claim"
role = "lead"
reason = "payments owns this"
[[inject]]
at = "25m"
actor = "pat"
do = "claim"
role = "decider"
demo_only = true
[[inject]]
at = "30m"
actor = "pat"
do = "settle"
role = "lead"
winner = "dana"
demo_only = true
[[inject]]
at = "40m"
actor = "sam"
do = "block"
label = "logs"
what = "Gateway logs"
waiting_on = "Vendor"
owner = "sam"
[[inject]]
at = "41m"
actor = "sam"
do = "unblock"
target = "logs"
"""


def _player(tmp_path, *, speed=1.0, demo=False):
    clock = FrozenClock(START)
    store = Store(tmp_path / "drill.db", create=True)
    player = Player(store, scenarios.parse(SCRIPT, "timing.toml"), os_user="facilitator",
                    clock=clock, speed=speed, demo=demo)
    return player, clock, store


def test_history_is_written_at_its_own_times_and_the_incident_is_a_drill(tmp_path):
    player, clock, store = _player(tmp_path)
    key = player.start()
    applied = player.step()
    assert [o.inject.actor for o in applied] == ["sam", "alex"]
    events = views.events_after(store, 0, key)
    assert events[0].kind == "incident.opened" and events[0].at == START - timedelta(minutes=10)
    assert events[1].at == START - timedelta(minutes=8)  # at 2m after opening
    assert events[2].at == START  # at 10m, the moment the drill starts
    view = views.incident_view(store, key)
    assert view.incident.drill is True
    assert view.role("lead").holder == "sam"


def test_live_injects_fire_at_scaled_times(tmp_path):
    player, clock, store = _player(tmp_path, speed=10)
    key = player.start()
    player.step()
    # the claim by dana is 10 scenario minutes after the start: 60 s at speed 10
    clock.advance(seconds=59)
    assert player.step() == []
    clock.advance(seconds=1)
    outcome = player.step()
    assert [o.inject.actor for o in outcome] == ["dana"]
    assert outcome[0].at == START + timedelta(seconds=60)
    assert views.incident_view(store, key).disputes[0].claimant == "dana"
    # a drill leaves the demo_only settle to the participants: next is the blocker at 3 min
    assert player.next_due() == START + timedelta(minutes=3)


def test_demo_plays_the_responses_too(tmp_path):
    player, clock, store = _player(tmp_path, speed=10, demo=True)
    key = player.start()
    clock.advance(minutes=10)
    outcomes = player.step()
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    assert player.finished
    view = views.incident_view(store, key)
    assert view.role("lead").holder == "dana"
    assert view.blockers == []  # raised then cleared through its label


def test_an_inject_the_room_made_impossible_is_recorded_not_fatal(tmp_path):
    player, clock, store = _player(tmp_path)
    key = player.start()
    player.step()
    from warroom import actions
    from warroom.models import Actor

    actions.release_role(store, Actor(os_user="u", display="sam"), key, "lead", clock=clock)
    clock.advance(minutes=10)
    outcomes = player.step()
    assert outcomes[0].ok  # dana claims the now vacant lead: no dispute
    clock.advance(minutes=30)
    outcomes = player.step()
    assert [o.ok for o in outcomes] == [True, True]
    assert player.finished


def test_a_drill_runs_under_its_scenarios_playbook_or_the_one_open_would_pick(tmp_path):
    named = SCRIPT.replace('[incident]\n', '[incident]\nplaybook = "data-integrity"\n', 1)
    player = Player(Store(tmp_path / "named.db", create=True), scenarios.parse(named, "n.toml"),
                    os_user="facilitator", clock=FrozenClock(START))
    key = player.start()
    opened = views.events_after(player.store, 0, key)[0].payload
    assert (opened["playbook"], opened["why"]) == ("data-integrity", "chosen by name (--playbook)")
    assert "scribe" in opened["roles"] and opened["milestones"]

    matched = SCRIPT.replace("title = ", 'title = "Checkout failing for EU users"\n#', 1)
    player = Player(Store(tmp_path / "matched.db", create=True),
                    scenarios.parse(matched, "m.toml"), os_user="facilitator",
                    clock=FrozenClock(START))
    key = player.start()
    opened = views.events_after(player.store, 0, key)[0].payload
    assert opened["playbook"] == "customer-outage" and opened["why"].startswith("matched")
