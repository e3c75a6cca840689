"""Escalation metrics across incidents: a period, grouped by severity, customer and playbook.

For each group: how many incidents opened in the period and, for each measure, the median,
the 90th percentile (nearest rank) and the change of the median against the previous period
of the same length. Calendar weeks give the trends: ISO weeks, from Monday 00:00 UTC, from
the week the period starts in to the current one (so every point but the current week is a
whole week, counting all its incidents, also those opened just before the period began).
Drill incidents are left out (and counted as left out). Everything comes from
:mod:`warroom.reports.metrics`, so from the journal alone.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from warroom.reports.figures import IncidentMetrics
from warroom.reports.metrics import all_incidents, paused_gc

DIMENSIONS = ("all", "severity", "customer", "playbook")
MAX_PERIOD = timedelta(days=3660)  # ten years: two periods back stay far from year 1
WEEK = timedelta(days=7)
NO_PLAYBOOK = "(no playbook)"
ALL = "all incidents"


@dataclass(frozen=True)
class Measure:
    """One figure taken from each incident (none, one, or several values per incident)."""

    name: str
    label: str
    unit: str  # duration (seconds), ratio (0-1), count, score (CSAT 1-5)
    values: Callable[[IncidentMetrics], list[float]]


def _one(value: float | None) -> list[float]:
    return [] if value is None else [value]


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
    Measure("cadence", "Updates on time", "ratio", lambda m: _one(m.cadence_adherence)),
    Measure("milestones_missed", "Milestones missed", "count",
            lambda m: [m.milestone_counts()["missed"]]),
    Measure("approval_wait", "Approval wait", "duration",
            lambda m: [wait for _, _, wait in m.approval_outcomes()]),
    Measure("csat", "CSAT", "score", lambda m: _one(m.csat)),
)
BY_NAME = {m.name: m for m in MEASURES}


@dataclass(frozen=True)
class Stat:
    """Values of one measure in one group: how many, median, p90 and total."""

    n: int
    median: float | None
    p90: float | None
    total: float


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value with at least 90 % of the
    values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def stat(values: list[float]) -> Stat:
    if not values:
        return Stat(0, None, None, 0)
    return Stat(len(values), statistics.median(values), p90(values), sum(values))


@dataclass
class Cell:
    """The incidents of one group in one period, summarised per measure."""

    count: int
    stats: dict[str, Stat]

    @classmethod
    def of(cls, rows: list[list[list[float]]]) -> "Cell":
        """From each incident's values per measure (in :data:`MEASURES` order)."""
        return cls(len(rows), {
            m.name: stat([v for row in rows for v in row[i]]) for i, m in enumerate(MEASURES)
        })


@dataclass
class Group:
    dimension: str  # all, severity, customer, playbook
    name: str
    current: Cell
    previous: Cell

    def change(self, measure: str) -> float | None:
        """This period's median minus the previous period's (None if either has none)."""
        now, before = self.current.stats[measure].median, self.previous.stats[measure].median
        return None if now is None or before is None else now - before


@dataclass
class Week:
    start: datetime
    end: datetime
    cell: Cell


@dataclass
class Snapshot:
    """The leadership snapshot: groups for the period, weekly trends, what was left out."""

    now: datetime
    since: timedelta
    groups: list[Group]
    weeks: list[Week]
    drills_left_out: int = 0
    truncated: dict[str, int] = field(default_factory=dict)  # dimension: groups not shown

    @property
    def start(self) -> datetime:
        return self.now - self.since

    @property
    def previous_start(self) -> datetime:
        return self.now - 2 * self.since

    def dimension(self, name: str) -> list[Group]:
        return [g for g in self.groups if g.dimension == name]


def _key(m: IncidentMetrics, dimension: str) -> str:
    if dimension == "severity":
        return m.severity
    if dimension == "customer":
        return m.customer
    if dimension == "playbook":
        return m.playbook or NO_PLAYBOOK
    return ALL


