"""The journal in plain words: what 'warroom log', the timeline and the review say."""

from __future__ import annotations

from datetime import datetime, timezone

from warroom.journal import describe
from warroom.records import Event

AT = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


def opened(**payload) -> Event:
    base = dict(key="INC-1001", severity="SEV1", title="Checkout failing", customer="Acme",
                drill=False)
    return Event(id=1, incident_id=1, at=AT, os_user="oncall", display_name="sam",
                 kind="incident.opened", payload=base | payload)


def test_an_opening_says_its_playbook_why_and_who_it_assigned():
    text = describe(opened(playbook="customer-outage", why="matched title words 'fail*'",
                           assigned={"comms": "alex"}))
    assert text == ("sam opened INC-1001 (SEV1) Checkout failing for Acme under playbook "
                    "customer-outage; alex holds comms (matched title words 'fail*')")


def test_an_opening_without_a_playbook_stays_short():
    text = describe(opened(playbook=None, why="no playbook matched", assigned={}))
    assert text == "sam opened INC-1001 (SEV1) Checkout failing for Acme"


def accepted(**payload) -> Event:
    return Event(id=2, incident_id=1, at=AT, os_user="oncall", display_name="dana",
                 kind="handover.accepted", payload={"role": "lead", "from": "sam"} | payload)


def test_a_handover_says_what_became_of_a_dispute_on_the_role():
    assert describe(accepted()) == "dana took lead from sam (handover accepted)"
    assert describe(accepted(dispute="settled", claimant="dana")) == (
        "dana took lead from sam (handover accepted); settles dana's dispute")
    assert describe(accepted(dispute="carried", claimant="kim")) == (
        "dana took lead from sam (handover accepted); kim still disputes it")
