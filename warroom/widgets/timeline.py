"""The timeline: the journal in plain words, newest first, in a bounded window.

Events are kept in the order they happened (``at``, then id), as ``warroom log`` and the
metrics read them: an event recorded late (``--at``) takes its place in time, marked
``[backfilled HH:MM]``, wherever it arrives from. Each time carries its date when it is not
today (and its zone when it differs from now's); the lines are worded again when the
viewer's day or zone changes.

Measured here, growing widgets are expensive (a DataTable of 10,000 rows takes 2 s to
refresh, a RichLog fed 10,000 writes 2.5 s), so the timeline is a line-API scroll view: one
row per event, cropped to the pane's width with an ellipsis, and a new event costs the few
visible rows. It keeps at most :data:`MAX_KEPT` events; older ones are paged in on demand.
"""

from __future__ import annotations

from bisect import bisect
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.clock import local, utcnow, zone_label
from warroom.journal import line
from warroom.records import Event
from warroom.text import clean_line

MAX_KEPT = 2000
HINT = "... older events: press o"
HINT_FULL = f"... older events: the pane keeps {MAX_KEPT:,}; 'warroom log' shows them all"


class Timeline(ScrollView, can_focus=True):
    """Newest events on top; :meth:`add_newer` and :meth:`add_older` keep it bounded."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "Timeline (newest first)"
        self._events: list[Event] = []  # newest first, in the order they happened
        self._lines: list[str] = []  # the same, in words
        self._ids: set[int] = set()
        self._floor: int | None = None  # the lowest event id read: older pages start below
        self._day: tuple | None = None  # (local date, zone) the lines were worded for
        self.more_older = True
        self._base: Style | None = None  # rich_style is costly to compute per row

    @property
    def oldest_id(self) -> int | None:
        """Where the next page of older events starts (pages go by id, the journal's
        order of recording; each event read takes its place in time)."""
        return self._floor

    def _now(self) -> datetime:
        return getattr(self.app, "clock", utcnow)()  # the app's clock (frozen in tests)

    def _word(self, event: Event, now: datetime) -> str:
        return clean_line(line(event, now))

    def tick(self, now: datetime) -> None:
        """A new day or a change of zone (DST): times are worded again (a time of today
        loses nothing, yesterday's gains its date). Costs nothing otherwise."""
        day = (local(now).date(), zone_label(now))
        if self._day is not None and day != self._day and self._events:
            self._lines = [self._word(e, now) for e in self._events]
            self.refresh()
        self._day = day

    def _insert(self, events: list[Event]) -> int:
        """Put each new event in its place in time; returns how many landed above the
        current scroll position."""
        now = self._now()
        self._day = (local(now).date(), zone_label(now))
        above = 0
        for e in events:
            if e.id in self._ids:
                continue
            self._ids.add(e.id)
            self._floor = e.id if self._floor is None else min(self._floor, e.id)
            if not self._events or (e.at, e.id) > (self._events[0].at, self._events[0].id):
                index = 0  # the usual case: it happened after everything shown
            else:
                index = bisect(self._events, (-e.at.timestamp(), -e.id),
                               key=lambda x: (-x.at.timestamp(), -x.id))
            self._events.insert(index, e)
            self._lines.insert(index, self._word(e, now))
            above += index < self.scroll_y
        return above

    @property
    def full(self) -> bool:
        """The window holds :data:`MAX_KEPT` events: no more pages of older ones."""
        return len(self._events) >= MAX_KEPT

    @property
    def hint(self) -> str:
        return HINT_FULL if self.full else HINT

    @property
    def plain_lines(self) -> list[str]:
        """What the timeline says, top to bottom (for tests and the bench)."""
        return self._lines + ([self.hint] if self.more_older else [])

    def add_newer(self, events: list[Event]) -> None:
        """Events that just happened (oldest first, as read from the journal).

        Someone reading older events (scrolled down) keeps their place: the view moves
        down with the rows that appear above it.
        """
        if not events:
            return
        above = self._insert(events)
        if len(self._events) > MAX_KEPT:
            self._trim()
            self.more_older = True
        self._changed()
        if self.scroll_y > 0 and above:
            self.scroll_to(y=self.scroll_y + above, animate=False, immediate=True)

    def _trim(self) -> None:
        """Keep the :data:`MAX_KEPT` that happened last."""
        for e in self._events[MAX_KEPT:]:
            self._ids.discard(e.id)
        del self._events[MAX_KEPT:], self._lines[MAX_KEPT:]

    def add_older(self, events: list[Event], *, complete: bool) -> None:
        """A page of older events (newest first); ``complete`` when none are left.

        Paging stops at :data:`MAX_KEPT` events; the hint then points to ``warroom log``.
        """
        room = MAX_KEPT - len(self._events)
        self._insert(events[:room])
        if events[room:]:  # not kept, but read: the next page starts below them
            self._floor = min([e.id for e in events[room:]] + [self._floor or events[-1].id])
        self.more_older = not complete or len(events) > room
        self._changed()

    def _changed(self) -> None:
        rows = len(self._lines) + self.more_older
        before = self.virtual_size.height
        if rows != before:
            window = self.scrollable_content_region.height
            if self.show_vertical_scrollbar and rows > window and before > window:
                # The scrollbar stays: only its thumb changes. Setting virtual_size would
                # re-lay out the whole screen for every event (half a viewer's CPU).
                self.set_reactive(Timeline.virtual_size, Size(0, rows))
                self.vertical_scrollbar.window_virtual_size = rows
            else:
                self.virtual_size = Size(0, rows)
        self.border_subtitle = f"{len(self._events)} shown"
        self.refresh()

    def notify_style_update(self) -> None:
        self._base = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        if index < len(self._lines):
            text, style = self._lines[index], base
        elif index == len(self._lines) and self.more_older:
            text, style = self.hint, base + Style(dim=True)
        else:
            return Strip.blank(width, base)
        if cell_len(text) > width:  # one row per event: crop (by cells: 漢 is two), say so
            text = set_cell_size(text, max(0, width - 1)) + "…"
        return Strip([Segment(text, style)]).extend_cell_length(width, base)
