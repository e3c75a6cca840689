"""Durations end where the incident ends: what is open at resolution is open at resolution,
with its time until then, however long after the figures are read; a reopened incident counts
again from the reopening; who held a role runs until the close. Minutes after 14:00."""

from __future__ import annotations

from datetime import timedelta

from conftest import START
from journal_helpers import Journal, M, at, rows_of

from warroom import actions
from warroom.reports.metrics import fold, for_incident


def test_a_blocker_carried_at_resolution_waited_until_the_resolution_not_until_the_review(
        store, staffed, sam, alex, clock):
    """Blocker raised 14:10, milestone due 14:50 added 14:40, resolved 15:10 carrying both;
    the figures read 1702 days later still say 60m and 30m. The blocker cleared later is
    still open at resolution."""
    clock.advance(minutes=10)
    actions.raise_blocker(store, sam, staffed, what="Prod DB access", waiting_on="DBA",
                          owner="sam", clock=clock)
    clock.advance(minutes=30)
    actions.add_milestone(store, sam, staffed, name="Verify", owner="sam",
                          due_at=clock() + timedelta(minutes=10), clock=clock)
    clock.advance(minutes=30)
    actions.resolve(store, sam, staffed, summary="fixed", confirm=True, skip=True,
                    open_items="carry", no_customer_update="told by phone", clock=clock)
    later = START + timedelta(days=1702, hours=8)
    m = for_incident(store, staffed, later)
    assert [wait for _, wait in m.blocker_waits()] == [60 * M]
    assert [(u.sort, u.open_for) for u in m.open_at_resolution()] == [
        ("blocker", 60 * M), ("milestone", 30 * M)]
    assert m.milestone_counts() == {"met": 0, "missed": 1, "open": 0}
    lead = m.tenures["lead"][-1]
    assert m.tenure_end(lead) == at(70).timestamp()  # resolved, not closed: its end
    clock.advance(minutes=20)
    actions.clear_blocker(store, sam, staffed, 1, clock=clock)
    actions.close(store, sam, staffed, csat=4, clock=clock)
    m = for_incident(store, staffed, later)
    assert [wait for _, wait in m.blocker_waits()] == [60 * M]
    assert [u.sort for u in m.open_at_resolution()] == ["blocker", "milestone"]
    assert m.tenure_end(lead) == at(90).timestamp()  # who held a role: until the close
    assert m.vacant("lead") == 0


def resolved_then_reopened() -> Journal:
    j = Journal().open()
    j.claim(0, "lead", "sam")
    j.add(10, "blocker.raised", blocker_id=1, what="logs", waiting_on="vendor", owner="sam")
    j.add(15, "blocker.raised", blocker_id=2, what="keys", waiting_on="security", owner="sam")
    j.add(20, "approval.requested", approval_id=1, change="Roll back", risk="high", needed=1,
          expires_at=at(10_000))
    j.add(25, "approval.requested", approval_id=2, change="Failover", risk="low", needed=1,
          expires_at=at(1000))
    j.add(28, "handover.offered", role="lead", handover_id=1, to="dana", **{"from": "sam"})
    j.add(30, "incident.resolved", **{"from": "triage", "to": "resolved"})
    j.add(100, "incident.reopened", reason="back", **{"from": "resolved", "to": "investigating"})
    j.add(110, "approval.approved", who="pat", approval_id=1, count=1, needed=1, granted=True)
    j.add(120, "blocker.cleared", blocker_id=1)
    j.add(150, "incident.resolved", **{"from": "monitoring", "to": "resolved"})
    j.add(160, "incident.closed", csat=5)
    return j


