"""What waits on one person in one incident: the line the dashboard shows them, and what
``warroom mine`` lists.

Four things wait on a person: a handover offered to them; an approval they may give (pending,
not theirs, not yet voted on, and they hold an eligible role or are named on it); an update
falling due from the role they hold (customer: the communications owner, or its stand-in
while comms is vacant; internal: the policy's internal roles), from ten minutes before
its due time; and a dispute they must settle (the decider, when not a party to it; the holder
while no decider is held). Each item has a stable key, so the dashboard rings the bell once
for an item it has not shown before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.cells import cell_len, set_cell_size

from warroom.clock import span
from warroom.records import ApprovalStatus, IncidentView, Stage, role_title


def _same(a: str | None, b: str | None) -> bool:
    """Names compared as the actions compare them (exactly), so the line never offers what
    the action would then refuse."""
    return a is not None and a == b


SOON = timedelta(minutes=10)  # an update shows as waiting from this long before it is due


@dataclass(frozen=True)
class Waiting:
    key: str  # stable while the item stands: "approval:3", "update:customer:<due>"
    text: str  # "approve #3 Roll back deploy 412 (as decider)"
    urgent: bool = False  # overdue, or a dispute holding a role up


def _held(view: IncidentView, me: str) -> list[str]:
    return [r.role for r in view.roles if r.holder and _same(r.holder, me)]


def for_person(view: IncidentView, me: str, now: datetime) -> list[Waiting]:
    """Everything waiting on ``me`` in this incident, most pressing kinds first. Nothing
    waits once the incident is resolved."""
    if view.incident.stage.order >= Stage.RESOLVED.order:
        return []
    mine = _held(view, me)
    items: list[Waiting] = []
    for d in view.disputes:
        parties = (d.claimant, d.holder)
        decider = view.role("decider")
        if "decider" in mine and not any(_same(p, me) for p in parties):
            items.append(Waiting(f"dispute:{d.id}", f"settle the dispute over {_name(view, d.role)} "
                                 f"({d.claimant} vs {d.holder})", urgent=True))
        elif _same(d.holder, me) and (
                decider is None or not decider.holder
                or any(_same(p, decider.holder) for p in parties)):
            why = ("no decider is held" if decider is None or not decider.holder
                   else "the decider is a party to it")
            items.append(Waiting(f"dispute:{d.id}", f"{d.claimant} disputes your "
                                 f"{_name(view, d.role)}: "
                                 f"yield it, or keep it with a reason ({why})", urgent=True))
    for h in view.handovers:
        if _same(h.to_person, me):
            items.append(Waiting(f"handover:{h.id}", f"accept or decline {_name(view, h.role)} "
                                 f"offered "
                                 f"by {h.from_person}"))
    for a in view.approvals:
        through = _may_approve(a, mine, me, now)
        if through:
            items.append(Waiting(f"approval:{a.id}", f"approve or reject #{a.number} {a.change} "
                                 f"(as {', '.join(_name(view, r) for r in through.split(', '))})"))
    items += _updates(view, mine, now)
    return items


def _may_approve(request, mine: list[str], me: str, now: datetime) -> str | None:
    """The role through which ``me`` may vote on ``request`` now, else None."""
    if request.effective_status(now) != ApprovalStatus.PENDING:
        return None
    if _same(request.requester, me) or any(_same(v.voter, me) for v in request.votes):
        return None
    roles = [r for r in mine if r in request.eligible_roles]
    if not roles and mine and any(_same(p, me) for p in request.eligible_people):
        roles = mine  # named on the request: votes through a role they hold
    return ", ".join(roles) or None


def _name(view: IncidentView, role: str) -> str:
    """A role as people read it (the slot's title: "Communications owner"), not its id."""
    slot = view.role(role)
    return slot.title if slot is not None and slot.title else role_title(role)


def _updates(view: IncidentView, mine: list[str], now: datetime) -> list[Waiting]:
    comms = view.role("comms")
    speaks = "comms" in mine or (view.comms_stand_in in mine and comms is not None
                                 and not comms.holder)
    out = []
    internal = any(r in view.internal_updates for r in mine)
    for audience, mine_to_post in (("customer", speaks), ("internal", internal)):
        due = getattr(view.incident, f"next_{audience}_due")
        if not mine_to_post or due is None or due - now > SOON:
            continue
        late = due < now
        when = f"OVERDUE by {span(now - due)}" if late else f"due in {span(due - now)}"
        out.append(Waiting(f"update:{audience}:{due.isoformat()}",
                           f"post the {audience} update ({when})", urgent=late))
    return out


def summary(items: list[Waiting], width: int = 200) -> str:
    """The dashboard's one line, at most ``width`` characters: as many items as fit, then
    how many more (``warroom mine`` lists them all)."""
    if not items:
        return "nothing waits on you"

    def more(shown: int) -> str:
        return f"; +{len(items) - shown} more (warroom mine)" if shown < len(items) else ""

    text, shown = "", 0
    for item in items:
        candidate = f"{text}; {item.text}" if text else item.text
        if text and cell_len(candidate + more(shown + 1)) > width:
            break
        text, shown = candidate, shown + 1
    tail = more(shown)
    if cell_len(text + tail) > width:  # even the first item is too long: crop, keep the count
        text = set_cell_size(text, max(1, width - cell_len(tail) - 1)).rstrip() + "…"
    return text + tail
