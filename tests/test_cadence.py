"""Updates on time, edge by edge: the rule of warroom/reports/cadence.py, each figure counted
by hand. Times are minutes after 14:00; the built-in policy's cadences are SEV1 customer 30m,
internal 15m; SEV2 60m and 30m; SEV3 240m and 60m."""

from __future__ import annotations

from datetime import timedelta

import pytest
from journal_helpers import Journal, at, rows_of

from warroom import actions
from warroom.reports.metrics import fold, for_incident


def counts(m, audience: str) -> tuple[int, int]:
    c = m.cadence[audience]
    return c.due, c.on_time


class Room:
    """A SEV2 incident (unless told) opened at 14:00 with the trio held, driven through the
    actions at given minutes."""

    def __init__(self, store, clock, sam, alex, pat, severity: str = "SEV2") -> None:
        self.store, self.clock, self.sam, self.alex = store, clock, sam, alex
        self.key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                         severity=severity, clock=clock).key
        for who, role in ((sam, "lead"), (alex, "comms"), (pat, "decider")):
            actions.claim_role(store, who, self.key, role, clock=clock)

    def to(self, minutes: float) -> None:
        self.clock.now = at(minutes)

    def internal(self, minutes: float) -> None:
        self.to(minutes)
        actions.post_update(self.store, self.sam, self.key, audience="internal", known="k",
                            unknown="u", next_steps="n", clock=self.clock)

    def customer(self, minutes: float, next_at: float, agreed: bool = False) -> None:
        self.to(minutes)
        actions.post_update(self.store, self.alex, self.key, audience="customer", known="k",
                            unknown="u", next_steps="n", next_update_at=at(next_at),
                            agreed=agreed, clock=self.clock)

    def resolve(self, minutes: float) -> None:
        self.to(minutes)
        actions.resolve(self.store, self.sam, self.key, summary="fixed", confirm=True,
                        skip=True, no_customer_update="told by phone", clock=self.clock)

    def metrics(self, minutes: float):
        return for_incident(self.store, self.key, at(minutes))


@pytest.fixture
def room(store, clock, sam, alex, pat) -> Room:
    return Room(store, clock, sam, alex, pat)


def test_an_update_exactly_on_its_due_time_is_on_time(room):
    """Internal every 30m: 14:20 is the first update (meets nothing, due 14:50); 14:50 and
    15:20 come exactly on their due times: both met. Customer every 60m, never posted:
    15:00 missed before the resolution at 15:30; 16:00 comes after it."""
    room.internal(20)
    room.internal(50)
    room.internal(80)
    room.resolve(90)
    m = room.metrics(10_000)
    assert counts(m, "internal") == (2, 2)
    assert counts(m, "customer") == (1, 0)
    assert (m.adherence("internal"), m.adherence("customer")) == (1.0, 0.0)
    assert m.cadence_adherence == 2 / 3


def test_hourly_updates_against_a_30_minute_cadence_meet_every_other_due_time(room):
    """Internal every 30m, posted hourly: 14:30 passes in silence (missed) and rolls the due
    time to 15:00, when the update comes exactly: met. Likewise each hour: 8 due, 4 met.
    Customer every 60m, never posted: 15:00, 16:00, 17:00, 18:00 missed (19:00 is after the
    resolution at 18:10)."""
    for hour in (60, 120, 180, 240):
        room.internal(hour)
    room.resolve(250)
    m = room.metrics(300)
    assert counts(m, "internal") == (8, 4)
    assert m.adherence("internal") == 0.5
    assert counts(m, "customer") == (4, 0)
    assert m.cadence["internal"].missed_times(10) == (
        [at(n).timestamp() for n in (30, 90, 150, 210)], 4)


def test_the_reported_case_one_of_three(room):
    """Opened 10:00 (here 14:00), internal updates at +20 and +110, resolved at +115: the
    first update meets nothing (due +50); +50 and +80 missed; +110 exactly on the due time
    rolled forward: met. One of three."""
    room.internal(20)
    room.internal(110)
    room.resolve(115)
    assert counts(room.metrics(10_000), "internal") == (3, 1)


