"""The timeline: the journal in plain words, newest first, in a bounded window.

Measured here, growing widgets are expensive (a DataTable of 10,000 rows takes 2 s to
refresh), so the pane holds at most :data:`PAGE` events plus the pages asked for with
"older", and renders them as one Static.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from warroom.models import Event
from warroom.narrate import line

PAGE = 100
MAX_KEPT = 2000


class Timeline(VerticalScroll):
    """Newest events on top; :meth:`add_newer` and :meth:`add_older` keep it bounded."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; }
    Timeline > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "Timeline (newest first)"
        self._events: list[Event] = []  # newest first
        self.more_older = True

    def compose(self):
        yield Static(id="timeline-text")

    @property
    def oldest_id(self) -> int | None:
        return self._events[-1].id if self._events else None

    def add_newer(self, events: list[Event]) -> None:
        """Events that just happened (oldest first, as read from the journal)."""
        if not events:
            return
        self._events[:0] = reversed(events)
        del self._events[MAX_KEPT:]
        self._repaint()

    def add_older(self, events: list[Event], *, complete: bool) -> None:
        """A page of older events (newest first); ``complete`` when none are left."""
        self._events.extend(events)
        self.more_older = not complete
        self._repaint()

    def _repaint(self) -> None:
        lines = [Content(line(e)) for e in self._events]
        if self.more_older:
            lines.append(Content.styled("... older events: press o", "$text-muted"))
        self.query_one("#timeline-text", Static).update(Content("\n").join(lines))
        self.border_subtitle = f"{len(self._events)} shown"
