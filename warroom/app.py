"""The Textual app: make_app() builds it for the CLI and the tests alike.

Data flows one way: a form runs an action (one transaction, one journal event); the change
feed notices commits by other processes; either way the app reads the events after the
last one it saw and hands the screen a fresh view model.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from warroom.clock import Clock, utcnow
from warroom.db import queries
from warroom.db.feed import ChangeFeed
from warroom.db.store import Store
from warroom.errors import WarroomError
from warroom.records import Actor, Event
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.palette import WarroomCommands

if TYPE_CHECKING:
    from warroom.actions import Done

PAGE = 100


def _picker():
    """The picker's class, imported on first use: a start on one incident never needs it,
    and the first paint is measured against a bare Textual app (bench/live.py)."""
    from warroom.screens.picker import PickerScreen

    return PickerScreen


def _is_picker(screen: object) -> bool:
    """Whether ``screen`` is the picker, without importing it to ask."""
    module = sys.modules.get("warroom.screens.picker")
    return module is not None and isinstance(screen, module.PickerScreen)


class WarroomApp(App[None]):
    """The war-room dashboard over one shared database."""

    CSS_PATH = "warroom.tcss"
    TITLE = "warroom"
    COMMANDS = App.COMMANDS | {WarroomCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Keys and legend"),
        Binding("i", "pick", "Incidents", id="app.pick", show=False,
                tooltip="Switch to another open incident"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave warroom"),
    ]

    def __init__(
        self, store: Store, actor: Actor, *, incident: str | None = None, wall: bool = False,
        clock: Clock = utcnow, live: bool = True, background: list[Callable[[], Awaitable]]
        | None = None, greeting: str | None = None, cursor_blink: bool = True,
        bell: bool = True,
    ) -> None:
        super().__init__()
        self.bell_on = bell
        """Whether a new item waiting on the user rings the terminal bell (once)."""
        self.cursor_blink = cursor_blink
        """Whether text cursors blink in the app's forms. The tests turn it off: a screenshot
        taken half a second after a field got focus must not catch the cursor mid-blink."""
        self.background = background or []
        self.greeting = greeting
        self.store = store
        self.actor = actor
        self.clock = clock
        self.wall = wall
        self.live = live
        self.start_incident = incident
        self.key: str | None = None
        self.last_event_id = store.last_event_id()
        self._chain = queries.chain_head(store)  # the last event checked: (id, hash)
        self.journal_break = None
        """The first altered journal event seen (warroom.db.chain.Break), shown in the header."""
        self.identity_text = (f"{actor.name} ({actor.os_user})" if actor.display else actor.name) \
            + (" | WALL read-only" if wall else "")
        self._trace = os.environ.get("WARROOM_TRACE")

    # -- start-up -------------------------------------------------------------------

    def on_mount(self) -> None:
        key = self.start_incident
        if key is None:
            open_ = queries.list_incidents(self.store, include_closed=False)
            key = open_[0].key if len(open_) == 1 else None
        if key is not None:
            self.open_incident(key)
        else:
            self.push_screen(_picker()(queries.list_incidents(self.store, include_closed=False)))
        if self.live:  # after the first paint: watchfiles' import is not free
            self._feed = ChangeFeed(self.store.path, self.store.data_version, self.db_changed)
            self.call_after_refresh(self.run_worker, self._feed.run(), name="change-feed")
        for task in self.background:
            self.run_worker(task(), name="background")
        if self.greeting:
            self.notify(self.greeting, markup=False, timeout=10)

    def on_unmount(self) -> None:
        if self.live:
            self._feed.stop()

    def open_incident(self, key: str) -> None:
        """Show one incident's dashboard, with the latest page of its timeline."""
        view = queries.incident_view(self.store, key)
        self.key = view.incident.key
        self.journal_break = self.journal_break or queries.journal_break(self.store, self.key)
        # The page below covers everything up to the view; the feed takes over from there.
        self.last_event_id = view.last_event_id
        screen = DashboardScreen(view, wall=self.wall)
        if _is_picker(self.screen) or isinstance(self.screen, DashboardScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        page = queries.events_before(self.store, view.last_event_id + 1, self.key, PAGE)
        screen.call_after_refresh(screen.load_initial_events, page, len(page) < PAGE)
        if self._trace:  # event id 0 in the trace: the dashboard's first paint
            screen.call_after_refresh(self._write_trace, [0])

    # -- changes --------------------------------------------------------------------

    def db_changed(self) -> None:
        """Someone (another process, or this one) committed: read only the new events."""
        events = queries.events_after(self.store, self.last_event_id)
        if not events:
            return
        if self.journal_break is None:  # each new event must link to the one before it
            *self._chain, self.journal_break = queries.chain_step(self.store, *self._chain)
        self.last_event_id = events[-1].id
        self._apply(events)

    def _apply(self, events: list[Event]) -> None:
        screen = self._dashboard()
        if screen is not None:
            if any(e.incident_id == screen.view.incident.id for e in events):
                screen.apply(queries.incident_view(self.store, self.key), events)
        for picker in self.screen_stack:
            if _is_picker(picker):
                picker.show(queries.list_incidents(self.store, include_closed=False), self.clock())
        if self._trace:
            ids = [e.id for e in events]
            self.call_after_refresh(self._write_trace, ids)

    def _write_trace(self, ids: list[int]) -> None:
        """For bench/live.py: when each event was on screen (WARROOM_TRACE=file)."""
        stamp = time.time()
        with open(self._trace, "a") as handle:
            handle.writelines(f"{i} {stamp:.6f}\n" for i in ids)

    def _dashboard(self) -> DashboardScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, DashboardScreen)), None)

    # -- actions --------------------------------------------------------------------

    def open_form(self, name: str) -> None:
        """Open the form of one action for the incident on screen."""
        screen = self._dashboard()
        if screen is None or self.wall:
            return
        from warroom.screens import forms  # on first use: not needed for the first paint

        try:
            session = forms.Session(self.store, self.actor, self.clock)
            modal = getattr(forms, name)(session, screen.view)
        except WarroomError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        modal.session = session  # its "when it happened" line backfills through it
        self.push_screen(modal, self._done)

    def _done(self, done: Done | None) -> None:
        if done is None:
            return
        self.notify(done.message, markup=False)
        self.db_changed()

    def load_older(self) -> None:
        screen = self._dashboard()
        if screen is None:
            return
        from warroom.widgets.timeline import Timeline

        timeline = screen.query_one(Timeline)
        if timeline.oldest_id is None or not timeline.more_older or timeline.full:
            return
        page = queries.events_before(self.store, timeline.oldest_id, self.key, PAGE)
        timeline.add_older(page, complete=len(page) < PAGE)

    def action_metrics(self) -> None:
        """Escalation metrics across incidents (the dashboard's t, and the palette)."""
        from warroom.screens.metrics import MetricsScreen  # on first use

        self.push_screen(MetricsScreen())

    def action_help(self) -> None:
        from warroom.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_pick(self) -> None:
        if isinstance(self.screen, DashboardScreen):
            self.switch_screen(_picker()(queries.list_incidents(self.store,
                                                                 include_closed=False)))


def make_app(
    db: str, actor: Actor, *, incident: str | None = None, wall: bool = False,
    clock: Clock = utcnow, live: bool = True, cursor_blink: bool = True, **extra,
) -> WarroomApp:
    """Open the database (refusing foreign or newer files) and build the app on it.

    ``cursor_blink=False`` keeps text cursors steady (the tests, for stable snapshots).
    ``extra`` passes ``background`` (coroutine factories run as workers) and ``greeting``.
    """
    store = Store(db)
    if incident is not None:
        incident = queries.incident_view(store, incident).incident.key
    return WarroomApp(store, actor, incident=incident, wall=wall, clock=clock, live=live,
                      cursor_blink=cursor_blink, **extra)


def run_app(ctx, *, incident: str | None = None, wall: bool = False, bell: bool = True) -> int:
    """``warroom run``: the dashboard until the user quits."""
    app = make_app(ctx.db, ctx.actor, incident=incident, wall=wall, clock=ctx.clock, bell=bell)
    try:
        app.run()
    finally:
        app.store.close()
    return 0
