"""The drill debrief: how the team did on a drill incident, and what to change.

Built on the same journal fold as the real metrics (:mod:`warroom.reports.metrics`), with the drill
incident included: time to ownership, the time to settle each dispute, vacancies and their
length, late or missing updates, missed milestones, approvals that waited and handovers
never accepted; then the scorecard of :func:`warroom.reports.findings.checks` and the concrete
improvements of :func:`warroom.reports.findings.improvements`, what the review would flag on
its escalation path (a dispute the holder kept, the decider's overrides, acts that take a role
made by someone holding none), and the scenario's debrief questions for the room.
``warroom drill score`` prints it. People are named as the review names them: the owner of a
milestone is whoever held its role when it fell due, or vacant.

A drill is scored when it is over, so its time is up: a target it did not reach (the roles
never all held, no first customer update) is missed, exactly as the post-incident review of
the same incident says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from warroom.db.store import from_db
from warroom.drills.scenarios import DRILL_ENDED, FACILITATOR
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.records import Event
from warroom.reports import accountability, findings
from warroom.reports.figures import IncidentMetrics
from warroom.reports.findings import dur, hm
from warroom.reports.review import for_review


@dataclass
class Debrief:
    """The scores of one drill incident (durations in seconds) and what to change."""

    key: str
    title: str
    elapsed: float
    time_to_ownership: float | None
    ownership_target: float | None
    ownership: str  # met, missed, pending (as the scorecard judges it)
    # role, claimant, holder, time to settle (None: open), settled by
    disputes: list[tuple[str, str, str, float | None, str | None]]
    vacancies: list[tuple[str, float, str | None]]  # role, length, who left (None: from opening)
    updates: dict[str, tuple[int, int, int, int]]  # audience: due, on time, posted, posted late
    missed_milestones: list[tuple[str, str, str]]  # name, owner, how
    approvals: list[tuple[int | None, str, str, float]]  # id, change, status, waited
    handovers_never_accepted: list[tuple[str, str, str, str]]  # role, from, to, status
    checks: list[findings.Check] = field(default_factory=list)
    improvements: list[findings.Improvement] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # the scenario's, for the room
    speed: float = 1.0  # the drill's speed: every duration above is real time
    # kept disputes, overrides and acts by someone holding no role (None: journal not read)
    flagged: list[str] | None = None

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)


def from_metrics(m: IncidentMetrics, questions: list[str] | None = None,
                 events: list[Event] | None = None) -> Debrief:
    """The debrief of an incident's metrics (drill or not); with its journal ``events``,
    also what the review flags on the escalation path."""
    return Debrief(
        key=m.key, title=m.title, elapsed=m.end - m.opened,
        time_to_ownership=m.time_to_ownership,
        ownership_target=findings.ownership_target(m),
        ownership=findings.ownership_state(m),
        disputes=[(d.role, d.claimant, d.holder,
                   None if d.settled is None else d.settled - d.opened, d.settled_by)
                  for d in m.disputes.values()],
        vacancies=[(t.role, length, t.after) for t, length in m.vacancies()],
        updates={a: (c.due, c.on_time, c.posts, c.late_posts)
                 for a, c in sorted(m.cadence.items())},
        missed_milestones=[
            (ms.name, findings.owner_text(m, ms.owner, ms.due),
             f"done {dur(ms.done - ms.due)} late" if ms.done is not None
             else f"not done, due {hm(ms.due, m.opened)}")
            for ms in m.milestones if ms.status(m.end) == "missed"],
        approvals=[(a.id, a.change, status, wait) for a, status, wait in m.approval_outcomes()],
        handovers_never_accepted=[(h.role, h.giver, h.taker, h.status)
                                  for h in m.unaccepted_handovers()],
        checks=findings.checks(m),
        improvements=findings.improvements(m),
        questions=list(questions or []),
        speed=m.speed,
        flagged=None if events is None else (
            findings.kept_disputes(m) + accountability.overrides(events)
            + accountability.roleless_acts(m, [e for e in events if not _drill_end(e)])),
    )


def _drill_end(e: Event) -> bool:
    """The resolution the player makes at a scenario's end (the facilitator holds no role)."""
    return (e.kind == Kind.INCIDENT_RESOLVED and e.who == FACILITATOR
            and e.payload.get("note") == DRILL_ENDED)