def test_a_burst_of_early_updates_counts_once(room):
    """Internal every 30m. 14:05-14:08, a burst: the first update meets nothing and the
    others come before the opening's due time (14:30): they only restart the clock (due
    14:38). 14:36 meets 14:38; 14:37 and 14:38 come at or before 14:38, counted already:
    nothing (due 15:08). 15:00 meets 15:08 (due 15:30); 15:30 passes before the resolution
    at 15:40: missed. 3 due, 2 met, of 8 posts."""
    for minute in (5, 6, 7, 8, 36, 37, 38, 60):
        room.internal(minute)
    room.resolve(100)
    m = room.metrics(10_000)
    assert counts(m, "internal") == (3, 2)
    assert m.cadence["internal"].posts == 8


def test_a_burst_alone_is_one_update(room):
    """Four updates at 14:05-14:08 then silence until 14:40: the last sets 14:38, missed."""
    for minute in (5, 6, 7, 8):
        room.internal(minute)
    room.resolve(40)
    assert counts(room.metrics(40), "internal") == (1, 0)


def test_a_promised_later_time_holds_the_room_to_the_promise(room):
    """Customer every 60m. 14:10 promises 17:00, agreed with the customer: 15:10 and 16:10
    are not due. 16:50 comes before the promise: met, and sets 17:50 (the cadence). Silence:
    17:50 and 18:50 missed before the resolution at 19:00. Internal, never posted: 14:30,
    15:00, ..., 18:30 (before 19:00): 9 missed."""
    room.customer(10, next_at=180, agreed=True)
    m = room.metrics(170)
    assert counts(m, "customer") == (0, 0)  # 2 hours 40 of silence, nothing missed
    room.customer(170, next_at=230)
    room.resolve(300)
    m = room.metrics(10_000)
    assert counts(m, "customer") == (3, 1)
    assert counts(m, "internal") == (9, 0)


def test_a_broken_promise_is_missed_then_the_cadence_rolls_from_it(room):
    """14:10 promises 17:00 (agreed); nothing until the resolution at 18:10: 17:00 and 18:00
    missed."""
    room.customer(10, next_at=180, agreed=True)
    room.resolve(250)
    m = room.metrics(10_000)
    assert counts(m, "customer") == (2, 0)
    assert m.cadence["customer"].missed_times(5) == ([at(180).timestamp(),
                                                      at(240).timestamp()], 2)


def test_an_escalation_switches_the_cadence_from_the_change(room):
    """SEV2 (internal 30m, customer 60m). 14:10 the first internal update (due 14:40). 14:20
    escalated to SEV1 (internal 15m, customer 30m): internal due min(14:40, 14:35) = 14:35,
    customer min(15:00, 14:50) = 14:50. 14:33 meets 14:35 (due 14:48); 14:48 and 15:03
    missed before the resolution at 15:10. Customer: 14:50 missed; 15:20 after it.
    (Left at SEV2: internal 14:33 meets 14:40, 15:03 missed, 2 due; customer none due.)"""
    room.internal(10)
    room.to(20)
    actions.change_severity(room.store, room.sam, room.key, severity="SEV1",
                            reason="all regions", clock=room.clock)
    room.internal(33)
    room.resolve(70)
    m = room.metrics(10_000)
    assert counts(m, "internal") == (3, 1)
    assert counts(m, "customer") == (1, 0)
    assert m.cadence["internal"].minutes == 15


def test_a_de_escalation_with_an_update_overdue_counts_it_once(store, clock, sam, alex, pat):
    """SEV1 (internal 15m, customer 30m), nothing posted; 14:20 de-escalated to SEV3
    (internal 60m, customer 240m). Internal: 14:15 passed before the change: missed at the
    old cadence; the due time rolls to 14:30 (earlier than 14:20 + 60m). 14:25 meets 14:30
    (the journal's was_due still says 14:15: not counted twice) and sets 15:25, missed
    before the resolution at 15:40. Customer: 14:30 stays due (before 14:20 + 240m), missed;
    then 18:30, after the resolution."""
    room = Room(store, clock, sam, alex, pat, severity="SEV1")
    room.to(20)
    actions.change_severity(store, sam, room.key, severity="SEV3", reason="contained",
                            clock=clock)
    room.internal(25)
    room.resolve(100)
    m = room.metrics(10_000)
    assert counts(m, "internal") == (3, 1)
    assert counts(m, "customer") == (1, 0)


