"""The post-incident review: a Markdown document built from one incident's journal.

The facts (impact start against the opening, severity as it changed), summary and impact,
root cause and contributing factors, the customer communications with the longest silence,
the condensed timeline, decisions, handover notes, blockers, teams
(:mod:`warroom.reports.review_timeline`), an ownership map over time, metrics against the
incident's own targets (each cadence as it was in force), the three review questions
answered with journal evidence, and action items with owner, due date and status (recorded
follow-ups first, then the changes :mod:`warroom.reports.findings` suggests). For a given
journal and ``now`` the document is always the same. Every time carries its date and is
shown in the local zone, its label named once, or after each time when the document's times
span more than one (:mod:`warroom.reports.review_record`).
"""

from __future__ import annotations

from datetime import datetime

from warroom.clock import dur
from warroom.journal import Kind, backfilled, describe, happened_order
from warroom.records import Event
from warroom.render.markdown import ZONES, document, table, text
from warroom.reports import accountability, findings
from warroom.reports.figures import IncidentMetrics
from warroom.reports.metrics import for_incident
from warroom.reports.ownership_map import ownership_map
from warroom.reports.review_record import Record, record, stamp
from warroom.reports.review_timeline import (
    blockers,
    communications,
    handover_notes,
    teams,
    timeline,
)

EVIDENCE_LIMIT = 5  # journal entries cited under a question (the timeline has them all)
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


def render(m: IncidentMetrics, events: list[Event]) -> str:
    """The whole review of one incident, as Markdown."""
    rec = record(events)
    drill = " (DRILL)" if m.drill else ""
    out = [f"# Post-incident review: {m.key}{drill} {text(m.title)}", "",
           f"Built from the journal ({len(events)} events) at {stamp(m.now)}; times in "
           f"{ZONES}." + (f" A drill played at speed {m.speed:g}: its durations are real time, "
                          f"{m.speed:g} times shorter than the scenario's."
                          if m.speed != 1 else ""), ""]
    out += _facts(m, rec)
    results = findings.checks(m, rec.opening)
    out += ["", "## Summary and impact", ""] + _summary(m, events, rec, results)
    out += ["", "## Root cause and contributing factors", ""] + _causes(rec)
    out += ["", "## Customer communications", ""] + communications(m, events, rec)
    out += ["", "## Timeline", ""] + timeline(events, m.titles)
    out += ["", "## Decisions", ""] + _decisions(events)
    out += ["", "## Handover notes", ""] + handover_notes(m, events)
    out += ["", "## Blockers", ""] + blockers(m, events)
    out += ["", "## Teams involved", ""] + teams(m, events)
    out += ["", "## Ownership over time", ""] + ownership_map(m)
    out += ["", "## Metrics against targets", ""] + _targets(m, rec)
    out += ["", "## Review questions"]
    by_name = {c.name: c for c in results}
    for question, names, kinds in QUESTIONS:
        flags = FLAGS[question](m) if question in FLAGS else []
        flags = flags + (accountability.overrides(events) + accountability.roleless_acts(
            m, events) if question in OVERRIDES_IN else [])
        out += ["", f"### {question}", ""] + _answer([by_name[n] for n in names], events, kinds,
                                                      flags)
    out += ["", "## Action items", ""] + _actions(m, rec)
    return document(out)


def _facts(m: IncidentMetrics, rec: Record) -> list[str]:
    severity = m.severity
    if len(rec.cadences) > 1:
        severity = ", then ".join(
            sev + (f" from {stamp(t)}" if i else "") for i, (t, sev, _) in enumerate(rec.cadences))
    rows = [["Customer", text(m.customer)], ["Severity", severity],
            ["Service", text(m.service) if m.service else "-"],
            ["Playbook", text(m.playbook) if m.playbook else "built-in defaults"],
            ["Impact started", _impact(m, rec)],
            ["Opened", f"{stamp(m.opened)} by {text(m.opened_by)}"],
            ["Resolved", f"{stamp(m.resolved)} ({dur(m.resolved - m.opened)} after opening)"
             if m.resolved is not None else f"not yet ({dur(m.now - m.opened)} open)"],
            ["Closed", stamp(m.closed) if m.closed is not None else "not yet"],
            ["CSAT", f"{m.csat} of 5" + (f": {text(m.csat_comment)}" if m.csat_comment
                                         else "") if m.csat is not None else "-"],
            ["Stage", m.stage]]
    return table(["Incident", m.key], rows)


