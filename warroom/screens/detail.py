"""The dashboard's drill-down: a pane in full (Enter on a pane) or one timeline entry in full
(Enter on the entry), scrollable, with ``y`` copying it to the clipboard.

The clipboard is reached with OSC 52 (Textual's ``App.copy_to_clipboard``): the terminal
sets it, so it works over SSH and inside tmux (with ``set-clipboard on``), where no local
clipboard tool could.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from warroom.render.board import Line
from warroom.widgets.pane import to_content


class DetailScreen(ModalScreen[None]):
    """Lines from :mod:`warroom.render.lists` or :mod:`warroom.render.entries`, in full;
    escape (or q) closes it, ``y`` copies ``copy_text``."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="detail.close", tooltip="Back to the dashboard"),
        Binding("y", "copy", "Copy", id="detail.copy",
                tooltip="Copy it to the clipboard (OSC 52: works over ssh and in tmux)"),
        Binding("up,k", "scroll(-1)", "Up", show=False),
        Binding("down,j", "scroll(1)", "Down", show=False),
    ]
    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    DetailScreen #detail-body { height: auto; }
    DetailScreen Footer { dock: bottom; }
    """

    def __init__(self, title: str, lines: list[Line], copy_text: str) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.copy_text = copy_text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail") as box:
            box.border_title = self.title_text
            box.border_subtitle = "y copy  esc close"
            yield Static(to_content(self.lines), id="detail-body", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    @property
    def plain(self) -> str:
        """What the screen says, as plain text (for tests)."""
        return "\n".join("".join(c.text for c in line) for line in self.lines)

    def action_scroll(self, step: int) -> None:
        self.query_one("#detail", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.copy_text)
        lines = self.copy_text.count("\n") + 1
        self.notify(f"copied to the clipboard ({lines} line{'s' if lines > 1 else ''}, "
                    f"{len(self.copy_text)} characters)", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


def pane_in_full(app, view, pane: str) -> DetailScreen | None:
    """A dashboard pane in full: every milestone, blocker and approval (decided ones with
    their votes), every role with who held it when; None for a pane with nothing more."""
    from warroom.db import queries
    from warroom.render import lists
    from warroom.render.entries import plain

    now = app.clock()
    if pane == "roles":
        from warroom.reports.metrics import for_incident

        history = for_incident(app.store, view.incident.key, now).tenures
        title, lines = "Ownership: every role, who held it when", lists.roles(view, history, now)
    elif pane == "cadence":
        title, lines = "Updates: when due, and the last ones", lists.updates(view, now)
    elif pane == "milestones":
        title, lines = "Every milestone", lists.milestones(view, now)
    elif pane == "blockers":
        every = queries.all_blockers(app.store, view.incident.key)
        title, lines = "Every blocker, cleared ones too", lists.blockers(view, every, now)
    elif pane == "approvals":
        title, lines = "Every approval request, with its votes", lists.approvals(view, now)
    else:
        return None
    return DetailScreen(f"{view.incident.key} {title}", lines, plain(lines))


def entry_in_full(app, view, event) -> DetailScreen:
    """One timeline entry in full: the customer message as sent, the handover note, the
    approval request with its votes as they stand now."""
    from warroom.render import board, entries

    number = event.payload.get("number") if event.kind.startswith("approval.") else None
    request = next((a for a in view.approvals if a.number == number), None) if number else None
    lines, text = entries.entry(event, app.clock(), board.titles(view), request)
    return DetailScreen(f"{view.incident.key} timeline entry", lines, text)
