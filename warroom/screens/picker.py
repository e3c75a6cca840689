"""The incident picker: every open incident, its alarms and disputes, filtered as you type,
and Enter to open one; Escape goes back to the incident you came from."""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from warroom.clock import span
from warroom.records import IncidentSummary, IncidentView, role_title
from warroom.render.board import alarm_count
from warroom.widgets.footer import IdentityFooter

COLUMNS = ("Key", "Sev", "Title", "Customer", "Stage", "Age", "Vacant roles", "Alarms",
           "Disputes")
EMPTY = ("No open incidents. Open one with ctrl+n here, or on the command line: "
         "warroom open TITLE --customer NAME --severity SEV2")
TITLE_MIN = 20  # a title is cropped to what the screen leaves it, never below this
VACANT_MIN = 20  # the vacant roles share the rest with the title, and keep at least this


def crop(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, an ellipsis saying it was cut."""
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class PickerScreen(Screen[None]):
    """Open incidents, most severe first; updated live. Typing filters them (key, title,
    customer, stage); up and down move, Enter opens."""

    DEFAULT_CSS = """
    PickerScreen #picker-filter { height: 3; margin: 0 1; }
    PickerScreen #picker-empty { color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="picker.open", tooltip="Open the selected incident"),
        Binding("escape", "back", "Back", id="picker.back",
                tooltip="Clear the filter, else go back to the incident you came from"),
        Binding("ctrl+n", "new", "New incident", id="picker.new",
                tooltip="Open a new incident"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    def __init__(self, incidents: list[IncidentSummary],
                 views: dict[str, IncidentView] | None = None) -> None:
        """``views``: each open incident's view, for its alarms and its roles' titles."""
        super().__init__()
        self.incidents = incidents
        self.views = views or {}

    def compose(self) -> ComposeResult:
        # the filter takes every letter, q included: quitting is ctrl+q here
        yield Static(Content.styled(" Open incidents: type to filter, enter to open, "
                                    "escape to go back, ctrl+q to quit", "bold"),
                     id="picker-title")
        yield Input(placeholder="filter: key, title, customer or stage", id="picker-filter")
        table = DataTable(id="incidents", cursor_type="row", zebra_stripes=True)
        table.can_focus = False  # the filter keeps the keys; up, down and enter move it
        yield table
        yield Static("", id="picker-empty")
        yield IdentityFooter(self.app.identity_text)

    def on_mount(self) -> None:
        self.query_one("#picker-filter", Input).set_reactive(
            Input.cursor_blink, getattr(self.app, "cursor_blink", True))
        self.query_one("#picker-filter", Input).focus()
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.show(self.incidents, self.app.clock())
        self.set_interval(60, lambda: self.show(self.incidents, self.app.clock()))

    def on_resize(self) -> None:
        self.show(self.incidents, self.app.clock())  # titles are cropped to the width

    @property
    def query_text(self) -> str:
        return self.query_one("#picker-filter", Input).value.strip().casefold()

    def _matches(self, i: IncidentSummary) -> bool:
        words = self.query_text.split()
        hay = " ".join([i.key, i.title, i.customer, i.stage.value, i.severity.value]).casefold()
        return all(w in hay for w in words)

    def _vacant(self, i: IncidentSummary) -> str:
        """The vacant roles by the names people read ("Communications owner")."""
        view = self.views.get(i.key)
        titles = {r.role: r.title for r in view.roles} if view else {}
        return ", ".join(titles.get(r) or role_title(r) for r in i.vacant_roles)

    def show(self, incidents: list[IncidentSummary], now: datetime,
             views: dict[str, IncidentView] | None = None) -> None:
        """Replace the rows (a handful of open incidents: cheap), keeping the cursor's key."""
        self.incidents = incidents
        if views is not None:
            self.views = views
        table = self.query_one(DataTable)
        if not table.columns:  # a resize before the mount added them
            return
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = [i for i in sorted(incidents, key=lambda i: (i.severity.value, i.opened_at))
                if self._matches(i)]
        # Cells are rich Text: DataTable sizes its columns by measuring rich renderables
        # (a Content cell measures as one cell wide). User text is never parsed as markup.
        alarm = Style(bold=True, reverse=True, color=self.app.theme_variables.get("error"))
        table.clear()
        cells = []
        for i in rows:
            vacant = Text("VACANT: " + self._vacant(i), style=alarm) \
                if i.vacant_roles else Text("all held")
            view = self.views.get(i.key)
            count = alarm_count(view, now) if view else 0
            alarms_cell = Text(f"{count} ALARM{'S' if count > 1 else ''}", style=alarm) \
                if count else Text("none")
            disputes = Text(f"{i.open_disputes} DISPUTED", style=alarm) \
                if i.open_disputes else Text("none")
            title = ("[DRILL] " if i.drill else "") + i.title
            cells.append((i, [Text(i.key), Text(i.severity.value), title, Text(i.customer),
                              Text(i.stage.value), Text(span(now - i.opened_at)), vacant,
                              alarms_cell, disputes]))
        def widest(n: int) -> int:
            return max([len(row[n] if n == 2 else row[n].plain) for _, row in cells]
                       + [len(COLUMNS[n])])

        # The title and the vacant roles share what the other columns leave (a vertical
        # scrollbar included): the title first, the vacant roles keeping VACANT_MIN.
        room = (self.size.width - sum(widest(n) for n in range(len(COLUMNS)) if n not in (2, 6))
                - 2 * table.cell_padding * len(COLUMNS) - 2)
        title_w = max(TITLE_MIN, min(widest(2), room - min(widest(6), VACANT_MIN)))
        vacant_w = max(VACANT_MIN, room - title_w)
        for i, row in cells:
            row[2] = Text(crop(row[2], title_w))
            if row[6].plain != "all held":
                row[6] = Text(crop(row[6].plain, vacant_w), style=row[6].style)
            table.add_row(*row, key=i.key)
        if keep is not None and keep in {i.key for i in rows}:
            table.move_cursor(row=table.get_row_index(keep))
        empty = self.query_one("#picker-empty", Static)
        if not incidents:
            empty.update(Content(EMPTY))
        elif not rows:
            empty.update(Content("No open incident matches the filter (escape clears it)."))
        else:
            empty.update("")

    @on(Input.Changed, "#picker-filter")
    def _filtered(self) -> None:
        self.show(self.incidents, self.app.clock())
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=0)

    @on(Input.Submitted, "#picker-filter")
    def _entered(self) -> None:
        self.action_open()

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.app.open_incident(key)

    def action_back(self) -> None:
        field = self.query_one("#picker-filter", Input)
        if field.value:
            field.value = ""
        elif self.app.key is not None:
            self.app.open_incident(self.app.key)
        else:
            self.notify("Nothing to go back to: pick an incident (enter), or quit (ctrl+q)",
                        markup=False)

    def action_new(self) -> None:
        self.app.open_form("open_new")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_incident(event.row_key.value)
