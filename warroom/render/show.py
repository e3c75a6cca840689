"""The plain-text form of an incident's state, for ``warroom show``."""

from __future__ import annotations

from datetime import datetime

from warroom.clock import day_hm, local_hm, local_stamp, span
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
        + f"; stage {inc.stage.value}; opened {local_stamp(inc.opened_at)} by {inc.opened_by}"
        + f" ({span(now - inc.opened_at)} ago)"
        + (f"; playbook {inc.playbook}" if inc.playbook else ""),
        "",
        "Roles",
    ]
    disputes = {d.role: d for d in view.disputes}
    offers = {h.role: h for h in view.handovers}
    width = max([10] + [len(slot.role) for slot in view.roles])
    for slot in view.roles:
        if slot.holder:
            text = f"  {slot.role:<{width}} {slot.holder} (since {local_hm(slot.since)}, " \
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
        posted = f"last {local_hm(last.posted_at)} by {last.author}" if last else "none yet"
        out.append(f"  {audience:<10} next {due_words(due, now)}; {posted}; "
                   f"every {view.cadence_minutes[audience]}m")
    if view.milestones:
        out += ["", "Milestones"]
        for m in view.milestones:
            state = f"done {local_hm(m.done_at)} by {m.done_by}" if m.done_at else due_words(
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
                extra += f"; posted {local_hm(a.posted_at)} by {a.posted_by}"
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