def summarise(
    incidents: Iterable[IncidentMetrics], now: datetime, since: timedelta,
    *, limit: int | None = None,
) -> Snapshot:
    """The snapshot of the period ``(now - since, now]`` against the one before it.

    Incidents count in the period they were opened in; drills are left out. ``limit``
    keeps the busiest groups of each dimension (severity is never cut).
    """
    if not timedelta() < since <= MAX_PERIOD:
        raise ValueError(f"the period must be positive and at most {MAX_PERIOD.days} days")
    end, start, before = now.timestamp(), (now - since).timestamp(), (now - 2 * since).timestamp()
    first_week = week_start(now - since).timestamp()
    current: list[tuple[IncidentMetrics, list]] = []
    previous: list[tuple[IncidentMetrics, list]] = []
    trend: list[tuple[float, list]] = []
    drills = 0
    for m in incidents:
        if m.opened > end or (m.opened <= before and m.opened < first_week):
            continue
        if m.drill:
            drills += m.opened > start
            continue
        row = [measure.values(m) for measure in MEASURES]
        if m.opened >= first_week:
            trend.append((m.opened, row))
        if m.opened > before:
            (current if m.opened > start else previous).append((m, row))
    snap = Snapshot(now, since, [], _weeks(trend, now, since), drills)
    for dimension in DIMENSIONS:
        groups = _groups(dimension, current, previous)
        if limit is not None and dimension != "severity" and len(groups) > limit:
            snap.truncated[dimension] = len(groups) - limit
            groups = groups[:limit]
        snap.groups += groups
    return snap


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week ``at`` falls in."""
    day = at.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _groups(dimension: str, current: list, previous: list) -> list[Group]:
    """Every group of one dimension seen in either period: severity in order, others
    busiest first."""
    now_rows: dict[str, list] = {}
    old_rows: dict[str, list] = {}
    for rows, into in ((current, now_rows), (previous, old_rows)):
        for m, row in rows:
            into.setdefault(_key(m, dimension), []).append(row)
    names = set(now_rows) | set(old_rows)
    if dimension == "all":
        names = {ALL}
    order = sorted(names) if dimension == "severity" else sorted(
        names, key=lambda n: (-len(now_rows.get(n, [])), -len(old_rows.get(n, [])), n))
    return [Group(dimension, n, Cell.of(now_rows.get(n, [])), Cell.of(old_rows.get(n, [])))
            for n in order]


def _weeks(trend: list[tuple[float, list]], now: datetime, since: timedelta) -> list[Week]:
    """ISO weeks from the one the period starts in to the current one (cut at ``now``),
    each with the incidents opened in it."""
    first = week_start(now - since)
    count = max(1, math.ceil((now - first) / WEEK))
    buckets: list[list] = [[] for _ in range(count)]
    origin = first.timestamp()
    for opened, row in trend:
        buckets[min(count - 1, int((opened - origin) // WEEK.total_seconds()))].append(row)
    return [Week(first + i * WEEK, min(first + (i + 1) * WEEK, now), Cell.of(rows))
            for i, rows in enumerate(buckets)]


def snapshot(store, now: datetime, since: timedelta, *, limit: int | None = None) -> Snapshot:
    """Fold the journal (only incidents opened in the two periods, or in the first week of
    the trend) and summarise it."""
    opened_from = min(now - 2 * since, week_start(now - since))
    incidents = all_incidents(store, now, drills=True, opened_from=opened_from)
    # all_incidents pauses the collector for the fold only; the summary keeps its records
    # alive too (without this pause: 0.7 s more at a million events, and not linear)
    with paused_gc():
        return summarise(incidents, now, since, limit=limit)


__all__ = ["MEASURES", "BY_NAME", "Snapshot", "Group", "Cell", "Stat", "Week", "summarise",
           "snapshot", "p90", "week_start", "MAX_PERIOD"]
