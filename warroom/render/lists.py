"""Each dashboard pane in full, for its drill-down (Enter on the pane): every milestone,
every blocker (cleared ones too), every approval request with its rationale and votes,
every role with who held it when. Plain lines of cells, like the panes; textual-free.
"""

from __future__ import annotations

from datetime import datetime, timezone

from warroom.clock import day_hm, local_stamp, span
from warroom.records import ApprovalStatus, Blocker, IncidentView
from warroom.render.board import (
    Cell,
    Line,
    _until,
    cadence_lines,
    ended,
    mins,
    owner_name,
    role_name,
)
from warroom.render.entries import votes_lines
from warroom.text import clean_line, shown


def milestones(view: IncidentView, now: datetime) -> list[Line]:
    """Every milestone: open ones by due time, then done ones, with owner and times."""
    if not view.milestones:
        return [(Cell("no milestones", "muted"),)]
    out: list[Line] = []
    for m in sorted(view.milestones, key=lambda m: (m.done_at is not None, m.due_at)):
        if m.done_at:
            late = m.done_at > m.due_at
            state = Cell(f"done {local_stamp(m.done_at)}" + (" LATE" if late else "")
                         + (f" by {m.done_by}" if m.done_by else ""), "muted")
        elif ended(view):
            state = Cell("open at resolution", "muted")
        else:
            state = _until(m.due_at, now)
        out.append((Cell(f"#{m.number} "), Cell(clean_line(m.name), "strong"), Cell("  "), state))
        out.append((Cell(f"    owner {owner_name(view, m.owner)}, due {local_stamp(m.due_at)}",
                         "muted"),))
    return out


def blockers(view: IncidentView, every: list[Blocker], now: datetime) -> list[Line]:
    """Every blocker: open ones first (how long they have waited), then cleared ones."""
    if not every:
        return [(Cell("no blockers, ever", "muted"),)]
    now = ended(view) or now
    out: list[Line] = []
    for b in sorted(every, key=lambda b: (b.cleared_at is not None, b.number)):
        if b.cleared_at:
            state = Cell(f"cleared {local_stamp(b.cleared_at)} after "
                         f"{span(b.cleared_at - b.raised_at)}", "muted")
        else:
            state = Cell(f"OPEN {mins(now - b.raised_at)}", "warn")
        out.append((Cell(f"#{b.number} "), Cell(clean_line(b.what), "strong"), Cell("  "),
                    state))
        out.append((Cell(f"    waiting on {b.waiting_on}, owner {b.owner}, raised "
                         f"{local_stamp(b.raised_at)}", "muted"),))
    return out


def approvals(view: IncidentView, now: datetime) -> list[Line]:
    """Every approval request, pending and decided: the change, its risk, rationale and
    fallback, who may approve, how it ended, and each vote with its reason."""
    if not view.approvals:
        return [(Cell("no approval requests", "muted"),)]
    titles = {slot.role: slot.title for slot in view.roles}
    out: list[Line] = []
    for a in sorted(view.approvals, key=lambda a: a.number):
        status = a.effective_status(now)
        tone = {ApprovalStatus.PENDING: "warn", ApprovalStatus.APPROVED: "ok",
                ApprovalStatus.REJECTED: "alarm"}.get(status, "muted")
        decided = f" {local_stamp(a.decided_at)}" if a.decided_at else ""
        out.append((Cell(f"#{a.number} "), Cell(clean_line(a.change), "strong"),
                    Cell(f"  {a.risk.value.upper()} risk, {a.kind}  "),
                    Cell(f"{status.value.upper()}{decided}", tone)))
        eligible = [role_name(view, r) for r in a.eligible_roles] + list(a.eligible_people)
        out += [
            (Cell("    requested ", "muted"), Cell(f"{local_stamp(a.requested_at)} by "
                                                   f"{a.requester}"),
             Cell(f", expires {local_stamp(a.expires_at)}", "muted")),
            (Cell("    rationale ", "muted"), Cell(shown(a.rationale))),
            (Cell("    fallback  ", "muted"), Cell(shown(a.fallback) or "none")),
            (Cell("    needs     ", "muted"),
             Cell(f"{a.needed} of {', '.join(eligible) or 'nobody'}"
                  + (", the decider among them" if a.decider_required else "")),
             Cell(f"  (rule {a.rule})" if a.rule else "", "muted")),
        ]
        if a.statement is not None:
            out.append((Cell("    statement ", "muted"),
                        Cell(shown(a.statement.known)),))
        out += votes_lines(a, titles)
    return out


def roles(view: IncidentView, history: dict[str, list], now: datetime) -> list[Line]:
    """Every role by its name, who holds it now, then who held it when (from the journal):
    ``history`` is the metrics fold's tenures, role -> stretches."""
    out: list[Line] = []
    for slot in view.roles:
        now_ = Cell(slot.holder, "strong") if slot.holder else Cell("VACANT", "alarm")
        extra = f"  team {slot.team}" if slot.team else ""
        extra += f"  contingency {slot.contingency}" if slot.contingency else ""
        out.append((Cell(f"{slot.title:<22}", "strong"), now_, Cell(extra, "muted")))
        for t in history.get(slot.role, []):
            start = datetime.fromtimestamp(t.start, timezone.utc)
            end = datetime.fromtimestamp(t.end, timezone.utc) if t.end is not None else None
            if end is not None and end <= start:
                continue  # vacant for no time at all: opened, then claimed at once
            until = day_hm(end, now) if end else "now"
            length = span((end or now) - start)
            who = t.holder or "vacant"
            how = f" ({t.how}{' from ' + t.after if t.after else ''})" if t.how else ""
            out.append((Cell(f"    {day_hm(start, now)} to {until} ", "muted"),
                        Cell(who, "" if t.holder else "warn"),
                        Cell(f"  {length}{how}", "muted")))
    for d in view.disputes:
        out.append((Cell(f"DISPUTED {role_name(view, d.role)}: ", "alarm"),
                    Cell(f"{d.claimant} against {d.holder} since {local_stamp(d.opened_at)}"),
                    Cell(f": {clean_line(d.reason)}" if d.reason else "")))
    for h in view.handovers:
        out.append((Cell(f"Handover of {role_name(view, h.role)}: ", "warn"),
                    Cell(f"{h.from_person} to {h.to_person}, offered "
                         f"{local_stamp(h.offered_at)}"),))
        for label, text in (("done", h.done), ("remaining", h.remaining),
                            ("dependencies", h.dependencies), ("risks", h.risks)):
            out.append((Cell(f"    {label:<13}", "muted"), Cell(clean_line(text))))
    return out


def updates(view: IncidentView, now: datetime) -> list[Line]:
    """The update countdowns, then the last customer and internal updates in full."""
    out = list(cadence_lines(view, now))
    for audience in ("customer", "internal"):
        last = getattr(view, f"last_{audience}_update")
        out.append(())
        if last is None:
            out.append((Cell(f"No {audience} update yet", "muted"),))
            continue
        out.append((Cell(f"Last {audience} update, {local_stamp(last.posted_at)} by "
                         f"{last.author}:", "strong"),))
        for label, text in (("What we know", last.known), ("What we don't know", last.unknown),
                            ("Next steps", last.next_steps)):
            out.append((Cell(f"  {label}: ", "muted"), Cell(shown(text))))
    out.append((Cell("The message as sent: Enter on the update in the timeline (6).",
                     "muted"),))
    return out