def _impact(m: IncidentMetrics, rec: Record) -> str:
    """When the customer impact began, set against the room's opening."""
    if rec.impact_start is None:
        return "not recorded"
    lead = m.opened - rec.impact_start
    against = (f"{dur(lead)} before the room opened" if lead > 0
               else "when the room opened")
    if rec.impact_by:
        against += f" (recorded later by {text(rec.impact_by)})"
    lasted = "lasted" if m.resolved is not None else "so far"
    return (f"{stamp(rec.impact_start)}, {against}; customer impact {lasted} "
            f"{dur(m.end - rec.impact_start)}")


def _causes(rec: Record) -> list[str]:
    out = []
    if rec.root_cause:
        cause, who, at = rec.root_cause
        out.append(f"Root cause: {text(cause)} (recorded by {text(who)}, {stamp(at)})")
    else:
        out.append("Root cause: not recorded yet (`warroom review INC --root-cause TEXT`).")
    out.append("")
    if rec.factors:
        out.append("Contributing factors:")
        out.append("")
        out += [f"- {text(factor)} ({text(who)})" for factor, who, _ in rec.factors]
    else:
        out.append("Contributing factors: none recorded (`warroom review INC --factor TEXT`).")
    return out


def _summary(m: IncidentMetrics, events: list[Event], rec: Record,
             results: list[findings.Check]) -> list[str]:
    """The resolution, the impact against the opening, what the customer was told first and
    last, and the scorecard (``results``, the incident's
    :func:`warroom.reports.findings.checks`)."""
    out = []
    if m.resolution:
        out += [f"Resolution: {text(m.resolution)}", ""]
    told = [e for e in events if e.kind == Kind.UPDATE_POSTED
            and e.payload.get("audience") == "customer"]
    if told:
        first, last = told[0], told[-1]
        since = rec.impact_start if rec.impact_start is not None else m.opened
        out.append(f"Impact as first told to the customer ({stamp(first.at)}, "
                   f"{dur(first.at.timestamp() - since)} after the "
                   f"{'impact began' if rec.impact_start is not None else 'opening'}, "
                   f"{text(first.who)}): {text(first.payload.get('known', ''))}")
        if last is not first:
            out.append("")
            out.append(f"Last customer update ({stamp(last.at)}, {text(last.who)}): "
                       f"{text(last.payload.get('known', ''))} (still unknown: "
                       f"{text(last.payload.get('unknown', ''))})")
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


