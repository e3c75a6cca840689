"""The footer: the key bindings, and who you are in the room."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

# Keys the footer leaves out below 110 columns, so that "? Help" and "q Quit" stay visible;
# the help screen and the command palette still list them (the rule is in warroom.tcss:
# DEFAULT_CSS is scoped to the widget and cannot see the screen's class).
WIDE_ONLY = {"a", "g"}


class IdentityFooter(Footer):
    """Textual's footer with the user's identity on the right."""

    DEFAULT_CSS = """
    IdentityFooter > Label.identity {
        dock: right; padding: 0 1; background: $foreground 10%; text-style: bold;
    }
    """

    def __init__(self, identity: str) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self.identity = identity

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.key in WIDE_ONLY:
                widget.add_class("-wide-only")
            yield widget
        yield Label(Content(self.identity), classes="identity")
