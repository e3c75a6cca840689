"""The scenario player: history at its own times, live injects at scaled times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.clock import FrozenClock
from warroom.db import queries
from warroom.db.store import Store
from warroom.drills import scenarios
from warroom.drills.player import Player

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
dispute = "payments owns this"
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
    events = queries.events_after(store, 0, key)
    assert events[0].kind == "incident.opened" and events[0].at == START - timedelta(minutes=10)
    assert events[1].at == START - timedelta(minutes=8)  # at 2m after opening
    assert events[2].at == START  # at 10m, the moment the drill starts
    view = queries.incident_view(store, key)
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
    assert queries.incident_view(store, key).disputes[0].claimant == "dana"
    # a drill leaves the demo_only settle to the participants: next is the blocker at 3 min
    assert player.next_due() == START + timedelta(minutes=3)


def test_demo_plays_the_responses_too(tmp_path):
    player, clock, store = _player(tmp_path, speed=10, demo=True)
    key = player.start()
    clock.advance(minutes=10)
    outcomes = player.step()
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    assert player.finished
    view = queries.incident_view(store, key)
    assert view.role("lead").holder == "dana"
    assert view.blockers == []  # raised then cleared through its label


def test_an_inject_the_room_made_impossible_is_recorded_not_fatal(tmp_path):
    player, clock, store = _player(tmp_path)
    key = player.start()
    player.step()
    from warroom import actions
    from warroom.records import Actor

    actions.release_role(store, Actor(os_user="u", display="sam"), key, "lead", clock=clock)
    clock.advance(minutes=10)
    outcomes = player.step()
    assert outcomes[0].ok  # dana claims the now vacant lead: no dispute
    clock.advance(minutes=30)
    outcomes = player.step()
    assert [o.ok for o in outcomes] == [True, True, True]  # the last is the drill's end
    assert outcomes[-1] is player.ended and "resolved" in player.ended.message
    assert player.finished


def test_a_drill_runs_under_its_scenarios_playbook_or_the_one_open_would_pick(tmp_path):
    named = SCRIPT.replace('[incident]\n', '[incident]\nplaybook = "data-integrity"\n', 1)
    player = Player(Store(tmp_path / "named.db", create=True), scenarios.parse(named, "n.toml"),
                    os_user="facilitator", clock=FrozenClock(START))
    key = player.start()
    opened = queries.events_after(player.store, 0, key)[0].payload
    assert (opened["playbook"], opened["why"]) == ("data-integrity", "chosen by name (--playbook)")
    assert "scribe" in opened["roles"] and opened["milestones"]

    matched = SCRIPT.replace("title = ", 'title = "Checkout failing for EU users"\n#', 1)
    player = Player(Store(tmp_path / "matched.db", create=True),
                    scenarios.parse(matched, "m.toml"), os_user="facilitator",
                    clock=FrozenClock(START))
    key = player.start()
    opened = queries.events_after(player.store, 0, key)[0].payload
    assert opened["playbook"] == "customer-outage" and opened["why"].startswith("matched")


def test_a_drill_needs_its_own_database_and_never_runs_in_warroom_db(tmp_path, monkeypatch,
                                                                     capsys):
    from warroom.cli import main

    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "real.db"))
    monkeypatch.chdir(tmp_path)
    for argv in (["drill", "two-leads", "--speed", "100", "--wait", "1s"], ["drill", "score"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "needs its own database: add --db PATH or URL (never $WARROOM_DB" in err
    assert list(tmp_path.iterdir()) == []  # neither the real database nor ./warroom.db


def test_every_drill_argument_is_checked_before_anything_is_written(tmp_path, capsys):
    from warroom.cli import main

    db = tmp_path / "w.db"
    for argv, error in [
        (["--wait", "abc"], "cannot read 'abc' as a duration"),
        (["INC-1001"], "an incident (INC-1001) goes with 'drill score' only"),
        (["--scenario", "two-leads"], "--scenario goes with 'drill score' only"),
        (["--speed", "0"], "speed must be from 0.1 to 1000"),
    ]:
        assert main(["drill", "two-leads", *argv, "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert error in err and err.count("\n") == 1, err
    assert main(["drill", "nope", "--db", str(db)]) == 2
    assert "no scenario 'nope'" in capsys.readouterr().err
    assert not db.exists()


def test_the_drill_console_warns_about_skipped_playbook_files_like_open(tmp_path, capsys,
                                                                        monkeypatch):
    from warroom.cli import main

    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "bad.toml").write_text("name = = 1")
    monkeypatch.setenv("WARROOM_PLAYBOOKS", str(folder))
    db = tmp_path / "drill.db"
    assert main(["drill", "two-leads", "--db", str(db), "--speed", "1000", "--wait", "0s"]) == 0
    err = capsys.readouterr().err
    assert f"warroom drill: warning: skipped {folder / 'bad.toml'}: not valid TOML" in err
    with Store(db) as store:
        opened = queries.events_after(store, 0, "INC-1001")[0].payload
    assert "; 1 invalid playbook file(s) skipped" in opened["why"]


def test_cli_drill_plays_scores_and_asks_the_scenarios_questions(tmp_path, capsys):
    """A whole drill through the CLI, fast: two-leads' live part is 5 scenario minutes,
    0.3 s at speed 1000 (what the room answers is left to the room: nobody here)."""
    from warroom.cli import main

    db = tmp_path / "drill.db"
    assert main(["drill", "two-leads", "--db", str(db), "--speed", "1000", "--wait", "0s"]) == 0
    out = capsys.readouterr().out
    assert "Drill two-leads on INC-1001 [DRILL], speed 1000: its deadlines" in out
    assert out.count("\n  - ") == 2
    assert "Questions for the room:\n  - Who settled the lead, and how long did the room run " \
        "with two leads?\n  - Did the customer hear one story, on time?" in out
    assert main(["drill", "score", "--db", str(db)]) == 0  # found by the drill's title
    assert "Questions for the room:" in capsys.readouterr().out


SPED = """
name = "sped"
summary = "deadlines at speed"
ambiguity = ["who leads"]
[incident]
title = "Search slow for Acme"  # degraded-performance: SEV2 customer 60m, internal 30m
customer = "Acme"
severity = "SEV2"
opened_ago = "10m"
[[inject]]
at = "5m"
actor = "alex"
do = "claim"
role = "comms"  # customer updates come from the comms owner
[[inject]]
at = "5m"
actor = "alex"
do = "update"
audience = "customer"
known = "k"
unknown = "u"
next_steps = "n"
next = "20m"
[[inject]]
at = "20m"
actor = "sam"
do = "milestone"
label = "scope"
name = "Scope to the customer"
owner = "sam"
due = "15m"
[[inject]]
at = "30m"
actor = "sam"
do = "request"
label = "scale"
change = "Scale out search"
risk = "medium"
rationale = "more capacity"
fallback = "scale back"
"""


def test_at_speed_every_deadline_of_the_drill_incident_runs_faster_too(tmp_path):
    """Speed 10: the policy the incident copies (so any participant's update or request),
    the playbook's milestones and the injects' own durations all run 10 times faster."""
    from warroom.records import Risk
    from warroom.rules.policy import policy_of

    parse = datetime.fromisoformat
    player, clock, store = _player(tmp_path, speed=10)
    player.scenario = scenarios.parse(SPED, "sped.toml")
    player.injects = player.scenario.inject
    key = player.start()
    opened = queries.events_after(store, 0, key)[0]
    assert opened.at == START - timedelta(minutes=1)  # 10 scenario minutes ago
    assert opened.payload["playbook"] == "degraded-performance"
    assert opened.payload["cadence"] == {"customer": 6, "internal": 3}
    assert [(m["name"], parse(m["due_at"])) for m in opened.payload["milestones"]][:2] == [
        ("Acknowledge the customer", START + timedelta(minutes=2)),  # 30m after opening
        ("Impact measured against the SLO", START + timedelta(minutes=5))]  # 1h
    policy = policy_of(store.incident_row(key))
    assert policy.name == "degraded-performance, drill timings at 10x"
    assert policy.speed == opened.payload["speed"] == 10
    assert policy.rule_and_source(Risk.MEDIUM)[0].expires_minutes == 6  # 60m
    assert player.step()[0].at == START - timedelta(seconds=30)  # the update, 5m in
    update = [e for e in queries.events_after(store, 0, key)
              if e.kind == "update.posted"][-1].payload  # (it met a milestone after it)
    assert parse(update["next_due"]) == START + timedelta(minutes=1, seconds=30)  # in 20m
    while not player.finished:
        clock.now = player.next_due()
        player.step()
    assert all(o.ok for o in player.outcomes), [o.message for o in player.outcomes]
    view = queries.incident_view(store, key)
    scope = next(m for m in view.milestones if m.name == "Scope to the customer")
    assert scope.due_at == START + timedelta(minutes=2, seconds=30)  # 20m + 15m: 35m in
    assert view.approvals[0].expires_at == clock() + timedelta(minutes=6)


def test_a_drill_at_speed_60_misses_what_the_room_lets_slip(tmp_path):
    """The reviewer's case: at speed 60 nothing was ever missed, because the deadlines ran
    in real minutes. Nobody answers two-leads here; scored 10 scenario minutes after the
    last inject (10 real seconds)."""
    from warroom.drills import debrief

    clock = FrozenClock(START)
    with Store(tmp_path / "d.db", create=True) as store:
        player = Player(store, scenarios.load("two-leads"), os_user="facilitator",
                        clock=clock, speed=60)
        player.start()
        while not player.finished:
            clock.now = max(clock.now, player.next_due())
            player.step()
        clock.advance(seconds=10)
        r = debrief.score(store, None, clock())
    due, on_time, _, _ = r.updates["customer"]
    assert due >= 1 and on_time == 0
    missed = [name for name, _, _ in r.missed_milestones]
    # the scenario's own customer update met "Acknowledge the customer" by itself
    assert "Tell the customer the scope (orders affected)" in missed
    assert "Acknowledge the customer" not in missed
    assert r.ownership == "missed"


def test_a_drill_at_speed_is_judged_on_its_own_clock_and_says_so(tmp_path):
    """Speed 10: five real minutes of an unfilled decider are 50 minutes of the scenario,
    well past the 5 minutes a role may stay vacant; the debrief says its times are real."""
    from warroom.drills import debrief

    player, clock, store = _player(tmp_path, speed=10)
    player.start()
    clock.advance(minutes=4)  # the incident opened 1 minute before the start
    player.step()
    r = debrief.score(store, None, clock())
    assert r.speed == 10
    assert dict((c.name, c.state) for c in r.checks)["vacancies"] == "missed"
    assert any(i.text.startswith("decider stayed vacant for the first 5m: page head of SRE")
               for i in r.improvements)
    assert "Played at speed 10: the times below are real, 10 times shorter than the " \
        "scenario's (5m here is 50m of scenario time)." in debrief.render(r)
    store.close()


def test_a_drill_ends_resolved_after_the_rooms_time_to_respond(tmp_path):
    clock = FrozenClock(START)
    store = Store(tmp_path / "drill.db", create=True)
    player = Player(store, scenarios.parse(SCRIPT, "timing.toml"), os_user="facilitator",
                    clock=clock, wait=timedelta(minutes=5))
    key = player.start()
    while not player.played:
        clock.now = max(clock.now, player.next_due())
        player.step()
    last = clock()
    assert not player.finished and player.next_due() == last + timedelta(minutes=5)
    assert queries.incident_view(store, key).incident.stage.value != "resolved"
    clock.advance(minutes=5)
    (ended,) = player.step()
    assert ended is player.ended and ended.ok and ended.at == clock()
    assert (ended.inject.actor, ended.inject.summary) == ("facilitator", "drill ended")
    assert player.finished and player.next_due() is None and player.stop() is None
    view = queries.incident_view(store, key)
    assert (view.incident.stage.value, view.incident.resolved_at) == ("resolved", clock())


def test_the_facilitator_may_end_a_drill_early(tmp_path):
    player, clock, store = _player(tmp_path)
    key = player.start()
    player.step()  # the history only
    clock.advance(minutes=3)
    ended = player.stop()
    assert ended.ok and ended.at == clock() and player.ended is ended
    assert queries.incident_view(store, key).incident.stage.value == "resolved"
    assert player.stop() is None and player.finished and player.next_due() is None
    clock.advance(hours=1)
    assert player.step() == []  # what was left of the scenario never plays
