"""The post-incident review: a Markdown document built from one incident's journal.

Summary and impact, the timeline, an ownership map over time (who held each role when, gaps
and disputes marked), metrics against the incident's own targets, the three review questions
answered with journal evidence, and action items with owners (recorded follow-ups first,
then the changes :mod:`warroom.reports.findings` suggests). For a given journal and ``now`` the
document is always the same; times are shown in the local zone (named in the header).
"""

from __future__ import annotations

from datetime import datetime

from warroom.clock import dur, hm, local_stamp, to_dt
from warroom.journal import Kind, happened_order, line
from warroom.records import Event
from warroom.render.markdown import inline, table
from warroom.reports import accountability, findings
from warroom.reports.figures import IncidentMetrics
from warroom.reports.metrics import for_incident
from warroom.reports.ownership_map import ownership_map
from warroom.rules.people import unusual, usual_names

EVIDENCE_LIMIT = 12
QUESTIONS = (
    ("Were roles understood at the outset?", ("ownership", "disputes", "vacancies"),
     (Kind.ROLE_CLAIMED, Kind.ROLE_DISPUTED, Kind.DISPUTE_SETTLED)),
    ("Were expectations communicated?", ("updates", "milestones"),
     (Kind.UPDATE_POSTED, Kind.MILESTONE_COMPLETED, Kind.MILESTONE_MOVED)),
    ("Was the escalation path followed?", ("disputes", "handovers", "approvals", "vacancies"),
     (Kind.DISPUTE_SETTLED, Kind.HANDOVER_OFFERED, Kind.HANDOVER_ACCEPTED, Kind.HANDOVER_DECLINED,
      Kind.ROLE_RELEASED, Kind.APPROVAL_REQUESTED, Kind.APPROVAL_APPROVED, Kind.APPROVAL_REJECTED,
      Kind.APPROVAL_WITHDRAWN)),
)
# What a question's answer flags beyond its checks, from the metrics (plain text).
FLAGS = {"Was the escalation path followed?": findings.kept_disputes}
# Questions whose answer also flags, from the journal, the decider's overrides of who may
# act and acts that take a role made by someone holding none (by the fold's tenures).
OVERRIDES_IN = ("Was the escalation path followed?",)


def stamp(seconds: float | None) -> str:
    return "-" if seconds is None else local_stamp(to_dt(seconds))


def render(m: IncidentMetrics, events: list[Event]) -> str:
    """The whole review of one incident, as Markdown."""
    zone = to_dt(m.opened).astimezone().tzname()
    drill = " (DRILL)" if m.drill else ""
    out = [f"# Post-incident review: {m.key}{drill} {inline(m.title)}", "",
           f"Built from the journal ({len(events)} events) at {stamp(m.now)}; times in {zone}."
           + (f" A drill played at speed {m.speed:g}: its durations are real time, "
              f"{m.speed:g} times shorter than the scenario's." if m.speed != 1 else ""), ""]
    out += _facts(m)
    results = findings.checks(m)
    out += ["", "## Summary and impact", ""] + _summary(m, events, results)
    out += ["", "## Timeline", ""]
    usual = usual_names((e.os_user, e.display_name) for e in events)
    out += [f"- {inline(line(e))}" + _identity(e, usual) for e in events]
    out += ["", "## Decisions", ""] + _decisions(events)
    out += ["", "## Ownership over time", ""] + ownership_map(m)
    out += ["", "## Metrics against targets", ""] + _targets(m)
    out += ["", "## Review questions"]
    by_name = {c.name: c for c in results}
    for question, names, kinds in QUESTIONS:
        flags = FLAGS[question](m) if question in FLAGS else []
        flags = flags + (accountability.overrides(events) + accountability.roleless_acts(
            m, events) if question in OVERRIDES_IN else [])
        out += ["", f"### {question}", ""] + _answer([by_name[n] for n in names], events, kinds,
                                                      flags)
    out += ["", "## Action items", ""] + _actions(m)
    return "\n".join(out) + "\n"


