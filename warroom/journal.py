"""The journal's vocabulary: every kind of event, defined once, with its wording.

Each change is one event in the append-only journal. :class:`Kind` names every kind an
action may write (the store refuses any other); :data:`VOCABULARY` gives each its sentence
for ``warroom log``, the dashboard's timeline and the review ("dana took lead from sam: I
have the context"), and says whether the metrics fold (:mod:`warroom.reports.metrics`)
reads it. ``tests/test_journal_vocabulary.py`` fails when an action writes a kind that has
no wording here, or one the fold neither handles nor lists as ignored.

Sentences are plain text; callers show them as such (never as markup). A kind this version
does not know (written by a newer one) still reads as "who kind words".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from warroom.clock import day_hm, local_hm, local_stamp
from warroom.records import Event
from warroom.rules import triggers


class Kind(StrEnum):
    """Every kind of journal event. The value is what the journal stores."""

    INCIDENT_OPENED = "incident.opened"
    ROLE_CLAIMED = "role.claimed"
    ROLE_DISPUTED = "role.disputed"
    DISPUTE_SETTLED = "dispute.settled"
    HANDOVER_OFFERED = "handover.offered"
    HANDOVER_ACCEPTED = "handover.accepted"
    HANDOVER_DECLINED = "handover.declined"
    ROLE_RELEASED = "role.released"
    MILESTONE_ADDED = "milestone.added"
    MILESTONE_COMPLETED = "milestone.completed"
    MILESTONE_MOVED = "milestone.moved"
    MILESTONE_REASSIGNED = "milestone.reassigned"
    BLOCKER_REASSIGNED = "blocker.reassigned"
    BLOCKER_RAISED = "blocker.raised"
    BLOCKER_CLEARED = "blocker.cleared"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_APPROVED = "approval.approved"
    APPROVAL_REJECTED = "approval.rejected"
    APPROVAL_WITHDRAWN = "approval.withdrawn"
    UPDATE_POSTED = "update.posted"
    STAGE_ADVANCED = "stage.advanced"
    INCIDENT_RESOLVED = "incident.resolved"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_REOPENED = "incident.reopened"
    NOTE_POSTED = "note.posted"
    REVIEW_ACTION = "review.action"
    INCIDENT_CHANGED = "incident.changed"
    JOURNAL_GUARDED = "journal.guarded"
    REVIEW_DONE = "review.done"
    REVIEW_ROOT_CAUSE = "review.root_cause"
    REVIEW_FACTOR = "review.factor"
    IMPACT_START = "incident.impact_start"


Words = Callable[[str, dict[str, Any]], str]


@dataclass(frozen=True)
class Meaning:
    """What one kind means: its sentence (from who did it and the payload), and whether
    the metrics fold reads it (``False``: it is in the timeline and the review only)."""

    words: Words
    folded: bool = True


_WHEN: ContextVar[datetime | None] = ContextVar("_WHEN", default=None)
"""The time of the event being worded: a time in its sentence carries its date when it is
on another day ("moved milestone #1 to Tue 15 Dec 00:00")."""


def _t(value: Any) -> str:
    if not value:
        return "?"
    if not isinstance(value, str):
        return str(value)
    at, ref = datetime.fromisoformat(value), _WHEN.get()
    return local_hm(at, ref)


def _day(value: Any) -> str:
    """A stored time with its date (a follow-up's due date, an impact start)."""
    if not value:
        return "?"
    return (local_stamp(datetime.fromisoformat(value)) if isinstance(value, str)
            else str(value))


def _reason(p: dict[str, Any], key: str = "reason") -> str:
    return f": {p[key]}" if p.get(key) else ""


def _number(p: dict[str, Any], id_key: str) -> Any:
    """The number people know an item by: its number in the incident, or (events written
    before items were numbered per incident) its id."""
    return p.get("number") or p.get(id_key)


def _skipped(p: dict[str, Any]) -> str:
    return f", SKIPPING {', '.join(p['skipped'])}" if p.get("skipped") else ""


def _left_open(p: dict[str, Any]) -> str:
    """What a resolution did with what was still open, and why no final customer update."""
    said = [(key, ", ".join(f"{i.get('sort')} {i.get('name')}" for i in p.get(key) or []))
            for key in ("closed", "unmet", "carried")]
    words = {"closed": "closed", "unmet": "left not met",
             "carried": "carried OPEN AT RESOLUTION"}
    told = "".join(f"; {words[key]}: {named}" for key, named in said if named)
    if p.get("no_customer_update"):
        told += f"; no final customer update: {p['no_customer_update']}"
    return told


def _approval(p: dict[str, Any]) -> str:
    return f"#{_number(p, 'approval_id')} {p.get('change', '')}".strip()


def _opened(who: str, p: dict[str, Any]) -> str:
    via = f" under playbook {p['playbook']}" if p.get("playbook") else ""
    why = f" ({p['why']})" if p.get("playbook") and p.get("why") else ""
    drill = " DRILL" if p.get("drill") else ""
    held = "".join(f"; {holder} holds {role}"
                   for role, holder in (p.get("assigned") or {}).items())
    impact = (f"; customer impact since {_day(p['impact_start'])}" if p.get("impact_start")
              else "")
    return (f"{who} opened {p.get('key')}{drill} ({p.get('severity')}) {p.get('title')}"
            f" for {p.get('customer')}{via}{held}{impact}{why}")


def _settled(who: str, p: dict[str, Any]) -> str:
    role = p.get("role", "")
    if p.get("at_resolution") and not p.get("winner"):
        return (f"{who} closed the dispute over {role} unsettled at resolution "
                f"({p.get('claimant')} vs {p.get('holder')}){_reason(p)}")
    if p.get("kept_by_holder"):
        why = (f"the decider, {p['decider']}, a party to it" if p.get("decider")
               else "no decider held")
        return f"{who} KEPT {role} over {p.get('claimant')}'s dispute ({why}){_reason(p)}"
    if p.get("winner") == p.get("holder"):
        return (f"{who} settled {role}: stays with {p.get('holder')} over {p.get('claimant')}"
                f"{_reason(p)}")
    return (f"{who} settled {role}: {p.get('claimant')} took {role} from {p.get('holder')}"
            f"{_reason(p)}")


def _accepted(who: str, p: dict[str, Any]) -> str:
    dispute = {"settled": f"; settles {p.get('claimant')}'s dispute",
               "carried": f"; {p.get('claimant')} still disputes it"}
    return (f"{who} took {p.get('role', '')} from {p.get('from')} (handover accepted)"
            f"{dispute.get(p.get('dispute'), '')}")


def _declined(who: str, p: dict[str, Any]) -> str:
    if p.get("status") == "withdrawn":
        return f"{who} withdrew the offer of {p.get('role', '')} to {p.get('to')}{_reason(p)}"
    return f"{who} declined {p.get('role', '')} from {p.get('from')}{_reason(p)}"


def _approved(who: str, p: dict[str, Any]) -> str:
    state = "GRANTED" if p.get("granted") else f"{p.get('count')} of {p.get('needed')}"
    return f"{who} approved {_approval(p)} ({state})"


def _requested(who: str, p: dict[str, Any]) -> str:
    decider = ", decider required" if p.get("decider_required") else ""
    return (f"{who} requested approval {_approval(p)} ({p.get('risk')} risk, needs "
            f"{p.get('needed')}{decider})")


def _update(who: str, p: dict[str, Any]) -> str:
    late = " (late)" if p.get("late") else ""
    article = "an" if p.get("audience") == "internal" else "a"
    how = (f", acting for {p['acting_for']} (vacant)" if p.get("acting_for") else
           f", overriding who may post (decider's reason: {p['override']})"
           if p.get("override") else "")
    if p.get("approval_number"):
        how += f", as approved in #{p['approval_number']}"
    if p.get("agreed"):
        how += ", next update time agreed with the customer"
    return f"{who} posted {article} {p.get('audience')} update{late}{how}: {p.get('known')}"


def _changed(who: str, p: dict[str, Any]) -> str:
    """A change during the incident: severity, title, tier or the affected customers."""
    field, was, now = p.get("field", ""), p.get("from"), p.get("to")
    if field == "customers":
        was, now = list(was or []), list(now or [])
        moves = [f"added {n}" for n in now if n not in was]
        moves += [f"removed {n}" for n in was if n not in now]
        what = f"changed the affected customers ({', '.join(moves) or 'no change'})"
    else:
        field = {"customer_tz": "customer's time zone"}.get(field, field)
        what = f"changed the {field} from {was or 'none'} to {now or 'none'}"
    return f"{who} {what}{_reason(p)}"


VOCABULARY: dict[Kind, Meaning] = {
    Kind.INCIDENT_OPENED: Meaning(_opened),
    Kind.ROLE_CLAIMED: Meaning(
        lambda who, p: f"{who} took {p.get('role', '')} (was vacant){_reason(p)}"),
    Kind.ROLE_DISPUTED: Meaning(
        lambda who, p: f"{who} disputes {p.get('role', '')} held by {p.get('holder')}"
                       f"{_reason(p)}"),
    Kind.DISPUTE_SETTLED: Meaning(_settled),
    Kind.HANDOVER_OFFERED: Meaning(
        lambda who, p: f"{who} offered {p.get('role', '')} to {p.get('to')}: remaining "
                       f"{p.get('remaining')}"),
    Kind.HANDOVER_ACCEPTED: Meaning(_accepted),
    Kind.HANDOVER_DECLINED: Meaning(_declined),
    Kind.ROLE_RELEASED: Meaning(
        lambda who, p: f"{who} released {p.get('role', '')}; {p.get('role', '')} is VACANT"
                       f"{_reason(p, 'note')}"),
    Kind.MILESTONE_ADDED: Meaning(
        lambda who, p: f"{who} added milestone #{_number(p, 'milestone_id')} {p.get('name')} "
                       f"(owner {p.get('owner')}, due {_t(p.get('due_at'))})"),
    Kind.MILESTONE_COMPLETED: Meaning(
        lambda who, p: f"{who} completed milestone #{_number(p, 'milestone_id')} {p.get('name')}"
                       f"{' LATE' if p.get('late') else ''}"
                       + (f" (met by {triggers.describe(p['met_by'])})" if p.get("met_by")
                          else "")),
    Kind.MILESTONE_MOVED: Meaning(
        lambda who, p: f"{who} moved milestone #{_number(p, 'milestone_id')} {p.get('name')} from "
                       f"{_t(p.get('was_due'))} to {_t(p.get('due_at'))}: {p.get('reason')}"),
    Kind.MILESTONE_REASSIGNED: Meaning(
        lambda who, p: f"{who} gave milestone #{_number(p, 'milestone_id')} {p.get('name')} "
                       f"to {p.get('owner')} (was {p.get('was_owner')}){_reason(p)}"),
    Kind.BLOCKER_REASSIGNED: Meaning(
        lambda who, p: f"{who} gave blocker #{_number(p, 'blocker_id')} {p.get('what')} "
                       f"to {p.get('owner')} to chase (was {p.get('was_owner')}){_reason(p)}"),
    Kind.BLOCKER_RAISED: Meaning(
        lambda who, p: f"{who} raised blocker #{_number(p, 'blocker_id')} {p.get('what')} "
                       f"(waiting on {p.get('waiting_on')}, owner {p.get('owner')})"),
    Kind.BLOCKER_CLEARED: Meaning(
        lambda who, p: f"{who} cleared blocker #{_number(p, 'blocker_id')} {p.get('what')}"),
    Kind.APPROVAL_REQUESTED: Meaning(_requested),
    Kind.APPROVAL_APPROVED: Meaning(_approved),
    Kind.APPROVAL_REJECTED: Meaning(
        lambda who, p: f"{who} rejected {_approval(p)}{_reason(p)}"),
    Kind.APPROVAL_WITHDRAWN: Meaning(
        lambda who, p: f"{who} withdrew approval request {_approval(p)}{_reason(p)}"),
    Kind.UPDATE_POSTED: Meaning(_update),
    Kind.STAGE_ADVANCED: Meaning(
        lambda who, p: f"{who} moved the incident from {p.get('from')} to {p.get('to')}"
                       + _skipped(p)),
    Kind.INCIDENT_RESOLVED: Meaning(
        lambda who, p: f"{who} resolved the incident{_skipped(p)}{_reason(p, 'note')}"
                       + _left_open(p)),
    Kind.INCIDENT_REOPENED: Meaning(
        lambda who, p: f"{who} REOPENED the incident ({p.get('to')}){_reason(p)}"),
    Kind.INCIDENT_CLOSED: Meaning(
        lambda who, p: f"{who} closed the incident, CSAT {p.get('csat')}"),
    Kind.NOTE_POSTED: Meaning(
        lambda who, p: f"{who} {'DECIDED' if p.get('decision') else 'noted'}: {p.get('text')}",
        folded=False),
    Kind.REVIEW_ACTION: Meaning(
        lambda who, p: f"{who} recorded a follow-up"
                       + (f" #{p['number']}" if p.get("number") else "")
                       + f" for {p.get('owner')}"
                       + (f", due {_day(p['due_at'])}" if p.get("due_at") else "")
                       + f": {p.get('text')}"),
    Kind.INCIDENT_CHANGED: Meaning(_changed),
    Kind.JOURNAL_GUARDED: Meaning(
        lambda who, p: f"{who} wrote after the journal's append-only guards were dropped "
                       f"outside warroom; put back: {', '.join(p.get('restored') or [])}",
        folded=False),
    Kind.REVIEW_DONE: Meaning(
        lambda who, p: f"{who} marked follow-up #{p.get('number')} done: {p.get('text')}",
        folded=False),
    Kind.REVIEW_ROOT_CAUSE: Meaning(
        lambda who, p: f"{who} recorded the root cause: {p.get('text')}", folded=False),
    Kind.REVIEW_FACTOR: Meaning(
        lambda who, p: f"{who} recorded a contributing factor: {p.get('text')}",
        folded=False),
    Kind.IMPACT_START: Meaning(
        lambda who, p: f"{who} recorded that the customer impact started {_day(p.get('at'))}"
                       + (f" (was {_day(p['was'])})" if p.get("was") else ""),
        folded=False),
}


def known(kind: str) -> bool:
    """Whether ``kind`` is one this version defines (the store writes no other)."""
    return kind in VOCABULARY


def describe(event: Event) -> str:
    """One line saying what happened, without the time."""
    meaning = VOCABULARY.get(event.kind)  # type: ignore[call-overload]
    if meaning is None:
        return f"{event.who} {event.kind.replace('.', ' ')}"
    token = _WHEN.set(event.at)
    try:
        return meaning.words(event.who, event.payload)
    finally:
        _WHEN.reset(token)


BACKFILL_GRACE = timedelta(minutes=1)
"""An event recorded more than this after it happened was backfilled (``--at``)."""


def backfilled(event: Event) -> str:
    """`` [backfilled 14:15]`` (when it was recorded) after an event recorded late, else ""."""
    late = event.recorded_at is not None and event.recorded_at - event.at > BACKFILL_GRACE
    return f" [backfilled {day_hm(event.recorded_at, event.at)}]" if late else ""


def line(event: Event, now: datetime | None = None) -> str:
    """``14:02 dana took lead from sam (handover accepted)``, on one line; an event recorded
    late ends ``[backfilled 14:15]``. Given ``now``, its time carries the date when it is
    not today (``Sat 24 Oct 10:00``), as everywhere else."""
    text = describe(event).replace("\n", " ")
    return f"{local_hm(event.at, now)} {text}{backfilled(event)}"


def happened_order(events: Iterable[Event]) -> list[Event]:
    """Events in the order they happened (``at``, then id), as the metrics fold reads them:
    an event recorded late takes its place in time."""
    return sorted(events, key=lambda e: (e.at, e.id))
