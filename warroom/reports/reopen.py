"""The fold's handler for a reopened incident (``incident.reopened``).

A reopened incident runs again from then: it is no longer resolved (the next resolution is
the one time to resolution is measured to), and each update cadence restarts from the
reopening, as it does after a post. The due times missed before the resolution stay
counted.
"""

from __future__ import annotations

from warroom.reports.figures import IncidentMetrics


def reopened(m: IncidentMetrics, t: float, who: str, p: dict) -> None:
    m.resolved, m.stage = None, p.get("to") or "investigating"
    for c in m.cadence.values():
        if c.minutes:
            c.next_due = t + c.period
            c.floor = max(c.floor or 0.0, t)