def _facts(m: IncidentMetrics) -> list[str]:
    rows = [["Customer", inline(m.customer)], ["Severity", m.severity],
            ["Service", inline(m.service) if m.service else "-"],
            ["Playbook", inline(m.playbook) if m.playbook else "built-in defaults"],
            ["Opened", f"{stamp(m.opened)} by {inline(m.opened_by)}"],
            ["Resolved", f"{stamp(m.resolved)} ({dur(m.resolved - m.opened)} after opening)"
             if m.resolved is not None else f"not yet ({dur(m.now - m.opened)} open)"],
            ["Closed", stamp(m.closed) if m.closed is not None else "not yet"],
            ["CSAT", f"{m.csat} of 5" + (f": {inline(m.csat_comment)}" if m.csat_comment
                                         else "") if m.csat is not None else "-"],
            ["Stage", m.stage]]
    return table(["Incident", m.key], rows)


def _summary(m: IncidentMetrics, events: list[Event],
             results: list[findings.Check]) -> list[str]:
    """The resolution, what the customer was told first and last, and the scorecard
    (``results``, the incident's :func:`warroom.reports.findings.checks`)."""
    out = []
    if m.resolution:
        out.append(f"Resolution: {inline(m.resolution)}")
        out.append("")
    told = [e for e in events if e.kind == Kind.UPDATE_POSTED
            and e.payload.get("audience") == "customer"]
    if told:
        first, last = told[0], told[-1]
        out.append(f"Impact as first told to the customer ({hm(first.at.timestamp(), m.opened)}, "
                   f"{inline(first.who)}): {inline(first.payload.get('known', ''))}")
        if last is not first:
            out.append("")
            out.append(f"Last customer update ({hm(last.at.timestamp(), m.opened)}, "
                       f"{inline(last.who)}): {inline(last.payload.get('known', ''))} "
                       "(still unknown: "
                       f"{inline(last.payload.get('unknown', ''))})")
    else:
        out.append("The customer was never sent a status update.")
    met = [c.name for c in results if c.passed]
    missed = [c.name for c in results if c.state == findings.MISSED]
    pending = [c.name for c in results if c.state == findings.PENDING]
    notes = ([f"missed: {', '.join(missed)}"] if missed else []) + (
        [f"not yet due: {', '.join(pending)}"] if pending else [])
    out += ["", f"Checks met: {len(met)} of {len(results)}"
            + (f" ({'; '.join(notes)})." if notes else ".")]
    return out


def _targets(m: IncidentMetrics) -> list[str]:
    """Each measure against the target the incident was opened with, where it has one."""
    rows = []
    target = findings.ownership_target(m)
    rows.append(["Time to ownership (lead, comms, decider held)",
                 f"within {dur(target)}" if target else "-",
                 *_against(m, m.time_to_ownership, target, "never")])
    for audience, c in sorted(m.cadence.items()):
        limit = c.minutes * 60 if c.minutes else None
        rows.append([f"First {audience} update", f"within {c.minutes:g}m" if limit else "-",
                     *_against(m, m.first_update(audience), limit, "none")])
        rows.append([f"{audience.capitalize()} updates on time",
                     f"every {c.minutes:g}m" if c.minutes else "-",
                     f"{c.on_time} of {c.due} due times met ({c.posts} posted, "
                     f"{c.late_posts} late)", _met(c.due == c.on_time if c.due else None)])
    for ms in m.milestones:
        state = ms.status(m.end)
        done = f"done {hm(ms.done, m.opened)}" if ms.done is not None else "not done"
        moved = f", moved {ms.moves}x" if ms.moves else ""
        owner = findings.owner_text(m, ms.owner, ms.due)
        rows.append([f"Milestone: {inline(ms.name)} (owner {inline(owner)})",
                     f"due {hm(ms.due, m.opened)}" if ms.due is not None else "-", done + moved,
                     _met(None if state == "open" else state == "met")])
    for a, status, wait in m.approval_outcomes():
        expiry = f"decided by {hm(a.expires, m.opened)}" if a.expires is not None else "-"
        rows.append([f"Approval #{a.id}: {inline(a.change)} ({a.risk} risk)", expiry,
                     f"{status} after {dur(wait)}",
                     _met(status in ("approved", "rejected", "withdrawn"))])
    never = m.unaccepted_handovers()
    if m.handovers:
        rows.append(["Handovers accepted", "all", f"{len(m.handovers) - len(never)} of "
                     f"{len(m.handovers)}", _met(not never)])
    vacancy = ", ".join(f"{r} {dur(m.vacant(r))}" for r in m.roles)
    rows.append(["Role vacancy (to resolution)", "-", vacancy, "-"])
    settle = ", ".join(dur(t) for t in m.dispute_times()) or "none settled"
    rows.append(["Disputes", "-", f"{len(m.disputes)} ({settle})" if m.disputes else "0", "-"])
    ttr = m.time_to_resolution
    rows.append(["Time to resolution", "-", dur(ttr) if ttr is not None else "not resolved",
                 "-"])
    rows.append(["CSAT", "-", str(m.csat) if m.csat is not None else "-", "-"])
    return table(["Measure", "Target", "Actual", "Met"], rows)


