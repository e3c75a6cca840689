"""What the metrics fold makes of ``incident.changed``: the values in force change at the
moment of the change, so every figure after it uses them.

- ``severity``: the update cadence switches to the one the event carries (the policy's
  cadence for the new severity). Due times that passed before the change, unanswered, are
  missed at the old cadence; the due time in force becomes the earlier of the one the old
  cadence set (rolled forward to the change) and a new cadence after the change, and
  silence from then on rolls at the new cadence (the rule: :mod:`warroom.reports.cadence`).
  So a SEV1 that became SEV2 on its first day is held to SEV2's cadence from then on. The
  incident keeps its opening severity for grouping (the rollup and snapshot group by the
  severity it opened with).
- ``title``: the metrics carry the newest title.
- ``customers`` and ``tier`` change no figure.
"""

from __future__ import annotations

from warroom.reports.cadence import CadenceRec, missed_dues
from warroom.reports.figures import IncidentMetrics


def changed(m: IncidentMetrics, t: float, who: str, p: dict) -> None:
    """Apply one ``incident.changed`` event at ``t``."""
    field = p.get("field")
    if field == "title":
        m.title = p.get("to") or m.title
    elif field == "severity":
        for audience, minutes in (p.get("cadence") or {}).items():
            if minutes:
                switch(m, audience, float(minutes), t)


def switch(m: IncidentMetrics, audience: str, minutes: float, t: float) -> None:
    """Hold ``audience`` to ``minutes`` between updates from ``t`` on (the rule is in
    :mod:`warroom.reports.cadence`)."""
    c = m.cadence.get(audience)
    if c is None:
        if m.resolved is None:
            m.cadence[audience] = CadenceRec(minutes=minutes, next_due=t + minutes * 60)
        return
    due = c.next_due
    if m.resolved is None and due is not None and due < t:
        # overdue at the change: the old cadence's due times before it are missed
        missed = missed_dues(due, t, c.period) if c.period else 1
        c.miss(due, missed)
        due = due + missed * c.period if c.period else None
    # missed runs expand by the period: spell out those counted at the old one
    if c.period and any(count > 1 for _, count in c.missed):
        c.missed = [(first + k * c.period, 1) for first, count in c.missed for k in range(count)]
    c.minutes = minutes
    if m.resolved is not None or c.next_due is None:
        return
    c.next_due = t + c.period if due is None else min(due, t + c.period)
    if c.due == 0 and c.floor is not None and c.next_due < c.floor:
        c.floor = c.next_due  # nothing counted yet: the first due time is the one now in force
