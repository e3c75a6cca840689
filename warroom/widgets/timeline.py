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

A cursor (up/down, home/end, page keys) picks an entry; Enter opens it in full. ``f`` keeps
one kind of entry (customer updates, notes and decisions, ownership, approvals) and a search
keeps the entries whose words contain it; both only change which kept events are shown.
"""

from __future__ import annotations

from bisect import bisect
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.clock import local, utcnow, zone_label
from warroom.records import Event
from warroom.render import entries

MAX_KEPT = 2000
HINT = "... older events: press o"
HINT_FULL = f"... older events: the pane keeps {MAX_KEPT:,}; 'warroom log' shows them all"


class Timeline(ScrollView, can_focus=True):
    """Newest events on top; :meth:`add_newer` and :meth:`add_older` keep it bounded."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; overflow-x: hidden; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="timeline.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="timeline.down"),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("home", "cursor(-100000)", "First", show=False),
        Binding("end", "cursor(100000)", "Last", show=False),
        Binding("enter", "open", "Open", id="timeline.open", show=False,
                tooltip="Open the timeline entry under the cursor in full (copy it with y)"),
        Binding("f", "filter", "Filter", id="timeline.filter", show=False,
                tooltip="Timeline: show only customer updates, notes and decisions, "
                "ownership or approvals (again: the next; then everything)"),
        Binding("slash", "search", "Search", id="timeline.search", show=False,
                tooltip="Timeline: show only entries containing a word (escape clears it)"),
    ]
    TITLE = "Timeline (newest first)"

    class Opened(Message):
        """Enter on an entry: show it in full."""

        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    class SearchWanted(Message):
        """``/``: the screen opens the search field."""

    def __init__(self, *, id: str | None = None, key: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        # its keys are said here: the footer has no room for them at 80 columns
        self.title = f"{key} {self.TITLE}" + (" · enter open · f filter · / search" if key else "")
        self.border_title = self.title
        self.titles: dict[str, str] = {}
        """Role names by id (from the view): entries say "Billing ops", never billing_ops."""
        self.kind = "all"  # the filter (warroom.render.entries.FILTERS)
        self.query_text = ""  # the search, case-folded
        self._rows: list[int] | None = None  # indices shown when filtered, else None
        self._cursor_id: int | None = None  # the event under the cursor
        self.cursor_shown = False
        self._focused_before = False
        """Whether the cursor is drawn: from the first key that moves it or brings the
        timeline into focus, never on the dashboard's first paint (a reversed row there
        would read as an alarm on the wall)."""
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
        return entries.worded(event, now, self.titles)

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
        shown = self._lines if self._rows is None else [self._lines[i] for i in self._rows]
        return shown + ([self.hint] if self.more_older else [])

    # -- which entries are shown --------------------------------------------------------

    @property
    def filtered(self) -> bool:
        return self._rows is not None

    def _refilter(self) -> None:
        """The indices the filter and the search keep (None when both are off)."""
        if self.kind == "all" and not self.query_text:
            self._rows = None
            return
        self._rows = [i for i, e in enumerate(self._events)
                      if entries.matches(e, self.kind)
                      and (not self.query_text or self.query_text in self._lines[i].casefold())]

    def set_view(self, kind: str | None = None, query: str | None = None) -> None:
        """Keep one kind of entry and/or entries containing ``query`` (case-insensitive)."""
        if kind is not None:
            self.kind = kind
        if query is not None:
            self.query_text = query.strip().casefold()
        self._refilter()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._cursor_id = self._event_at(0).id if self._count() else None
        self._changed(layout=True)

    def _count(self) -> int:
        return len(self._lines) if self._rows is None else len(self._rows)

    def _event_at(self, row: int) -> Event:
        return self._events[row if self._rows is None else self._rows[row]]

    def _row_of(self, event_id: int | None) -> int | None:
        """The displayed row of an event, or None when it is not shown."""
        for row in range(self._count()):
            if self._event_at(row).id == event_id:
                return row
        return None

    @property
    def selected(self) -> Event | None:
        """The entry under the cursor (the newest shown, before any move)."""
        row = self._row_of(self._cursor_id)
        if row is None:
            return self._event_at(0) if self._count() else None
        return self._event_at(row)

    def action_cursor(self, step: int) -> None:
        count = self._count()
        if not count:
            return
        row = self._row_of(self._cursor_id)
        row = max(0, min(count - 1, (0 if row is None else row) + step))
        self._cursor_id = self._event_at(row).id
        self.cursor_shown = True
        window = self.scrollable_content_region.height
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= self.scroll_y + window:
            self.scroll_to(y=row - window + 1, animate=False, immediate=True)
        if row == count - 1 and step > 0 and self.more_older and not self.filtered:
            self.app.load_older()  # the last entry: page in older ones
        self.refresh()

    def action_open(self) -> None:
        event = self.selected
        if event is not None:
            self.post_message(self.Opened(event))

    def action_filter(self) -> None:
        self.cursor_shown = True
        self.set_view(kind=entries.next_filter(self.kind))

    def action_search(self) -> None:
        self.post_message(self.SearchWanted())

    def show_cursor(self) -> None:
        if not self.cursor_shown:
            self.cursor_shown = True
            self.refresh()

    def on_focus(self) -> None:
        if self._focused_before:  # Tab, a click or back from a drill-down: a reader here
            self.show_cursor()
        self._focused_before = True

    def on_blur(self) -> None:
        self.refresh()  # the cursor shows only while the timeline has focus

    def add_newer(self, events: list[Event]) -> None:
        """Events that just happened (oldest first, as read from the journal).

        Someone reading older events (scrolled down) keeps their place: the view moves
        down with the rows that appear above it.
        """
        if not events:
            return
        anchor = self._event_at(int(self.scroll_y)).id if self.filtered and self.scroll_y \
            and self.scroll_y < self._count() else None
        above = self._insert(events)
        if len(self._events) > MAX_KEPT:
            self._trim()
            self.more_older = True
        if self.filtered:
            self._refilter()
            row = self._row_of(anchor) if anchor is not None else None
            above = (row - int(self.scroll_y)) if row is not None else 0
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
        if self.filtered:
            self._refilter()
        self._changed()

    def _changed(self, layout: bool = False) -> None:
        rows = self._count() + self.more_older + (self.filtered and not self._count())
        before = self.virtual_size.height
        if layout:
            self.virtual_size = Size(0, rows)
        elif rows != before:
            window = self.scrollable_content_region.height
            if self.show_vertical_scrollbar and rows > window and before > window:
                # The scrollbar stays: only its thumb changes. Setting virtual_size would
                # re-lay out the whole screen for every event (half a viewer's CPU).
                self.set_reactive(Timeline.virtual_size, Size(0, rows))
                self.vertical_scrollbar.window_virtual_size = rows
            else:
                self.virtual_size = Size(0, rows)
        self.border_subtitle = Content(self._subtitle())  # the search as typed: never markup
        self.refresh()

    def _subtitle(self) -> str:
        if not self.filtered:
            return f"{len(self._events)} shown"
        what = [entries.filter_label(self.kind)] if self.kind != "all" else []
        what += [f"containing '{self.query_text}'"] if self.query_text else []
        return f"{self._count()} of {len(self._events)}: {', '.join(what)}  f: next filter"

    def notify_style_update(self) -> None:
        self._base = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        count = self._count()
        if index < count:
            i = index if self._rows is None else self._rows[index]
            text, style = self._lines[i], base
            if self.cursor_shown and self.has_focus and self._events[i].id == (
                    self._cursor_id or self._event_at(0).id):
                style = base + Style(reverse=True)
        elif index == count and self.filtered and not count:
            text, style = "nothing matches (f: next filter, /: search)", base + Style(dim=True)
        elif index == count + (self.filtered and not count) and self.more_older:
            text, style = self.hint, base + Style(dim=True)
        else:
            return Strip.blank(width, base)
        if cell_len(text) > width:  # one row per event: crop (by cells: 漢 is two), say so
            text = set_cell_size(text, max(0, width - 1)) + "…"
        return Strip([Segment(text, style)]).extend_cell_length(width, base)