def _against(m: IncidentMetrics, actual: float | None, limit: float | None,
             missing: str) -> tuple[str, str]:
    """Actual and met for a "within" target, judged as the scorecard judges it
    (:func:`warroom.reports.findings.within`): not yet failed while it can still be met."""
    elapsed = m.end - m.opened
    state = findings.within(actual, limit, elapsed, m.final)
    if actual is not None:
        return dur(actual), _met(None if state is None else state == findings.MET)
    if state == findings.PENDING or (state is None and not m.final):
        return f"not yet ({dur(elapsed)} in)", "-"
    return missing, _met(None if state is None else False)


def _met(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


_VERDICT = {findings.MET: ": met, ", findings.MISSED: ": NOT met, ",
            findings.PENDING: ": not yet due, "}


def _answer(results: list, events: list[Event], kinds: tuple[str, ...],
            flags: list[str] | None = None) -> list[str]:
    """Yes, partly or no, the checks behind it, what it flags, and the journal entries that
    show it."""
    judged = [c for c in results if c.state != findings.PENDING]
    passed = sum(c.passed for c in judged)
    verdict = ("Not yet known" if not judged else "Yes" if passed == len(judged)
               else "No" if passed == 0 else "Partly")
    out = [f"**{verdict}.**", ""]
    out += [f"- {inline(c.name + _VERDICT[c.state] + c.evidence)}" for c in results]
    out += [f"- FLAGGED: {inline(flag)}" for flag in flags or ()]
    cited = [e for e in events if e.kind in kinds]
    if cited:
        out += ["", "From the journal:", ""]
        out += [f"- #{e.id} {inline(line(e))}" for e in cited[:EVIDENCE_LIMIT]]
        if len(cited) > EVIDENCE_LIMIT:
            out.append(f"- and {len(cited) - EVIDENCE_LIMIT} more in the timeline")
    return out


def _actions(m: IncidentMetrics) -> list[str]:
    """Recorded follow-ups, then suggested ones; each with an owner."""
    rows = [[str(n), inline(f.text), inline(f.owner),
             f"recorded {stamp(f.at)} by {inline(f.by)}"]
            for n, f in enumerate(m.follow_ups, 1)]
    for imp in findings.improvements(m):
        rows.append([str(len(rows) + 1), inline(imp.text), inline(imp.owner),
                     f"suggested ({imp.area})"])
    if not rows:
        return ["No follow-ups recorded and no gaps found. Record one with "
                "`warroom review INC --action TEXT --owner NAME`."]
    return table(["#", "Action", "Owner", "Source"], rows, "r")


def for_review(store, ref: str, now: datetime) -> tuple[IncidentMetrics, list[Event]]:
    """The metrics of the incident ``ref`` and its journal as events, read in one snapshot."""
    from warroom.db import queries

    with store.read():
        m = for_incident(store, ref, now)
        events = happened_order(queries.to_event(r) for r in store.events_after(0, m.id))
    return m, events


def review(store, ref: str, now: datetime) -> str:
    """The review of the incident ``ref`` in the database, as of ``now``."""
    return render(*for_review(store, ref, now))


def _identity(event: Event, usual: dict[str, str]) -> str:
    """`` (OS user sam, usually sam)`` after an act whose name is not the one its OS user
    usually goes by in this incident."""
    odd = unusual(event.os_user, event.display_name, usual)
    return f" ({inline(odd)})" if odd else ""


def _decisions(events: list[Event]) -> list[str]:
    """Every decision recorded in the timeline, with when and who."""
    decided = [e for e in events if e.kind == Kind.NOTE_POSTED and e.payload.get("decision")]
    if not decided:
        return ["No decision was recorded (`warroom note INC TEXT --decision`)."]
    return [f"- {local_stamp(e.at)} {inline(e.who)}: {inline(str(e.payload.get('text', '')))}"
            for e in decided]
