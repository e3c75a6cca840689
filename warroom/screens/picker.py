"""The incident picker: every open incident, its alarms, and enter to open it."""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from warroom.clock import span
from warroom.records import IncidentSummary
from warroom.widgets.footer import IdentityFooter

COLUMNS = ("Key", "Sev", "Title", "Customer", "Stage", "Age", "Vacant roles")


class PickerScreen(Screen[None]):
    """Open incidents, most severe first; updated live."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="picker.open", tooltip="Open the selected incident"),
    ]

    def __init__(self, incidents: list[IncidentSummary]) -> None:
        super().__init__()
        self.incidents = incidents

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(" Open incidents: pick one (enter)", "bold"), id="picker-title")
        yield DataTable(id="incidents", cursor_type="row", zebra_stripes=True)
        yield Static("", id="picker-empty")
        yield IdentityFooter(self.app.identity_text)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self.show(self.incidents, self.app.clock())
        self.set_interval(60, lambda: self.show(self.incidents, self.app.clock()))

    def show(self, incidents: list[IncidentSummary], now: datetime) -> None:
        """Replace the rows (a handful of open incidents: cheap), keeping the cursor's key."""
        self.incidents = incidents
        table = self.query_one(DataTable)
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = sorted(incidents, key=lambda i: (i.severity.value, i.opened_at))
        # Cells are rich Text: DataTable sizes its columns by measuring rich renderables
        # (a Content cell measures as one cell wide). User text is never parsed as markup.
        alarm = Style(bold=True, color=self.app.theme_variables.get("text-error"))
        table.clear()
        for i in rows:
            vacant = Text("VACANT: " + ", ".join(i.vacant_roles), style=alarm) \
                if i.vacant_roles else Text("all held")
            if i.open_disputes:
                vacant.append(f" DISPUTES {i.open_disputes}", style=alarm)
            title = ("[DRILL] " if i.drill else "") + i.title
            table.add_row(
                Text(i.key), Text(i.severity.value), Text(title), Text(i.customer),
                Text(i.stage.value), Text(span(now - i.opened_at)), vacant, key=i.key,
            )
        if keep is not None and keep in {i.key for i in rows}:
            table.move_cursor(row=table.get_row_index(keep))
        empty = self.query_one("#picker-empty", Static)
        empty.update("" if rows else Content(
            "No open incidents. Open one with: warroom open TITLE --customer NAME --severity SEV2"))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.app.open_incident(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_incident(event.row_key.value)
