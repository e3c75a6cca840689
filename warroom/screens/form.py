"""One typed modal for every action: fields, a submit that runs the action, a clear error.

The modal runs the action itself, so a refusal (a dispute already open, a role that changed
under you, an empty note) shows inside the modal with everything typed still there: under
the field it is about, with the focus moved there, until that field changes. Enter submits
from a line, a list or a box (ctrl+s from anywhere); required lists have no blank entry. It
dismisses with the action's :class:`~warroom.actions.Done` on success and ``None`` on every
other way out, escape included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual.widgets._select import SelectOverlay

from warroom.actions import Done
from warroom.clock import FrozenClock, local_stamp, parse_at
from warroom.errors import UserError, WarroomError


@dataclass(frozen=True)
class Field:
    """One input of a form. ``kind``: line, text (several lines), choice or confirm."""

    name: str
    label: str
    kind: str = "line"
    value: str = ""
    placeholder: str = ""
    choices: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value)
    required: bool = True


class FieldError(UserError):
    """A refusal that belongs to one field: shown beside it, with the focus moved there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class FormSelect(Select):
    """A dropdown in a form: Enter submits the form (space, up or down open the list).

    ``pick_blank=False``: a required choice with no default (what becomes of the open
    items when resolving) starts blank, and its blank entry in the list can't be picked."""

    BINDINGS = [
        Binding("space,down,up", "show_overlay", "Show menu", show=False),
        Binding("enter", "screen.submit", "Submit", show=False),
    ]

    def __init__(self, *args, pick_blank: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pick_blank = pick_blank

    def _setup_options_renderables(self) -> None:
        super()._setup_options_renderables()
        if not self._pick_blank and self._allow_blank:
            self.query_one(SelectOverlay).disable_option_at_index(0)  # the prompt


class FormCheckbox(Checkbox):
    """A box in a form: space ticks it, Enter submits the form."""

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "screen.submit", "Submit", show=False),
    ]


WHEN = Field("when", "When it happened (empty: now; or -10m, 14:05, yesterday 23:50)",
             placeholder="now", required=False)


