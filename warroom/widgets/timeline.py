"""The timeline: the journal in plain words, newest first, in a bounded window.

Measured here, growing widgets are expensive (a DataTable of 10,000 rows takes 2 s to
refresh, a RichLog fed 10,000 writes 2.5 s), so the timeline is a line-API scroll view: one
row per event, cropped to the pane's width with an ellipsis, and a new event costs the few
visible rows. It keeps at most :data:`MAX_KEPT` events; older ones are paged in on demand.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

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
        self._events: list[Event] = []  # newest first
        self._lines: list[str] = []  # the same, in words
        self.more_older = True
        self._base: Style | None = None  # rich_style is costly to compute per row

    @property
    def oldest_id(self) -> int | None:
        return self._events[-1].id if self._events else None

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
        self._events[:0] = reversed(events)
        self._lines[:0] = [clean_line(line(e)) for e in reversed(events)]
        if len(self._events) > MAX_KEPT:
            del self._events[MAX_KEPT:], self._lines[MAX_KEPT:]
            self.more_older = True
        self._changed()
        if self.scroll_y > 0:
            self.scroll_to(y=self.scroll_y + len(events), animate=False, immediate=True)

    def add_older(self, events: list[Event], *, complete: bool) -> None:
        """A page of older events (newest first); ``complete`` when none are left.

        Paging stops at :data:`MAX_KEPT` events; the hint then points to ``warroom log``.
        """
        room = MAX_KEPT - len(self._events)
        self._events.extend(events[:room])
        self._lines.extend(clean_line(line(e)) for e in events[:room])
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
