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
from warroom.records import ApprovalStatus, IncidentView, Stage, role_title

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
MORE = "Enter: all"  # how a bounded pane's last line says where the rest is


def more(count: int, what: str, extra: str = "") -> Line:
    """A bounded pane's last line: ``+7 more (6 later, 1 done)  Enter: all``."""
    return (Cell(f"+{count} more{' ' + what if what else ''}{extra}", "muted"),
            Cell(f"  {MORE}", "muted"))


def milestone_lines(view: IncidentView, now: datetime,
                    limit: int = MILESTONES_SHOWN) -> list[Line]:
    """Open milestones by due time, then done ones; at most ``limit`` lines, the last
    saying what is left out (a playbook can add many, and 80x24 must still fit)."""
    ordered = sorted(view.milestones, key=lambda m: (m.done_at is not None, m.due_at))
    limit = max(1, limit)
    shown = ordered if len(ordered) <= limit else ordered[:limit - 1]
    lines: list[Line] = []
    for m in shown:
        if m.done_at:
            state = Cell("done" + (" LATE" if m.done_at > m.due_at else ""), "muted")
        elif ended(view):
            state = Cell("open at resolution", "muted")
        else:
            state = _until(m.due_at, now)
        lines.append((Cell(f"#{m.number} "), state,
                      Cell(f"  {local_hm(m.due_at, now)} {owner_name(view, m.owner)}", "muted"),
                      Cell(f"  {m.name}")))
    hidden = ordered[len(shown):]
    if hidden:
        done = sum(1 for m in hidden if m.done_at)
        late = sum(1 for m in hidden if not m.done_at and m.due_at < now and not ended(view))
        parts = [f"{len(hidden) - done} open"] if len(hidden) > done else []
        parts += [f"{late} OVERDUE"] if late else []
        parts += [f"{done} done"] if done else []
        lines.append(more(len(hidden), "", f" ({', '.join(parts)})"))
    return lines


def blocker_lines(view: IncidentView, now: datetime, limit: int | None = None) -> list[Line]:
    """Open blockers, oldest first; at most ``limit`` lines, the last saying how many more."""
    now = ended(view) or now  # a blocker open at resolution waited until then
    shown = view.blockers
    if limit is not None and len(shown) > max(1, limit):
        shown = shown[:max(1, limit) - 1]
    lines: list[Line] = [
        (Cell(f"#{b.number} "), Cell(b.what, "warn"), Cell(f"  waiting on {b.waiting_on}"),
         Cell(f"  owner {b.owner}  {mins(now - b.raised_at)}", "muted"))
        for b in shown
    ]
    if len(shown) < len(view.blockers):
        lines.append(more(len(view.blockers) - len(shown), "open"))
    return lines


def owner_name(view: IncidentView, owner: str) -> str:
    """Who owns an item, as people read it: a playbook's milestone owned by a role says the
    role's name ("Communications owner"), never its id (comms)."""
    return role_name(view, owner) if view.role(owner) is not None else owner


def titles(view: IncidentView) -> dict[str, str]:
    """Each role's name as people read it ("Communications owner"), by its id."""
    return {slot.role: slot.title for slot in view.roles}


def role_name(view: IncidentView, role: str) -> str:
    """The name of ``role`` for people: the view's title for it, never the bare id."""
    slot = view.role(role)
    return slot.title if slot else role_title(role)


APPROVAL_ROWS = 3  # the lines one pending request takes


