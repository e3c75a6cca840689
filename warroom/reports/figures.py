"""The records :mod:`warroom.reports.metrics` folds the journal into, and the figures derived from
them. Times are POSIX seconds; durations are seconds; ``None`` means "not (yet) happened".

Durations end where the incident ends: a wait, a vacancy or anything else still open runs
until the resolution, never until the moment the figures are read (which may be years
later); what was open then is listed by :meth:`IncidentMetrics.open_at_resolution` with its
time open until then. A reopened incident counts again from the reopening: the stretch it
spent resolved is left out (:meth:`IncidentMetrics.running`). Who held a role runs until
the close (:meth:`IncidentMetrics.tenure_end`). Only an incident still running is measured
to ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warroom.records import TRIO, ApprovalStatus, HandoverStatus, MilestoneStatus
from warroom.reports.cadence import CadenceRec, missed_dues

__all__ = [  # CadenceRec and missed_dues live in reports/cadence.py, with the rule
    "ApprovalRec", "BlockerRec", "CadenceRec", "DisputeRec", "FollowUp", "HandoverRec",
    "IncidentMetrics", "MilestoneRec", "Tenure", "Unfinished", "VoteRec", "missed_dues",
]


@dataclass
class Tenure:
    """One stretch of a role: held by ``holder``, or vacant (``holder`` None)."""

    role: str
    holder: str | None
    start: float
    end: float | None = None  # None: still so
    how: str = ""  # opened, assigned, claimed, settled, handover, released
    after: str | None = None  # who left the role (release) or handed it over


@dataclass
class DisputeRec:
    role: str
    claimant: str
    holder: str
    opened: float
    reason: str | None = None
    settled: float | None = None
    winner: str | None = None
    settled_by: str | None = None
    kept: str | None = None  # the holder's reason, when they kept it with no decider to settle


@dataclass
class HandoverRec:
    role: str
    giver: str
    taker: str
    offered: float
    closed: float | None = None
    status: HandoverStatus = HandoverStatus.OFFERED


@dataclass
class MilestoneRec:
    name: str
    owner: str
    due: float | None
    id: int | None = None
    added: float | None = None  # None: opened with the incident
    done: float | None = None
    done_by: str | None = None
    moves: int = 0

    def status(self, end: float) -> MilestoneStatus:
        """``met``, ``missed`` (done late, or overdue and not done by ``end``) or ``open``."""
        if self.done is not None:
            met = self.due is None or self.done <= self.due
            return MilestoneStatus.MET if met else MilestoneStatus.MISSED
        overdue = self.due is not None and self.due < end
        return MilestoneStatus.MISSED if overdue else MilestoneStatus.OPEN


@dataclass
class VoteRec:
    """One vote on an approval request: when, who, the roles it was cast through."""

    at: float
    who: str
    roles: list[str]
    approve: bool
    reason: str | None = None


@dataclass
class ApprovalRec:
    id: int | None
    change: str
    risk: str
    needed: int
    decider_required: bool
    requester: str
    requested: float
    expires: float | None
    decided: float | None = None
    status: ApprovalStatus = ApprovalStatus.PENDING  # expired is derived: see outcome
    approvals: int = 0
    voters: list[str] = field(default_factory=list)
    votes: list[VoteRec] = field(default_factory=list)
    # who may approve, as the request recorded it: its roles, people it named (who vote
    # through a role its rule allows, ``allowed``); None: a journal too old to say
    eligible_roles: list[str] | None = None
    eligible_people: list[str] = field(default_factory=list)
    allowed: list[str] | None = None
    withdrawn_by: str | None = None
    reason: str | None = None  # the rejection's or the withdrawal's

    def terms(self, p: dict) -> None:
        """Who may approve, from the ``approval.requested`` payload."""
        if p.get("eligible_roles") is not None:
            self.eligible_roles = list(p["eligible_roles"])
        self.eligible_people = list(p.get("eligible_people") or [])
        self.allowed = (p.get("rule_terms") or {}).get("eligible_roles")

    def vote(self, t: float, who: str, p: dict, approve: bool) -> None:
        """An approval (granted once the payload says so) or a rejection, which ends it."""
        self.voters = self.voters + [who]
        self.votes.append(VoteRec(t, who, list(p.get("roles") or []), approve, p.get("reason")))
        if approve:
            self.approvals = p.get("count") or self.approvals + 1
        if not approve or p.get("granted"):
            self.decided = t
            self.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        if not approve:
            self.reason = p.get("reason")

    def withdraw(self, t: float, who: str, p: dict) -> None:
        self.status, self.decided = ApprovalStatus.WITHDRAWN, t
        self.withdrawn_by, self.reason = who, p.get("reason")

    def ended(self, end: float) -> tuple[ApprovalStatus, float]:
        """Its status at ``end`` (``expired`` once past expiry undecided; ``pending`` if
        decided only after ``end``) and when it stopped waiting (``end`` if pending)."""
        if self.decided is not None and self.decided <= end:
            return self.status, self.decided
        if self.expires is not None and self.expires <= end:
            return ApprovalStatus.EXPIRED, self.expires
        return ApprovalStatus.PENDING, end

    def outcome(self, end: float) -> tuple[ApprovalStatus, float]:
        """Its status at ``end`` and how long it waited (see :meth:`ended`)."""
        status, stop = self.ended(end)
        return status, stop - self.requested


@dataclass
class BlockerRec:
    what: str
    waiting_on: str
    owner: str
    raised: float
    cleared: float | None = None


@dataclass(frozen=True)
class Unfinished:
    """One thing still open when the incident was resolved, and for how long it had been
    open by then (the running time: a stretch spent resolved before a reopening is left
    out). ``sort`` is blocker, milestone, approval, handover or dispute; ``record`` its
    record; ``since`` when it opened."""

    sort: str
    record: object
    since: float
    open_for: float


@dataclass
class FollowUp:
    text: str
    owner: str
    at: float
    by: str


@dataclass
class IncidentMetrics:
    """Everything the journal says about one incident, and the figures derived from it."""

    id: int
    key: str
    title: str
    customer: str
    service: str | None
    severity: str
    playbook: str | None
    drill: bool
    opened: float
    opened_by: str
    roles: list[str]
    speed: float = 1.0  # a drill's speed: its deadlines ran this many times faster
    stage: str = "triage"
    resolved: float | None = None
    resolution: str | None = None
    closed: float | None = None
    csat: int | None = None
    csat_comment: str | None = None
    owned_at: float | None = None
    now: float = 0.0
    # (resolved, reopened): each stretch spent resolved before a reopening
    pauses: list[tuple[float, float]] = field(default_factory=list)
    tenures: dict[str, list[Tenure]] = field(default_factory=dict)
    disputes: dict = field(default_factory=dict)
    handovers: dict = field(default_factory=dict)
    cadence: dict[str, CadenceRec] = field(default_factory=dict)
    milestones: list[MilestoneRec] = field(default_factory=list)
    approvals: dict = field(default_factory=dict)
    blockers: dict = field(default_factory=dict)
    follow_ups: list[FollowUp] = field(default_factory=list)
    # from the policy the incident opened under: role -> contingency contact, suggested team
    contingency: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # role -> the playbook's name for it

    def finish(self, now: float) -> None:
        """Close the books at ``now``: updates overdue on a still-open incident are missed."""
        self.now = now
        if self.resolved is None:
            for c in self.cadence.values():
                c.lapse(now)

    # -- spans ------------------------------------------------------------------------

    @property
    def end(self) -> float:
        """The end of the measured span: resolution, or now for an unresolved incident."""
        return self.resolved if self.resolved is not None else self.now

    @property
    def books_closed(self) -> float:
        """When roles stop counting: the close, else the resolution, else now."""
        return self.closed if self.closed is not None else self.end

    def running(self, start: float, stop: float | None = None) -> float:
        """Seconds from ``start`` to ``stop`` (at most the end of the measured span) while
        the incident ran: the stretches it spent resolved before a reopening are left out."""
        stop = self.end if stop is None else min(stop, self.end)
        total = stop - start
        for resolved, reopened in self.pauses:
            total -= max(min(reopened, stop) - max(resolved, start), 0.0)
        return max(total, 0.0)

    @property
    def final(self) -> bool:
        """Whether its time is up: resolved, or a drill (scored when the drill is over).
        Until then a target not yet passed is not yet missed."""
        return self.drill or self.resolved is not None

    @property
    def time_to_ownership(self) -> float | None:
        """Opened until the lead, comms and decider roles were all held at once."""
        return None if self.owned_at is None else self.owned_at - self.opened

    @property
    def time_to_resolution(self) -> float | None:
        return None if self.resolved is None else self.resolved - self.opened

    def first_update(self, audience: str) -> float | None:
        """Opened until the first update for ``audience`` (customer or internal)."""
        c = self.cadence.get(audience)
        return None if c is None or c.first is None else c.first - self.opened

    # -- roles ------------------------------------------------------------------------

    def vacancies(self) -> list[tuple[Tenure, float]]:
        """Every vacant stretch of every role within the measured span, with its length."""
        out = []
        for role in self.roles:
            for t in self.tenures.get(role, []):
                if t.holder is None:
                    length = self.running(t.start, t.end)
                    if length > 0:
                        out.append((t, length))
        return out

    def tenure_end(self, t: Tenure) -> float:
        """When a stretch of a role ended: its own end, else the close (the resolution for
        an incident resolved but not closed, now for one still running)."""
        return t.end if t.end is not None else max(self.books_closed, t.start)

    def vacant(self, role: str) -> float:
        """Seconds ``role`` was vacant between opening and resolution (or now)."""
        return sum(length for t, length in self.vacancies() if t.role == role)

    @property
    def trio_vacancy(self) -> float:
        """Seconds the lead, comms and decider roles were vacant, added up (a playbook's
        optional roles, such as a scribe nobody takes, are left out)."""
        return sum(length for t, length in self.vacancies() if t.role in TRIO)

    def dispute_times(self) -> list[float]:
        """Opened until settled, for each settled dispute."""
        return [d.settled - d.opened for d in self.disputes.values() if d.settled is not None]

    def open_disputes(self) -> list[DisputeRec]:
        return [d for d in self.disputes.values() if d.settled is None]

    def unaccepted_handovers(self) -> list[HandoverRec]:
        """Handovers never accepted: declined, withdrawn, lapsed or still waiting."""
        return [h for h in self.handovers.values() if h.status != HandoverStatus.ACCEPTED]

    def holder_at(self, role: str, at: float) -> str | None:
        """Who held ``role`` at a moment (None: vacant)."""
        holder = None
        for t in self.tenures.get(role, []):
            if t.start <= at:
                holder = t.holder
        return holder

    def roles_held(self, who: str, at: float) -> list[str]:
        """The roles ``who`` held at a moment. A stretch counts at both its ends: an act in
        the very second someone took or left a role was still (or already) theirs."""
        return [role for role, stretches in self.tenures.items()
                if any(t.holder == who and t.start <= at and (t.end is None or at <= t.end)
                       for t in stretches)]

    def holders_during(self, role: str, start: float, end: float) -> list[str]:
        """Everyone who held ``role`` at some moment from ``start`` to ``end``, in order."""
        out: list[str] = []
        for t in self.tenures.get(role, []):
            if (t.holder and t.holder not in out and t.start <= end
                    and (t.end is None or t.end > start)):
                out.append(t.holder)
        return out

    # -- updates, milestones, approvals -------------------------------------------------

    @property
    def updates_due(self) -> int:
        return sum(c.due for c in self.cadence.values())

    @property
    def updates_on_time(self) -> int:
        return sum(c.on_time for c in self.cadence.values())

    @property
    def cadence_adherence(self) -> float | None:
        """Updates on time over updates due, both audiences; None when none fell due."""
        due = self.updates_due
        return self.updates_on_time / due if due else None

    def adherence(self, audience: str) -> float | None:
        """Due times met over due times counted for ``audience`` (customer or internal), by
        the rule of :mod:`warroom.reports.cadence`; None when none was counted."""
        c = self.cadence.get(audience)
        return None if c is None else c.adherence

    def milestone_counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in MilestoneStatus}
        for ms in self.milestones:
            counts[ms.status(self.end)] += 1
        return counts

    def approval_outcomes(self) -> list[tuple[ApprovalRec, str, float]]:
        """Each approval request with its status at the end of the measured span and its
        wait: to its decision or expiry, else (pending) to the resolution, or now while the
        incident runs."""
        out = []
        for a in self.approvals.values():
            status, stop = a.ended(self.end)
            out.append((a, status, self.running(a.requested, stop)))
        return out

    def blocker_waits(self) -> list[tuple[BlockerRec, float]]:
        """Each blocker with its wait: to its clearing, else to the resolution (or now)."""
        return [(b, self.running(b.raised, b.cleared)) for b in self.blockers.values()]

    def open_at_resolution(self) -> list[Unfinished]:
        """What was still open when the incident was (finally) resolved, in this order:
        blockers not cleared, milestones not done, approval requests pending (neither
        decided nor expired), handovers offered and disputes unsettled by then; each with
        its time open until the resolution. Empty while the incident runs."""
        end = self.resolved
        if end is None:
            return []

        def still(closed: float | None) -> bool:
            return closed is None or closed > end

        items = [("blocker", b, b.raised) for b in self.blockers.values() if still(b.cleared)]
        items += [("milestone", ms, self.opened if ms.added is None else ms.added)
                  for ms in self.milestones if still(ms.done)]
        items += [("approval", a, a.requested) for a in self.approvals.values()
                  if a.ended(end)[0] == ApprovalStatus.PENDING]
        items += [("handover", h, h.offered) for h in self.handovers.values()
                  if still(h.closed)]
        items += [("dispute", d, d.opened) for d in self.disputes.values() if still(d.settled)]
        return [Unfinished(sort, rec, since, self.running(since, end))
                for sort, rec, since in items if since <= end]