def test_a_reopened_incident_leaves_out_the_stretch_it_spent_resolved():
    """Resolved 14:30 to 15:40 (reopened), resolved again 16:30, closed 16:40. Each figure
    counts 14:00-14:30 and 15:40-16:30, never the 70 minutes resolved, nor the years after."""
    m = fold(rows_of(resolved_then_reopened().events), at(900_000))[1]
    assert m.pauses == [(at(30).timestamp(), at(100).timestamp())]
    assert m.running(m.opened) == 80 * M
    assert m.time_to_resolution == 150 * M  # to the final resolution, as reopen says
    # blocker 1: 14:10-14:30 and 15:40-16:00; blocker 2 never cleared: 14:15-14:30, 15:40-16:30
    assert [wait for _, wait in m.blocker_waits()] == [40 * M, 65 * M]
    # approval 1: 14:20-14:30 and 15:40-15:50; approval 2 expires only at 06:40 next day
    assert [(a.id, status, wait) for a, status, wait in m.approval_outcomes()] == [
        (1, "approved", 20 * M), (2, "pending", 55 * M)]
    assert (m.vacant("lead"), m.vacant("comms"), m.vacant("decider")) == (0, 80 * M, 80 * M)
    assert m.trio_vacancy == 160 * M
    assert [(u.sort, u.record.what if u.sort == "blocker" else None, u.open_for)
            for u in m.open_at_resolution()] == [
        ("blocker", "keys", 65 * M), ("approval", None, 55 * M), ("handover", None, 52 * M)]
    assert m.tenure_end(m.tenures["lead"][-1]) == at(160).timestamp()


def test_reopened_and_still_running_counts_to_now_and_lists_nothing_open_at_resolution():
    """Reopened at 15:40 and measured at 16:00: the same waits run to now, less the 70
    minutes spent resolved; nothing is "open at resolution" while it runs."""
    events = resolved_then_reopened().events[:9]  # up to the reopening
    m = fold(rows_of(events), at(120))[1]
    assert m.resolved is None and m.end == at(120).timestamp()
    assert [wait for _, wait in m.blocker_waits()] == [40 * M, 35 * M]
    assert m.open_at_resolution() == []


def test_decided_or_cleared_after_the_resolution_was_open_at_resolution():
    """Requested 14:20 and blocked 14:25, resolved 14:30; approved 14:40 and cleared 14:50,
    read the next day: pending and blocked at resolution, 10m and 5m."""
    j = Journal().open()
    j.add(20, "approval.requested", approval_id=1, change="Roll back", risk="high", needed=1,
          expires_at=at(60))
    j.add(25, "blocker.raised", blocker_id=1, what="logs", waiting_on="vendor", owner="sam")
    j.add(26, "role.disputed", who="dana", role="lead", claimant="dana", holder="sam",
          dispute_id=1)
    j.add(30, "incident.resolved", **{"from": "triage", "to": "resolved"})
    j.add(40, "approval.approved", who="pat", approval_id=1, count=1, needed=1, granted=True)
    j.add(50, "blocker.cleared", blocker_id=1)
    m = fold(rows_of(j.events), at(24 * 60))[1]
    assert [(status, wait) for _, status, wait in m.approval_outcomes()] == [
        ("pending", 10 * M)]
    assert [wait for _, wait in m.blocker_waits()] == [5 * M]
    assert [(u.sort, u.open_for) for u in m.open_at_resolution()] == [
        ("blocker", 5 * M), ("approval", 10 * M), ("dispute", 4 * M)]


def test_an_incident_still_running_is_measured_to_now():
    j = Journal().open()
    j.add(10, "blocker.raised", blocker_id=1, what="logs", waiting_on="vendor", owner="sam")
    j.add(20, "approval.requested", approval_id=1, change="Roll back", risk="high", needed=1,
          expires_at=at(35))
    m = fold(rows_of(j.events), at(50))[1]
    assert [wait for _, wait in m.blocker_waits()] == [40 * M]
    assert [(status, wait) for _, status, wait in m.approval_outcomes()] == [
        ("expired", 15 * M)]
    assert m.tenure_end(m.tenures["lead"][0]) == at(50).timestamp()
    assert m.open_at_resolution() == []
