"""Milestones and blockers."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import last_event, refused

from warroom import actions
from warroom.db import queries


def test_milestone_add_complete_move(store, incident, sam, clock):
    due = clock() + timedelta(minutes=30)
    done = actions.add_milestone(store, sam, incident, name="Rollback ready", owner="dana",
                                 due_at=due, clock=clock)
    later = due + timedelta(minutes=15)
    actions.move_milestone(store, sam, incident, done.ref, due_at=later, reason="vendor",
                           clock=clock)
    assert datetime.fromisoformat(last_event(store).payload["was_due"]) == due
    clock.advance(minutes=50)
    actions.complete_milestone(store, sam, incident, done.ref, clock=clock)
    event = last_event(store)
    assert event.kind == "milestone.completed" and event.payload["late"] is True
    [m] = queries.incident_view(store, incident).milestones
    assert (m.owner, m.due_at, m.done_by) == ("dana", later, "sam")


def test_milestone_refusals(store, incident, sam, clock):
    due = clock() + timedelta(minutes=30)
    refused(store, lambda: actions.add_milestone(store, sam, incident, name="x", owner=" ",
                                                 due_at=due, clock=clock),
            "owner must not be empty")
    refused(store, lambda: actions.complete_milestone(store, sam, incident, 7, clock=clock),
            "has no milestone #7")
    m = actions.add_milestone(store, sam, incident, name="x", owner="sam", due_at=due,
                              clock=clock).ref
    refused(store, lambda: actions.move_milestone(store, sam, incident, m, due_at=due,
                                                  reason="", clock=clock),
            "reason must not be empty")
    actions.complete_milestone(store, sam, incident, m, clock=clock)
    refused(store, lambda: actions.complete_milestone(store, sam, incident, m, clock=clock),
            "already done by sam")
    refused(store, lambda: actions.move_milestone(store, sam, incident, m, due_at=due,
                                                  reason="r", clock=clock), "already done")


def test_blockers(store, incident, sam, dana, clock):
    b = actions.raise_blocker(store, sam, incident, what="Prod DB access",
                              waiting_on="DBA on-call", owner="dana", clock=clock).ref
    [shown] = queries.incident_view(store, incident).blockers
    assert (shown.what, shown.waiting_on, shown.owner) == ("Prod DB access", "DBA on-call", "dana")
    refused(store, lambda: actions.raise_blocker(store, sam, incident, what="", waiting_on="x",
                                                 owner="y", clock=clock),
            "what is blocked must not be empty")
    actions.clear_blocker(store, dana, incident, b, note="granted", clock=clock)
    assert queries.incident_view(store, incident).blockers == []
    refused(store, lambda: actions.clear_blocker(store, dana, incident, b, clock=clock),
            "already cleared by dana")
