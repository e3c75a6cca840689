"""A busy incident for the layout tests and snapshots: many milestones and blockers, a
playbook role beyond the trio, a decided and a pending approval, a customer update with its
full message, a handover note, and a note with markup-like brackets.

Also runnable, to try the dashboard by hand: ``python tests/busy_incident.py /tmp/x.db``.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from app_helpers import act, who

from warroom import actions
from warroom.db.store import Store
from warroom.records import TRIO
from warroom.rules.policy import DEFAULT_POLICY

NOTE = dict(done="found bad deploy 412", remaining="roll back, confirm error rate",
            dependencies="release team", risks="cache warm-up spike")

MILESTONES = ["Acknowledge the customer", "Impact measured", "Rollback ready",
              "Mitigation in place", "Verification done", "Status page updated",
              "Partner banks told", "Error budget reviewed", "Capacity check",
              "RCA draft", "RCA to customer", "Post-incident review booked"]
BLOCKERS = [("Prod DB read access", "DBA on-call"), ("Vendor API keys", "Adyen support"),
            ("Staging cluster down", "platform team"), ("Change freeze waiver", "CAB"),
            ("Feature flag service", "flags team"), ("[red]Log access[/red]", "security")]


def busy(db, clock, *, milestones: int = len(MILESTONES), blockers: int = len(BLOCKERS)):
    """Open INC-1001 staffed, then fill it; the clock ends 40 minutes after opening."""
    policy = DEFAULT_POLICY.model_copy(update={
        "roles": [*TRIO, "billing_ops"], "teams": {"billing_ops": "billing operations"}})
    with Store(db, create=True) as store:
        actions.open_incident(store, who("sam"), title="Checkout failing for EU users",
                              customer="Acme", severity="SEV1", policy=policy, clock=clock)
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        act(db, actions.claim_role, who(name), "INC-1001", role, clock=clock)
    clock.advance(minutes=5)
    act(db, actions.post_update, who("alex"), "INC-1001", audience="customer",
        known="20% of EU card payments fail at checkout", unknown="root cause",
        next_steps="rolling back deploy 412", next_update_at=clock() + timedelta(minutes=20),
        clock=clock)
    for i, name in enumerate(MILESTONES[:milestones]):
        act(db, actions.add_milestone, who("sam"), "INC-1001", name=name,
            owner=("sam", "alex", "pat")[i % 3], due_at=clock() + timedelta(minutes=10 + 7 * i),
            clock=clock)
    for what, waiting_on in BLOCKERS[:blockers]:
        act(db, actions.raise_blocker, who("sam"), "INC-1001", what=what,
            waiting_on=waiting_on, owner="sam", clock=clock)
    clock.advance(minutes=5)
    act(db, actions.request_approval, who("sam"), "INC-1001", change="Restart payment workers",
        risk="low", rationale="workers hold stale connections", fallback="none needed",
        clock=clock)
    act(db, actions.approve, who("pat"), "INC-1001", 1, clock=clock)
    act(db, actions.request_approval, who("sam"), "INC-1001", change="Roll back deploy 412",
        risk="high", rationale="errors began 7 minutes after the deploy; the diff touches "
        "the card tokeniser and nothing else changed in that hour",
        fallback="roll forward with the flag off", clock=clock)
    act(db, actions.approve, who("alex"), "INC-1001", 2, clock=clock)
    clock.advance(minutes=15)
    act(db, actions.complete_milestone, who("alex"), "INC-1001", 1, clock=clock)
    act(db, actions.add_note, who("pat"), "INC-1001", decision=True,
        text="Roll back first, investigate after: [bold]no hotfix[/bold] under load", clock=clock)
    act(db, actions.offer_handover, who("sam"), "INC-1001", "lead", to="dana", clock=clock,
        **NOTE)
    clock.advance(minutes=15)


if __name__ == "__main__":  # a database to try the dashboard on by hand
    from datetime import datetime, timezone

    from warroom.clock import FrozenClock
    from warroom.db import store as store_module

    store_module.recording_time = lambda: None  # recorded as it happened, as in the tests
    busy(sys.argv[1], FrozenClock(datetime.now(timezone.utc) - timedelta(minutes=40)))
