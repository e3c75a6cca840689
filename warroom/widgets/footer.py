"""The footer: the key bindings, who you are in the room, and who else is here.

Right of the keys, one label says a short note from the app (the demo's "demo finished: q
quits", said even over the last keys of a narrow terminal), then, in the room the keys leave,
who else has this incident open ("also here: dana, pat", shortened to "+2 here" or "+2"; left
out when nothing fits: ``warroom who`` says it in full), then the user's identity.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

# Keys the footer leaves out below 110 columns, so that "? Help" and "q Quit" stay visible;
# the help screen and the command palette still list them (the rule is in warroom.tcss:
# DEFAULT_CSS is scoped to the widget and cannot see the screen's class).
WIDE_ONLY = {"a", "g"}
SEP = " · "


def presence_texts(names: list[str]) -> list[str]:
    """What can be said of the others, longest first: every name, the first ones and a
    count, the count alone."""
    if not names:
        return [""]
    count = len(names)
    texts = [f"also here: {', '.join(names)}"]
    texts += [f"also here: {', '.join(names[:n])} +{count - n}" for n in range(count - 1, 0, -1)]
    return texts + [f"+{count} here", f"+{count}"]


def fitted(note: str, names: list[str], room: int) -> str:
    """The note (short by contract: it is always said, over the last keys if it must) and
    as much of presence as fits in ``room`` columns (with the separator before the
    identity); "" when there is neither."""
    for rest in presence_texts(names):
        text = SEP.join(part for part in (note, rest) if part)
        if text and len(text) + len(SEP) <= room:
            return text
    return note


class IdentityFooter(Footer):
    """Textual's footer with the user's identity on the right, and who else is here."""

    DEFAULT_CSS = """
    IdentityFooter > Label.identity {
        dock: right; padding: 0 1; background: $foreground 10%; text-style: bold;
    }
    """

    def __init__(self, identity: str) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self.identity = identity
        self.others: list[str] = []
        self.note = ""
        self.extra = ""
        """What the label says besides the identity now (the tests read it)."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # compact from the start: set once mounted (by its watcher), the class would
                # restyle each key again, some 10 ms before the first paint (bench/live.py)
                widget.set_class(self.compact, "-compact")
                if widget.key in WIDE_ONLY:
                    widget.add_class("-wide-only")
            yield widget
        yield Label(self._content(), classes="identity")
        self.call_after_refresh(self._fit)  # the keys changed: so may the room they leave

    def on_mount(self) -> None:
        self.take_from_app()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def take_from_app(self) -> None:
        """Say the app's note (``footer_note``) and who else is here (``present_names``)."""
        self.others = list(getattr(self.app, "present_names", None) or [])
        self.note = getattr(self.app, "footer_note", None) or ""
        self.call_after_refresh(self._fit)

    def _content(self) -> Content:
        if not self.extra:
            return Content(self.identity)
        return Content.assemble((self.extra + SEP, "not bold"), self.identity)

    def _fit(self) -> None:
        try:
            label = self.query_one("Label.identity", Label)
        except NoMatches:  # between a recompose's removal and its mount
            return
        keys = sum(child.outer_size.width for child in self.children
                   if child is not label and child.display)
        room = self.size.width - keys - len(self.identity) - 2
        extra = fitted(self.note, self.others, room)
        if extra != self.extra:
            self.extra = extra
            label.update(self._content())


def update_footers(app) -> None:
    """Every footer on the app's screens says the app's note and who else is here now."""
    for screen in app.screen_stack:
        for footer in screen.query(IdentityFooter):
            footer.take_from_app()
