"""Scenarios: the shipped ones validate; broken ones say where they are broken."""

from __future__ import annotations

import pytest

from warroom import scenarios
from warroom.errors import UserError

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
        (('role = "lead"', ""), "mini.toml: inject.0: 'claim' needs role"),
        (('at = "1m"', 'at = "soon"'), "mini.toml: inject.0.at: cannot read 'soon'"),
        (('do = "claim"', 'do = "dance"'), "mini.toml: inject.0.do:"),
        (('severity = "SEV2"', 'severity = "SEV9"'), "mini.toml: incident.severity:"),
        (('summary = "a small scenario"', ""), "mini.toml: summary: Field required"),
        (('actor = "sam"', 'actor = "sam"\ncolour = "red"'), "mini.toml: inject.0.colour:"),
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


def test_unknown_scenario_lists_the_shipped_ones():
    with pytest.raises(UserError, match="no scenario 'nope' .*two-leads"):
        scenarios.load("nope")


def test_scenario_from_a_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL)
    assert scenarios.load(str(path)).name == "mini"
