"""The drill debrief: how the team did on a drill incident, and what to change.

Built on the same journal fold as the real metrics (:mod:`warroom.metrics`), with the drill
incident included: time to ownership, the time to settle each dispute, vacancies and their
length, late or missing updates, missed milestones, approvals that waited and handovers
never accepted; then the scorecard of :func:`warroom.findings.checks` and the concrete
improvements of :func:`warroom.findings.improvements`. ``warroom drill score`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from warroom import findings
from warroom.actions._common import find_incident
from warroom.errors import UserError
from warroom.findings import dur, hm
from warroom.metrics import for_incident
from warroom.metrics_records import IncidentMetrics


@dataclass
class Debrief:
    """The scores of one drill incident (durations in seconds) and what to change."""

    key: str
    title: str
    elapsed: float
    time_to_ownership: float | None
    ownership_target: float | None
    # role, claimant, holder, time to settle (None: open), settled by
    disputes: list[tuple[str, str, str, float | None, str | None]]
    vacancies: list[tuple[str, float, str | None]]  # role, length, who left (None: from opening)
    updates: dict[str, tuple[int, int, int, int]]  # audience: due, on time, posted, posted late
    missed_milestones: list[tuple[str, str, str]]  # name, owner, how
    approvals: list[tuple[int | None, str, str, float]]  # id, change, status, waited
    handovers_never_accepted: list[tuple[str, str, str, str]]  # role, from, to, status
    checks: list[findings.Check] = field(default_factory=list)
    improvements: list[findings.Improvement] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)


def from_metrics(m: IncidentMetrics) -> Debrief:
    """The debrief of an incident's metrics (drill or not)."""
    return Debrief(
        key=m.key, title=m.title, elapsed=m.end - m.opened,
        time_to_ownership=m.time_to_ownership,
        ownership_target=findings.ownership_target(m),
        disputes=[(d.role, d.claimant, d.holder,
                   None if d.settled is None else d.settled - d.opened, d.settled_by)
                  for d in m.disputes.values()],
        vacancies=[(t.role, length, t.after) for t, length in m.vacancies()],
        updates={a: (c.due, c.on_time, c.posts, c.late_posts)
                 for a, c in sorted(m.cadence.items())},
        missed_milestones=[
            (ms.name, ms.owner, f"done {dur(ms.done - ms.due)} late" if ms.done is not None
             else f"not done, due {hm(ms.due, m.opened)}")
            for ms in m.milestones if ms.status(m.end) == "missed"],
        approvals=[(a.id, a.change, status, wait) for a, status, wait in m.approval_outcomes()],
        handovers_never_accepted=[(h.role, h.giver, h.taker, h.status)
                                  for h in m.unaccepted_handovers()],
        checks=findings.checks(m),
        improvements=findings.improvements(m),
    )


def _drill_incident(store, ref: str | None) -> str:
    """The incident to score: ``ref``, which must be a drill, or the latest drill."""
    if ref is None:
        drills = [r for r in store.incidents() if r["drill"]]
        if not drills:
            raise UserError(f"no drill incident in {store.path}: run 'warroom drill SCENARIO'")
        return drills[-1]["key"]
    row = find_incident(store, ref)
    if not row["drill"]:
        raise UserError(f"{row['key']} is not a drill; 'warroom review {row['key']}' "
                        "reviews a real incident")
    return row["key"]


def score(store, ref: str | None, now: datetime) -> Debrief:
    """Score the drill incident ``ref`` (default: the latest drill) as of ``now``."""
    with store.read():
        key = _drill_incident(store, ref)
    metrics, _ = for_incident(store, key, now)
    return from_metrics(metrics)


def render(result: Debrief) -> str:
    """The debrief as plain text for the facilitator's console."""
    r = result
    out = [f"Debrief of {r.key} [DRILL] {r.title} ({dur(r.elapsed)} of incident time)", ""]
    target = f" (target {dur(r.ownership_target)})" if r.ownership_target else ""
    out.append("Time to ownership: " + (dur(r.time_to_ownership) if r.time_to_ownership
                                         is not None else "never: the three roles were "
                                         "never all held") + target)
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
        out.append(f"  {audience}: {on_time} of {due} on time, {due - on_time} missed or "
                   f"late; {posts} posted ({late} late)")
    out.append("Missed milestones:" + ("" if r.missed_milestones else " none"))
    out += [f"  {name} (owner {owner}): {how}" for name, owner, how in r.missed_milestones]
    out.append("Approvals:" + ("" if r.approvals else " none requested"))
    out += [f"  #{aid} {change}: {status} after {dur(wait)}"
            for aid, change, status, wait in r.approvals]
    out.append("Handovers never accepted:" + ("" if r.handovers_never_accepted else " none"))
    out += [f"  {role} from {giver} to {taker}: {status}"
            for role, giver, taker, status in r.handovers_never_accepted]
    out += ["", f"Scorecard: {r.passed} of {len(r.checks)} checks met"]
    out += [f"  [{'x' if c.passed else ' '}] {c.name}: {c.evidence}" for c in r.checks]
    out += ["", "Improvements:" if r.improvements else "Improvements: none; no gaps found."]
    out += [f"  {n}. {imp.text} (owner: {imp.owner}; {imp.area})"
            for n, imp in enumerate(r.improvements, 1)]
    return "\n".join(out)
