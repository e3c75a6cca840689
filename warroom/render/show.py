"""The plain-text form of an incident's state, for ``warroom show``."""

from __future__ import annotations

from datetime import datetime

from warroom.clock import day_hm, local_hm, span, zone_label, zone_note
from warroom.records import ApprovalStatus, IncidentView, Statement


def due_words(due: datetime | None, now: datetime) -> str:
    """``in 12m`` or ``OVERDUE by 3m`` (words, never colour alone)."""
    if due is None:
        return "not due"
    if due >= now:
        return f"in {span(due - now)}"
    return f"OVERDUE by {span(now - due)}"


def render_show(view: IncidentView, now: datetime) -> str:
    inc = view.incident
    drill = " [DRILL]" if inc.drill else ""
    out = [
        f"{inc.key}{drill}  {inc.severity.value}  {inc.title}",
        f"customer {inc.customer}" + (f" ({inc.tier} tier)" if inc.tier else "")
        + (f", also affecting {', '.join(inc.customers)}" if inc.customers else "")
        + (f", service {inc.service}" if inc.service else "")
        + (f", customer times in {inc.customer_tz}" if inc.customer_tz else "")
        + f"; stage {inc.stage.value}; opened {day_hm(inc.opened_at, now)} by {inc.opened_by}"
        + f" ({span(now - inc.opened_at)} ago)"
        + (f"; playbook {inc.playbook}" if inc.playbook else ""),
        zone_note(now),
        "",
        "Roles",
    ]
    disputes = {d.role: d for d in view.disputes}
    offers = {h.role: h for h in view.handovers}
    width = max([10] + [len(slot.role) for slot in view.roles])
    for slot in view.roles:
        if slot.holder:
            text = f"  {slot.role:<{width}} {slot.holder} (since {local_hm(slot.since, now)}, " \
                   f"{span(now - slot.since)})"
        else:
            since = f" for {span(now - slot.vacant_since)}" if slot.vacant_since else ""
            text = f"  {slot.role:<{width}} VACANT{since}"
            if slot.team:
                text += f"  suggested: {slot.team}"
        if slot.role in disputes:
            d = disputes[slot.role]
            text += f"  DISPUTED by {d.claimant} for {span(now - d.opened_at)}"
        if slot.role in offers:
            text += f"  offered to {offers[slot.role].to_person}"
        if slot.contingency:
            text += f"  (contingency {slot.contingency})"
        out.append(text)
    out += ["", "Updates"]
    for audience in ("customer", "internal"):
        last = getattr(view, f"last_{audience}_update")
        due = getattr(inc, f"next_{audience}_due")
        posted = f"last {local_hm(last.posted_at, now)} by {last.author}" if last else "none yet"
        out.append(f"  {audience:<10} next {due_words(due, now)}; {posted}; "
                   f"every {view.cadence_minutes[audience]}m")
    if view.milestones:
        out += ["", "Milestones"]
        for m in view.milestones:
            state = f"done {local_hm(m.done_at, now)} by {m.done_by}" if m.done_at else due_words(
                m.due_at, now)
            out.append(f"  #{m.number} {m.name} (owner {m.owner}, due {day_hm(m.due_at, now)}): "
                       f"{state}")
    if view.blockers:
        out += ["", "Blockers"]
        for b in view.blockers:
            out.append(f"  #{b.number} {b.what}: waiting on {b.waiting_on}, owner {b.owner}, "
                       f"for {span(now - b.raised_at)}")
    pending = [a for a in view.approvals if a.effective_status(now) == ApprovalStatus.PENDING]
    if view.approvals:
        out += ["", "Approvals"]
        for a in view.approvals:
            status = a.effective_status(now)
            votes = ", ".join(v.voter for v in a.approvals) or "none"
            extra = f"; expires {due_words(a.expires_at, now)}" if a in pending else ""
            eligible = ", ".join(a.eligible_roles + a.eligible_people) or "nobody"
            if a.posted_at:
                extra += f"; posted {local_hm(a.posted_at, now)} by {a.posted_by}"
            out.append(f"  #{a.number} {a.change} ({a.kind}, {a.risk.value} risk): "
                       f"{status.upper()}, {len(a.approvals)} of {a.needed} [{votes}]"
                       f"{', decider required' if a.decider_required else ''}; eligible "
                       f"{eligible}{extra}")
            if a.statement:
                out += statement_lines(a.statement, "      ")
    return "\n".join(out)


def statement_lines(statement: Statement, indent: str = "  ") -> list[str]:
    """The draft a customer-statement request carries, as its approvers read it."""
    parts = {"what we know": statement.known, "what we don't know": statement.unknown,
             "next steps": statement.next_steps}
    out = [f"{indent}{what}: " + text.replace("\n", f"\n{indent}  ")
           for what, text in parts.items()]
    if statement.template:
        out.append(f"{indent}template: {statement.template}")
    return out


JSON_VERSION = 2
"""The version of ``warroom show --json`` (docs/json.md): 2 added the derived status of
every part. A field is never renamed or removed without a new version."""


def milestone_status(m, now: datetime, end: datetime | None) -> str:
    """``met`` (done on or before its due time), ``missed`` (done late, or past due and not
    done when the incident resolved), ``overdue`` (past due, not done, still running) or
    ``open``."""
    if m.done_at is not None:
        return "met" if m.done_at <= m.due_at else "missed"
    if m.due_at < (end or now):
        return "missed" if end else "overdue"
    return "open"


def cadence_status(due: datetime | None, now: datetime, running: bool) -> str:
    """``due`` (not yet), ``overdue`` (past its due time) or ``none`` (no update is due:
    the incident is resolved)."""
    if due is None or not running:
        return "none"
    return "due" if due >= now else "overdue"


def show_json(view: IncidentView, now: datetime) -> dict:
    """The state of an incident for ``warroom show --json``: the stored fields (times in
    ISO 8601 UTC) with the status the dashboard derives at ``now`` beside them."""
    from warroom.render.board import ended
    from warroom.records import to_json

    end = ended(view)
    at = end or now  # from the resolution on, nothing expires and nothing falls due
    data = {"schema_version": JSON_VERSION, "now": to_json(now),
            "zone": zone_label(now), **to_json(view)}
    running = end is None
    data["updates"] = {
        audience: {"due_at": to_json(getattr(view.incident, f"next_{audience}_due")),
                   "status": cadence_status(getattr(view.incident, f"next_{audience}_due"),
                                            now, running),
                   "every_minutes": view.cadence_minutes[audience]}
        for audience in ("customer", "internal")
    }
    for item, m in zip(data["milestones"], view.milestones):
        item["status"] = milestone_status(m, now, end)
    for item, a in zip(data["approvals"], view.approvals):
        item["stored_status"] = item["status"]
        item["status"] = a.effective_status(at).value
    return data
