"""Escalation metrics across incidents: a period, grouped by severity, customer and playbook.

For each group: how many incidents opened in the period and, for each measure, the median,
the 90th percentile (nearest rank) and the change of the median against the previous period
of the same length. Customer and internal updates on time are two measures, never pooled.

The period is the last stretch up to now (``(now - since, now]``) or whole UTC days
(``[first 00:00, day after last 00:00)``, cut at now). A customer scope keeps only the
incidents that customer is affected by (main customer or one of the others), and then names
no other customer: the customer dimension holds that one, the incidents counted list it
alone, and another customer's name in a title is replaced (:mod:`warroom.reports.scope`).

The trend covers only the stretch that has incidents, from the calendar week (ISO, Monday
00:00 UTC) of the period's first incident to that of its last, by month instead when that
stretch is longer than :data:`WEEKLY_UP_TO`. Every bucket but the last is whole: the first
also counts incidents opened in it just before the period began. Drill incidents are left
out (and counted as left out). Everything comes from :mod:`warroom.reports.metrics`, so from
the journal alone, and the customers an incident affects from its row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

from warroom.db import derived as derived_db
from warroom.reports import derived
from warroom.reports.figures import IncidentMetrics
from warroom.reports.measures import (AUDIENCES, BY_NAME, LISTED, MEASURES, Figures, Measure,
                                      on_time)
from warroom.reports.metrics import paused_gc
from warroom.reports.scope import Scope
from warroom.reports.trend import WEEKLY_UP_TO, Bucket, buckets, month_start, week_start
from warroom.rules.people import same_name

DIMENSIONS = ("all", "severity", "customer", "playbook")
MAX_PERIOD = timedelta(days=3660)  # ten years: two periods back stay far from year 1
NO_PLAYBOOK = "(no playbook)"
ALL = "all incidents"


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
    """Count, median (as ``statistics.median``), p90 and total, sorting once."""
    if not values:
        return Stat(0, None, None, 0)
    ordered = sorted(values)
    n = len(ordered)
    half = n // 2
    median = ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2
    return Stat(n, median, ordered[max(0, math.ceil(0.9 * n) - 1)], sum(values))


@dataclass
class Cell:
    """The incidents of one group in one period, summarised per measure."""

    count: int
    stats: dict[str, Stat]

    @classmethod
    def of(cls, rows: list[list[list[float]]]) -> "Cell":
        """From each incident's values per measure (in :data:`MEASURES` order)."""
        columns = list(zip(*rows)) if rows else [()] * len(MEASURES)
        return cls(len(rows), {m.name: stat(list(chain.from_iterable(column)))
                               for m, column in zip(MEASURES, columns)})


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


@dataclass(frozen=True)
class Period:
    """Incidents opened from ``start`` to ``end``; each end included or not."""

    start: datetime
    end: datetime
    closed_start: bool = False
    closed_end: bool = True

    @classmethod
    def last(cls, now: datetime, since: timedelta) -> "Period":
        """``(now - since, now]``."""
        return cls(now - since, now)

    @classmethod
    def days(cls, first: datetime, after_last: datetime | None, now: datetime) -> "Period":
        """Whole days from midnight ``first`` to midnight ``after_last`` (excluded), or to
        ``now`` (included) when that comes sooner or is not given."""
        if after_last is None or after_last > now:
            return cls(first, now, True, True)
        return cls(first, after_last, True, False)

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> "Period":
        """The same length just before, meeting this one without overlap."""
        return Period(self.start - self.length, self.start, self.closed_start,
                      not self.closed_start)

    def test(self) -> Callable[[float], bool]:
        """Whether a POSIX time falls in the period (bounds computed once)."""
        lo, hi = self.start.timestamp(), self.end.timestamp()
        if self.closed_start:
            return (lambda t: lo <= t <= hi) if self.closed_end else (lambda t: lo <= t < hi)
        return (lambda t: lo < t <= hi) if self.closed_end else (lambda t: lo < t < hi)


