"""The Textual app: make_app() builds it for the CLI and the tests alike.

Data flows one way: a form runs an action (one transaction, one journal event); the change
feed notices commits by other processes; either way the app reads the events after the
last one it saw and hands the screen a fresh view model.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

_COLLECTING = gc.isenabled()  # no cyclic collection while the UI is imported: see the end
gc.disable()

from textual.app import App  # noqa: E402  (and the imports below)
from textual.binding import Binding
from textual.theme import Theme

from warroom.clock import Clock, utcnow
from warroom.db import queries
from warroom.db.pg_feed import feed_for
from warroom.db.store import Store
from warroom.errors import UserError, WarroomError
from warroom.records import Actor, Event
from warroom.screens import lazy
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.palette import WarroomCommands
from warroom.text import shown
from warroom.widgets.footer import update_footers

if TYPE_CHECKING:
    from warroom.actions import Done

PAGE = 100
HIGH_CONTRAST = Theme(
    # For a projector, a washed-out screen share or weak colour vision: white on black,
    # pure hues, muted text still bright. Alarms are bold reverse words in every theme.
    name="warroom-high-contrast", dark=True, primary="#ffff00", secondary="#00ffff",
    accent="#00ffff", foreground="#ffffff", background="#000000", surface="#000000",
    panel="#202020", boost="#303030", error="#ff2020", warning="#ffd000", success="#00ff60",
    text_alpha=1.0, variables={"text-muted": "#e0e0e0", "footer-key-foreground": "#ffff00"},
)
GREETING_S = 6  # the greeting's toast: long enough to read, short enough not to hide panes
NOTE_S = 30  # a note's toast (the demo's end): the footer keeps saying it after


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
        Binding("escape", "overview", "Overview", id="app.overview", show=False,
                tooltip="The wall: back to the overview of every open incident"),
    ]

    def __init__(
        self, store: Store, actor: Actor, *, incident: str | None = None, wall: bool = False,
        clock: Clock = utcnow, live: bool = True, background: list[Callable[[], Awaitable]]
        | None = None, greeting: str | None = None, cursor_blink: bool = True,
        bell: bool = True, presence: bool | None = None, rotate: float | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.register_theme(HIGH_CONTRAST)  # also offered by the palette's "Change theme"
        if theme is not None:
            if theme not in self.available_themes:
                names = ", ".join(sorted(self.available_themes))
                raise UserError(f"unknown theme {theme!r}: use one of {names}")
            self.theme = theme
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
        self.rotate = rotate
        """The wall: seconds each page (the overview, then each dashboard) stays up."""
        self.presence_on = live if presence is None else presence
        """Whether this process says it has the room open (warroom.db.presence), and
        shows who else has (the footer): on with the change feed unless told."""
        self.present_names: list[str] = []
        self.footer_note = ""
        self._beacon = None

    # -- start-up -------------------------------------------------------------------

    def on_mount(self) -> None:
        key = self.start_incident
        if key is None:
            open_ = queries.list_incidents(self.store, include_closed=False)
            key = open_[0].key if len(open_) == 1 else None
        if self.wall and self.start_incident is None:
            self._show_wall()
        elif key is not None:
            self.open_incident(key)
        else:
            self.push_screen(self._new_picker())
        if self.live:  # after the first paint: watchfiles' import is not free
            self._feed = feed_for(self.store, self.db_changed, on_state=self.server_state,
                                  seen=lambda: self.last_event_id)
            self.call_after_refresh(self.run_worker, self._feed.run(), name="change-feed")
        if self.presence_on:  # its first write, after the first paint too
            self.call_after_refresh(self._start_presence)
        for task in self.background:
            self.run_worker(task(), name="background")
        if self.greeting:
            self.notify(self.greeting, markup=False, timeout=GREETING_S)

    def _check_journal(self, key: str) -> None:
        """(A thread, on its own connection.) The first altered event of the incident, if
        any, goes to the header: hashing a long journal must not hold up the first paint."""
        try:
            with self.store.reopen() as store:
                broken = queries.journal_break(store, key)
        except WarroomError:  # the file or server unreachable now: check again later
            self.call_from_thread(self._check_later, key, 5.0)
            return
        if broken is not None:
            self.call_from_thread(self._altered, broken)

    def _check_later(self, key: str, delay: float) -> None:
        self.set_timer(delay, lambda: self.run_worker(
            lambda: self._check_journal(key), thread=True, name="journal-check"))

    def _altered(self, broken) -> None:
        if self.journal_break is None:
            self.journal_break = broken
            screen = self._dashboard()
            if screen is not None:
                screen.apply(screen.view, [])  # repaint: the header says it first

    # -- failures -------------------------------------------------------------------

    crash: BaseException | None = None
    """The unexpected error that ended the app (``run_app`` then exits 70)."""

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing handled: a crash (the failures a user can meet, such as the file
        turning read-only or locked, are notifications where they happen: db_changed, the
        forms)."""
        self.crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """A crash: one line and a report the user can attach (it holds the traceback)."""
        from rich.text import Text

        from warroom.cli.failsafe import crash_line

        self.bell()
        self._exit_renderables.append(Text(crash_line(self.crash or self._exception,
                                                      sys.argv[1:])))
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        if self.live:
            self._feed.stop()
        if self._beacon is not None:
            self._beacon.stop()
            self._beacon.leave()

    # -- presence and notes in the footer -------------------------------------------

    def _start_presence(self) -> None:
        if self._exit or not self._running or self._beacon is not None:  # leaving already
            return
        from warroom.db.presence import Beacon

        self._beacon = Beacon(self.store.path, self.actor.os_user, self.actor.display)
        room = lambda: self.key if self._dashboard() is not None else None  # noqa: E731
        # presence is a courtesy: its failure must never end the dashboard
        self.run_worker(self._beacon.run(room, self.show_present), name="presence",
                        exit_on_error=False)

    def show_present(self, names: list[str]) -> None:
        """Who else has this room open, in every footer (the presence worker calls it)."""
        self.present_names = list(names)
        update_footers(self)

    def server_state(self, lost: str | None) -> None:
        """(The PostgreSQL feed.) The server was lost (``lost`` says so) or is back (None):
        the footer says it until it is back, and nothing on screen or typed in a form is
        dropped meanwhile; once back, the feed's catch-up reads what was missed."""
        if lost is not None:
            self.show_note(f"⚠ {lost}", lost)
            self.bell()
        elif self.footer_note.startswith("⚠ lost the server"):
            self.show_note("", "reconnected to the server: the view is up to date")

    def show_note(self, note: str, message: str | None = None) -> None:
        """A short note in the footer (the demo's "demo finished") and, given ``message``, a
        notification that says it in full."""
        self.footer_note = note
        update_footers(self)
        if message:
            self.notify(message, markup=False, timeout=NOTE_S)

    def open_incident(self, key: str) -> None:
        """Show one incident's dashboard, with the latest page of its timeline."""
        view = queries.incident_view(self.store, key)
        self.key = view.incident.key
        if self.journal_break is None:  # the incident's whole chain, after the first paint
            self._check_later(view.incident.key, 0.5)
        # The page below covers everything up to the view; the feed takes over from there.
        self.last_event_id = view.last_event_id
        screen = DashboardScreen(view, wall=self.wall)
        if lazy.is_picker(self.screen) or isinstance(self.screen, DashboardScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        page = queries.events_before(self.store, view.last_event_id + 1, self.key, PAGE)
        screen.call_after_refresh(screen.load_initial_events, page, len(page) < PAGE)
        if self._trace:  # event id 0 in the trace: the dashboard's first paint
            screen.call_after_refresh(self._write_trace, [0])
        if self._beacon is not None:
            self._beacon.kick()  # say at once which room this process is in now

    # -- changes --------------------------------------------------------------------

    def db_changed(self) -> None:
        """Someone (another process, or this one) committed: read only the new events. A
        failure of the file (locked, unreadable, damaged) is a notification: the dashboard
        keeps what it shows and tries again at the next change."""
        try:
            with self.store.read():  # one snapshot (on a server: one round trip to begin)
                self._read_changes()
        except WarroomError as exc:
            self.notify(shown(str(exc)), severity="error", markup=False, timeout=10)

    def _read_changes(self) -> None:
        if not queries.still_there(self.store, *self._chain):  # `warroom restore` replaced it
            self._chain = queries.chain_head(self.store)
            self.notify("the database was restored from a backup: shown afresh", markup=False)
            if self.key is not None:
                self.open_incident(self.key)
            return
        # each new event must link to the one before it (until a break has been seen)
        events, checked = queries.events_checked(
            self.store, self.last_event_id, self._chain if self.journal_break is None else None)
        if not events:
            return
        if checked is not None:
            *self._chain, self.journal_break = checked
        self.last_event_id = events[-1].id
        self._apply(events)

    def _apply(self, events: list[Event]) -> None:
        screen = self._dashboard()
        if screen is not None:
            if any(e.incident_id == screen.view.incident.id for e in events):
                screen.apply(queries.incident_view(self.store, self.key), events)
        for picker in self.screen_stack:
            if lazy.is_picker(picker):
                incidents = queries.list_incidents(self.store, include_closed=False)
                picker.show(incidents, self.clock(), self._views(i.key for i in incidents))
        self._wall_changed(events)
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
        """Open the form of one action for the incident on screen (opening a new incident
        needs none: the picker offers it too)."""
        screen = self._dashboard()
        if self.wall or (screen is None and name != "open_new"):
            return
        from warroom.screens import forms  # on first use: not needed for the first paint

        try:
            session = forms.Session(self.store, self.actor, self.clock)
            modal = getattr(forms, name)(session, screen.view if screen else None)
        except WarroomError as exc:
            self.notify(shown(str(exc)), severity="warning", markup=False)
            return
        modal.session = session  # its "when it happened" line backfills through it
        self.push_screen(modal, self._opened if name == "open_new" else self._done)

    def _done(self, done: Done | None) -> None:
        if done is None:
            return
        self.notify(shown(done.message), markup=False)
        self.db_changed()

    def _opened(self, done: Done | None) -> None:
        """A new incident: its dashboard replaces the one (or the picker) on screen."""
        self._done(done)
        if done is not None:
            self.open_incident(done.key)

    # -- the picker and the wall ----------------------------------------------------

    def _views(self, keys) -> dict:
        return {k: queries.incident_view(self.store, k) for k in keys}

    def _new_picker(self):
        incidents = queries.list_incidents(self.store, include_closed=False)
        return lazy.picker()(incidents, self._views(i.key for i in incidents))

    def _show_wall(self) -> None:
        from warroom.screens.wall import start  # on first use, as the picker

        start(self)

    def _overview(self):
        return next((s for s in self.screen_stack if lazy.is_wall(s)), None)

    def _wall_changed(self, events: list[Event]) -> None:
        wall = self._overview()
        if wall is not None:
            wall.follow(events)

    def action_overview(self) -> None:
        if self._overview() is not None and isinstance(self.screen, DashboardScreen):
            self.pop_screen()

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
            self.switch_screen(self._new_picker())


from warroom.launch import make_app, run_app  # noqa: E402  (their old home)

if _COLLECTING:  # The heap imported above (textual's, rich's, ours) lives as long as the
    gc.freeze()  # process: frozen, it is never scanned again. Scanning it, over and over as
    gc.enable()  # it grew, was a tenth of the start-up (bench/live.py, first paint).

__all__ = ["WarroomApp", "make_app", "run_app"]
