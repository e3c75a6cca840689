"""The incident picker shows each open incident whole, with its alarms in words."""

from __future__ import annotations

import pytest
from app_helpers import app_for, open_incident
from textual.widgets import DataTable

pytestmark = pytest.mark.anyio


async def test_columns_fit_their_content_and_text_stays_literal(tmp_path, clock):
    db = tmp_path / "p.db"
    open_incident(db, clock)
    open_incident(db, clock, title="Invoices [bold]doubled[/] [@click=app.quit]",
                  severity="SEV2", customer="Globex", staff=False)
    app = app_for(db, clock)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        widths = [c.get_render_width(table) - 2 * table.cell_padding for c in table.columns.values()]
        row = [str(cell) for cell in table.get_row("INC-1002")]
        assert row[:3] == ["INC-1002", "SEV2", "Invoices [bold]doubled[/] [@click=app.quit]"]
        assert row[6].startswith("VACANT: Investigation lead, Com")  # as people name them
        assert all(w >= len(text) for w, text in zip(widths, row))