@dataclass(frozen=True)
class Counted:
    """One incident the period counted, for the list: who it is and its key figures."""

    key: str
    title: str
    severity: str
    customers: tuple[str, ...]
    opened: float
    figures: dict[str, float | None]  # LISTED measures
    updates: dict[str, tuple[int, int] | None]  # audience -> (met, due)


@dataclass
class Snapshot:
    """The leadership snapshot: groups for the period, the incidents counted, the trend,
    what was left out."""

    period: Period
    groups: list[Group]
    trend: list[Bucket]
    trend_unit: str = "week"  # week or month
    incidents: list[Counted] = field(default_factory=list)
    customer: str | None = None  # the one customer it is for, as recorded
    measured: datetime | None = None  # figures of open incidents run to this time
    drills_left_out: int = 0
    truncated: dict[str, int] = field(default_factory=dict)  # dimension: groups not shown

    @property
    def now(self) -> datetime:
        """The period's end."""
        return self.period.end

    @property
    def since(self) -> timedelta:
        return self.period.length

    @property
    def start(self) -> datetime:
        return self.period.start

    @property
    def previous_start(self) -> datetime:
        return self.period.previous().start

    @property
    def to_now(self) -> bool:
        """Whether the period runs up to the time the figures were taken."""
        return self.measured is None or self.period.end >= self.measured

    def dimension(self, name: str) -> list[Group]:
        return [g for g in self.groups if g.dimension == name]


def _keys(m: Figures, dimension: str, scope: Scope) -> Sequence[str]:
    """The groups of one dimension ``m`` counts in: one, but a customer each."""
    if dimension == "severity":
        return (m.severity,)
    if dimension == "customer":
        return scope.groups(m)
    if dimension == "playbook":
        return (m.playbook or NO_PLAYBOOK,)
    return (ALL,)


def summarise(
    incidents: Iterable[IncidentMetrics | Figures], now: datetime,
    since: timedelta | None = None, *,
    period: Period | None = None, limit: int | None = None, customer: str | None = None,
    customers: Mapping[int, Sequence[str]] | None = None,
) -> Snapshot:
    """The snapshot of ``period`` (default ``(now - since, now]``) against the one before.

    Incidents count in the period they were opened in; drills are left out. ``customer``
    keeps the incidents that customer is affected by, matched with ``same_name`` against
    ``customers`` (incident id -> every customer it affects, main first; an incident not in
    it affects its main customer only). ``limit`` keeps the busiest groups of each
    dimension (severity is never cut). ``now`` is when the figures were taken. Incidents
    are taken in the order they opened (then by id), whatever order they come in, so that
    folded metrics and figures read back from the derived table add up alike.
    """
    period = period or Period.last(now, since or timedelta())
    if not timedelta() < period.length <= MAX_PERIOD:
        raise ValueError(f"the period must be positive and at most {MAX_PERIOD.days} days")
    incidents = sorted(incidents, key=lambda m: (m.opened, m.id))
    scope = Scope.of(customer, customers or {}, incidents)
    in_period, in_previous = period.test(), period.previous().test()
    end = period.end.timestamp()
    first_bucket = min(week_start(period.start), month_start(period.start)).timestamp()
    current: list[tuple[Figures, tuple]] = []
    previous: list[tuple[Figures, tuple]] = []
    trend: list[tuple[float, list]] = []
    drills = 0
    for m in incidents:
        if m.opened > end or not scope.affects(m):
            continue
        now_in, before_in = in_period(m.opened), in_previous(m.opened)
        if m.drill:
            drills += now_in
            continue
        if not (now_in or before_in or m.opened >= first_bucket):
            continue
        if m.__class__ is not Figures:
            m = Figures.of(m)
        row = m.values
        if now_in:
            current.append((m, row))
        elif before_in:
            previous.append((m, row))
        if m.opened >= first_bucket:  # the period, and the start of its first week or month
            trend.append((m.opened, row))
    unit, points = buckets(trend, [m.opened for m, _ in current], period)
    snap = Snapshot(period, [], [Bucket(s, e, Cell.of(rows)) for s, e, rows in points],
                    unit, [_counted(m, row, scope) for m, row in current], scope.customer,
                    now, drills)
    for m, _ in current + previous:  # a main customer's spelling names its group
        scope.spelling(m.customer)
    for dimension in DIMENSIONS:
        groups = _groups(dimension, current, previous, scope)
        if limit is not None and dimension != "severity" and len(groups) > limit:
            snap.truncated[dimension] = len(groups) - limit
            groups = groups[:limit]
        snap.groups += groups
    return snap


