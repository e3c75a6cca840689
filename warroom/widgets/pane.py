"""A pane that shows lines computed by :mod:`warroom.render.board` and repaints only on change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from warroom.records import IncidentView
from warroom.render.board import Cell, Line

TONES = {
    "": "",
    "muted": "$text-muted",
    "ok": "$text-success",
    "warn": "bold $text-warning",
    "alarm": "bold $text-error",
    "strong": "bold",
}
WALL_TONES = TONES | {"alarm": "bold $text on $error", "warn": "bold $text on $warning-darken-1"}


def to_content(lines: list[Line], wall: bool = False) -> Content:
    """Plain text with styled spans: user text never goes through markup."""
    tones = WALL_TONES if wall else TONES
    return Content("\n").join(
        Content.assemble(*((cell.text, tones[cell.tone]) for cell in line)) for line in lines
    )


class LinesPane(Static):
    """A bordered pane whose text is ``compute(view, now)``; ticks cost nothing unless the
    text changed (durations are shown to the minute).

    With nothing to show it says ``empty`` ("no blockers") on one muted line, the height of
    one item: a pane that changed height or class on every event (a blocker raised, then
    cleared) would cost each viewer a restyle and a layout of the whole screen, about 8 ms.
    """

    DEFAULT_CSS = """
    LinesPane { height: auto; }
    """

    def __init__(
        self, title: str, compute: Callable[[IncidentView, datetime], list[Line]],
        *, id: str | None = None, wall: bool = False,
        note: Callable[[IncidentView], str] | None = None, empty: str = "none",
    ) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self._empty: list[Line] = [(Cell(empty, "muted"),)]
        self._compute = compute
        self._note = note
        self._wall = wall
        self._view: IncidentView | None = None
        self._shown: list[Line] | None = None

    def show(self, view: IncidentView, now: datetime) -> None:
        """A new view model from the database."""
        self._view = view
        if self._note:
            self.border_subtitle = self._note(view)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """The clock moved: repaint only if what the pane says has changed."""
        if self._view is None:
            return
        lines = self._compute(self._view, now) or self._empty
        if lines != self._shown:
            # A layout costs more than the repaint: skip it when the height cannot change.
            width = self.content_size.width
            same_height = self._shown is not None and len(lines) == len(self._shown) and all(
                sum(len(c.text) for c in line) < width for line in lines + self._shown)
            self._shown = lines
            self.update(to_content(lines, self._wall), layout=not same_height)
            self.set_class(any(c.tone == "alarm" for line in lines for c in line), "-alarm")

    @property
    def plain(self) -> str:
        """What the pane says, as plain text (for tests and the bench)."""
        return "\n".join("".join(c.text for c in line) for line in self._shown or [])
