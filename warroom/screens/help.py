"""The help screen: every key, what it does, and how to read the alarms."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.screens.dashboard import DashboardScreen

LEGEND = """
Reading the board (an alarm is a bold word in reverse video, in any colours)
  5 ALARMS          vacant roles, disputes, overdue updates and milestones, counted
  VACANT 12m        nobody holds the role, for 12 minutes: claim it (c)
  DISPUTED by X     two people claim one role: the decider settles it (s)
  offered to X      a handover waits for X to accept (a); the old holder still owns it
  OVERDUE by 3m     an update or milestone is late
  in 4m             due soon (under 5 minutes: highlighted)
  +7 more           the pane holds more than fits: Enter on it lists them all

Colours: --theme=warroom-high-contrast (or ctrl+p, Change theme) for a projector.

Everyone on this host shares one database: a change made anywhere shows here at once.
"""


class HelpScreen(ModalScreen[None]):
    """Keys and legend; escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close",
                tooltip="Close the help"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        keys = key_lines(self.app)
        with VerticalScroll() as box:
            box.border_title = "warroom help"
            yield Static(Content("Keys\n" + "\n".join(keys) + "\n" + LEGEND))

    def action_close(self) -> None:
        self.dismiss(None)


def key_lines(app) -> list[str]:
    """One line per key of the dashboard and the app, from their bindings (so the help
    never drifts from the keys), then the palette and escape."""
    bindings = [*DashboardScreen.BINDINGS, *type(app).BINDINGS]
    lines = [f"  {app.get_key_display(b):<4} {b.tooltip or b.description}" for b in bindings]
    return lines + [
        "  tab  Next pane (shift+tab: the one before); 1-6 go to a pane",
        "  ⏎    On a pane: all it holds (every milestone, blocker, approval with its votes,",
        "       role with who held it when); on a timeline entry: that entry in full",
        "  f    Timeline: only customer updates, notes and decisions, ownership or approvals",
        "  /    Timeline: only entries containing a word (escape clears it)",
        "  y    In an entry or a list: copy it to the clipboard (OSC 52: ssh and tmux too)",
        "  ^p   Command palette (every action by name)", "  esc  Cancel any form"]