def test_a_late_update_misses_what_passed_and_meets_the_rolled_due_time(room):
    """Internal every 30m. 14:10 first (due 14:40). 14:45 is late: 14:40 missed, and it
    meets 15:10, the due time rolled forward from 14:40 (it sets 15:15). 15:39 is late
    again: 15:15 missed; meets 15:45 (sets 16:09). Resolved 15:50. 4 due, 2 met."""
    room.internal(10)
    room.internal(45)
    room.internal(99)
    room.resolve(110)
    assert counts(room.metrics(10_000), "internal") == (4, 2)


@pytest.mark.parametrize("every, due, met", [(59, 6, 3), (60, 6, 3), (61, 9, 3), (91, 12, 3)])
def test_posting_sooner_never_scores_worse(every, due, met):
    """Internal every 30m, three updates ``every`` minutes apart, resolved a minute after
    the last. Every 59 or 60: each misses the due time 30m after the previous update and
    meets the next (3 of 6); every 61: misses two, meets the third (3 of 9); every 91:
    misses three, meets the fourth (3 of 12)."""
    j = Journal().open(severity="SEV2", cadence=(60, 30))
    for k in (1, 2, 3):
        j.update(k * every, "internal", was_due=None, next_due=k * every + 30)
    j.add(3 * every + 1, "incident.resolved", **{"from": "triage", "to": "resolved"})
    m = fold(rows_of(j.events), at(10_000))[1]
    assert counts(m, "internal") == (due, met)


def test_resolution_stops_counting_and_a_reopening_resumes(room):
    """Internal every 30m, customer every 60m, nothing posted. Resolved exactly at 15:00:
    internal 14:30 missed; 15:00, exactly at the resolution, is not (nor is the customer's
    15:00). Resolved for hours: nothing is due, and an update then counts nothing.
    Reopened 17:20: due 17:50 (internal) and 18:20 (customer). 17:40 meets 17:50 and sets
    18:10, missed by 18:25 (measured while running); customer 18:20 missed."""
    room.resolve(60)
    room.internal(100)  # while resolved: counts nothing
    m = room.metrics(10_000)
    assert counts(m, "internal") == (1, 0)
    assert counts(m, "customer") == (0, 0)
    room.to(200)
    actions.reopen(room.store, room.sam, room.key, reason="errors are back", clock=room.clock)
    room.internal(220)
    m = room.metrics(265)
    assert counts(m, "internal") == (3, 1)
    assert counts(m, "customer") == (1, 0)
    assert m.adherence("customer") == 0.0 and m.adherence("internal") == 1 / 3
    assert m.cadence["internal"].posts == 2


def test_adherence_is_none_when_nothing_fell_due_and_keeps_its_precision():
    """Nothing due yet: None, not 0. One met of 500 due: 0.002, told apart from 0."""
    j = Journal().open(cadence=(30, 15))
    m = fold(rows_of(j.events), at(10))[1]
    assert m.adherence("customer") is None and m.cadence_adherence is None
    assert m.adherence("nobody") is None
    j = Journal().open(cadence=(30, 15))
    j.update(1, "customer", was_due=None, next_due=30)  # the first: meets nothing
    j.update(31, "customer", was_due=None, next_due=61)  # 14:30 missed, meets 15:00
    # silence from 15:01: 15:01, 15:31, ... 498 missed before 15:01 + 498 * 30m
    m = fold(rows_of(j.events), at(61 + 498 * 30))[1]
    assert counts(m, "customer") == (500, 1)
    assert m.adherence("customer") == 0.002


def test_the_next_update_time_after_a_long_silence(clock):
    """A promise 7 days ahead is the limit; the fold holds the room to it."""
    j = Journal().open(cadence=(30, 15))
    j.update(10, "customer", was_due=None, next_due=7 * 24 * 60)
    m = fold(rows_of(j.events), at(7 * 24 * 60 + 1))[1]
    assert counts(m, "customer") == (1, 0)
    assert m.cadence["customer"].missed_times(1)[0] == [
        (clock() + timedelta(days=7)).timestamp()]
