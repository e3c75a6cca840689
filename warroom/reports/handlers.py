"""What the journal fold makes of each event kind: one handler per kind, ``HANDLERS``.

A handler takes the incident's accumulator (:class:`IncidentMetrics`), the time the event
happened (POSIX seconds), who acted and the decoded payload, and updates the records of
:mod:`warroom.reports.figures`. :func:`opened` starts an accumulator from ``incident.opened``.
Status updates are counted by the cadence rule of :mod:`warroom.reports.cadence`.
"""

from __future__ import annotations

from datetime import datetime

from warroom.journal import Kind
from warroom.records import TRIO, HandoverStatus
from warroom.reports.changes import changed
from warroom.reports.figures import (
    ApprovalRec,
    BlockerRec,
    CadenceRec,
    DisputeRec,
    FollowUp,
    HandoverRec,
    IncidentMetrics,
    MilestoneRec,
    Tenure,
)
from warroom.reports.reopen import reopened

_parse = datetime.fromisoformat


def ts(text: str | None) -> float | None:
    """ISO 8601 text (as the journal stores it) to POSIX seconds; None stays None."""
    return None if text is None else _parse(text).timestamp()


def opened(incident_id: int, t: float, who: str, p: dict) -> IncidentMetrics:
    """A new accumulator from the ``incident.opened`` payload."""
    m = IncidentMetrics(
        id=incident_id, key=p.get("key") or f"#{incident_id}", title=p.get("title") or "",
        customer=p.get("customer") or "", service=p.get("service"),
        severity=p.get("severity") or "", playbook=p.get("playbook"),
        drill=bool(p.get("drill")), opened=t, opened_by=who,
        roles=list(p.get("roles") or TRIO),
        speed=float(p.get("speed") or 1),
    )
    assigned = p.get("assigned") or {}
    for role in m.roles:
        holder = assigned.get(role)
        m.tenures[role] = [Tenure(role, holder, t, how="assigned" if holder else "opened")]
    m.contingency = dict(p.get("contingency") or {})
    m.teams = dict(p.get("teams") or {})
    m.titles = dict(p.get("titles") or {})
    for audience, minutes in (p.get("cadence") or {}).items():
        if minutes:
            m.cadence[audience] = CadenceRec(minutes=minutes, next_due=t + minutes * 60)
    for item in p.get("milestones") or []:
        m.milestones.append(MilestoneRec(item.get("name", ""), item.get("owner", ""),
                                         ts(item.get("due_at")), id=item.get("milestone_id")))
    _check_owned(m, t)
    return m


def _check_owned(m: IncidentMetrics, t: float) -> None:
    """Record the first moment every trio role (that the incident has) is held."""
    if m.owned_at is None and all(
        m.tenures[r][-1].holder for r in TRIO if r in m.tenures
    ):
        m.owned_at = t


def _move(m: IncidentMetrics, role: str, holder: str | None, t: float, how: str,
          after: str | None = None) -> None:
    """The role changes hands (or falls vacant); pending handovers of it lapse."""
    tenures = m.tenures.setdefault(role, [Tenure(role, None, m.opened, how="opened")])
    tenures[-1].end = t
    tenures.append(Tenure(role, holder, t, how=how, after=after))
    for h in m.handovers.values():
        if h.role == role and h.status == HandoverStatus.OFFERED:
            h.status, h.closed = HandoverStatus.LAPSED, t
    _check_owned(m, t)


def _claimed(m, t, who, p):
    _move(m, p.get("role", ""), p.get("holder") or who, t, "claimed")


def _released(m, t, who, p):
    _move(m, p.get("role", ""), None, t, "released", after=p.get("holder") or who)


def _disputed(m, t, who, p):
    key = p.get("dispute_id") or f"{p.get('role')}@{t}"
    m.disputes[key] = DisputeRec(p.get("role", ""), p.get("claimant") or who,
                                 p.get("holder") or "", t, reason=p.get("reason"))


