"""The dashboard of one incident: ownership, cadence, milestones, blockers, approvals, timeline.

The screen never queries on its own: the app hands it a fresh view model and the new journal
events after each commit, and only the panes whose words changed repaint. A one-second
tick re-renders countdowns from the view it already has.
"""

from __future__ import annotations

from textual import events as textual_events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input

from warroom.records import Event, IncidentView
from warroom.render import board, waiting
from warroom.widgets.footer import IdentityFooter
from warroom.widgets.pane import LinesPane
from warroom.widgets.timeline import Timeline

# (key, form, footer label, description, shown in the footer)
ACTIONS = [
    ("c", "claim", "Claim", "Claim a role (a held role opens a dispute)", True),
    ("s", "settle", "Settle", "Settle a dispute over a role", False),
    ("h", "handover", "Hand over", "Offer your role to someone, with a handover note", True),
    ("a", "accept", "Accept", "Accept a handover offered to you", True),
    ("d", "decline", "Decline", "Decline a handover offered to you, or withdraw yours", False),
    ("l", "release", "Release", "Release a role you hold (it becomes vacant)", False),
    ("u", "update", "Update", "Post a customer or internal status update", True),
    ("b", "raise_blocker", "Blocker", "Raise a blocker", True),
    ("B", "clear_blocker", "Clear blocker", "Clear a blocker", False),
    ("O", "blocker_owner", "Blocker owner", "Give a blocker another owner to chase it", False),
    ("r", "request", "Request", "Request approval of a risky change", False),
    ("p", "approve", "Approve", "Approve a pending change", True),
    ("x", "reject", "Reject", "Reject a pending change someone else asked for, with a reason",
     False),
    ("w", "withdraw", "Withdraw", "Withdraw your own pending approval request", False),
    ("m", "add_milestone", "Milestone", "Add a milestone with one owner and a due time", False),
    ("M", "complete_milestone", "Done", "Mark a milestone done", False),
    ("e", "move_milestone", "Move milestone", "Move a milestone's due time, with a reason",
     False),
    ("E", "milestone_owner", "Milestone owner", "Give a milestone to another owner", False),
    ("g", "advance", "Stage", "Advance the stage (confirm its resolution definition)", True),
    ("R", "resolve", "Resolve", "Resolve the incident", False),
    ("C", "close", "Close", "Close a resolved incident with the customer's CSAT", False),
    ("Z", "reopen", "Reopen", "Reopen a resolved incident, with a reason", False),
    ("n", "note", "Note", "Write a note or a decision into the timeline", False),
    ("v", "severity", "Severity", "Change the severity (the update cadence follows it)",
     False),
    ("L", "retitle", "Retitle", "Change the incident's title, with a reason", False),
    ("K", "customers", "Customers", "Add or remove a customer affected, or set the tier",
     False),
    ("N", "open_new", "New incident", "Open a new incident", False),
]

# The panes in the order Tab visits them, each with its key (1-6) and its title.
PANES = [("roles", "Ownership"), ("cadence", "Updates due"), ("milestones", "Milestones"),
         ("blockers", "Blockers"), ("approvals", "Pending approvals"),
         ("timeline", "Timeline")]


def width_classes(app) -> list[str]:
    """The app's breakpoint class for its width now (``-narrow``, ``-wide``), as Textual
    sets it at the screen's first resize: given at once, that resize changes no class and
    restyles no widget before the first paint."""
    for least, name in sorted(app.HORIZONTAL_BREAKPOINTS or [], reverse=True):
        if app.size.width >= least:
            return [name]
    return []