def _targets(m: IncidentMetrics, rec: Record) -> list[str]:
    """Each measure against the target the incident was opened with, where it has one; the
    cadence as it was in force at each moment."""
    rows = []
    target = findings.ownership_target(m, rec.opening)
    rows.append(["Time to ownership (lead, comms, decider held)",
                 f"within {dur(target)}" if target else "-",
                 *_against(m, m.time_to_ownership, target, "never")])
    for audience, c in sorted(m.cadence.items()):
        first = findings.first_minutes(m, audience, rec.opening)
        limit = first * 60 if first else None
        rows.append([f"First {audience} update", f"within {first:g}m" if limit else "-",
                     *_against(m, m.first_update(audience), limit, "none")])
        rows.append([f"{audience.capitalize()} updates on time",
                     rec.cadence_words(audience) if c.minutes else "-",
                     f"{c.on_time} of {c.due} due times met ({c.posts} posted, "
                     f"{c.late_posts} late)", _met(c.due == c.on_time if c.due else None)])
    for ms in m.milestones:
        state = ms.status(m.end)
        if ms.done is not None:
            done = f"done {stamp(ms.done)}"
        elif m.resolved is not None:
            done = f"open at resolution ({dur(m.resolved - (ms.added or m.opened))} open)"
        else:
            done = "not done"
        moved = f", moved {ms.moves}x" if ms.moves else ""
        owner = findings.owner_text(m, ms.owner, ms.due)
        rows.append([f"Milestone: {text(ms.name)} (owner {text(owner)})",
                     f"due {stamp(ms.due)}" if ms.due is not None else "-", done + moved,
                     _met(None if state == "open" else state == "met")])
    for a, status, wait in m.approval_outcomes():
        expiry = f"decided by {stamp(a.expires)}" if a.expires is not None else "-"
        if (a.decided is None and m.resolved is not None
                and (a.expires is None or a.expires > m.resolved)):
            status, wait = "open at resolution", m.resolved - a.requested
        rows.append([f"Approval #{a.id}: {text(a.change)} ({a.risk} risk)", expiry,
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
    if rec.impact_start is not None and m.resolved is not None:
        rows.append(["Impact start to resolution", "-", dur(m.resolved - rec.impact_start),
                     "-"])
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
    out += [f"- {text(c.name + _VERDICT[c.state] + c.evidence)}" for c in results]
    out += [f"- FLAGGED: {text(flag)}" for flag in flags or ()]
    # status updates are all in "Customer communications" and the timeline; a "Yes." needs
    # no citing
    cited = [e for e in events if e.kind in kinds and e.kind != Kind.UPDATE_POSTED]
    if cited and verdict != "Yes":
        out += ["", "From the journal:", ""]
        out += [f"- #{e.id} {stamp(e.at)} {text(describe(e) + backfilled(e))}"
                for e in cited[:EVIDENCE_LIMIT]]
        if len(cited) > EVIDENCE_LIMIT:
            out.append(f"- and {len(cited) - EVIDENCE_LIMIT} more in the timeline")
    return out


def _actions(m: IncidentMetrics, rec: Record) -> list[str]:
    """Recorded follow-ups (numbered, with owner, due date and status), then the ones the
    review suggests; each with an owner."""
    rows = [[str(f.number), text(f.text), text(f.owner), stamp(f.due), f.status(m.now),
             f"recorded {stamp(f.at)} by {text(f.by)}"] for f in rec.follow_ups]
    cadence = {a: rec.cadence_words(a) for a in m.cadence if len(rec.cadence_steps(a)) > 1}
    for n, imp in enumerate(findings.improvements(m, cadence, rec.opening), 1):
        rows.append([f"s{n}", text(imp.text), text(imp.owner), "-", "to decide",
                     f"suggested ({imp.area})"])
    if not rows:
        return ["No follow-ups recorded and no gaps found. Record one with "
                "`warroom review INC --action TEXT --owner NAME --due DATE`."]
    out = table(["#", "Action", "Owner", "Due", "Status", "Source"], rows, "r")
    if not rec.follow_ups:
        out += ["", "No follow-up recorded yet: `warroom review INC --action TEXT --owner NAME "
                "--due DATE` records one, `--done N` marks it done."]
    return out


def for_review(store, ref: str, now: datetime) -> tuple[IncidentMetrics, list[Event]]:
    """The metrics of the incident ``ref`` and its journal as events, read in one snapshot."""
    from warroom.db import queries

    with store.read():
        m = for_incident(store, ref, now)
        events = happened_order(queries.to_event(r) for r in store.events_after(0, m.id))
    return m, events


def review(store, ref: str, now: datetime) -> str:
    """The review of the incident ``ref`` in the database, as of ``now``; it opens with a
    warning when the incident's journal was altered after the fact."""
    from warroom.db.queries import journal_break

    doc = render(*for_review(store, ref, now))
    broken = journal_break(store, ref)
    if broken is None:
        return doc
    return (f"> **JOURNAL ALTERED at event {broken.event_id}**: {broken.problem}; the figures "
            "below may not be what happened (`warroom verify` says more).\n\n" + doc)


def _decisions(events: list[Event]) -> list[str]:
    """Every decision recorded in the timeline, with when and who."""
    decided = [e for e in events if e.kind == Kind.NOTE_POSTED and e.payload.get("decision")]
    if not decided:
        return ["No decision was recorded (`warroom note INC TEXT --decision`)."]
    return [f"- {stamp(e.at)} {text(e.who)}: {text(str(e.payload.get('text', '')))}"
            for e in decided]
