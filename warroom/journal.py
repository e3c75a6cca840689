"""Journal events in plain words: "dana took lead from sam: I have the context".

Used by ``warroom log``, the dashboard's timeline and the post-incident review. The result is
plain text; callers show it as such (never as markup).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.clock import local_hm
from warroom.records import Event


def _t(value: Any) -> str:
    if not value:
        return "?"
    return local_hm(datetime.fromisoformat(value)) if isinstance(value, str) else str(value)


def _approval(p: dict[str, Any]) -> str:
    return f"#{p.get('approval_id')} {p.get('change', '')}".strip()


def describe(event: Event) -> str:
    """One line saying what happened, without the time."""
    p = event.payload
    who = event.who
    kind = event.kind
    role = p.get("role", "")
    reason = f": {p['reason']}" if p.get("reason") else ""
    match kind:
        case "incident.opened":
            via = f" under playbook {p['playbook']}" if p.get("playbook") else ""
            why = f" ({p['why']})" if p.get("playbook") and p.get("why") else ""
            drill = " DRILL" if p.get("drill") else ""
            held = "".join(f"; {holder} holds {role}"
                           for role, holder in (p.get("assigned") or {}).items())
            return (f"{who} opened {p.get('key')}{drill} ({p.get('severity')}) {p.get('title')}"
                    f" for {p.get('customer')}{via}{held}{why}")
        case "role.claimed":
            return f"{who} took {role} (was vacant){reason}"
        case "role.disputed":
            return f"{who} disputes {role} held by {p.get('holder')}{reason}"
        case "dispute.settled":
            if p.get("winner") == p.get("holder"):
                return f"{who} settled {role}: stays with {p.get('holder')} over {p.get('claimant')}"
            return f"{who} settled {role}: {p.get('claimant')} took {role} from {p.get('holder')}"
        case "handover.offered":
            return f"{who} offered {role} to {p.get('to')}: remaining {p.get('remaining')}"
        case "handover.accepted":
            dispute = {"settled": f"; settles {p.get('claimant')}'s dispute",
                       "carried": f"; {p.get('claimant')} still disputes it"}
            return (f"{who} took {role} from {p.get('from')} (handover accepted)"
                    f"{dispute.get(p.get('dispute'), '')}")
        case "handover.declined":
            if p.get("status") == "withdrawn":
                return f"{who} withdrew the offer of {role} to {p.get('to')}{reason}"
            return f"{who} declined {role} from {p.get('from')}{reason}"
        case "role.released":
            note = f": {p['note']}" if p.get("note") else ""
            return f"{who} released {role}; {role} is VACANT{note}"
        case "milestone.added":
            return (f"{who} added milestone #{p.get('milestone_id')} {p.get('name')} "
                    f"(owner {p.get('owner')}, due {_t(p.get('due_at'))})")
        case "milestone.completed":
            late = " LATE" if p.get("late") else ""
            return f"{who} completed milestone #{p.get('milestone_id')} {p.get('name')}{late}"
        case "milestone.moved":
            return (f"{who} moved milestone #{p.get('milestone_id')} {p.get('name')} from "
                    f"{_t(p.get('was_due'))} to {_t(p.get('due_at'))}: {p.get('reason')}")
        case "blocker.raised":
            return (f"{who} raised blocker #{p.get('blocker_id')} {p.get('what')} "
                    f"(waiting on {p.get('waiting_on')}, owner {p.get('owner')})")
        case "blocker.cleared":
            return f"{who} cleared blocker #{p.get('blocker_id')} {p.get('what')}"
        case "approval.requested":
            return (f"{who} requested approval {_approval(p)} ({p.get('risk')} risk, needs "
                    f"{p.get('needed')}{', decider required' if p.get('decider_required') else ''})")
        case "approval.approved":
            state = "GRANTED" if p.get("granted") else f"{p.get('count')} of {p.get('needed')}"
            return f"{who} approved {_approval(p)} ({state})"
        case "approval.rejected":
            return f"{who} rejected {_approval(p)}{reason}"
        case "approval.withdrawn":
            return f"{who} withdrew approval request {_approval(p)}{reason}"
        case "update.posted":
            late = " (late)" if p.get("late") else ""
            article = "an" if p.get("audience") == "internal" else "a"
            return f"{who} posted {article} {p.get('audience')} update{late}: {p.get('known')}"
        case "stage.advanced":
            return f"{who} moved the incident from {p.get('from')} to {p.get('to')}"
        case "incident.resolved":
            note = f": {p['note']}" if p.get("note") else ""
            return f"{who} resolved the incident{note}"
        case "note.posted":
            return f"{who} noted: {p.get('text')}"
        case "incident.closed":
            return f"{who} closed the incident, CSAT {p.get('csat')}"
        case "review.action":
            return f"{who} recorded a follow-up for {p.get('owner')}: {p.get('text')}"
        case _:
            return f"{who} {kind.replace('.', ' ')}"


def line(event: Event) -> str:
    """``14:02 dana took lead from sam (handover accepted)``, on one line."""
    text = describe(event).replace("\n", " ")
    return f"{local_hm(event.at)} {text}"