def _drill_incident(store, ref: str | None) -> str:
    """The incident to score: ``ref``, which must be a drill, or the latest drill."""
    if ref is None:
        drills = [r for r in store.incidents() if r["drill"]]
        if not drills:
            raise UserError(f"no drill incident in {store.where}: run 'warroom drill SCENARIO'")
        return drills[-1]["key"]
    row = store.find_incident(ref)
    if not row["drill"]:
        raise UserError(f"{row['key']} is not a drill; 'warroom review {row['key']}' "
                        "reviews a real incident")
    return row["key"]


def score(store, ref: str | None, now: datetime,
          questions: list[str] | None = None) -> Debrief:
    """Score the drill incident ``ref`` (default: the latest drill) as of ``now``, with the
    scenario's debrief ``questions``. A drill ends resolved (the player resolves it after
    its last inject): it is measured up to its resolution, so scoring it again later gives
    the same debrief."""
    with store.read():
        key = _drill_incident(store, ref)
        resolved = from_db(store.find_incident(key)["resolved_at"])
    m, events = for_review(store, key, now if resolved is None else min(now, resolved))
    return from_metrics(m, questions, events)


def _ownership(r: Debrief) -> str:
    target = f"target {dur(r.ownership_target)}" if r.ownership_target else "no target"
    if r.time_to_ownership is not None:
        judged = {"met": "met", "missed": "MISSED"}[r.ownership]
        return f"{dur(r.time_to_ownership)} ({target}): {judged}"
    if r.ownership == "pending":
        return f"not yet: the three roles are not all held, {dur(r.elapsed)} in ({target})"
    return f"never: the three roles were never all held ({target}): MISSED"


def render(result: Debrief) -> str:
    """The debrief as plain text for the facilitator's console."""
    r = result
    out = [f"Debrief of {r.key} [DRILL] {r.title} ({dur(r.elapsed)} of incident time)"]
    if r.speed != 1:
        out.append(f"Played at speed {r.speed:g}: the times below are real, {r.speed:g} times "
                   f"shorter than the scenario's ({dur(r.elapsed)} here is "
                   f"{dur(r.elapsed * r.speed)} of scenario time).")
    out.append("")
    out.append("Time to ownership: " + _ownership(r))
    out.append("Disputes:" + ("" if r.disputes else " none"))
    for role, claimant, holder, settle, by in r.disputes:
        out.append(f"  {role}: {claimant} against {holder}, " + (
            f"settled by {by} in {dur(settle)}" if settle is not None else "NOT settled"))
    out.append("Vacancies:" + ("" if r.vacancies else " none"))
    for role, length, after in r.vacancies:
        why = f"after {after} left" if after else "from opening"
        out.append(f"  {role}: {dur(length)} {why}")
    out.append("Updates:")
    for audience, (due, on_time, posts, late) in r.updates.items():
        out.append(f"  {audience}: {on_time} of {due} due times met, {due - on_time} "
                   f"missed; {posts} posted ({late} late)")
    out.append("Missed milestones:" + ("" if r.missed_milestones else " none"))
    out += [f"  {name} (owner {owner}): {how}" for name, owner, how in r.missed_milestones]
    out.append("Approvals:" + ("" if r.approvals else " none requested"))
    out += [f"  #{aid} {change}: {status} after {dur(wait)}"
            for aid, change, status, wait in r.approvals]
    out.append("Handovers never accepted:" + ("" if r.handovers_never_accepted else " none"))
    out += [f"  {role} from {giver} to {taker}: {status}"
            for role, giver, taker, status in r.handovers_never_accepted]
    if r.flagged is not None:
        out.append("Flagged on the escalation path:" + ("" if r.flagged else " nothing"))
        out += [f"  {flag}" for flag in r.flagged]
    out += ["", f"Scorecard: {r.passed} of {len(r.checks)} checks met"]
    out += [f"  [{_MARK[c.state]}] {c.name}: {c.evidence}" for c in r.checks]
    out += ["", "Improvements:" if r.improvements else "Improvements: none; no gaps found."]
    out += [f"  {n}. {imp.text} (owner: {imp.owner}; {imp.area})"
            for n, imp in enumerate(r.improvements, 1)]
    if r.questions:
        out += ["", "Questions for the room:"]
        out += [f"  - {q}" for q in r.questions]
    return "\n".join(out)


_MARK = {"met": "x", "missed": " ", "pending": "~"}
