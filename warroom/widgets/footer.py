"""The footer: the key bindings, and who you are in the room."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Footer, Label


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
        yield from super().compose()
        yield Label(Content(self.identity), classes="identity")