def _counted(m: Figures, row: tuple[list[float], ...], scope: Scope) -> Counted:
    values = {measure.name: values for measure, values in zip(MEASURES, row)}
    return Counted(
        m.key, scope.title(m.title), m.severity, scope.named(m), m.opened,
        {name: (values[name][0] if values[name] else None) for name in LISTED},
        dict(zip(AUDIENCES, m.updates)))


def _groups(dimension: str, current: list, previous: list, scope: Scope) -> list[Group]:
    """Every group of one dimension seen in either period: severity in order, others
    busiest first. An incident affecting several customers counts in each one's group."""
    now_rows: dict[str, list] = {}
    old_rows: dict[str, list] = {}
    for rows, into in ((current, now_rows), (previous, old_rows)):
        for m, row in rows:
            for key in _keys(m, dimension, scope):
                into.setdefault(key, []).append(row)
    names = set(now_rows) | set(old_rows)
    if dimension == "all":
        names = {ALL}
    elif dimension == "customer" and scope.customer:
        names = {scope.customer}  # shown even with no incident: never another name
    order = sorted(names) if dimension == "severity" else sorted(
        names, key=lambda n: (-len(now_rows.get(n, [])), -len(old_rows.get(n, [])), n))
    return [Group(dimension, n, Cell.of(now_rows.get(n, [])), Cell.of(old_rows.get(n, [])))
            for n in order]


def customers_of(store) -> dict[int, tuple[str, ...]]:
    """Every incident's customers (the main one first, then the others it affects)."""
    with store.read():
        rows = derived_db.customers(store.conn)
    return {iid: (main, *_names(others)) for iid, main, others in rows}


def _names(raw: str | None) -> list[str]:
    """The others an incident row lists (a JSON list of names); none if unreadable."""
    if not raw or raw == "[]":
        return []
    try:
        names = json.loads(raw)
    except ValueError:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def find_customer(customers: Mapping[int, Sequence[str]], name: str) -> str | None:
    """``name`` as an incident recorded it (``same_name``), or None if none did."""
    for names in customers.values():
        for recorded in names:
            if same_name(recorded, name):
                return recorded
    return None


def snapshot(store, now: datetime, since: timedelta | None = None, *,
             period: Period | None = None, limit: int | None = None,
             customer: str | None = None) -> Snapshot:
    """The figures of the incidents opened in the two periods (or in the first week of the
    trend), from the derived table brought up to date (:func:`derived.current`: only what
    changed since is folded), summarised. The figures of open incidents run to ``now``."""
    period = period or Period.last(now, since or timedelta())
    opened_from = min(period.previous().start, week_start(period.start))
    # reading and summarising keep every incident's figures alive and make no reference
    # cycles: collections would only re-scan them (0.7 s more at a million events, and not
    # linear). Paused over both, the collection that follows finds them freed.
    with paused_gc():
        customers = customers_of(store)
        incidents = derived.current(store, now, opened_from=opened_from)
        snap = summarise(incidents, now, period=period, limit=limit, customer=customer,
                         customers=customers)
        del incidents, customers
    return snap


__all__ = ["MEASURES", "BY_NAME", "LISTED", "Measure", "Figures", "on_time", "Snapshot",
           "Group", "Cell", "Stat", "Bucket",
           "Period", "Counted", "summarise", "snapshot", "customers_of", "find_customer",
           "p90", "week_start", "month_start", "MAX_PERIOD", "WEEKLY_UP_TO"]
