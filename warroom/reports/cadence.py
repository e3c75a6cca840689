"""Updates on time: the one rule for when a status update falls due and which due times count.

Each audience (``customer``, ``internal``) is counted on its own by this rule, in a
:class:`CadenceRec`; the fold (:mod:`warroom.reports.handlers`) feeds it the journal, as things
happened. Times are POSIX seconds; the cadence is minutes between updates.

**Due times.** One due time is in force at a time:

- at the opening: the opening plus the cadence of the incident's severity;
- after an update: the time the update promised (``next_due`` in its payload: sooner than
  the cadence, or later when agreed with the customer), else the update plus the cadence.
  The clock restarts at each post;
- after a due time passes with no update: that due time plus the cadence (the due time rolls
  forward), again for every further cadence of silence;
- at a severity change: the earlier of the due time in force (rolled forward to the change)
  and the change plus the new cadence; the new cadence from then on
  (:mod:`warroom.reports.changes`);
- at a reopening: the reopening plus the cadence (:mod:`warroom.reports.reopen`);
- from resolution on: none.

**Counting.** Each due time counts once at most, met or missed:

- *missed*: it passes with no update: strictly before the next update, the resolution, or
  (for an incident still open) the moment measured. A due time exactly at the resolution is
  not missed (nothing is due from then on);
- *met*: an update is posted at or before it (exactly on it is on time). This holds for a
  due time rolled forward too, so a late update meets one: it misses every due time before it
  and meets the rolled one it comes at or before. Hourly updates against a 30-minute cadence
  miss one due time and meet the next, every hour: 50 %; a room silent 61 minutes misses two
  and meets the third;
- an update counts only when the due time counted last is behind it (strictly before it).
  One posted before then meets nothing and only restarts the clock, so a burst of updates
  counts once, not once per post. Before anything is counted the opening's due time stands
  for the one counted last: the first update, posted at or before it, meets nothing (it is
  judged on its own, as the time to the first update); a first update after it misses the
  due times before it and meets the rolled one, like any late update.

A reopening starts counting again from the reopening (the due times missed before the
resolution stay counted); an update posted while resolved counts nothing. The reopening
restarts the clock like a post, and the first update after it meets the due time it set
(the time to the first update is the opening's alone). Adherence is due times met over due times counted, per audience;
``None`` when none was counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def missed_dues(due: float, until: float, period: float) -> int:
    """How many due times ``due``, ``due + period``, ... fall strictly before ``until`` (an
    update posted exactly at a due time is on time, a resolution exactly on one owes none)."""
    if until <= due or period <= 0:
        return 0
    whole, rest = divmod(until - due, period)
    return int(whole) + (1 if rest else 0)


@dataclass
class CadenceRec:
    """Status updates of one audience against the cadence, counted by the module's rule.

    ``next_due`` is the due time in force (None: nothing due); ``floor`` is the due time
    counted last (the opening's due time until one is): an update meets a due time only when
    posted after it. ``missed`` holds the due times missed, as runs ``(first, how many)``:
    first, first + period, ...
    """

    minutes: float
    next_due: float | None
    due: int = 0  # due times counted: met or missed
    on_time: int = 0  # of those, met
    posts: int = 0
    late_posts: int = 0
    first: float | None = None
    floor: float | None = None
    missed: list[tuple[float, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.floor is None:
            self.floor = self.next_due

    @property
    def period(self) -> float:
        return self.minutes * 60

    @property
    def adherence(self) -> float | None:
        """Due times met over due times counted; None when none was counted."""
        return self.on_time / self.due if self.due else None

    def miss(self, due: float, count: int) -> None:
        """Count ``count`` due times missed: ``due``, ``due + period``, ..."""
        if count:
            self.due += count
            self.missed.append((due, count))
            self.floor = due + (count - 1) * self.period

    def posted(self, t: float, due: float | None) -> None:
        """Count an update posted at ``t`` while ``due`` was in force (None: nothing due)."""
        if due is None:
            return
        if t > due:  # late: every due time before it is missed; it meets the rolled one
            if not self.period:  # no cadence to roll by: nothing else was due
                self.miss(due, 1)
                return
            missed = missed_dues(due, t, self.period)
            self.miss(due, missed)
            due += missed * self.period
        elif self.floor is None or t <= self.floor:
            # the due time counted last is still ahead (or the first due time of an
            # audience with no cadence): it only restarts the clock
            if self.floor is None:
                self.floor = due
            return
        self.due += 1
        self.on_time += 1
        self.floor = due

    def lapse(self, until: float) -> None:
        """The incident ends (resolution) or is measured (now): every due time that passed
        before ``until`` with no update is missed; nothing is due after that."""
        if self.next_due is not None:
            self.miss(self.next_due, missed_dues(self.next_due, until, self.period)
                      if self.period else int(self.next_due < until))
        self.next_due = None

    def missed_times(self, limit: int) -> tuple[list[float], int]:
        """The first ``limit`` due times missed, in order, and how many were missed."""
        times: list[float] = []
        for first, count in self.missed:
            times += [first + k * self.period for k in range(min(count, limit - len(times)))]
        return times, sum(count for _, count in self.missed)
