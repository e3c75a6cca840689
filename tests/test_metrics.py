"""Per-incident metrics from hand-built journals whose values are known exactly, and the
same figures from journals written by the real actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import START
from journal_helpers import Journal, M, at, rows_of

from warroom import actions
from warroom.db import queries
from warroom.reports import metrics, review
from warroom.reports.metrics import fold


def one(journal: Journal, now_minutes: float):
    folded = fold(rows_of(journal.events), at(now_minutes))
    assert len(folded) == 1
    return next(iter(folded.values()))


def test_vacancy_gaps_missed_cadence_and_a_handover_never_accepted():
    j = Journal().open()
    j.claim(2, "lead", "sam").claim(3, "comms", "alex")
    j.update(10, "customer", was_due=30, next_due=40)
    j.claim(5, "decider", "pat")
    j.add(20, "role.released", who="alex", role="comms", holder="alex", note="end of shift")
    j.claim(34, "comms", "kim")
    j.add(40, "handover.offered", role="lead", handover_id=1, to="dana", **{"from": "sam"},
          done="d", remaining="r", dependencies="x", risks="y")
    j.update(55, "customer", was_due=40, next_due=85, who="kim")
    j.add(60, "incident.resolved", **{"from": "triage", "to": "resolved"}, note="rolled back")
    m = one(j, 90)

    assert m.time_to_ownership == 5 * M
    assert m.time_to_resolution == 60 * M
    assert m.first_update("customer") == 10 * M
    assert m.first_update("internal") is None
    assert m.vacant("lead") == 2 * M
    assert m.vacant("comms") == 3 * M + 14 * M
    assert m.vacant("decider") == 5 * M
    assert m.trio_vacancy == 24 * M
    gap = [(t.role, t.after, length) for t, length in m.vacancies() if t.after]
    assert gap == [("comms", "alex", 14 * M)]
    # customer: the first update (14:10) meets nothing; the 14:40 it promised is missed
    # (posted 14:55, late) and 14:55 meets the due time rolled forward to 15:10; next due
    # 15:25 is after the resolution. internal: due 14:15, 14:30, 14:45, all before 15:00.
    assert (m.cadence["customer"].due, m.cadence["customer"].on_time) == (2, 1)
    assert m.cadence["customer"].late_posts == 1
    assert (m.cadence["internal"].due, m.cadence["internal"].on_time) == (3, 0)
    assert m.cadence_adherence == 1 / 5
    assert (m.adherence("customer"), m.adherence("internal")) == (1 / 2, 0)
    never = m.unaccepted_handovers()
    assert [(h.role, h.giver, h.taker, h.status) for h in never] == [
        ("lead", "sam", "dana", "offered")]
    assert m.disputes == {}
    assert m.stage == "resolved" and m.resolution == "rolled back"


def test_disputes_settled_and_open_on_an_incident_still_open():
    j = Journal().open(severity="SEV2", cadence=(60, 30), assigned={"lead": "sam"})
    j.claim(1, "comms", "alex")
    j.add(4, "role.disputed", who="dana", role="lead", claimant="dana", holder="sam",
          reason="payments owns it", dispute_id=1)
    j.claim(6, "decider", "pat")
    j.add(16, "dispute.settled", who="pat", role="lead", dispute_id=1, winner="dana",
          holder="sam", claimant="dana", opened_at=at(4))
    j.add(30, "role.disputed", who="kim", role="comms", claimant="kim", holder="alex",
          dispute_id=2)
    m = one(j, 100)

    assert m.time_to_ownership == 6 * M
    assert m.time_to_resolution is None and m.end == at(100).timestamp()
    assert len(m.disputes) == 2
    assert m.dispute_times() == [12 * M]
    assert [(d.role, d.claimant) for d in m.open_disputes()] == [("comms", "kim")]
    assert m.holder_at("lead", at(10).timestamp()) == "sam"
    assert m.holder_at("lead", at(17).timestamp()) == "dana"
    assert [t.how for t in m.tenures["lead"]] == ["assigned", "settled"]
    assert (m.vacant("lead"), m.vacant("comms"), m.vacant("decider")) == (0, 1 * M, 6 * M)
    # still open at 15:40: customer due 15:00 missed; internal due 14:30, 15:00, 15:30
    assert (m.cadence["customer"].due, m.cadence["internal"].due) == (1, 3)
    assert m.updates_on_time == 0 and m.cadence_adherence == 0


def test_an_update_exactly_at_its_due_time_is_on_time_and_a_long_silence_misses_each_due():
    j = Journal().open(cadence=(30, 15))
    j.update(10, "customer", was_due=30, next_due=40)  # the first update: meets nothing
    j.update(40, "customer", was_due=40, next_due=70)  # exactly at its due time: met
    j.update(125, "customer", was_due=70, next_due=155)  # 70, 100 missed; 130 met
    m = one(j, 130)
    c = m.cadence["customer"]
    assert (c.due, c.on_time, c.posts, c.late_posts) == (4, 2, 3, 1)


def test_a_burst_of_early_updates_meets_no_due_and_each_silent_cadence_is_missed(
        store, sam):
    """The reviewer's case: SEV2 under degraded-performance opened at 10:00 (internal
    every 30m, customer every 60m), internal updates at 10:01..10:05, measured at 12:00:
    the due times at 10:35, 11:05 and 11:35 passed with no update, and the customer's at
    11:00."""
    from datetime import datetime, timezone

    from warroom.clock import FrozenClock
    from warroom.records import Severity
    from warroom.rules import matching, playbooks

    clock = FrozenClock(datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc))
    plan = matching.plan(playbooks.load(None), title="Search slow", severity=Severity.SEV2,
                         name="degraded-performance")
    key = actions.open_incident(store, sam, title="Search slow", customer="Acme",
                                severity="SEV2", clock=clock, **plan.applied()).key
    actions.claim_role(store, sam, key, "lead", clock=clock)  # the lead posts internal updates
    for _ in range(5):
        clock.advance(minutes=1)
        actions.post_update(store, sam, key, audience="internal", known="k", unknown="u",
                            next_steps="n", clock=clock)
    m = metrics.for_incident(store, key, at(120, clock.now - timedelta(minutes=5)))
    internal, customer = m.cadence["internal"], m.cadence["customer"]
    assert (internal.minutes, internal.due, internal.on_time, internal.posts) == (30, 3, 0, 5)
    assert (customer.due, customer.on_time) == (1, 0)
    assert m.cadence_adherence == 0


@pytest.mark.parametrize("every, due, met", [(25, 3, 3), (10, 3, 3), (29, 3, 3), (35, 6, 3)])
def test_a_room_keeping_the_cadence_meets_each_due_once(every, due, met):
    """Internal updates every 30m, measured two hours in: the first update is judged on
    its own, then each due time counts once, however often the room posts. Every 35m:
    each post misses the due time 30m after the one before (30, 65, 100) and meets the
    one rolled forward from it (60, 95, 130)."""
    j = Journal().open(cadence=(60, 30))
    next_due = 30.0
    for t in range(every, 120, every):
        j.update(t, "internal", was_due=next_due, next_due=t + 30)
        next_due = t + 30
    c = one(j, 120).cadence["internal"]
    assert (c.due, c.on_time) == (due, met)


def test_milestones_approvals_blockers_csat_and_follow_ups():
    j = Journal().open(milestones=[{"name": "Acknowledge", "owner": "alex", "due_at": at(10)}])
    j.add(3, "milestone.added", milestone_id=2, name="Rollback ready", owner="sam",
          due_at=at(30))
    j.add(5, "approval.requested", approval_id=1, change="Roll back", risk="high", needed=2,
          decider_required=True, expires_at=at(65))
    j.add(8, "milestone.completed", who="alex", milestone_id=1, name="Acknowledge",
          owner="alex", due_at=at(10), late=False)
    j.add(9, "blocker.raised", blocker_id=1, what="logs", waiting_on="vendor", owner="sam")
    j.add(12, "milestone.moved", milestone_id=2, name="Rollback ready", was_due=at(30),
          due_at=at(40), reason="waiting on release", owner="sam", was_owner="sam")
    j.add(15, "approval.approved", who="pat", approval_id=1, count=1, needed=2, granted=False)
    j.add(17, "approval.approved", who="alex", approval_id=1, count=2, needed=2, granted=True)
    j.add(20, "approval.requested", approval_id=2, change="Purge cache", risk="low", needed=1,
          decider_required=False, expires_at=at(35))
    j.add(25, "approval.requested", approval_id=3, change="Failover", risk="medium",
          needed=1, decider_required=False, expires_at=at(200))
    j.add(39, "blocker.cleared", blocker_id=1, what="logs")
    j.add(45, "milestone.completed", milestone_id=2, name="Rollback ready", owner="sam",
          due_at=at(40), late=True)
    j.add(50, "milestone.added", milestone_id=3, name="RCA to customer", owner="sam",
          due_at=at(200))
    j.add(60, "incident.resolved", **{"from": "monitoring", "to": "resolved"})
    j.add(70, "incident.closed", csat=4, comment="quick and clear")
    j.add(80, "review.action", who="pat", text="Name a comms contingency", owner="alex")
    m = one(j, 120)

    assert [(ms.name, ms.id, ms.status(m.end)) for ms in m.milestones] == [
        ("Acknowledge", 1, "met"), ("Rollback ready", 2, "missed"),
        ("RCA to customer", 3, "open")]
    assert m.milestones[1].moves == 1
    assert m.milestone_counts() == {"met": 1, "missed": 1, "open": 1}
    assert [(a.id, status, wait) for a, status, wait in m.approval_outcomes()] == [
        (1, "approved", 12 * M), (2, "expired", 15 * M), (3, "pending", 35 * M)]
    assert m.approvals[1].voters == ["pat", "alex"]
    assert [wait for _, wait in m.blocker_waits()] == [30 * M]
    assert (m.csat, m.csat_comment, m.stage) == (4, "quick and clear", "closed")
    assert [(f.text, f.owner, f.by) for f in m.follow_ups] == [
        ("Name a comms contingency", "alex", "pat")]
    # no role was ever claimed: vacant from opening to resolution, never owned
    assert m.time_to_ownership is None and m.vacant("comms") == 60 * M


def test_a_handover_lapses_when_the_role_moves_another_way_and_declines_count_too():
    j = Journal().open(assigned={"lead": "sam", "comms": "alex", "decider": "pat"})
    j.add(5, "handover.offered", role="lead", handover_id=1, to="dana", **{"from": "sam"})
    j.add(7, "handover.declined", who="dana", role="lead", handover_id=1, to="dana",
          status="declined", **{"from": "sam"})
    j.add(8, "handover.offered", role="lead", handover_id=2, to="kim", **{"from": "sam"})
    j.add(9, "role.released", role="lead", holder="sam")
    j.add(10, "handover.offered", who="alex", role="comms", handover_id=3, to="jo",
          **{"from": "alex"})
    j.add(12, "handover.accepted", who="jo", role="comms", handover_id=3, to="jo",
          offered_at=at(10), **{"from": "alex"})
    m = one(j, 30)
    assert m.time_to_ownership == 0
    assert [(h.taker, h.status) for h in m.handovers.values()] == [
        ("dana", "declined"), ("kim", "lapsed"), ("jo", "accepted")]
    assert len(m.unaccepted_handovers()) == 2
    assert m.holder_at("comms", at(13).timestamp()) == "jo"
    assert m.vacant("lead") == 21 * M


def test_drills_and_old_incidents_can_be_left_out_of_the_fold():
    j = Journal().staffed(1, START, tto=3).staffed(2, START, tto=4, drill=True)
    j.staffed(3, START - timedelta(days=10), tto=5)
    rows = list(rows_of(j.events))
    assert sorted(fold(rows, at(60))) == [1, 2, 3]
    assert sorted(fold(rows, at(60), drills=False)) == [1, 3]
    assert sorted(fold(rows, at(60), opened_from=START - timedelta(days=1))) == [1, 2]


def test_unknown_event_kinds_and_orphan_events_are_ignored():
    j = Journal().open()
    j.add(1, "playbook.something", role="lead")
    j.add(2, "role.claimed", incident=99, role="lead", holder="x")
    j.claim(3, "lead", "sam")
    m = one(j, 10)
    assert m.holder_at("lead", at(4).timestamp()) == "sam"


def test_real_actions_give_the_same_figures_through_the_store_stream(store, sam, alex, pat,
                                                                   dana, clock):
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", clock=clock).key
    clock.advance(minutes=2)
    actions.claim_role(store, sam, key, "lead", clock=clock)
    clock.advance(minutes=3)
    actions.claim_role(store, alex, key, "comms", clock=clock)
    clock.advance(minutes=5)
    actions.post_update(store, alex, key, audience="customer", known="a", unknown="b",
                        next_steps="c", next_update_at=clock() + timedelta(minutes=20),
                        clock=clock)
    clock.advance(minutes=1)
    actions.claim_role(store, dana, key, "lead", dispute="payments", clock=clock)
    clock.advance(minutes=4)
    actions.claim_role(store, pat, key, "decider", clock=clock)
    clock.advance(minutes=2)
    actions.settle_dispute(store, pat, key, "lead", winner="dana", clock=clock)
    clock.advance(minutes=60)
    now = clock()

    m, events = review.for_review(store, key, now)
    streamed = metrics.all_incidents(store, now, drills=True)
    assert len(streamed) == 1 and streamed[0] == m
    assert len(events) == len(queries.events_after(store, 0, key))
    assert m.time_to_ownership == 15 * M
    assert m.first_update("customer") == 10 * M
    assert m.dispute_times() == [6 * M]
    assert m.holder_at("lead", now.timestamp()) == "dana"
    # customer: the first update (+10m, meets nothing) promised +30m; dues +30m and +60m
    # passed by +77m
    assert (m.cadence["customer"].due, m.cadence["customer"].on_time) == (2, 0)
    # internal: every 15 minutes from +15m, none posted: +15, +30, +45, +60, +75
    assert (m.cadence["internal"].due, m.cadence["internal"].on_time) == (5, 0)


def test_a_milestone_opened_with_the_incident_is_matched_by_name(store, sam, clock):
    key = actions.open_incident(store, sam, title="t", customer="Acme", severity="SEV2",
                                milestones=[("Acknowledge", "sam", timedelta(minutes=10))],
                                clock=clock).key
    clock.advance(minutes=12)
    actions.complete_milestone(store, sam, key, 1, clock=clock)
    m = metrics.for_incident(store, key, clock())
    assert [(ms.name, ms.id, ms.status(m.end)) for ms in m.milestones] == [
        ("Acknowledge", 1, "missed")]


def test_milestones_opened_with_the_incident_carry_their_ids(store, sam, clock):
    """Two playbook milestones of one name: completing the second marks the second."""
    key = actions.open_incident(store, sam, title="t", customer="Acme", severity="SEV2",
                                milestones=[("Update status page", "sam", timedelta(minutes=10)),
                                            ("Update status page", "sam", timedelta(minutes=60))],
                                clock=clock).key
    clock.advance(minutes=20)
    actions.complete_milestone(store, sam, key, 2, clock=clock)
    m = metrics.for_incident(store, key, clock())
    assert [(ms.id, ms.status(m.end)) for ms in m.milestones] == [(1, "missed"), (2, "met")]


def test_a_drill_speed_comes_from_the_opening_else_from_the_policy_it_copied(store, sam, clock):
    """The opening event records the speed of a scaled policy; an incident whose opening
    lacks it is judged at the speed of the policy it copied."""
    from warroom.drills.player import scaled_policy
    from warroom.rules.policy import DEFAULT_POLICY

    fast = actions.open_incident(store, sam, title="t", customer="Acme", severity="SEV2",
                                 policy=scaled_policy(DEFAULT_POLICY, 10), drill=True,
                                 clock=clock).key
    plain = actions.open_incident(store, sam, title="t", customer="Acme", severity="SEV2",
                                  clock=clock).key
    opened = queries.events_after(store, 0, fast)[0].payload
    assert opened["speed"] == 10 and "speed" not in queries.events_after(store, 0, plain)[0].payload
    assert metrics.for_incident(store, fast, clock()).speed == 10
    assert metrics.for_incident(store, plain, clock()).speed == 1
    with store.write():  # opened by an older warroom: the speed is in the policy only
        old = store.insert("incidents", key="INC-0900", title="t", customer="Acme",
                           severity="SEV2", stage="triage", opened_at=clock(),
                           policy=scaled_policy(DEFAULT_POLICY, 10).model_dump_json())
        store.journal(sam, clock(), "incident.opened", old, key="INC-0900", title="t",
                      customer="Acme", severity="SEV2", drill=True, roles=["lead"])
    assert metrics.for_incident(store, "INC-0900", clock()).speed == 10
    j = Journal().open(drill=True)
    assert one(j, 10).speed == 1  # the journal alone: no speed recorded, none assumed


@pytest.mark.parametrize("recorded", [True, False])
def test_a_handover_settles_a_dispute_for_its_claimant_and_carries_it_to_anyone_else(recorded):
    """Journals written before the accept recorded what became of the dispute fold the same
    way as new ones."""
    j = Journal().open(assigned={"lead": "sam", "comms": "alex", "decider": "pat"})
    j.add(2, "role.disputed", who="dana", role="lead", claimant="dana", holder="sam",
          dispute_id=1)
    j.add(3, "handover.offered", role="lead", handover_id=1, to="dana", **{"from": "sam"})
    extra = {"dispute_id": 1, "dispute": "settled"} if recorded else {}
    j.add(5, "handover.accepted", who="dana", role="lead", handover_id=1, to="dana",
          **{"from": "sam"}, **extra)
    j.add(6, "role.disputed", who="kim", role="comms", claimant="kim", holder="alex",
          dispute_id=2)
    j.add(7, "handover.offered", who="alex", role="comms", handover_id=2, to="jo",
          **{"from": "alex"})
    extra = {"dispute_id": 2, "dispute": "carried"} if recorded else {}
    j.add(9, "handover.accepted", who="jo", role="comms", handover_id=2, to="jo",
          **{"from": "alex"}, **extra)
    m = one(j, 20)
    lead, comms = m.disputes.values()
    assert (lead.settled, lead.winner, lead.settled_by) == (at(5).timestamp(), "dana", "sam")
    assert (comms.settled, comms.claimant, comms.holder) == (None, "kim", "jo")
    assert [d.role for d in m.open_disputes()] == ["comms"]


def test_an_update_exactly_on_a_due_time_rolled_forward_by_silence_meets_it():
    """SEV2, internal every 30m: opened 10:00, updates at 10:20 and 11:50, resolved 11:55.
    10:20 is the first update (it meets nothing: it starts the clock, due 10:50); 10:50 and
    11:20 pass in silence (missed); 11:50 is posted exactly on the next due time (met).
    One of three, by the rule that an update exactly on its due time is on time."""
    j = Journal().open(severity="SEV2", cadence=(60, 30))
    j.update(20, "internal", was_due=30, next_due=50)
    j.update(110, "internal", was_due=50, next_due=140)
    j.add(115, "incident.resolved", **{"from": "monitoring", "to": "resolved"})
    c = one(j, 115).cadence["internal"]
    assert (c.due, c.on_time) == (3, 1)


def test_the_fold_keeps_who_may_approve_each_vote_and_each_missed_due_time():
    """What the review needs to name the cause of an approval's end and the owner of each
    missed update: the request's eligible roles and people, each vote with its roles, who
    withdrew and why, and the missed due times as runs."""
    j = Journal().open(assigned={"lead": "sam", "comms": "alex", "decider": "pat"})
    j.add(5, "approval.requested", approval_id=1, change="Roll back", risk="high", needed=2,
          decider_required=True, eligible_roles=["decider"], eligible_people=["alex"],
          rule_terms={"eligible_roles": ["lead", "comms", "decider"]}, expires_at=at(65))
    j.add(6, "approval.approved", who="alex", approval_id=1, roles=["comms"], count=1,
          needed=2, granted=False)
    j.add(7, "approval.rejected", who="pat", approval_id=1, roles=["decider"], reason="no")
    j.add(8, "approval.requested", approval_id=2, change="Purge", risk="low", needed=1,
          expires_at=at(68))  # an older journal: no eligible roles recorded
    j.add(9, "approval.withdrawn", approval_id=2, reason="not needed")
    j.update(40, "customer", was_due=30, next_due=50, who="alex")  # late: 14:30 missed
    m = one(j, 100)  # internal: 14:15 ... 15:30 missed; customer: 14:50 ... 15:20 missed

    first, second = m.approvals[1], m.approvals[2]
    assert (first.eligible_roles, first.eligible_people, first.allowed) == (
        ["decider"], ["alex"], ["lead", "comms", "decider"])
    assert [(v.who, v.roles, v.approve, v.reason) for v in first.votes] == [
        ("alex", ["comms"], True, None), ("pat", ["decider"], False, "no")]
    assert (first.status, first.decided, first.reason, first.voters) == (
        "rejected", at(7).timestamp(), "no", ["alex", "pat"])
    assert (second.eligible_roles, second.status, second.withdrawn_by, second.reason) == (
        None, "withdrawn", "sam", "not needed")
    customer, internal = m.cadence["customer"], m.cadence["internal"]
    assert customer.missed == [(at(30).timestamp(), 1), (at(50).timestamp(), 2)]
    assert customer.missed_times(2) == ([at(30).timestamp(), at(50).timestamp()], 3)
    assert internal.missed_times(10) == ([at(n).timestamp() for n in (15, 30, 45, 60, 75, 90)],
                                         6)
    assert internal.due == 6


def test_who_held_what_at_a_moment_counts_both_ends_of_a_stretch():
    j = Journal().open(assigned={"lead": "sam"})
    j.add(10, "role.released", role="lead", holder="sam")
    j.claim(10, "comms", "sam").claim(20, "lead", "dana")
    m = one(j, 30)
    assert m.roles_held("sam", at(10).timestamp()) == ["lead", "comms"]
    assert m.roles_held("sam", at(15).timestamp()) == ["comms"]
    assert m.roles_held("dana", at(19).timestamp()) == []
    assert m.roles_held("dana", at(20).timestamp()) == ["lead"]
    assert m.holders_during("lead", at(5).timestamp(), at(25).timestamp()) == ["sam", "dana"]
    assert m.holders_during("lead", at(10).timestamp(), at(15).timestamp()) == []
