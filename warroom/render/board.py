"""What each dashboard pane says, as plain data: lines of (text, tone) cells.

Kept free of textual so it is tested directly; the widgets only turn tones into theme
styles. Alarms are always words as well as colour ("VACANT 12m", "OVERDUE by 3m").
Durations are shown to the minute above one minute, so most one-second ticks change no text
and cost no repaint.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from warroom.clock import day_hm, local_hm, span, zone_label
from warroom.records import ApprovalStatus, IncidentView, Stage

# Tones: "" plain, "muted", "ok", "warn", "alarm", "strong".


def mins(delta) -> str:
    """A duration to the minute ("<1m" below one): panes then repaint at most once a
    minute while idle, which keeps an idle dashboard near zero CPU."""
    return "<1m" if abs(delta.total_seconds()) < 60 else span(delta)


class Cell(NamedTuple):
    text: str
    tone: str = ""


Line = tuple[Cell, ...]


def _until(due: datetime, now: datetime) -> Cell:
    """A countdown to ``due``: to the minute, and to the second within a minute of it (a
    deadline that close is worth the repaints; a drill at speed has minute-long cadences)."""
    if due >= now:
        left = due - now
        return Cell(f"in {span(left)}", "warn" if left.total_seconds() < 300 else "ok")
    return Cell(f"OVERDUE by {span(now - due)}", "alarm")


def ended(view: IncidentView) -> datetime | None:
    """When the incident stopped running (its resolution), else None. From then on nothing
    alarms and every duration on screen stops there."""
    inc = view.incident
    if inc.stage.order >= Stage.RESOLVED.order:
        return inc.resolved_at or inc.closed_at or inc.opened_at
    return None


def header_line(view: IncidentView, now: datetime, wall: bool = False) -> Line:
    inc = view.incident
    sev_tone = "alarm" if inc.severity.value in ("SEV1", "SEV2") else "warn"
    cells = [Cell(f" {inc.key} ", "strong"), Cell(" "), Cell(inc.severity.value, sev_tone)]
    if inc.drill:
        cells += [Cell(" "), Cell(" DRILL ", "warn")]
    alarms = alarm_count(view, now)
    if alarms:  # up front, where a wrapped header cannot split it
        cells += [Cell(" "), Cell(f" {alarms} ALARM{'S' if alarms > 1 else ''} ", "alarm")]
    cells += [
        Cell("  "), Cell(inc.title, "strong"), Cell(" for ", "muted"), Cell(inc.customer),
        *([Cell(f" +{len(inc.customers)} more", "muted")] if inc.customers else []),
        Cell("  "), Cell(inc.stage.value.upper(), "strong"),
    ]
    end = ended(view)
    if end is None:
        cells += [Cell("  open ", "muted"), Cell(mins(now - inc.opened_at))]
    else:
        cells += [Cell(f"  {day_hm(end, now)}, after ", "muted"),
                  Cell(mins(end - inc.opened_at))]
    cells += [Cell(f"  times {zone_label(now)}", "muted")]  # the zone every time is in
    if wall:
        cells += [Cell("  "), Cell(" WALL ", "muted")]
    return tuple(cells)


def role_lines(view: IncidentView, now: datetime) -> list[Line]:
    end = ended(view)
    now = end or now  # durations stop at the resolution
    alarm = "muted" if end else "alarm"
    disputes = {d.role: d for d in view.disputes}
    offers = {h.role: h for h in view.handovers}
    lines: list[Line] = []
    for slot in view.roles:
        label = Cell(f"{slot.title:<21}", "muted")
        if slot.holder:
            cells = [label, Cell(slot.holder, "strong"),
                     Cell(f"  held {mins(now - slot.since)}", "muted")]
        else:
            vacant = f" {mins(now - slot.vacant_since)}" if slot.vacant_since else ""
            cells = [label, Cell(f"{'vacant' if end else 'VACANT'}{vacant}", alarm)]
            if slot.team:  # the playbook's suggestion (its contingency is in show)
                cells.append(Cell(f"  call {slot.team}", "muted"))
            elif slot.contingency:
                cells.append(Cell(f"  contingency: {slot.contingency}", "muted"))
        if slot.role in disputes:
            d = disputes[slot.role]
            cells.append(Cell(f"  {'disputed' if end else 'DISPUTED'} by {d.claimant} "
                              f"{mins(now - d.opened_at)}", alarm))
        if slot.role in offers:
            h = offers[slot.role]
            cells.append(Cell(f"  offered to {h.to_person} {mins(now - h.offered_at)}", "warn"))
        lines.append(tuple(cells))
    return lines


def cadence_lines(view: IncidentView, now: datetime) -> list[Line]:
    inc = view.incident
    lines: list[Line] = []
    for audience in ("customer", "internal"):
        due = getattr(inc, f"next_{audience}_due")
        last = getattr(view, f"last_{audience}_update")
        head = Cell(f"{audience.capitalize():<9}", "muted")
        if due is None or inc.stage in (Stage.RESOLVED, Stage.CLOSED):
            state = Cell("no more due", "muted")
        else:
            state = _until(due, now)
        posted = f"  last {local_hm(last.posted_at, now)} {last.author}" if last else "  none yet"
        lines.append((head, state, Cell(posted, "muted")))
    return lines


def cadence_note(view: IncidentView) -> str:
    """The cadence itself, for the pane's border: ``every 30m / 15m``."""
    return f"customer every {view.cadence_minutes['customer']}m, internal every " \
           f"{view.cadence_minutes['internal']}m"


