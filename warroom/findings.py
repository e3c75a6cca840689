"""What went right and wrong in one incident, judged from its metrics, and what to change.

:func:`checks` holds the incident to its own targets (the cadence and milestone due times it
was opened with, approval expiry, and ownership settled before the first customer update
fell due). :func:`improvements` turns each gap into a concrete change (contact lists,
cadence, templates, playbook) with a suggested owner. Both the post-incident review and the
drill debrief use them. Everything returned is plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from warroom.clock import local_hm, local_stamp, span
from warroom.metrics import to_dt
from warroom.metrics_records import IncidentMetrics

SLOW_START = 5 * 60  # a role vacant longer than this after opening is a finding
SLOW_DISPUTE = 10 * 60  # a dispute open longer than this is a finding
SLOW_APPROVAL = 15 * 60  # an approval waiting longer than this is a finding
SLOW_BLOCKER = 30 * 60


def dur(seconds: float) -> str:
    return span(timedelta(seconds=seconds))


def hm(seconds: float, day_of: float | None = None) -> str:
    """``14:02`` in local time; with the date too when it is not the day of ``day_of``."""
    at = to_dt(seconds)
    if day_of is not None and at.astimezone().date() != to_dt(day_of).astimezone().date():
        return local_stamp(at)
    return local_hm(at)


@dataclass(frozen=True)
class Check:
    """One thing the team is held to, whether it was met, and the evidence."""

    name: str
    passed: bool
    evidence: str


@dataclass(frozen=True)
class Improvement:
    """A concrete change, what kind of change it is, and who should own it."""

    text: str
    area: str  # contacts, cadence, templates, playbook
    owner: str


def ownership_target(m: IncidentMetrics) -> float | None:
    """Seconds after opening by which the trio should be held: the first customer due."""
    c = m.cadence.get("customer")
    return c.minutes * 60 if c and c.minutes else None


def _owner(m: IncidentMetrics, *roles: str) -> str:
    """Who should own a follow-up: the current holder of the first of ``roles`` that is
    held, then of the lead, decider or comms role; else whoever opened the incident."""
    for role in (*roles, "lead", "decider", "comms"):
        tenures = m.tenures.get(role)
        if tenures and tenures[-1].holder:
            return tenures[-1].holder
    return m.opened_by


def checks(m: IncidentMetrics) -> list[Check]:
    """The scorecard: ownership, disputes, vacancies, updates, milestones, approvals,
    handovers."""
    out = []
    target = ownership_target(m)
    tto, elapsed = m.time_to_ownership, m.end - m.opened
    if tto is not None:
        evidence = f"all three roles held {dur(tto)} after opening"
        passed = target is None or tto <= target
    else:  # not failed yet while the target has not passed
        passed = target is not None and elapsed <= target
        state = "are not all held yet" if passed else "were never all held"
        evidence = f"the three roles {state} ({dur(elapsed)} in)"
    if target is not None:
        evidence += f"; target {dur(target)} (first customer update due)"
    out.append(Check("ownership", passed, evidence))
    times = [f"{d.role} ({d.claimant} against {d.holder}) settled in "
             f"{dur(d.settled - d.opened)}" if d.settled is not None
             else f"{d.role} ({d.claimant} against {d.holder}) unsettled after "
             f"{dur(m.now - d.opened)}" for d in m.disputes.values()]
    slow = [d for d in m.disputes.values()
            if d.settled is None or d.settled - d.opened > SLOW_DISPUTE]
    out.append(Check("disputes", not slow, "; ".join(times) or "no dispute"))
    vacancies = m.vacancies()
    gaps = [f"{t.role} {dur(length)}" + (f" after {t.after} left" if t.after else " from opening")
            for t, length in vacancies]
    bad = [1 for t, length in vacancies if t.after or length > SLOW_START]
    out.append(Check("vacancies", not bad, "no role vacant" if not gaps
                     else "vacant: " + ", ".join(gaps)))
    parts = [f"{a} {c.on_time} of {c.due} on time" for a, c in sorted(m.cadence.items())
             if c.due]
    out.append(Check("updates", m.updates_on_time == m.updates_due,
                     "; ".join(parts) or "no update fell due"))
    counts = m.milestone_counts()
    out.append(Check("milestones", counts["missed"] == 0,
                     f"{counts['met']} met, {counts['missed']} missed, {counts['open']} open"))
    waits = [f"#{a.id} {status} after {dur(wait)}" for a, status, wait in m.approval_outcomes()]
    late = [1 for a, status, wait in m.approval_outcomes()
            if status in ("expired", "pending") or wait > SLOW_APPROVAL]
    out.append(Check("approvals", not late, "; ".join(waits) or "no approval requested"))
    never = m.unaccepted_handovers()
    out.append(Check("handovers", not never,
                     f"{len(m.handovers) - len(never)} of {len(m.handovers)} accepted"
                     if m.handovers else "no handover offered"))
    return out


def improvements(m: IncidentMetrics) -> list[Improvement]:
    """Concrete changes drawn from what happened, most structural first."""
    out: list[Improvement] = []
    for t, length in m.vacancies():
        if t.after:
            state = (f"was vacant {dur(length)}" if t.end is not None or m.resolved
                     else f"is still vacant, {dur(length)}")
            out.append(Improvement(
                f"{t.role} {state} after {t.after} left without a handover: "
                f"name a contingency for {t.role} in the playbook, and hand over (with a "
                "note) instead of releasing", "playbook", _owner(m, "lead")))
        elif length > SLOW_START:
            out.append(Improvement(
                f"{t.role} stayed vacant for the first {dur(length)}: put the on-call "
                f"{t.role} on the contact list and page them when an incident opens",
                "contacts", _owner(m, "lead")))
    for d in m.disputes.values():
        if d.settled is None:
            out.append(Improvement(
                f"the {d.role} dispute between {d.holder} and {d.claimant} was never settled: "
                f"name the decider first, and write down who leads for "
                f"{m.service or 'this service'} in the playbook", "playbook",
                _owner(m, "decider")))
        else:
            out.append(Improvement(
                f"{d.claimant} and {d.holder} both claimed {d.role} for "
                f"{dur(d.settled - d.opened)} until {d.settled_by} settled it: write down in "
                f"the playbook which team owns {d.role} for {m.service or 'this service'}",
                "playbook", _owner(m, "decider")))
    for audience, c in sorted(m.cadence.items()):
        first = m.first_update(audience)
        late = first > c.minutes * 60 if first is not None else m.end - m.opened > c.minutes * 60
        if audience == "customer" and c.minutes and late:
            when = "never came" if first is None else f"came {dur(first)} after opening"
            out.append(Improvement(
                f"the first customer update {when} (due within {c.minutes}m): keep an "
                "acknowledgement template ready to send as soon as comms is named",
                "templates", _owner(m, "comms")))
        if c.due > c.on_time:
            out.append(Improvement(
                f"{audience} updates: {c.on_time} of {c.due} on time at a {c.minutes}m "
                f"cadence: set a reminder for the {audience} update owner, or change the "
                f"{audience} cadence in the playbook if it cannot be kept", "cadence",
                _owner(m, "comms")))
    for h in m.unaccepted_handovers():
        state = f"was {h.status}" if h.status != "offered" else (
            "is still waiting" if m.resolved is None else "was never accepted")
        out.append(Improvement(
            f"the {h.role} handover from {h.giver} to {h.taker} offered at "
            f"{hm(h.offered, m.opened)} {state}: confirm the incoming person can take it before offering, and add "
            f"the {h.role} contingency to the contact list", "contacts", _owner(m, h.role)))
    for ms in m.milestones:
        if ms.status(m.end) == "missed":
            how = (f"done {dur(ms.done - ms.due)} late" if ms.done is not None
                   else f"not done {dur(m.end - ms.due)} after it was due")
            out.append(Improvement(
                f"milestone '{ms.name}' (owner {ms.owner}) was {how}: move a milestone with "
                "a reason as soon as it is at risk, and review its default due time in the "
                "playbook", "playbook", ms.owner))
    for a, status, wait in m.approval_outcomes():
        if status in ("expired", "pending") or wait > SLOW_APPROVAL:
            need = "the decider among the approvers" if a.decider_required else "approval"
            out.append(Improvement(
                f"approval #{a.id} '{a.change}' ({a.risk} risk, needed {need}) {status} "
                f"after waiting {dur(wait)}: name who decides when the decider is "
                "unreachable (a decider contingency in the playbook's approval rules)",
                "playbook", _owner(m, "decider")))
    for b, wait in m.blocker_waits():
        if wait > SLOW_BLOCKER:
            out.append(Improvement(
                f"blocker '{b.what}' waited {dur(wait)} on {b.waiting_on}: add their "
                "escalation contact to the contact list", "contacts", b.owner))
    return out
