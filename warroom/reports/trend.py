"""The snapshot's trend: calendar weeks or months, over the stretch that has incidents.

Weeks are ISO weeks from Monday 00:00 UTC, months start on the 1st at 00:00 UTC. The trend
runs from the bucket of the period's first incident to the bucket of its last (a period
with none has no trend): by week when those two incidents are at most :data:`WEEKLY_UP_TO`
apart, by month beyond. Buckets in between without an incident are kept (as zero
incidents). Every bucket but the last is whole: the first counts every incident opened in
it, also one opened just before the period began; the last ends with the period.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warroom.reports.rollup import Cell, Period

WEEK = timedelta(days=7)
WEEKLY_UP_TO = timedelta(days=183)  # about six months: weekly up to this, monthly beyond


@dataclass
class Bucket:
    """One week or month of the trend: its incidents, summarised."""

    start: datetime
    end: datetime
    cell: "Cell"


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week ``at`` falls in."""
    day = at.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def month_start(at: datetime) -> datetime:
    """The 1st, 00:00 UTC, of the month ``at`` falls in."""
    return at.astimezone(timezone.utc).replace(day=1, hour=0, minute=0, second=0,
                                               microsecond=0)


def next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def buckets(
    rows: Sequence[tuple[float, Any]], opened: Sequence[float], period: "Period",
) -> tuple[str, list[tuple[datetime, datetime, list]]]:
    """The unit (``week`` or ``month``) and each bucket as (start, end, rows in it).

    ``rows`` are (opened, row) of every incident the trend may count, ``opened`` the times
    the period's own incidents opened: they set where the trend starts and ends.
    """
    if not opened:
        return "week", []
    first, last = (datetime.fromtimestamp(t, timezone.utc) for t in (min(opened), max(opened)))
    weekly = last - first <= WEEKLY_UP_TO
    start_of, step = (week_start, lambda s: s + WEEK) if weekly else (month_start, next_month)
    starts = [start_of(first)]
    while starts[-1] < start_of(last):
        starts.append(step(starts[-1]))
    edges = [s.timestamp() for s in starts] + [step(starts[-1]).timestamp()]
    into: list[list] = [[] for _ in starts]
    for t, row in rows:
        if edges[0] <= t < edges[-1]:
            into[bisect_right(edges, t) - 1].append(row)
    ends = [min(step(s), period.end) for s in starts]
    return ("week" if weekly else "month"), list(zip(starts, ends, into))