def _dispute(m: IncidentMetrics, p: dict, role: str) -> DisputeRec | None:
    """The dispute a payload names by id, else the open one on ``role`` (older journals)."""
    return m.disputes.get(p.get("dispute_id")) or next(
        (d for d in m.disputes.values() if d.role == role and d.settled is None), None)


def _settled(m, t, who, p):
    role = p.get("role", "")
    d = _dispute(m, p, role)
    if d is not None:
        d.settled, d.winner, d.settled_by = t, p.get("winner"), who
        d.kept = (p.get("reason") or "") if p.get("kept_by_holder") else None
    if p.get("winner") and p.get("winner") == p.get("claimant"):
        _move(m, role, p["winner"], t, "settled")


def _offered(m, t, who, p):
    key = p.get("handover_id") or f"{p.get('role')}@{t}"
    m.handovers[key] = HandoverRec(p.get("role", ""), p.get("from") or who, p.get("to", ""), t)


def _handover(m: IncidentMetrics, p: dict) -> HandoverRec | None:
    h = m.handovers.get(p.get("handover_id"))
    if h is None:
        h = next((h for h in m.handovers.values()
                  if h.role == p.get("role") and h.status == HandoverStatus.OFFERED), None)
    return h


def _accepted(m, t, who, p):
    """The role moves; a dispute on it is settled for a taker who claimed it, else it
    follows the taker (as ``dispute`` says; older journals get the same rule)."""
    h = _handover(m, p)
    if h is not None:
        h.status, h.closed = HandoverStatus.ACCEPTED, t
    role, taker = p.get("role", ""), p.get("to") or who
    _move(m, role, taker, t, "handover", after=p.get("from"))
    d = _dispute(m, p, role)
    if d is None or d.settled is not None:
        return
    if (p.get("dispute") or ("settled" if d.claimant == taker else "carried")) == "settled":
        d.settled, d.winner, d.settled_by = t, taker, p.get("from") or d.holder
    else:
        d.holder = taker


def _declined(m, t, who, p):
    h = _handover(m, p)
    if h is not None:
        h.status, h.closed = p.get("status") or HandoverStatus.DECLINED, t


def _update(m, t, who, p):
    """A status update, counted against the due time the fold holds in force (its own, so
    that a due time the fold rolled forward or switched at a severity change is not counted
    twice); the payload's ``was_due`` only where the fold knows of no cadence."""
    audience = p.get("audience", "")
    c = m.cadence.get(audience)
    if c is None:
        c = m.cadence[audience] = CadenceRec(minutes=0, next_due=None)
    c.posts += 1
    if c.first is None:
        c.first = t
    if p.get("late"):
        c.late_posts += 1
    if m.resolved is None:
        known = c.minutes or c.next_due is not None
        c.posted(t, c.next_due if known or "was_due" not in p else ts(p["was_due"]))
    if "next_due" in p:
        c.next_due = ts(p["next_due"])
    elif c.minutes:
        c.next_due = t + c.minutes * 60
    if c.floor is None:
        c.floor = c.next_due


def _resolved(m, t, who, p):
    m.resolved, m.stage, m.resolution = t, "resolved", p.get("note")
    for c in m.cadence.values():
        c.lapse(t)


def _reopened(m, t, who, p):
    """Running again: the stretch since the resolution is left out of every duration."""
    if m.resolved is not None:
        m.pauses.append((m.resolved, t))
    reopened(m, t, who, p)


def _stage(m, t, who, p):
    m.stage = p.get("to") or m.stage


def _closed(m, t, who, p):
    m.closed, m.stage, m.csat, m.csat_comment = t, "closed", p.get("csat"), p.get("comment")


def _milestone(m: IncidentMetrics, p: dict) -> MilestoneRec:
    """The milestone a payload names: by id, else an unbound one of that name opened with
    the incident (whose id the opening event did not carry), else a new record."""
    mid = p.get("milestone_id")
    for rec in m.milestones:
        if rec.id == mid:
            return rec
    for rec in m.milestones:
        if rec.id is None and rec.name == p.get("name"):
            rec.id = mid
            return rec
    rec = MilestoneRec(p.get("name", ""), p.get("owner", ""), ts(p.get("due_at")), id=mid)
    m.milestones.append(rec)
    return rec


