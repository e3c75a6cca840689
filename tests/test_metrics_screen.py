"""The metrics screen: opened from the dashboard (t) and the palette, its table and trends,
the period switch, untrusted names shown as typed; and its snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_helpers import act, app_for, open_incident, who
from textual.widgets import DataTable, Sparkline

from warroom import actions
from warroom.clock import FrozenClock
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.metrics import MetricsScreen
from conftest import START


def history(db, clock: FrozenClock) -> None:
    """Four real incidents over three weeks (one with a markup-like customer) and a drill."""
    clock.now = START - timedelta(days=20)
    for n, (customer, severity, tto) in enumerate(
            [("Acme", "SEV1", 4), ("[bold]Globex[/bold]", "SEV2", 10), ("Acme", "SEV1", 2)]):
        key = open_incident(db, clock, title=f"Incident {n}", customer=customer,
                            severity=severity, staff=False)
        for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
            act(db, actions.claim_role, who(name), key, role, clock=clock)
            clock.advance(minutes=tto / 3)
        clock.advance(minutes=30)
        act(db, actions.resolve, who("sam"), key, summary="fixed", confirm=True, clock=clock)
        clock.advance(days=7)
    clock.now = START
    open_incident(db, clock)  # the one on screen: staffed at once


async def open_metrics(pilot) -> MetricsScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MetricsScreen)
    return screen


def cells(table: DataTable, row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


@pytest.mark.anyio
async def test_t_opens_the_metrics_table_and_trends_and_escape_goes_back(tmp_path):
    db, clock = tmp_path / "m.db", FrozenClock(START)
    history(db, clock)
    app = app_for(db, clock, incident="INC-1004")
    async with app.run_test(size=(120, 35)) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("t")
        screen = await open_metrics(pilot)
        table = screen.query_one(DataTable)
        # ownership after 0, 1m20s, 2m40s and 6m40s: median 2m, p90 6m40s (minutes shown)
        assert cells(table, 0)[:4] == ["all", "all incidents", "4 (+4)", "2m / 6m"]
        names = [cells(table, r)[1] for r in range(table.row_count)]
        assert "[bold]Globex[/bold]" in names  # user text shown as typed, not as markup
        assert screen.snap.drills_left_out == 0
        incidents = screen.query_one("#trend-0", Sparkline)
        assert list(incidents.data)[-4:] == [0, 1, 1, 2]  # 20, 13, 6 days ago and now
        await pilot.press("p")
        screen = await open_metrics(pilot)
        assert screen.days == 180
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.anyio
async def test_the_palette_opens_the_metrics_screen(tmp_path):
    db, clock = tmp_path / "m.db", FrozenClock(START)
    history(db, clock)
    app = app_for(db, clock, incident="INC-1004")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"escalation metrics")
        await pilot.pause()
        await pilot.press("enter")
        screen = await open_metrics(pilot)
        assert screen.query_one(DataTable).row_count >= 4


def test_metrics_screen_snapshot(snap_compare, tmp_path):
    db, clock = tmp_path / "m.db", FrozenClock(START)
    history(db, clock)

    async def run_before(pilot) -> None:
        await pilot.press("t")
        await open_metrics(pilot)

    app = app_for(db, clock, incident="INC-1004")
    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)