class FormModal(ModalScreen[Done | None]):
    """A form whose submit runs ``submit(values)`` and shows any user error in place."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without changes"),
        Binding("ctrl+s", "submit", "Submit", id="form.submit", tooltip="Run the action"),
        # Priority: the app moves the focus as it reads the Tab, so keys typed right after it
        # land in the next field (a screen binding runs only when the field before it gets
        # to the Tab in its own queue, after the keys behind it were already sent there).
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False,
                priority=True),
    ]
    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    FormModal .intro { color: $text-muted; margin-bottom: 1; }
    FormModal .field-label { margin-top: 1; text-style: bold; }
    FormModal TextArea { height: 4; }
    FormModal #form-error { color: $text-error; text-style: bold; }
    FormModal #form-error.-empty { display: none; }
    FormModal #form-preview { color: $text-muted; }
    FormModal #form-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    FormModal #form-buttons Button { margin-left: 1; }
    FormModal VerticalScroll { height: auto; max-height: 24; }
    """

    def __init__(
        self, title: str, fields: list[Field], submit: Callable[[dict[str, str]], Done],
        *, intro: str = "", submit_label: str = "Submit",
        on_choice: Callable[[str, dict[str, str]], dict[str, str]] | None = None,
        preview: Callable[[dict[str, str]], str] | None = None, preview_label: str = "",
        preview_after: str | None = None, backfill: bool = True,
    ) -> None:
        """``on_choice(field, values)`` runs when a choice changes and returns values to put
        in other fields (a template filling the parts of an update); ``preview(values)``
        is plain text shown under the field ``preview_after`` (default: the last) and
        recomputed as the fields change.

        Once the app gives the form its ``session`` (the store, who, the clock), the form
        ends with a "when it happened" line, as ``--at`` on the command line: left empty,
        the action happens now; filled in, the action runs with a clock fixed at that past
        time (``backfill=False`` leaves the line out)."""
        super().__init__()
        self.session: Any = None  # set by the app before the form is shown
        self._backfill = backfill
        self.form_title = title
        self.fields = fields
        self._submit = submit
        self._intro = intro
        self._submit_label = submit_label
        self._on_choice = on_choice
        self._preview = preview
        self._preview_label = preview_label
        self._preview_after = preview_after or fields[-1].name
        self._error_field: str | None = None  # the field the error shown belongs to

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.form_title
            if self._intro:
                yield Static(Content(self._intro), classes="intro")
            with VerticalScroll(id="form-fields") as scroll:
                scroll.can_focus = False
                # moved beside the field it is about when one is shown
                yield Static("", id="form-error", classes="-empty")
                for f in self.fields:
                    if f.kind != "confirm":
                        yield Label(Content(f.label), classes="field-label")
                    yield self._widget(f)
                    if self._preview is not None and f.name == self._preview_after:
                        yield Label(Content(self._preview_label), classes="field-label")
                        yield Static("", id="form-preview")
                if self._backfills:
                    yield Label(WHEN.label, classes="field-label")
                    yield self._widget(WHEN)
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="cancel", variant="default")
                yield Button(self._submit_label, id="submit", variant="primary")

    def _widget(self, f: Field):
        wid = f"field-{f.name}"
        # The app may keep cursors steady (the tests do, so snapshots never catch a blink).
        blink = getattr(self.app, "cursor_blink", True)
        if f.kind == "text":
            area = TextArea(f.value, id=wid, soft_wrap=True, show_line_numbers=False)
            area.border_subtitle = f.placeholder or None
            area.set_reactive(TextArea.cursor_blink, blink)
            return area
        if f.kind == "choice":
            options = [(Content(label), value) for label, value in f.choices]
            initial = f.value if any(v == f.value for _, v in f.choices) else (
                f.choices[0][1] if len(f.choices) == 1 else Select.NULL)
            # A required choice offers no blank entry to pick: it starts on its default,
            # or, with none (a choice that must be made), blank until one is picked. An
            # optional one offers its blank as a real choice, named by its placeholder.
            if f.required:
                return FormSelect(options, id=wid, value=initial, pick_blank=False,
                                  allow_blank=initial is Select.NULL,
                                  prompt=f.placeholder or "choose one")
            return FormSelect(options, id=wid, value=initial, prompt=f.placeholder or "none")
        if f.kind == "confirm":
            return FormCheckbox(Content(f.label), value=f.value == "yes", id=wid)
        line = Input(f.value, placeholder=f.placeholder, id=wid)
        line.set_reactive(Input.cursor_blink, blink)
        return line

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0].name}").focus()
        self._refresh_preview()

    def set_value(self, name: str, value: str) -> None:
        """Put ``value`` in the field ``name`` (an empty choice clears the selection)."""
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, Select):
            widget.value = value if value else Select.NULL
        elif isinstance(widget, Checkbox):
            widget.value = value == "yes"
        else:
            widget.value = value

    def _refresh_preview(self) -> None:
        if self._preview is None:
            return
        try:
            text = self._preview(self.values())
        except WarroomError as exc:
            text = f"({exc})"
        self.query_one("#form-preview", Static).update(Content(text))

    @on(Select.Changed)
    def _chose(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("field-")
        self._fixed(name)
        if self._on_choice is not None and name:
            for other, text in self._on_choice(name, self.values()).items():
                self.set_value(other, text)
        self._refresh_preview()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _edited(self, event) -> None:
        self._fixed((event.control.id or "").removeprefix("field-"))
        self._refresh_preview()

    def _fixed(self, name: str) -> None:
        """A change to the field an error is about (any change, for an error about no one
        field) clears the error: it no longer says what is wrong."""
        if self._error_field is None or self._error_field in (name, ""):
            self.show_error("")

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text
            elif isinstance(widget, Select):
                out[f.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Checkbox):
                out[f.name] = "yes" if widget.value else ""
            else:
                out[f.name] = widget.value
        return out

    @property
    def _backfills(self) -> bool:
        return self._backfill and self.session is not None

    def _happened(self) -> datetime | None:
        """The past time typed in the "when" line, or None (now); a bad one raises."""
        if not self._backfills:
            return None
        text = self.query_one(f"#field-{WHEN.name}", Input).value.strip()
        return parse_at(text, self.session.clock()) if text else None

    def show_error(self, message: str, field: str | None = None) -> None:
        """Show ``message`` beside ``field`` (default: the field it names, else above the
        fields) and move the focus there; an empty message clears the error."""
        error = self.query_one("#form-error", Static)
        error.update(Content(message))
        error.set_class(not message, "-empty")
        if not message:
            self._error_field = None
            return
        name = field if field is not None else self._named(message)
        self._error_field = name or ""
        box = self.query_one("#form-fields", VerticalScroll)
        if name:
            widget = self.query_one(f"#field-{name}")
            box.move_child(error, after=widget)
        else:
            widget = self.query_one(f"#field-{self.fields[0].name}")
            box.move_child(error, before=0)
        widget.focus()
        self.call_after_refresh(error.scroll_visible, animate=False)

    def _named(self, message: str) -> str | None:
        """The field an action's refusal is about, when it starts with its name or its
        label ("reason must not be empty", "Owner is required")."""
        said = message.lower()
        for f in [*self.fields, *([WHEN] if self._backfills else [])]:
            names = {f.name.replace("_", " "), f.label.lower().split(" (")[0]}
            if any(said.startswith(n + " ") for n in names if n):
                return f.name
        return None

    def action_submit(self) -> None:
        values = self.values()
        missing = [f for f in self.fields
                   if f.required and f.kind != "confirm" and not values[f.name].strip()]
        if missing:
            self.show_error(f"{missing[0].label.split(' (')[0]} is required", missing[0].name)
            return
        try:
            at = self._happened()
        except WarroomError as exc:
            self.show_error(str(exc), WHEN.name)
            return
        try:
            if at is None:
                done = self._submit(values)
            else:  # the action runs with a clock fixed at when it happened
                now, self.session.clock = self.session.clock, FrozenClock(at)
                try:
                    done = self._submit(values)
                finally:
                    self.session.clock = now
                done = replace(done, message=f"{done.message} (recorded as happening "
                                              f"{local_stamp(at)})")
        except FieldError as exc:
            self.show_error(str(exc), exc.field)
            return
        except WarroomError as exc:  # refused at that time: it is the time that is wrong
            self.show_error(str(exc), WHEN.name if at is not None and (
                "as happening" in str(exc) or "opened at" in str(exc)) else None)
            return
        self.dismiss(done)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _pressed_submit(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _pressed_cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _entered(self) -> None:
        self.action_submit()
