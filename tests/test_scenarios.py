"""Scenarios: the shipped ones validate; broken ones say where they are broken."""

from __future__ import annotations

import pytest

from warroom.drills import scenarios
from warroom.errors import UserError
from warroom.rules.tomlfiles import Invalid

MINIMAL = """
name = "mini"
summary = "a small scenario"
ambiguity = ["who leads"]
[incident]
title = "Something broke"
customer = "Acme"
severity = "SEV2"
[[inject]]
at = "1m"
actor = "sam"
do = "claim"
role = "lead"
"""


def test_every_shipped_scenario_validates_and_is_about_ownership():
    shipped = scenarios.shipped()
    assert len(shipped) >= 3
    for scenario in shipped.values():
        assert scenario.ambiguity, scenario.name
        assert scenario.inject, scenario.name


def test_minimal_scenario_parses():
    scenario = scenarios.parse(MINIMAL, "mini.toml")
    assert scenario.inject[0].at.total_seconds() == 60


@pytest.mark.parametrize(
    "change, where",
    [
        (('role = "lead"', ""), "mini.toml: inject[#1]: 'claim' needs role"),
        (('at = "1m"', 'at = "soon"'), "mini.toml: inject[#1].at: cannot read 'soon'"),
        (('do = "claim"', 'do = "dance"'), "mini.toml: inject[#1].do: must be 'claim', "),
        (('severity = "SEV2"', 'severity = "SEV9"'), "mini.toml: incident.severity:"),
        (('summary = "a small scenario"', ""), "mini.toml: summary: is required"),
        (('actor = "sam"', 'actor = "sam"\ncolour = "red"'),
         "mini.toml: inject[#1].colour: is not a known key"),
    ],
)
def test_broken_scenarios_name_the_place(change, where):
    old, new = change
    with pytest.raises(UserError) as err:
        scenarios.parse(MINIMAL.replace(old, new), "mini.toml")
    assert str(err.value).startswith(where), str(err.value)


def test_bad_toml_names_file_and_line():
    with pytest.raises(UserError, match=r"mini.toml: not valid TOML: .*line 3"):
        scenarios.parse('name = "x"\nsummary = "y"\nbroken = = 1\n', "mini.toml")


def test_targets_must_name_an_earlier_label():
    text = MINIMAL + '\n[[inject]]\nat = "2m"\nactor = "sam"\ndo = "unblock"\ntarget = "nope"\n'
    with pytest.raises(UserError, match="target 'nope' is not an earlier blocker's label"):
        scenarios.parse(text, "mini.toml")


def test_injects_must_be_in_time_order():
    text = MINIMAL + '\n[[inject]]\nat = "30s"\nactor = "dana"\ndo = "claim"\nrole = "comms"\n'
    with pytest.raises(UserError, match="time order"):
        scenarios.parse(text, "mini.toml")


