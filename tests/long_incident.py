"""A 13-day incident of about 1,800 events, played through the real actions on a frozen
clock: for the review's length test (tests/test_review_long.py) and its benchmark
(bench/review.py).

SEV1 for 4 hours, SEV2 until 12 hours in, SEV3 until day 2, then SEV4 until it is resolved
13 days after opening. The customer hears from comms exactly when each update falls due
(the cadence in force); the lead posts an internal update every 12 minutes for the first 12
hours, every 20 minutes after; someone notes something every 25 minutes. Around that:
handovers at shift changes, three blockers (the last still open at resolution), two
approvals, two decisions, milestones, stage changes, then the review's records.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom import actions
from warroom.actions import review as recorded
from warroom.clock import FrozenClock
from warroom.records import Actor

DAY = 24 * 60
LENGTH = 13 * DAY  # minutes from opening to resolution
START = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
SEVERITY = {4 * 60: ("SEV2", 60), 12 * 60: ("SEV3", 240), 2 * DAY: ("SEV4", 1440)}


def who(name: str) -> Actor:
    return Actor(os_user=name, display=name)


def play(store, start: datetime = START) -> tuple[str, FrozenClock]:
    """Play the incident into ``store``; returns its key and the clock (at the review)."""
    clock = FrozenClock(start)
    key = actions.open_incident(store, who("sam"), title="EU checkout failures after deploy "
                                "412", customer="Acme", severity="SEV1", service="checkout",
                                impact_start=start - timedelta(minutes=40), clock=clock).key
    holder = {"lead": "sam", "comms": "alex"}
    customer_every, next_customer = 30, 30
    blockers = 0

    def at(minute: int) -> None:
        clock.now = start + timedelta(minutes=minute)

    def once(minute: int) -> None:  # the scripted moments
        nonlocal blockers
        s, k = store, key
        if minute == 1:
            actions.claim_role(s, who("sam"), k, "lead", clock=clock)
            actions.claim_role(s, who("alex"), k, "comms", clock=clock)
        elif minute == 3:
            actions.claim_role(s, who("pat"), k, "decider", clock=clock)
        elif minute == 10:
            actions.advance_stage(s, who("sam"), k, confirm=True, clock=clock)
        elif minute == 20:
            actions.add_milestone(s, who("sam"), k, name="Rollback ready", owner="sam",
                                  due_at=clock() + timedelta(minutes=60), clock=clock)
        elif minute in (30, 3 * DAY, 10 * DAY):
            what = {30: ("Vendor gateway logs", "Vendor support"),
                    3 * DAY: ("Read access to the orders snapshot", "DBA team"),
                    10 * DAY: ("Customer maintenance window", "Acme operations")}[minute]
            actions.raise_blocker(s, who(holder["lead"]), k, what=what[0], waiting_on=what[1],
                                  owner=holder["lead"], clock=clock)
            blockers += 1
        elif minute == 400:
            actions.clear_blocker(s, who("sam"), k, 1, clock=clock)
        elif minute == 4 * DAY:
            actions.clear_blocker(s, who(holder["lead"]), k, 2, clock=clock)
        elif minute == 90:
            actions.request_approval(s, who("sam"), k, change="Roll back deploy 412",
                                     risk="medium", rationale="errors began with it",
                                     fallback="roll forward", clock=clock)
        elif minute == 95:
            actions.add_note(s, who("pat"), k, text="Roll back, no hotfix", decision=True,
                             clock=clock)
            actions.approve(s, who("pat"), k, 1, clock=clock)
        elif minute == 100:
            actions.advance_stage(s, who("sam"), k, confirm=True, clock=clock)
        elif minute == 110:
            actions.complete_milestone(s, who("sam"), k, 1, clock=clock)
        elif minute == 5 * DAY:
            actions.request_approval(s, who(holder["lead"]), k, change="Run the order repair "
                                     "script", risk="high", rationale="2,314 orders stuck",
                                     fallback="restore from the snapshot", clock=clock)
        elif minute == 5 * DAY + 30:
            actions.add_note(s, who("pat"), k, text="Repair in batches of 500, verify each",
                             decision=True, clock=clock)
            actions.approve(s, who("pat"), k, 2, clock=clock)
        elif minute == 6 * DAY:
            actions.advance_stage(s, who(holder["lead"]), k, confirm=True, clock=clock)
        elif minute in (720, 1440, 2160, 2880):  # shift changes
            role_moves = [("lead", {"sam": "dana", "dana": "sam"})]
            if minute in (720, 2160):
                role_moves.append(("comms", {"alex": "kim", "kim": "alex"}))
            for role, nxt in role_moves:
                giver, taker = holder[role], nxt[holder[role]]
                actions.offer_handover(s, who(giver), k, role, to=taker, done="shift notes "
                                       "written", remaining="watch the error rate",
                                       dependencies="vendor support", risks="retry storm",
                                       clock=clock)
                actions.accept_handover(s, who(taker), k, role, clock=clock)
                holder[role] = taker

    for minute in range(1, LENGTH):
        at(minute)
        once(minute)
        if minute in SEVERITY:
            severity, customer_every = SEVERITY[minute]
            actions.change_severity(store, who("pat"), key, severity=severity,
                                    reason="impact shrinking", clock=clock)
            next_customer = min(next_customer, minute + customer_every)
        if minute == next_customer:
            actions.post_update(store, who(holder["comms"]), key, audience="customer",
                                known=f"orders repaired so far: {minute // 60 * 7}",
                                unknown="the full count", next_steps="keep repairing",
                                next_update_at=clock() + timedelta(minutes=customer_every),
                                clock=clock)
            next_customer = minute + customer_every
        if minute % (12 if minute < 720 else 20) == 0:
            actions.post_update(store, who(holder["lead"]), key, audience="internal",
                                known="repair running", unknown="-", next_steps="continue",
                                clock=clock)
        if minute % 25 == 0:
            actions.add_note(store, who(("dana", "kim", "lee")[minute // 25 % 3]), key,
                             text=f"checked batch {minute // 25}: ok", clock=clock)
    at(LENGTH)
    actions.resolve(store, who(holder["lead"]), key, summary="Deploy 412 rolled back; "
                    "stuck orders repaired", confirm=True, skip=True, open_items="carry",
                    clock=clock)
    at(LENGTH + 60)
    actions.close(store, who("pat"), key, csat=3, comment="slow repair", clock=clock)
    at(LENGTH + 2 * DAY)
    recorded.record_root_cause(store, who("pat"), key, text="deploy 412 changed the retry "
                               "logic of pg_dump-based exports", clock=clock)
    recorded.add_factor(store, who("pat"), key, text="no canary for the checkout service",
                        clock=clock)
    recorded.add_follow_up(store, who("pat"), key, text="Add a checkout canary",
                           owner="dana", due=clock() + timedelta(days=14), clock=clock)
    recorded.add_follow_up(store, who("pat"), key, text="Page the vendor at open",
                           owner="sam", due=clock() + timedelta(days=7), clock=clock)
    recorded.complete_follow_up(store, who("sam"), key, 2, clock=clock)
    return key, clock