def _ms_added(m, t, who, p):
    m.milestones.append(MilestoneRec(p.get("name", ""), p.get("owner", ""),
                                     ts(p.get("due_at")), id=p.get("milestone_id"), added=t))


def _ms_moved(m, t, who, p):
    rec = _milestone(m, p)
    rec.due, rec.moves = ts(p.get("due_at")), rec.moves + 1
    rec.owner = p.get("owner") or rec.owner


def _ms_reassigned(m, t, who, p):
    _milestone(m, p).owner = p.get("owner") or ""


def _ms_done(m, t, who, p):
    rec = _milestone(m, p)
    rec.done, rec.done_by = t, who
    if rec.due is None:
        rec.due = ts(p.get("due_at"))


def _requested(m, t, who, p):
    aid = p.get("approval_id")
    m.approvals[aid] = ApprovalRec(  # shown by its number in the incident (older: its id)
        p.get("number") or aid, p.get("change", ""), p.get("risk", ""), p.get("needed") or 1,
        bool(p.get("decider_required")), who, t, ts(p.get("expires_at")))
    m.approvals[aid].terms(p)


def _approved(m, t, who, p):
    a = m.approvals.get(p.get("approval_id"))
    if a is not None:
        a.vote(t, who, p, approve=True)


def _rejected(m, t, who, p):
    a = m.approvals.get(p.get("approval_id"))
    if a is not None:
        a.vote(t, who, p, approve=False)


def _withdrawn(m, t, who, p):
    a = m.approvals.get(p.get("approval_id"))
    if a is not None:
        a.withdraw(t, who, p)


def _blocked(m, t, who, p):
    m.blockers[p.get("blocker_id")] = BlockerRec(p.get("what", ""), p.get("waiting_on", ""),
                                                 p.get("owner", ""), t)


def _unblocked(m, t, who, p):
    b = m.blockers.get(p.get("blocker_id"))
    if b is not None:
        b.cleared = t


def _blocker_reassigned(m, t, who, p):
    b = m.blockers.get(p.get("blocker_id"))
    if b is not None:
        b.owner = p.get("owner") or b.owner


def _follow_up(m, t, who, p):
    m.follow_ups.append(FollowUp(p.get("text", ""), p.get("owner", ""), t, who))


HANDLERS = {str(kind): handler for kind, handler in {
    Kind.ROLE_CLAIMED: _claimed, Kind.ROLE_RELEASED: _released,
    Kind.ROLE_DISPUTED: _disputed, Kind.DISPUTE_SETTLED: _settled,
    Kind.HANDOVER_OFFERED: _offered, Kind.HANDOVER_ACCEPTED: _accepted,
    Kind.HANDOVER_DECLINED: _declined, Kind.UPDATE_POSTED: _update,
    Kind.INCIDENT_RESOLVED: _resolved, Kind.STAGE_ADVANCED: _stage,
    Kind.INCIDENT_CLOSED: _closed, Kind.MILESTONE_ADDED: _ms_added,
    Kind.MILESTONE_MOVED: _ms_moved, Kind.MILESTONE_COMPLETED: _ms_done,
    Kind.APPROVAL_REQUESTED: _requested, Kind.APPROVAL_APPROVED: _approved,
    Kind.APPROVAL_REJECTED: _rejected, Kind.APPROVAL_WITHDRAWN: _withdrawn,
    Kind.BLOCKER_RAISED: _blocked, Kind.BLOCKER_CLEARED: _unblocked,
    Kind.MILESTONE_REASSIGNED: _ms_reassigned, Kind.BLOCKER_REASSIGNED: _blocker_reassigned,
    Kind.REVIEW_ACTION: _follow_up, Kind.INCIDENT_CHANGED: changed,
    Kind.INCIDENT_REOPENED: _reopened,
}.items()}
"""What the fold makes of each kind (``incident.opened`` starts an accumulator; the kinds
:data:`warroom.journal.VOCABULARY` marks as not folded are skipped)."""
