"""The dashboard of one incident: ownership, cadence, milestones, blockers, approvals, timeline.

The screen never queries on its own: the app hands it a fresh view model and the new journal
events after each commit, and only the panes whose words changed repaint. A one-second
tick re-renders countdowns from the view it already has.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

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
    ("r", "request", "Request", "Request approval of a risky change", False),
    ("p", "approve", "Approve", "Approve a pending change", True),
    ("x", "reject", "Reject", "Reject a pending change, with a reason (yours: withdraw it)",
     False),
    ("m", "add_milestone", "Milestone", "Add a milestone with one owner and a due time", False),
    ("M", "complete_milestone", "Done", "Mark a milestone done", False),
    ("g", "advance", "Stage", "Advance the stage (confirm its resolution definition)", True),
    ("R", "resolve", "Resolve", "Resolve the incident", False),
    ("n", "note", "Note", "Write a note or a decision into the timeline", False),
    ("v", "severity", "Severity", "Change the severity (the update cadence follows it)",
     False),
]

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
    ]

    def __init__(self, view: IncidentView, *, wall: bool = False) -> None:
        super().__init__(classes="-wall" if wall else "")
        self.view = view
        self.wall = wall
        self._panes: list[LinesPane] = []  # filled on mount
        self._waiting: set[str] | None = None  # keys of items already shown as waiting
        self._waiting_now: set[str] = set()  # keys waiting at the last header repaint

    def compose(self) -> ComposeResult:
        yield LinesPane("", self._header, id="header", wall=self.wall)
        with Horizontal(id="top"):
            yield LinesPane("Ownership", board.role_lines, id="roles", wall=self.wall)
            yield LinesPane("Updates due", board.cadence_lines, id="cadence", wall=self.wall,
                            note=board.cadence_note)
        with Horizontal(id="middle"):
            yield LinesPane("Milestones", board.milestone_lines, id="milestones", wall=self.wall,
                            empty="no milestones")
            with Vertical(id="side"):
                yield LinesPane("Blockers", board.blocker_lines, id="blockers", wall=self.wall,
                                empty="no blockers")
                yield LinesPane("Pending approvals", board.approval_lines, id="approvals",
                                wall=self.wall, empty="no pending approvals")
        yield Timeline(id="timeline")
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
        text = waiting.summary(items, max(20, self.app.size.width - 3 - len(label)))
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

    def action_older(self) -> None:
        self.app.load_older()

    def action_metrics(self) -> None:
        self.app.action_metrics()
