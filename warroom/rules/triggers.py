"""What can meet a milestone by itself: the events a playbook milestone may name in
``met_by``, so that "Acknowledge the customer" is done when the first customer update is
posted instead of alarming after it was.

A trigger is one of:

- ``customer-update`` / ``internal-update``: an update to that audience is posted;
- ``stage:<stage>``: the incident reaches that stage (passing over it does not count);
- ``approval-granted`` or ``approval-granted:<kind>``: an approval request (of that kind of
  change) is granted;
- ``trio-held``: lead, comms and decider are all held.
"""

from __future__ import annotations

from warroom.records import Stage

SIMPLE = {
    "customer-update": "a customer update",
    "internal-update": "an internal update",
    "approval-granted": "an approval granted",
    "trio-held": "the trio held",
}


def check(value: str) -> str:
    """``value`` if it names a trigger, else a ValueError saying which there are."""
    if value in SIMPLE:
        return value
    head, _, tail = value.partition(":")
    if head == "stage" and tail in {s.value for s in Stage}:
        return value
    if head == "approval-granted" and tail:
        return value
    raise ValueError(f"unknown trigger {value!r}: use {', '.join(SIMPLE)}, stage:<stage> or "
                     "approval-granted:<kind>")


def describe(trigger: str) -> str:
    """``the incident reached mitigating``, ``a customer update``: for the journal."""
    head, _, tail = trigger.partition(":")
    if head == "stage":
        return f"the incident reaching {tail}"
    if head == "approval-granted" and tail:
        return f"a {tail} approval granted"
    return SIMPLE.get(trigger, trigger)


def stages_reached(current: Stage, target: Stage) -> list[str]:
    """The stage triggers a move from ``current`` to ``target`` fires: the stage reached
    alone. A stage passed over was never reached (a drill ended early, a resolution straight
    from investigating): what it would have met stays open, for someone to judge."""
    return [f"stage:{target.value}"] if target.order > current.order else []
