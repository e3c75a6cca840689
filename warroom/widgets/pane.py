"""A pane that shows lines computed by :mod:`warroom.render.board` and repaints only on change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from warroom.records import IncidentView
from warroom.render.board import Cell, Line

# An alarm is a word in reverse video, bold: with TERM=xterm and no COLORTERM (what ssh
# gives) Textual has 16 colours and $text-error comes out white like everything else; a
# reversed, bold "VACANT" still stands out there, on a projector and to colour-blind eyes.
TONES = {
    "": "",
    "muted": "$text-muted",
    "ok": "$text-success",
    "warn": "bold $warning",
    "alarm": "bold reverse $error",
    "strong": "bold",
}
WALL_TONES = TONES | {"alarm": "bold $text on $error", "warn": "bold $text on $warning-darken-1"}


def to_content(lines: list[Line], wall: bool = False) -> Content:
    """Plain text with styled spans: user text never goes through markup."""
    tones = WALL_TONES if wall else TONES
    return Content("\n").join(
        Content.assemble(*((cell.text, tones[cell.tone]) for cell in line)) for line in lines
    )


class LinesPane(Static, can_focus=True):
    """A bordered pane whose text is ``compute(view, now)``; ticks cost nothing unless the
    text changed (durations are shown to the minute).

    With nothing to show it says ``empty`` ("no blockers") on one muted line, the height of
    one item: a pane that changed height or class on every event (a blocker raised, then
    cleared) would cost each viewer a restyle and a layout of the whole screen, about 8 ms.
    """

    DEFAULT_CSS = """
    LinesPane { height: auto; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="pane.open", show=False,
                tooltip="Open the focused pane in full (every item, with its history)"),
    ]

    class Opened(Message):
        """Enter on a pane: show everything it holds."""

        def __init__(self, pane: LinesPane) -> None:
            super().__init__()
            self.pane = pane

    def __init__(
        self, title: str, compute: Callable[..., list[Line]],
        *, id: str | None = None, wall: bool = False,
        note: Callable[[IncidentView], str] | None = None, empty: str = "none",
        limit: int | None = None, key: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="pane")
        self.pane_title = title
        self.border_title = f"{key} {title}" if key else title
        self.limit = limit
        """At most this many lines (the last says how many more): None for no bound, for
        a pane whose compute takes no ``limit``."""
        self._empty: list[Line] = [(Cell(empty, "muted"),)]
        self._compute = compute
        self._note = note
        self._wall = wall
        self._view: IncidentView | None = None
        self._shown: list[Line] | None = None
        self._shown_at: datetime | None = None

    def show(self, view: IncidentView, now: datetime) -> None:
        """A new view model from the database."""
        self._view = view
        if self._note:
            note = self._note(view)
            if note != self.border_subtitle:  # (assigning it, even unchanged, repaints the
                self.border_subtitle = note  # screen around the pane: every pane, per event)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """The clock moved: repaint only if what the pane says has changed."""
        if self._view is None:
            return
        self._shown_at = now
        lines = (self._compute(self._view, now) if self.limit is None else
                 self._compute(self._view, now, limit=self.limit)) or self._empty
        if lines != self._shown:
            # A layout costs more than the repaint: skip it when the height cannot change.
            width = self.content_size.width
            same_height = self._shown is not None and len(lines) == len(self._shown) and all(
                sum(len(c.text) for c in line) < width for line in lines + self._shown)
            self._shown = lines
            self.update(to_content(lines, self._wall), layout=not same_height)
            self.set_class(any(c.tone == "alarm" for line in lines for c in line), "-alarm")

    def bound(self, limit: int) -> None:
        """A new bound from the screen's size: repaint only if it changes what is said."""
        if limit != self.limit:
            self.limit = limit
            if self._view is not None:
                self.tick(self._shown_at)

    def action_open(self) -> None:
        self.post_message(self.Opened(self))

    @property
    def plain(self) -> str:
        """What the pane says, as plain text (for tests and the bench)."""
        return "\n".join("".join(c.text for c in line) for line in self._shown or [])