MILESTONES_SHOWN = 5


def milestone_lines(view: IncidentView, now: datetime) -> list[Line]:
    """Open milestones by due time, then done ones; at most :data:`MILESTONES_SHOWN` lines,
    the last saying what is left out (a playbook can add many, and 80x24 must still fit)."""
    ordered = sorted(view.milestones, key=lambda m: (m.done_at is not None, m.due_at))
    shown = ordered if len(ordered) <= MILESTONES_SHOWN else ordered[:MILESTONES_SHOWN - 1]
    lines: list[Line] = []
    for m in shown:
        if m.done_at:
            state = Cell("done" + (" LATE" if m.done_at > m.due_at else ""), "muted")
        elif ended(view):
            state = Cell("open at resolution", "muted")
        else:
            state = _until(m.due_at, now)
        lines.append((Cell(f"#{m.number} "), state,
                      Cell(f"  {local_hm(m.due_at, now)} {m.owner}", "muted"), Cell(f"  {m.name}")))
    hidden = ordered[len(shown):]
    if hidden:
        done = sum(1 for m in hidden if m.done_at)
        parts = [f"{len(hidden) - done} later"] if len(hidden) > done else []
        parts += [f"{done} done"] if done else []
        lines.append((Cell(f"... {' and '.join(parts)}: warroom show {view.incident.key}",
                           "muted"),))
    return lines


def blocker_lines(view: IncidentView, now: datetime) -> list[Line]:
    now = ended(view) or now  # a blocker open at resolution waited until then
    lines: list[Line] = [
        (Cell(f"#{b.number} "), Cell(b.what, "warn"), Cell(f"  waiting on {b.waiting_on}"),
         Cell(f"  owner {b.owner}  {mins(now - b.raised_at)}", "muted"))
        for b in view.blockers
    ]
    return lines


def approval_lines(view: IncidentView, now: datetime) -> list[Line]:
    now = ended(view) or now  # a request still pending at resolution expires no more
    lines: list[Line] = []
    for a in view.approvals:
        status = a.effective_status(now)
        if status != ApprovalStatus.PENDING:
            continue
        may = may_still_approve(view, a)
        risk_tone = {"high": "alarm", "medium": "warn"}.get(a.risk.value, "")
        decider = ", decider required" if a.decider_required else ""
        lines.append((
            Cell(f"#{a.number} "), Cell(a.change, "strong"),
            Cell(f"  {a.risk.value.upper()}", risk_tone),
            Cell(f"  {len(a.approvals)}/{a.needed} approvals{decider}"),
        ))
        lines.append((  # the authority-matrix rule the request was made under
            Cell("    rule ", "muted"), Cell(a.rule or f"{a.kind}/{a.risk.value}"),
            Cell(f" of {view.incident.playbook or 'built-in defaults'}", "muted"),
        ))
        expiry = _until(a.expires_at, now)
        lines.append((
            Cell("    may approve: ", "muted"), Cell(", ".join(may) or "nobody", "muted"),
            Cell(f"  by {a.requester}  expires ", "muted"),
            Cell(expiry.text.replace("in ", ""), expiry.tone),
        ))
    return lines


def may_still_approve(view: IncidentView, request) -> list[str]:
    """Who could still approve: holders of eligible roles and named people who have not
    voted and did not ask; a vacant eligible role shows as such."""
    voted = {v.voter for v in request.votes} | {request.requester}
    names: list[str] = []
    for role in request.eligible_roles:
        slot = view.role(role)
        holder = slot.holder if slot else None
        if holder is None:
            names.append(f"{role} (vacant)")
        elif holder not in voted:
            names.append(f"{holder} ({role})")
            voted.add(holder)
    names += [p for p in request.eligible_people if p not in voted]
    return names


def alarm_count(view: IncidentView, now: datetime) -> int:
    """How many things need someone now: vacancies, disputes, overdue updates and milestones
    (none once the incident is resolved)."""
    if ended(view):
        return 0
    count = sum(1 for r in view.roles if not r.holder) + len(view.disputes)
    for audience in ("customer", "internal"):
        due = getattr(view.incident, f"next_{audience}_due")
        count += bool(due and due < now and view.incident.stage.order < Stage.RESOLVED.order)
    count += sum(1 for m in view.milestones if not m.done_at and m.due_at < now)
    return count
