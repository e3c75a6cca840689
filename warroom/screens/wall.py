"""The wall's overview: one card per open incident (severity, stage, the trio, alarms, the
next updates), for a shared screen watching several incidents at once.

New incidents get a card by themselves, closed ones lose theirs; a card whose incident
alarms stands out (a heavy border in the error colour and "ALARM" in its title, so it
shows with 16 colours too). Enter opens the selected incident's dashboard, read-only.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from warroom.db import queries
from warroom.records import Event, IncidentSummary, IncidentView
from warroom.render import wall
from warroom.screens.dashboard import DashboardScreen
from warroom.widgets.footer import IdentityFooter
from warroom.widgets.pane import to_content

EMPTY = ("No open incidents. Open one with: warroom open TITLE --customer NAME "
         "--severity SEV2 (its card appears here by itself)")


class Card(Static, can_focus=True):
    """One incident's card; repaints only when its words change."""

    def __init__(self, key: str) -> None:
        super().__init__(classes="card")  # no id: a rebuilt grid may mount it again at once
        self.key = key
        self._shown: list | None = None
        self._alarm: bool | None = None

    def show(self, view: IncidentView, now: datetime) -> None:
        lines = wall.card_lines(view, now)
        alarm = wall.alarming(view, now)
        if alarm != self._alarm:  # a class change restyles: only when the state flips
            self._alarm = alarm
            self.set_class(alarm, "-alarm")
            self.border_title = Content(f"{self.key} ALARM" if alarm else self.key)
        if lines != self._shown:
            self._shown = lines
            self.update(to_content(lines, wall=True))


class WallScreen(Screen[None]):
    """Every open incident at a glance, most severe first; updated live."""

    DEFAULT_CSS = """
    WallScreen #wall-title { height: 1; text-style: bold; }
    WallScreen #cards { grid-size: 3; grid-gutter: 0 1; grid-rows: 9; height: auto; }
    WallScreen.-narrow #cards { grid-size: 2; }
    WallScreen Card {
        height: 9; border: round $primary; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    WallScreen Card:focus { border: round $accent; }
    WallScreen Card.-alarm { border: heavy $error; border-title-style: bold reverse; }
    WallScreen #wall-empty { color: $text-muted; padding: 1 2; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="wall.open",
                tooltip="Show the selected incident's full dashboard"),
        Binding("right,down", "app.focus_next", "Next", show=False),
        Binding("left,up", "app.focus_previous", "Previous", show=False),
    ]

    def __init__(self, incidents: list[IncidentSummary], views: dict[str, IncidentView]):
        super().__init__()
        self.incidents = incidents
        self.views = dict(views)

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(" Open incidents", "bold"), id="wall-title")
        yield Grid(id="cards")
        yield Static("", id="wall-empty")
        yield IdentityFooter(self.app.identity_text)

    def on_mount(self) -> None:
        self.show(self.incidents, self.views, self.app.clock())
        self.set_interval(1.0, self.tick)

    def order(self) -> list[str]:
        """The keys of the cards, most severe first, then oldest."""
        rows = sorted(self.incidents, key=lambda i: (i.severity.value, i.opened_at))
        return [i.key for i in rows if i.key in self.views]

    def show(self, incidents: list[IncidentSummary], views: dict[str, IncidentView],
             now: datetime) -> None:
        """The open incidents now, and fresh views of those that changed (the others keep
        theirs): cards are added, removed and repainted by key."""
        self.incidents = incidents
        open_keys = {i.key for i in incidents}
        self.views = {k: v for k, v in {**self.views, **views}.items() if k in open_keys}
        grid = self.query_one("#cards", Grid)
        cards = {c.key: c for c in grid.query(Card)}
        wanted = self.order()
        for key, card in cards.items():
            if key not in self.views:
                card.remove()
        if [k for k in cards if k in self.views] != wanted:  # new or reordered: rebuild
            for key in cards:
                if key in self.views:
                    cards[key].remove()
            cards = {k: Card(k) for k in wanted}
            grid.mount_all(cards.values())
        for key in wanted:
            cards[key].show(self.views[key], now)
        self.query_one("#wall-empty", Static).update(Content("" if wanted else EMPTY))

    def tick(self) -> None:
        """Countdowns move, alarms start by the clock; nothing is read from the database."""
        now = self.app.clock()
        for card in self.query(Card):
            if card.key in self.views:
                card.show(self.views[card.key], now)

    def follow(self, events: list[Event]) -> None:
        """After a commit: new, changed and closed incidents on the overview (the app's
        store read here, as its other screens get it read for them); the dashboard over
        it goes once a second incident opens, and comes back when one is left."""
        app = self.app
        incidents = queries.list_incidents(app.store, include_closed=False)
        touched = {i.key for i in incidents
                   if i.key not in self.views or any(e.incident_id == i.id for e in events)}
        self.show(incidents, app._views(touched), app.clock())
        if app.rotate or app.start_incident is not None:
            return
        if len(incidents) != 1 and isinstance(app.screen, DashboardScreen):
            app.pop_screen()
        elif len(incidents) == 1 and app.screen is self:
            app.open_incident(incidents[0].key)

    def turn_page(self) -> None:
        """``--rotate``: the next page, from the overview through each dashboard."""
        app = self.app
        if not (app.screen is self or isinstance(app.screen, DashboardScreen)):
            return  # help or metrics on top: the page stays until they close
        pages = [None, *self.order()]
        current = app.key if isinstance(app.screen, DashboardScreen) else None
        turn = pages[(pages.index(current) + 1) % len(pages)] if current in pages else None
        if turn is None:
            if app.screen is not self:
                app.pop_screen()
        else:
            app.open_incident(turn)

    def action_open(self) -> None:
        card = self.focused
        if isinstance(card, Card):
            self.app.open_incident(card.key)


def start(app) -> None:
    """The wall (``--wall`` without an incident): the overview at the bottom of the stack,
    with one open incident's dashboard over it while it is the only one (unless rotating),
    and with ``--rotate`` a page turn on a timer."""
    incidents = queries.list_incidents(app.store, include_closed=False)
    wall = WallScreen(incidents, app._views(i.key for i in incidents))
    app.push_screen(wall)
    if len(incidents) == 1 and not app.rotate:
        app.open_incident(incidents[0].key)
    if app.rotate:
        app.set_interval(app.rotate, wall.turn_page)