def approval_lines(view: IncidentView, now: datetime, limit: int | None = None) -> list[Line]:
    """Pending requests, three lines each; within ``limit`` lines, the last saying how
    many more are pending and how many were decided (the drill-down lists them all)."""
    now = ended(view) or now  # a request still pending at resolution expires no more
    lines: list[Line] = []
    pending = [a for a in view.approvals
               if a.effective_status(now) == ApprovalStatus.PENDING]
    rows = APPROVAL_ROWS if limit is None or limit >= APPROVAL_ROWS else 1  # short: one each
    room = len(pending) if limit is None else max(1, (limit - 1) // rows)
    if limit is not None and len(pending) * rows <= limit:
        room = len(pending)
    decided = len(view.approvals) - len(pending)
    if not pending and decided:
        return [(Cell("no pending approvals", "muted"),
                 Cell(f"; {decided} decided  {MORE}", "muted"))]
    for a in pending[:room]:
        may = may_still_approve(view, a)
        risk_tone = {"high": "alarm", "medium": "warn"}.get(a.risk.value, "")
        decider = ", decider required" if a.decider_required else ""
        expiry = _until(a.expires_at, now)
        lines.append((  # what cannot wait first: a narrow pane crops the end of the line
            Cell(f"#{a.number} "), Cell(a.change, "strong"),
            Cell(f"  {a.risk.value.upper()}", risk_tone), Cell("  expires ", "muted"),
            Cell(expiry.text.replace("in ", ""), expiry.tone),
            Cell(f"  {len(a.approvals)}/{a.needed} approvals{decider}"),
        ))
        if rows == 1:
            continue
        lines.append((  # the authority-matrix rule the request was made under
            Cell("    rule ", "muted"), Cell(a.rule or f"{a.kind}/{a.risk.value}"),
            Cell(f" of {view.incident.playbook or 'built-in defaults'}", "muted"),
        ))
        lines.append((
            Cell("    may approve: ", "muted"), Cell(", ".join(may) or "nobody", "muted"),
            Cell(f"  asked by {a.requester}", "muted"),
        ))
    if len(pending) > room:
        lines.append(more(len(pending) - room, "pending",
                          f", {decided} decided" if decided else ""))
    elif decided and lines and limit is not None and len(lines) < limit:
        lines.append((Cell(f"{decided} decided", "muted"), Cell(f"  {MORE}", "muted")))
    return lines


def may_still_approve(view: IncidentView, request) -> list[str]:
    """Who could still approve: holders of eligible roles and named people who have not
    voted and did not ask; a vacant eligible role shows as such."""
    voted = {v.voter for v in request.votes} | {request.requester}
    names: list[str] = []
    for role in request.eligible_roles:
        slot = view.role(role)
        holder = slot.holder if slot else None
        title = role_name(view, role)
        if holder is None:
            names.append(f"{title} (vacant)")
        elif holder not in voted:
            names.append(f"{holder} ({title})")
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


def limits(width: int, height: int, roles: int = 3) -> dict[str, int]:
    """How many lines each bounded pane may take at ``width`` x ``height``: the milestones,
    blockers and approvals share what the header, the roles and the update countdowns
    leave, and the timeline keeps a part of it. Below 110 columns the panes stand in one
    column (one line of border each); from 110, ownership and updates share a row, and
    the milestones stand beside the blockers and approvals (two lines of border each).

    At 80x24 the timeline is below the fold (its key, 6, scrolls to it; the header with
    the alarms stays in view); at 200x60 the extra room shows more of every list."""
    if width < 110:
        free = height - 4 - 1 - 6 - roles - 2  # header, footer, six pane titles, roles, updates
        timeline = max(5, free // 3)
        rest = max(0, free - timeline)
        ms = max(3, rest // 2)
        bl = max(2, (rest - ms) * 2 // 3)
        return {"milestones": ms, "blockers": bl, "approvals": max(1, rest - ms - bl)}
    free = height - 2 - 1 - (max(roles, 2) + 2)  # header, footer, the top row
    timeline = max(8, free * 2 // 5)
    middle = max(5, free - timeline)  # the middle row, borders included
    side = middle - 4  # blockers and approvals, without their borders
    ap = 3 if side < 10 else 6 if side < 18 else 9
    return {"milestones": max(3, middle - 2), "blockers": max(2, side - ap),
            "approvals": ap}