def test_a_scenario_file_that_is_not_utf8_is_a_one_line_error_naming_it(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(MINIMAL.replace("Acme", "Caf\u00e9").encode("latin-1"))
    with pytest.raises(UserError) as err:
        scenarios.load(str(path))
    assert str(err.value) == (f"{path}: not UTF-8 text (byte 0xe9 on line 7); save it as "
                              "UTF-8")


def test_every_problem_of_a_scenario_is_reported():
    text = MINIMAL.replace('severity = "SEV2"', 'severity = "SEV9"').replace(
        'at = "1m"', 'at = "soon"')
    with pytest.raises(Invalid) as err:
        scenarios.parse(text, "mini.toml")
    assert [p.split(": ")[1] for p in err.value.problems] == ["incident.severity",
                                                             "inject[#1].at"]
    assert err.value.problems[1] == ("mini.toml: inject[#1].at: cannot read 'soon' as a "
                                     "duration: use e.g. 30m, 2h, 1h30m or 1d")
    assert str(err.value).endswith("(and 1 more problem)")


def test_a_scenario_file_with_several_problems_lists_them_all(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(MINIMAL + '\n[[inject]]\nat = "30s"\nactor = "sam"\ndo = "unblock"\n'
                              'target = "nope"\n')
    with pytest.raises(Invalid) as err:
        scenarios.load(str(path))
    assert err.value.problems == [
        f"{path}: inject[#2]: target 'nope' is not an earlier blocker's label",
        f"{path}: inject[#2].at: injects must be in time order",
    ]


def test_a_scenario_file_that_is_not_toml_names_the_file_and_line_on_one_clean_line(tmp_path):
    path = tmp_path / "bad\x1b[2J.toml"
    path.write_text('name = "x"\nsummary = "y"\nbroken = = 1\n')
    with pytest.raises(UserError) as err:
        scenarios.load(str(path))
    message = str(err.value)
    assert message.startswith(f"{tmp_path}/bad.toml: not valid TOML: "), message
    assert "line 3" in message and "\n" not in message and "\x1b" not in message


@pytest.mark.parametrize("value, what", [
    ("1e20", "is too long a duration"),
    ('"99999999999d"', "is too long a duration"),
    ("inf", "is too long a duration"),
    ("nan", "must be a duration such as 90s, 15m, 2h or 1h30m"),
    ("true", "must be a duration such as 90s, 15m, 2h or 1h30m"),
])
def test_durations_a_timedelta_cannot_hold_are_refused_in_plain_words(value, what):
    with pytest.raises(UserError) as err:
        scenarios.parse(MINIMAL.replace('at = "1m"', f"at = {value}"), "mini.toml")
    assert str(err.value) == f"mini.toml: inject[#1].at: {what}"


def test_unknown_scenario_lists_the_shipped_ones():
    with pytest.raises(UserError, match="no scenario 'nope' .*two-leads"):
        scenarios.load("nope")


def test_scenario_from_a_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL)
    assert scenarios.load(str(path)).name == "mini"


def _findings(scenario, speed: float) -> set[str]:
    """Play a shipped scenario as a drill (responses left to the room, who do nothing) at
    ``speed`` on a frozen clock, then 10 minutes of scenario time (10 / speed real minutes:
    at speed 100, six seconds), and name what went wrong."""
    import tempfile
    from pathlib import Path

    from conftest import START

    from warroom.clock import FrozenClock
    from warroom.db.store import Store
    from warroom.drills.player import Player
    from warroom.reports import metrics

    clock = FrozenClock(START)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "d.db", create=True) as s:
        player = Player(s, scenario, os_user="facilitator", clock=clock, speed=speed)
        key = player.start()
        while not player.finished:
            clock.now = max(clock.now, player.next_due())
            player.step()
        assert all(o.ok for o in player.outcomes), [o.message for o in player.outcomes]
        clock.advance(minutes=10 / speed)
        m = metrics.for_incident(s, key, clock())
    found = set()
    if any(d.role == "lead" and d.settled is None for d in m.disputes.values()):
        found.add("two teams both claim the lead")
    if any(t.role == "comms" and t.after for t, _ in m.vacancies()):
        found.add("comms owner off shift with no handover")
    if any(a.decider_required and status in ("pending", "expired")
           for a, status, _ in m.approval_outcomes()):
        found.add("approval waiting on an absent decider")
    if m.cadence["customer"].due > m.cadence["customer"].on_time:
        found.add("customer update cadence missed")
    if m.unaccepted_handovers():
        found.add("handover offered and never accepted")
    return found


@pytest.mark.parametrize("speed", [1, 10, 100])
def test_the_shipped_drills_cover_the_five_ambiguities_at_any_speed(speed):
    shipped = scenarios.shipped()
    found = {name: _findings(s, speed) for name, s in shipped.items()}
    assert found["two-leads"] >= {"two teams both claim the lead",
                                  "customer update cadence missed"}
    assert found["comms-off-shift"] >= {"comms owner off shift with no handover",
                                        "customer update cadence missed",
                                        "handover offered and never accepted"}
    assert "approval waiting on an absent decider" in found["absent-decider"]
    assert len(set().union(*found.values())) == 5
