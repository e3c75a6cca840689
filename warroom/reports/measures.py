"""What the rollup takes from each incident: the measures, and one incident's figures.

:data:`MEASURES` are the figures the snapshot summarises (none, one or several values per
incident). :class:`Figures` is everything the rollup needs of one incident: who it is (key,
title, severity, customers, playbook, opened, drill) and its values of every measure, with
its updates on time per audience. It is built from a folded
:class:`~warroom.reports.figures.IncidentMetrics` (:meth:`Figures.of`) or read back from the
derived table (:meth:`Figures.decode`, see :mod:`warroom.reports.derived`); both give the
same figures, to the bit (JSON keeps every float exactly).
"""

from __future__ import annotations

import json
import json.scanner
from collections.abc import Callable
from dataclasses import dataclass

from warroom.reports.figures import IncidentMetrics

AUDIENCES = ("customer", "internal")
# the C scanner behind json.loads, called directly (as the fold does for payloads)
_scan = json.scanner.make_scanner(json.JSONDecoder())


@dataclass(frozen=True)
class Measure:
    """One figure taken from each incident (none, one, or several values per incident)."""

    name: str
    label: str
    unit: str  # duration (seconds), ratio (0-1), count, score (CSAT 1-5)
    values: Callable[[IncidentMetrics], list[float]]


def _one(value: float | None) -> list[float]:
    return [] if value is None else [value]


def on_time(m: IncidentMetrics, audience: str) -> tuple[int, int] | None:
    """(met, due) of one audience's due times, or None when none fell due."""
    c = m.cadence.get(audience)
    return None if c is None or not c.due else (c.on_time, c.due)


def _ratio(m: IncidentMetrics, audience: str) -> list[float]:
    counts = on_time(m, audience)
    return [] if counts is None else [counts[0] / counts[1]]


MEASURES: tuple[Measure, ...] = (
    Measure("time_to_ownership", "Time to ownership", "duration",
            lambda m: _one(m.time_to_ownership)),
    Measure("first_customer_update", "First customer update", "duration",
            lambda m: _one(m.first_update("customer"))),
    Measure("first_internal_update", "First internal update", "duration",
            lambda m: _one(m.first_update("internal"))),
    Measure("time_to_resolution", "Time to resolution", "duration",
            lambda m: _one(m.time_to_resolution)),
    Measure("vacancy", "Role vacancy per incident (lead, comms, decider)", "duration",
            lambda m: [m.trio_vacancy]),
    Measure("disputes", "Disputes per incident", "count", lambda m: [len(m.disputes)]),
    Measure("dispute_settle", "Time to settle a dispute", "duration",
            lambda m: m.dispute_times()),
    Measure("handovers_unaccepted", "Handovers never accepted", "count",
            lambda m: [len(m.unaccepted_handovers())]),
    Measure("customer_on_time", "Customer updates on time", "ratio",
            lambda m: _ratio(m, "customer")),
    Measure("internal_on_time", "Internal updates on time", "ratio",
            lambda m: _ratio(m, "internal")),
    Measure("milestones_missed", "Milestones missed", "count",
            lambda m: [m.milestone_counts()["missed"]]),
    Measure("approval_wait", "Approval wait", "duration",
            lambda m: [wait for _, _, wait in m.approval_outcomes()]),
    Measure("csat", "CSAT", "score", lambda m: _one(m.csat)),
)
BY_NAME = {m.name: m for m in MEASURES}
# the figures the list of incidents counted gives for each incident
LISTED = ("time_to_ownership", "first_customer_update", "time_to_resolution",
          "customer_on_time", "internal_on_time")


@dataclass(frozen=True, slots=True)
class Figures:
    """One incident as the rollup sees it: identity and every measure's values."""

    id: int
    key: str
    title: str
    severity: str
    customer: str
    playbook: str | None
    opened: float
    drill: bool
    resolved: bool
    values: tuple[list[float], ...]  # in MEASURES order
    updates: tuple[tuple[int, int] | None, ...]  # in AUDIENCES order: (met, due)

    @classmethod
    def of(cls, m: IncidentMetrics) -> "Figures":
        """From a folded incident (its books closed by the fold)."""
        return cls(m.id, m.key, m.title, m.severity, m.customer, m.playbook, m.opened,
                   m.drill, m.resolved is not None,
                   tuple(measure.values(m) for measure in MEASURES),
                   tuple(on_time(m, audience) for audience in AUDIENCES))

    def encode(self) -> str:
        """As JSON text: a list, measures in :data:`MEASURES` order (:data:`FORMAT` names
        them), then (met, due) per audience."""
        return json.dumps([self.key, self.title, self.severity, self.customer, self.playbook,
                           self.opened, self.drill, self.resolved, self.values, self.updates],
                          separators=(",", ":"))

    @classmethod
    def decode(cls, incident_id: int, text: str) -> "Figures":
        """From :meth:`encode`'s text; ValueError, TypeError or StopIteration if it is not
        that."""
        (key, title, severity, customer, playbook, opened, drill, resolved, values,
         updates) = _scan(text, 0)[0]
        if len(values) != len(MEASURES) or len(updates) != len(AUDIENCES):
            raise ValueError("not the figures of this version")
        return cls(incident_id, key, title, severity, customer, playbook, opened, drill,
                   resolved, tuple(values),
                   tuple(None if u is None else tuple(u) for u in updates))

    def on_time(self, audience: str) -> tuple[int, int] | None:
        return self.updates[AUDIENCES.index(audience)]


# what the derived table's rows were made with: a change of the measures makes them stale
FORMAT = "2:" + ",".join(m.name for m in MEASURES)

__all__ = ["AUDIENCES", "BY_NAME", "FORMAT", "Figures", "LISTED", "MEASURES", "Measure",
           "on_time"]