class DashboardScreen(Screen[None]):
    """One incident, live."""

    # The timeline takes focus (for its scroll keys) without scrolling the screen down to
    # it: on a small terminal the ownership panes must be what is in sight.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding(key, f"form('{form}')", label, show=shown, id=f"dashboard.{form}",
                tooltip=description)
        for key, form, label, description, shown in ACTIONS
    ] + [
        Binding("o", "older", "Older", show=False, id="dashboard.older",
                tooltip="Load older timeline events"),
        Binding("t", "metrics", "Metrics", show=False, id="dashboard.metrics",
                tooltip="Escalation metrics and weekly trends across incidents"),
    ] + [
        Binding(str(number), f"pane('{pane}')", title, show=False, id=f"dashboard.pane.{pane}",
                tooltip=f"Go to {title} (Enter there opens it in full)")
        for number, (pane, title) in enumerate(PANES, start=1)
    ]

    def __init__(self, view: IncidentView, *, wall: bool = False) -> None:
        super().__init__(classes=" ".join(["-wall"] * wall + width_classes(self.app)))
        self.view = view
        self.wall = wall
        self._panes: list[LinesPane] = []  # filled on mount
        self._waiting: set[str] | None = None  # keys of items already shown as waiting
        self._waiting_now: set[str] = set()  # keys waiting at the last header repaint

    def compose(self) -> ComposeResult:
        header = LinesPane("", self._header, id="header", wall=self.wall)
        header.can_focus = False  # it is always in sight; Tab goes from pane to pane
        yield header
        with Horizontal(id="top"):
            yield LinesPane("Ownership", board.role_lines, id="roles", wall=self.wall, key="1")
            yield LinesPane("Updates due", board.cadence_lines, id="cadence", wall=self.wall,
                            note=board.cadence_note, key="2")
        size = board.limits(self.app.size.width, self.app.size.height, len(self.view.roles))
        with Horizontal(id="middle"):
            yield LinesPane("Milestones", board.milestone_lines, id="milestones", wall=self.wall,
                            empty="no milestones", key="3", limit=size["milestones"])
            with Vertical(id="side"):
                yield LinesPane("Blockers", board.blocker_lines, id="blockers", wall=self.wall,
                                empty="no blockers", key="4", limit=size["blockers"])
                yield LinesPane("Pending approvals", board.approval_lines, id="approvals",
                                wall=self.wall, empty="no pending approvals", key="5",
                                limit=size["approvals"])
        yield Timeline(id="timeline", key="6")  # the search field below it comes on first use
        yield IdentityFooter(self.app.identity_text)

    def _header(self, view: IncidentView, now) -> list[board.Line]:
        """The incident's line, then (for a person, not the wall) what waits on them."""
        head = board.header_line(view, now, self.wall)
        broken = self.app.journal_break
        if broken is not None:  # edited after the fact: said before anything else
            head = (board.Cell(f" JOURNAL ALTERED at event {broken.event_id} ", "alarm"),
                    *head)
        if self.wall:
            return [head]
        items = waiting.for_person(view, self.app.actor.name, now)
        self._waiting_now = {i.key for i in items}  # for the bell, read right after
        tone = "alarm" if any(i.urgent for i in items) else "warn" if items else "muted"
        label = "Waiting on you: "
        # one line at any width: a header that grew a line would move every pane below it
        text = waiting.summary(items, max(20, self.app.size.width - 5 - len(label)))
        return [head, (board.Cell(label, "muted"), board.Cell(text, tone))]

    def _ring_for_new(self) -> None:
        """Ring the bell once for each item that newly waits on the user (not for what
        already waited when the dashboard opened)."""
        if self.wall:
            return
        keys = self._waiting_now  # what the header pane just computed for this moment
        if self._waiting is not None and keys - self._waiting and self.app.bell_on:
            self.app.bell()
        self._waiting = (self._waiting or set()) | keys

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Timeline), scroll_visible=False)
        self._panes = list(self.query(LinesPane))
        self._show()
        self.set_interval(1.0, self.tick)

    def _show(self) -> None:
        """Every pane gets the view; each repaints only if what it says has changed (an
        event of one kind can change another pane: a claim ends an alarm in the header)."""
        now = self.app.clock()
        self.query_one(Timeline).titles = board.titles(self.view)
        for pane in self._panes:
            pane.show(self.view, now)
        self._ring_for_new()

    def tick(self) -> None:
        """Countdowns move; nothing is read from the database."""
        now = self.app.clock()
        for pane in self._panes:
            pane.tick(now)
        self.query_one(Timeline).tick(now)  # a new day: times gain their date
        self._ring_for_new()

    def apply(self, view: IncidentView, events: list[Event]) -> None:
        """New state and the events that produced it."""
        self.view = view
        self._show()
        self.query_one(Timeline).add_newer([e for e in events
                                            if e.incident_id == view.incident.id])

    def load_initial_events(self, events: list[Event], complete: bool) -> None:
        self.query_one(Timeline).add_older(events, complete=complete)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "form" and self.wall:
            return False
        return True

    def action_form(self, name: str) -> None:
        self.app.open_form(name)

    # -- finding one's way: pane keys, the drill-down, the timeline's search -----------

    def on_resize(self, event: textual_events.Resize) -> None:
        """Bounds from the new size: more of every list on a big screen, less on 80x24."""
        size = board.limits(event.size.width, event.size.height, len(self.view.roles))
        for pane in self._panes:
            if pane.id in size:
                pane.bound(size[pane.id])

    def action_pane(self, name: str) -> None:
        """Focus a pane and bring it into sight (the header, with the alarms, stays)."""
        widget = self.query_one(f"#{name}")
        widget.focus(scroll_visible=False)
        if isinstance(widget, Timeline):
            widget.show_cursor()
        self.scroll_to_widget(widget, animate=False, top=True)

    def on_lines_pane_opened(self, message: LinesPane.Opened) -> None:
        from warroom.screens.detail import pane_in_full  # on first use

        screen = pane_in_full(self.app, self.view, message.pane.id or "")
        if screen is not None:
            self.app.push_screen(screen)

    def on_timeline_opened(self, message: Timeline.Opened) -> None:
        from warroom.screens.detail import entry_in_full

        self.app.push_screen(entry_in_full(self.app, self.view, message.event))

    def _search_field(self) -> Input | None:
        found = self.query("#timeline-search").results(Input)
        return next(found, None)

    async def on_timeline_search_wanted(self, message: Timeline.SearchWanted) -> None:
        field = self._search_field()
        if field is None:  # mounted on first use: the first paint never shows it
            field = Input(placeholder="search the timeline (enter: keep, escape: clear)",
                          id="timeline-search")
            await self.mount(field, after=self.query_one(Timeline))
        field.remove_class("-hidden")
        field.focus()

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id == "timeline-search":
            self.query_one(Timeline).set_view(query=message.value)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "timeline-search":
            if not message.value.strip():
                message.input.add_class("-hidden")
            self.query_one(Timeline).focus()

    def on_key(self, event: textual_events.Key) -> None:
        field = self._search_field()
        if event.key == "escape" and field is not None and field.has_focus:
            event.stop()
            field.value = ""
            field.add_class("-hidden")
            self.query_one(Timeline).set_view(query="")
            self.query_one(Timeline).focus()

    def action_older(self) -> None:
        self.app.load_older()

    def action_metrics(self) -> None:
        self.app.action_metrics()
