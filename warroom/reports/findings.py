"""What went right and wrong in one incident, judged from its metrics, and what to change.

:func:`checks` holds the incident to its own targets (the cadence and milestone due times it
was opened with, approval expiry, and ownership settled before the first customer update
fell due). :func:`improvements` turns each gap into a concrete change (contact lists,
cadence, templates, playbook), worded against the policy the incident ran under (a
contingency the playbook already names is called, not asked for), each owned by a person.
Both the post-incident review and the drill debrief use them, so they always agree.
Everything returned is plain text.

A "within" target (time to ownership, the first update) is judged by :func:`within`: met or
missed once reached, and still pending while the incident is open and the limit has not
passed. Once the incident's time is up (resolved, or a drill being scored) a target not
reached is missed.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.clock import dur, hm
from warroom.reports import accountability
from warroom.reports.figures import IncidentMetrics

# Seconds of incident time (a drill at speed N divides them by N, like its deadlines):
SLOW_START = 5 * 60  # a role vacant longer than this after opening is a finding
SLOW_DISPUTE = 10 * 60  # a dispute open longer than this is a finding
SLOW_APPROVAL = 15 * 60  # an approval waiting longer than this is a finding
SLOW_BLOCKER = 30 * 60
MET, MISSED, PENDING = "met", "missed", "pending"


@dataclass(frozen=True)
class Check:
    """One thing the team is held to, whether it was met (or is not yet due), and the
    evidence."""

    name: str
    state: str  # met, missed, pending
    evidence: str

    @property
    def passed(self) -> bool:
        return self.state == MET


@dataclass(frozen=True)
class Improvement:
    """A concrete change, what kind of change it is, and who should own it (a person)."""

    text: str
    area: str  # contacts, cadence, templates, playbook
    owner: str


def within(actual: float | None, limit: float | None, elapsed: float,
           final: bool) -> str | None:
    """Judge "reached within ``limit`` seconds": met or missed once reached; pending while
    not reached, not ``final`` and the limit not passed; missed otherwise. None without a
    limit."""
    if limit is None:
        return None
    if actual is not None:
        return MET if actual <= limit else MISSED
    return PENDING if not final and elapsed <= limit else MISSED


def first_minutes(m: IncidentMetrics, audience: str,
                  opening: dict[str, float] | None = None) -> float:
    """Minutes from opening to the first ``audience`` update's due time: the cadence the
    incident opened with (``opening``, as the journal's opening event gives it), else the
    one in force at the end (a severity change since switched it)."""
    if opening and opening.get(audience):
        return float(opening[audience])
    c = m.cadence.get(audience)
    return c.minutes if c else 0


def ownership_target(m: IncidentMetrics,
                     opening: dict[str, float] | None = None) -> float | None:
    """Seconds after opening by which the trio should be held: the first customer due."""
    minutes = first_minutes(m, "customer", opening)
    return minutes * 60 if minutes else None


def ownership_state(m: IncidentMetrics, opening: dict[str, float] | None = None) -> str:
    """The ownership target judged: met, missed or pending (without a target: held or not)."""
    state = within(m.time_to_ownership, ownership_target(m, opening), m.end - m.opened,
                   m.final)
    if state is None:
        return MET if m.time_to_ownership is not None else (MISSED if m.final else PENDING)
    return state


def person(m: IncidentMetrics, role: str | None, at: float | None = None) -> str:
    """Who should own a follow-up about ``role``: its holder at ``at`` (default: the end),
    else the decider then, else the lead then; else today's decider or lead; else whoever
    opened the incident. Always a person, never a role."""
    at = m.end if at is None else at
    for r, when in ((role, at), ("decider", at), ("lead", at), ("decider", m.end),
                    ("lead", m.end)):
        holder = m.holder_at(r, when) if r else None
        if holder:
            return holder
    return m.opened_by


def owner_name(m: IncidentMetrics, owner: str, at: float | None = None) -> str:
    """Who should own a follow-up about something an owner (a person, or a role for
    playbook milestones) owned: the person, or as :func:`person` finds one for the role."""
    return person(m, owner, at) if owner in m.roles else owner


def owner_text(m: IncidentMetrics, owner: str, at: float | None = None) -> str:
    """``comms (kim)`` for a role: whoever held it at ``at`` (default: the end), or
    ``comms (vacant)`` when nobody did, never a stand-in; the name for a person."""
    if owner not in m.roles:
        return owner
    return f"{owner} ({accountability.holder(m, owner, m.end if at is None else at)})"


def checks(m: IncidentMetrics, opening: dict[str, float] | None = None) -> list[Check]:
    """The scorecard: ownership, disputes, vacancies, updates, milestones, approvals,
    handovers. ``opening``: the cadence the incident opened with (see
    :func:`first_minutes`)."""
    out = []
    target = ownership_target(m, opening)
    tto, elapsed = m.time_to_ownership, m.end - m.opened
    state = ownership_state(m, opening)
    if tto is not None:
        evidence = f"all three roles held {dur(tto)} after opening"
    elif state == PENDING:
        evidence = f"the three roles are not all held yet ({dur(elapsed)} in)"
    else:
        evidence = f"the three roles were never all held ({dur(elapsed)} in)"
    if target is not None:
        evidence += f"; target {dur(target)} (first customer update due)"
    out.append(Check("ownership", state, evidence))
    times = [f"{d.role} ({d.claimant} against {d.holder}) "
             + ("KEPT by the holder, no decider, " if d.kept is not None else "")
             + f"settled in {dur(d.settled - d.opened)}" if d.settled is not None
             else f"{d.role} ({d.claimant} against {d.holder}) unsettled after "
             f"{dur(m.now - d.opened)}" for d in m.disputes.values()]
    slow = [d for d in m.disputes.values() if d.settled is None or d.kept is not None
            or d.settled - d.opened > SLOW_DISPUTE / m.speed]
    out.append(_check("disputes", not slow, "; ".join(times) or "no dispute"))
    vacancies = m.vacancies()
    gaps = [f"{t.role} {dur(length)}" + (f" after {t.after} left" if t.after else " from opening")
            for t, length in vacancies]
    bad = [1 for t, length in vacancies if t.after or length > SLOW_START / m.speed]
    out.append(_check("vacancies", not bad, "no role vacant" if not gaps
                      else "vacant: " + ", ".join(gaps)))
    parts = [f"{a} {c.on_time} of {c.due} due times met" for a, c in sorted(m.cadence.items())
             if c.due]
    out.append(_check("updates", m.updates_on_time == m.updates_due,
                      "; ".join(parts) or "no due time passed without an update"))
    counts = m.milestone_counts()
    out.append(_check("milestones", counts["missed"] == 0,
                      f"{counts['met']} met, {counts['missed']} missed, {counts['open']} open"))
    waits = [f"#{a.id} {status} after {dur(wait)}" for a, status, wait in m.approval_outcomes()]
    late = [1 for a, status, wait in m.approval_outcomes()
            if status in ("expired", "pending") or wait > SLOW_APPROVAL / m.speed]
    out.append(_check("approvals", not late, "; ".join(waits) or "no approval requested"))
    never = m.unaccepted_handovers()
    out.append(_check("handovers", not never,
                      f"{len(m.handovers) - len(never)} of {len(m.handovers)} accepted"
                      if m.handovers else "no handover offered"))
    return out


def _check(name: str, ok: bool, evidence: str) -> Check:
    return Check(name, MET if ok else MISSED, evidence)


def kept_disputes(m: IncidentMetrics) -> list[str]:
    """Disputes the holder kept while no decider could settle them (flagged in the review)."""
    return [f"{d.holder} kept {d.role} over {d.claimant}'s dispute at "
            f"{hm(d.settled, m.opened)}, no decider to settle it: {d.kept or 'no reason'}"
            for d in m.disputes.values() if d.kept is not None and d.settled is not None]


def improvements(m: IncidentMetrics, cadence: dict[str, str] | None = None,
                 opening: dict[str, float] | None = None) -> list[Improvement]:
    """Concrete changes drawn from what happened, most structural first. ``cadence`` words
    each audience's cadence as it was in force (``every 30m (SEV1), 60m (SEV2) from ...``,
    the review's, for the audiences whose cadence changed); without it, the cadence in force
    at the end. ``opening``: the cadence the incident opened with, for the first update (see
    :func:`first_minutes`)."""
    changed = cadence or {}
    out = _role_gaps(m)
    for audience, c in sorted(m.cadence.items()):
        first = m.first_update(audience)
        minutes = first_minutes(m, audience, opening)
        limit = minutes * 60 if minutes else None
        if audience == "customer" and within(first, limit, m.end - m.opened,
                                             m.final) == MISSED:
            when = "never came" if first is None else f"came {dur(first)} after opening"
            due = m.opened + minutes * 60
            owners = (f", at {hm(due, m.opened)} with "  # its owners then, if it ran that long
                      f"{accountability.update_owners(m, audience, due)}" if due <= m.end
                      else "")
            out.append(Improvement(
                f"the first customer update {when} (due within {minutes:g}m{owners}): keep "
                "an acknowledgement template ready to send as soon as comms is named",
                "templates", person(m, "comms", due)))
        if c.due > c.on_time:
            missed = accountability.missed_dues(m, audience, c)
            out.append(Improvement(
                f"{audience} updates: {c.on_time} of {c.due} due times met "
                + (f"({changed[audience]})" if audience in changed
                   else f"at a {c.minutes:g}m cadence")
                + (f" ({missed})" if missed else "") + ": set a "
                f"reminder for the {audience} update owner, or change the {audience} "
                "cadence in the playbook if it cannot be kept", "cadence", person(m, "comms")))
    for h in m.unaccepted_handovers():
        state = f"was {h.status}" if h.status != "offered" else (
            "is still waiting" if m.resolved is None else "was never accepted")
        backup = m.contingency.get(h.role)
        fallback = (f"fall back to {backup} (the playbook's {h.role} contingency) when they "
                    "cannot" if backup else f"add the {h.role} contingency to the contact list")
        out.append(Improvement(
            f"the {h.role} handover from {h.giver} to {h.taker} offered at "
            f"{hm(h.offered, m.opened)} {state}: confirm the incoming person can take it "
            f"before offering, and {fallback}", "contacts", h.giver))
    for ms in m.milestones:
        if ms.status(m.end) == "missed":
            out.append(_missed_milestone(m, ms))
    for a, status, wait in m.approval_outcomes():
        if status in ("expired", "pending") or wait > SLOW_APPROVAL / m.speed:
            out.append(Improvement(*accountability.approval_cause(
                m, a, status, wait, SLOW_APPROVAL / m.speed)))
    for b, wait in m.blocker_waits():
        if wait > SLOW_BLOCKER / m.speed:
            out.append(Improvement(
                f"blocker '{b.what}' waited {dur(wait)} on {b.waiting_on}: add their "
                "escalation contact to the contact list", "contacts",
                owner_name(m, b.owner, b.raised)))
    return out


def _missed_milestone(m: IncidentMetrics, ms) -> Improvement:
    """A milestone missed: its owner when it fell due (a role's holder then, or vacant)."""
    how = (f"done {dur(ms.done - ms.due)} late" if ms.done is not None
           else f"not done {dur(m.end - ms.due)} after it was due")
    text = f"milestone '{ms.name}' (owner {owner_text(m, ms.owner, ms.due)}) was {how}"
    if ms.owner in m.roles and m.holder_at(ms.owner, ms.due) is None:
        backup = m.contingency.get(ms.owner)
        fill = (f"call {backup} (the playbook's {ms.owner} contingency)" if backup else
                f"name a contingency for {ms.owner} in the playbook")
        return Improvement(
            f"{text}, and nobody held {ms.owner} when it fell due: {fill} so that "
            f"{ms.owner} is held before its milestones fall due, or move the milestone with "
            "a reason", "contacts" if backup else "playbook", owner_name(m, ms.owner, ms.due))
    return Improvement(
        f"{text}: move a milestone with a reason as soon as it is at risk, and review its "
        "default due time in the playbook", "playbook", owner_name(m, ms.owner, ms.due))


def _role_gaps(m: IncidentMetrics) -> list[Improvement]:
    """Vacancies and disputes, against the contingencies and teams the playbook names."""
    out: list[Improvement] = []
    for t, length in m.vacancies():
        backup = m.contingency.get(t.role)
        filled = t.end if t.end is not None else m.end  # who took it, else who ran things
        if t.after:
            state = (f"was vacant {dur(length)}" if t.end is not None or m.resolved
                     else f"is still vacant, {dur(length)}")
            text = (f"{t.role} {state} after {t.after} left without a handover, though the "
                    f"playbook names {backup} as its contingency: call the contingency as "
                    "soon as a role falls vacant" if backup else
                    f"{t.role} {state} after {t.after} left without a handover: name a "
                    f"contingency for {t.role} in the playbook")
            out.append(Improvement(text + ", and hand over (with a note) instead of releasing",
                                   "contacts" if backup else "playbook",
                                   person(m, t.role, filled)))
        elif length > SLOW_START / m.speed:
            fix = (f"page {backup} (the playbook's {t.role} contingency) when nobody takes it "
                   f"within {dur(SLOW_START / m.speed)}" if backup else
                   f"put the on-call {t.role} on the contact list and page them when an "
                   "incident opens")
            out.append(Improvement(f"{t.role} stayed vacant for the first {dur(length)}: {fix}",
                                   "contacts", person(m, t.role, filled)))
    for d in m.disputes.values():
        team = m.teams.get(d.role)
        service = m.service or "this service"
        if d.settled is None:
            fix = (f"give {d.role} to {team} as the playbook says" if team else
                   f"write down who holds {d.role} for {service} in the playbook")
            out.append(Improvement(
                f"the {d.role} dispute between {d.holder} and {d.claimant} was never settled: "
                f"name the decider first, and {fix}", "playbook", person(m, "decider")))
        elif d.kept is not None:
            backup = m.contingency.get("decider")
            fix = (f"call {backup} (the playbook's decider contingency) as soon as a dispute "
                   "opens with no decider" if backup else "name a decider contingency in the "
                   "playbook, so that a dispute always has someone to settle it")
            out.append(Improvement(
                f"{d.holder} kept {d.role} over {d.claimant}'s dispute with no decider to "
                f"settle it: {fix}", "contacts" if backup else "playbook",
                person(m, "decider", d.settled)))
        else:
            fix = (f"the playbook gives {d.role} to {team}: say so when the incident opens"
                   if team else f"write down in the playbook which team owns {d.role} for "
                   f"{service}")
            out.append(Improvement(
                f"{d.claimant} and {d.holder} both claimed {d.role} for "
                f"{dur(d.settled - d.opened)} until {d.settled_by} settled it: {fix}",
                "playbook", person(m, "decider", d.settled)))
    return out
