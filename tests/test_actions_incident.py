"""Opening, status updates and their cadence, stages, resolve and close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import last_event, refused

from warroom import actions
from warroom.db import queries
from warroom.errors import UserError
from warroom.journal import line


def test_open_validates_and_keeps_markup_literal(store, sam, clock):
    done = actions.open_incident(store, sam, title="  [bold]x[/] \x1b[31mred\x1b[0m\x07 ",
                                 customer="Acme", severity="2", clock=clock)
    view = queries.incident_view(store, done.key)
    assert view.incident.title == "[bold]x[/] red"
    assert view.incident.severity.value == "SEV2"
    assert [r.holder for r in view.roles] == [None, None, None]
    with pytest.raises(UserError, match="title must not be empty"):
        actions.open_incident(store, sam, title=" \x1b[2J ", customer="A", severity="SEV1")
    with pytest.raises(UserError, match="unknown severity 'SEV9'"):
        actions.open_incident(store, sam, title="x", customer="A", severity="SEV9")
    with pytest.raises(UserError, match="title is longer than 200"):
        actions.open_incident(store, sam, title="x" * 201, customer="A", severity="SEV1")


@pytest.mark.parametrize("severity, customer, internal",
                         [("SEV1", 30, 15), ("SEV2", 60, 30), ("SEV3", 240, 60),
                          ("SEV4", 1440, 240)])
def test_cadence_by_severity(store, sam, clock, severity, customer, internal):
    key = actions.open_incident(store, sam, title="t", customer="c", severity=severity,
                                clock=clock).key
    inc = queries.incident_view(store, key).incident
    assert inc.next_customer_due == clock() + timedelta(minutes=customer)
    assert inc.next_internal_due == clock() + timedelta(minutes=internal)
    clock.advance(minutes=5)
    actions.claim_role(store, sam, key, "lead", clock=clock)  # the lead posts internal updates
    actions.post_update(store, sam, key, audience="internal", known="k", unknown="u",
                        next_steps="n", clock=clock)
    inc = queries.incident_view(store, key).incident
    assert inc.next_internal_due == clock() + timedelta(minutes=internal)


def test_an_earlier_promise_wins_and_late_updates_are_flagged(store, staffed, alex, clock):
    incident = staffed
    clock.advance(minutes=31)
    actions.post_update(store, alex, incident, audience="customer", known="k", unknown="u",
                        next_steps="n", next_update_at=clock() + timedelta(minutes=10),
                        clock=clock)
    event = last_event(store)
    assert event.payload["late"] is True
    assert queries.incident_view(store, incident).incident.next_customer_due == (
        clock() + timedelta(minutes=10))


def test_update_refusals(store, staffed, alex, clock):
    incident = staffed
    kw = dict(audience="customer", known="k", unknown="u", next_steps="n", clock=clock)
    refused(store, lambda: actions.post_update(store, alex, incident, **kw),
            "must say when the next update comes")
    refused(store, lambda: actions.post_update(store, alex, incident, **kw,
                                               next_update_at=clock()), "in the future")
    refused(store, lambda: actions.post_update(store, alex, incident, **(kw | {"known": ""}),
                                               next_update_at=clock() + timedelta(1)),
            "what we know must not be empty")


def test_stages_need_confirmation_and_only_move_forward(store, incident, sam, clock):
    refused(store, lambda: actions.advance_stage(store, sam, incident, clock=clock),
            "confirm the customer-resolution definition first .triage: Impact")
    actions.advance_stage(store, sam, incident, confirm=True, clock=clock)
    assert queries.incident_view(store, incident).incident.stage.value == "investigating"
    refused(store, lambda: actions.advance_stage(store, sam, incident, to="triage",
                                                 confirm=True, clock=clock), "only move forward")
    refused(store, lambda: actions.advance_stage(store, sam, incident, to="closed",
                                                 confirm=True, clock=clock), "CSAT")
    refused(store, lambda: actions.close(store, sam, incident, csat=4, clock=clock),
            "resolve it before closing")


def test_resolve_then_close_with_csat_and_then_nothing_changes(store, incident, sam, clock):
    refused(store, lambda: actions.resolve(store, sam, incident, summary="rolled back",
                                           confirm=True, clock=clock),
            "from triage to resolved skips investigating, mitigating, monitoring: say so")
    done = actions.resolve(store, sam, incident, summary="rolled back", confirm=True,
                           skip=True, no_customer_update="told on the phone", clock=clock)
    assert done.message.endswith("moved to resolved (skipped investigating, mitigating, "
                                 "monitoring)")
    assert last_event(store).payload["skipped"] == ["investigating", "mitigating", "monitoring"]
    assert last_event(store).payload["confirmed"] == [
        {"stage": "triage", "definition": queries.incident_view(store, incident)
         .stage_definitions["triage"]}]  # the definition of the stage left, and no other
    assert line(last_event(store)).endswith(
        "resolved the incident, SKIPPING investigating, mitigating, monitoring: rolled back"
        "; no final customer update: told on the phone")
    inc = queries.incident_view(store, incident).incident
    assert (inc.stage.value, inc.resolved_at, inc.next_customer_due) == ("resolved", clock(),
                                                                          None)
    refused(store, lambda: actions.close(store, sam, incident, csat=6, clock=clock), "1 to 5")
    actions.close(store, sam, incident, csat=4, comment="fast comms", clock=clock)
    assert last_event(store).payload == {"csat": 4, "comment": "fast comms"}
    refused(store, lambda: actions.claim_role(store, sam, incident, "lead", clock=clock),
            "is closed")
    refused(store, lambda: actions.add_note(store, sam, incident, text="x", clock=clock),
            "is closed")


def test_the_opening_records_the_playbooks_contingencies_and_teams(store, sam, clock):
    """Metrics and reviews read these from the journal alone."""
    from warroom.records import Severity
    from warroom.rules import matching, playbooks

    chosen = matching.plan(playbooks.load(), title="Checkout failing", severity=Severity.SEV1)
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock, **chosen.applied())
    payload = queries.events_after(store, 0)[0].payload
    assert payload["contingency"] == chosen.policy.contingency != {}
    assert payload["teams"] == chosen.policy.teams != {}
