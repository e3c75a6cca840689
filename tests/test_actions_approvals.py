"""Approval requests: the authority rules hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import last_event, person, refused

from warroom import actions
from warroom.db import queries


def request(store, who, key, clock, **kw):
    args = dict(change="Roll back deploy 412", risk="high", rationale="bad deploy",
                fallback="roll forward") | kw
    return actions.request_approval(store, who, key, clock=clock, **args).ref


def status(store, key, clock):
    return queries.incident_view(store, key).approvals[0].effective_status(clock())


def test_high_risk_needs_two_with_the_decider(store, staffed, sam, alex, pat, clock):
    rid = request(store, sam, staffed, clock)
    event = last_event(store)
    assert (event.payload["needed"], event.payload["decider_required"]) == (2, True)
    assert event.payload["policy"] == "built-in defaults"
    refused(store, lambda: actions.approve(store, sam, staffed, rid, clock=clock),
            "you requested approval #1; someone else must approve it")
    refused(store, lambda: actions.approve(store, person("kim"), staffed, rid, clock=clock),
            "you are not eligible .* the lead, the comms, the decider")
    actions.approve(store, alex, staffed, rid, clock=clock)
    assert status(store, staffed, clock) == "pending"
    refused(store, lambda: actions.approve(store, alex, staffed, rid, clock=clock),
            "already approved")
    actions.approve(store, pat, staffed, rid, clock=clock)
    assert status(store, staffed, clock) == "approved"
    assert last_event(store).payload["granted"] is True


def test_decider_required_is_not_granted_without_the_decider(store, staffed, sam, alex, dana,
                                                             pat, clock):
    rid = request(store, dana, staffed, clock)  # dana holds no role: lead and comms may vote
    actions.approve(store, alex, staffed, rid, clock=clock)
    done = actions.approve(store, sam, staffed, rid, clock=clock)
    assert "still needs the decider" in done.message
    assert status(store, staffed, clock) == "pending"
    actions.approve(store, pat, staffed, rid, clock=clock)
    assert status(store, staffed, clock) == "approved"


def test_low_risk_needs_one_and_a_fallback_is_required(store, staffed, sam, alex, clock):
    refused(store, lambda: request(store, sam, staffed, clock, risk="low", fallback=None),
            "needs a fallback plan")
    rid = request(store, sam, staffed, clock, risk="low")
    actions.approve(store, alex, staffed, rid, clock=clock)
    assert status(store, staffed, clock) == "approved"
    refused(store, lambda: actions.approve(store, person("pat"), staffed, rid, clock=clock),
            "already approved")


def test_reject_and_withdraw(store, staffed, sam, alex, pat, clock):
    rid = request(store, sam, staffed, clock)
    refused(store, lambda: actions.reject(store, pat, staffed, rid, reason=" ", clock=clock),
            "reason must not be empty")
    refused(store, lambda: actions.withdraw(store, alex, staffed, rid, clock=clock),
            "only sam .who asked. can withdraw")
    actions.reject(store, pat, staffed, rid, reason="no tested fallback", clock=clock)
    assert status(store, staffed, clock) == "rejected"
    rid2 = request(store, sam, staffed, clock)
    actions.withdraw(store, sam, staffed, rid2, clock=clock)
    assert queries.incident_view(store, staffed).approvals[1].status == "withdrawn"
    refused(store, lambda: actions.approve(store, pat, staffed, rid2, clock=clock),
            "already withdrawn")


def test_expired_requests_refuse_votes(store, staffed, sam, pat, clock):
    rid = request(store, sam, staffed, clock, expires_at=clock() + timedelta(minutes=10))
    clock.advance(minutes=11)
    assert status(store, staffed, clock) == "expired"
    refused(store, lambda: actions.approve(store, pat, staffed, rid, clock=clock),
            "expired 1m ago")


def test_the_requester_rejecting_their_own_request_withdraws_it(store, staffed, sam, pat,
                                                               clock):
    """A requester is never an approver: their 'reject' is a withdrawal, recorded as one
    (with the reason), never as a rejection by the eligible."""
    rid = request(store, sam, staffed, clock)
    done = actions.reject(store, sam, staffed, rid, reason="found the real cause", clock=clock)
    assert done.message == ("approval #1 withdrawn (you asked for it, so rejecting it "
                            "withdraws it)")
    event = last_event(store)
    assert event.kind == "approval.withdrawn" and event.payload["reason"] == (
        "found the real cause")
    request_ = queries.incident_view(store, staffed).approvals[0]
    assert request_.status == "withdrawn" and request_.votes == []
    refused(store, lambda: actions.reject(store, pat, staffed, rid, reason="x", clock=clock),
            "already withdrawn")


@pytest.mark.anyio
async def test_the_reject_form_sends_a_requester_to_withdraw(tmp_path, clock):
    from app_helpers import app_for, fill, open_incident

    from warroom.db.store import Store

    db = tmp_path / "f.db"
    open_incident(db, clock)
    with Store(db) as s:
        request(s, person("sam"), "INC-1001", clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("x")  # nothing of someone else's to reject: withdraw is w
        assert any("your own request is withdrawn, not rejected: press w" in n.message
                   for n in app._notifications)
        await pilot.press("w")
        field = next(f for f in app.screen.fields if f.name == "request")
        assert [label for label, _ in field.choices] == ["#1 Roll back deploy 412"]
        await fill(pilot, request="1", reason="found the real cause")
    with Store(db) as s:
        assert queries.incident_view(s, "INC-1001").approvals[0].status == "withdrawn"
