"""What the wall's overview says of one open incident, as plain data: a card of lines of
(text, tone) cells (:mod:`warroom.render.board`'s cells): severity, stage, the trio, the
alarms and when the next updates fall due."""

from __future__ import annotations

from datetime import datetime

from warroom.records import TRIO, IncidentView
from warroom.render.board import Cell, Line, alarm_count, ended, mins

CARD_LINES = 7
"""Every card has this many lines, whatever it says: a card that grew would move the
others (and cost each viewer a layout of the whole screen)."""


def card_lines(view: IncidentView, now: datetime) -> list[Line]:
    """One card: the key, severity, stage and alarms; the title and customer; the trio's
    holders (VACANT, DISPUTED in words); the next customer and internal updates."""
    inc = view.incident
    end = ended(view)
    alarms = alarm_count(view, now)
    sev = "alarm" if inc.severity.value in ("SEV1", "SEV2") else "warn"
    head = [Cell(f" {inc.key} ", "strong"), Cell(" "), Cell(inc.severity.value, sev),
            Cell("  "), Cell(inc.stage.value.upper(), "strong")]
    if inc.drill:
        head += [Cell(" "), Cell(" DRILL ", "warn")]
    head.append(Cell("  "))
    head.append(Cell(f" {alarms} ALARM{'S' if alarms > 1 else ''} ", "alarm") if alarms
                else Cell("no alarms", "muted"))
    lines: list[Line] = [tuple(head),
                         (Cell(inc.title, "strong"), Cell(" for ", "muted"), Cell(inc.customer))]
    disputes = {d.role: d for d in view.disputes}
    for role in TRIO:
        slot = view.role(role)
        if slot is None:
            lines.append((Cell(f"{role}: not in this playbook", "muted"),))
            continue
        label = Cell(f"{slot.title}: ", "muted")
        holder = (Cell(slot.holder, "strong") if slot.holder
                  else Cell("vacant" if end else "VACANT", "muted" if end else "alarm"))
        cells = [label, holder]
        if role in disputes and not end:
            cells.append(Cell(f" DISPUTED by {disputes[role].claimant}", "alarm"))
        lines.append(tuple(cells))
    for audience in ("customer", "internal"):
        due = getattr(inc, f"next_{audience}_due")
        head_cell = Cell(f"{audience.capitalize()} update ", "muted")
        if due is None or end:
            lines.append((head_cell, Cell("no more due", "muted")))
        elif due >= now:
            left = due - now
            lines.append((head_cell, Cell(f"in {mins(left)}",
                                          "warn" if left.total_seconds() < 300 else "ok")))
        else:
            lines.append((head_cell, Cell(f"OVERDUE by {mins(now - due)}", "alarm")))
    return lines


def alarming(view: IncidentView, now: datetime) -> bool:
    """Whether the card stands out: something needs someone now."""
    return alarm_count(view, now) > 0
