"""The metrics screen: opened from the dashboard (t) and the palette, its table and trends,
the period switch, untrusted names shown as typed; and its snapshot."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
from app_helpers import act, app_for, open_incident, until, who
from conftest import START
from textual.command import CommandList
from textual.widgets import DataTable, Sparkline

from warroom import actions
from warroom.clock import FrozenClock
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.metrics import MetricsScreen

MARKUP_NAME = "[b]Globex[/b]"  # a customer named like markup: shown as typed


def history(db, clock: FrozenClock) -> None:
    """Three real incidents over three weeks (one with a markup-like customer), a drill
    (left out of the figures), and the incident on screen, staffed at once."""
    clock.now = START - timedelta(days=20)
    for n, (customer, severity, tto) in enumerate(
            [("Acme", "SEV1", 4), (MARKUP_NAME, "SEV2", 10), ("Acme", "SEV1", 2)]):
        key = open_incident(db, clock, title=f"Incident {n}", customer=customer,
                            severity=severity, staff=False)
        for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
            act(db, actions.claim_role, who(name), key, role, clock=clock)
            clock.advance(minutes=tto / 3)
        clock.advance(minutes=30)
        act(db, actions.resolve, who("sam"), key, summary="fixed", confirm=True, skip=True,
            open_items="carry", no_customer_update="fixed within minutes", clock=clock)
        clock.advance(days=7)
    clock.now = START - timedelta(days=2)
    act(db, actions.open_incident, who("facilitator"), title="Drill: checkout down",
        customer="Drill Corp", severity="SEV1", drill=True, clock=clock)
    clock.now = START
    open_incident(db, clock)  # the one on screen: INC-1005


async def open_metrics(pilot) -> MetricsScreen:
    """The metrics screen once its worker has painted the snapshot of the period it shows
    (a press of p asks for another period: the old snapshot does not count)."""
    app = pilot.app

    def painted() -> bool:
        screen = app.screen
        return (isinstance(screen, MetricsScreen) and screen.snap is not None
                and screen.snap.since == timedelta(days=screen.days) and not app.workers)

    assert await until(pilot, painted), f"no metrics painted on {app.screen!r}"
    await pilot.pause()
    return app.screen


def plain(table: DataTable, row: int) -> list[str]:
    return [c.plain for c in table.get_row_at(row)]


def screen_lines(app) -> list[str]:
    """What the terminal shows, one line per row, from the app's own screenshot."""
    svg = app.export_screenshot()
    rows: dict[int, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
                         r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>', svg):
        rows.setdefault(int(m[2]), []).append((float(m[1]), html.unescape(m[3])))
    out = []
    for line in sorted(rows):
        text = ""
        for x, part in sorted(rows[line]):
            text = text.ljust(round(x / 12.2)) + part
        out.append(text.replace("\xa0", " ").rstrip())
    return out


async def settled_lines(pilot, first_row: str, timeout: float = 10.0) -> list[str]:
    """The screen once the table's rows are painted (``first_row`` shows) and it has
    stopped changing: on a loaded machine the rows can paint a refresh or two after the
    snapshot reached the table."""
    deadline = time.monotonic() + timeout
    lines = screen_lines(pilot.app)
    while True:
        await pilot.pause(0.05)
        again = screen_lines(pilot.app)
        painted = any(first_row in line for line in again) and again == lines
        if painted or time.monotonic() > deadline:
            return again
        lines = again


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_t_opens_the_metrics_table_and_trends_and_escape_goes_back(tmp_path, size):
    db, clock = tmp_path / "m.db", FrozenClock(START)
    history(db, clock)
    app = app_for(db, clock, incident="INC-1005")
    async with app.run_test(size=size) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("t")
        screen = await open_metrics(pilot)
        table = screen.query_one(DataTable)
        wide = size[0] >= 120
        # ownership after 0, 1m20s, 2m40s and 6m40s: median 2m, p90 6m40s (minutes shown)
        assert plain(table, 0)[:3] == ["all incidents", "4 (+4)",
                                       "2m / 6m" if wide else "2m"]
        labels = [c.label.plain.replace("\n", " ") for c in table.columns.values()]
        assert [label for label in labels if "on time" in label] == [
            "Customer on time", "Internal on time"]  # two columns, never one pooled ratio
        assert labels[-1].startswith("CSAT")
        on_time = [labels.index("Customer on time"), labels.index("Internal on time")]
        # SEV1 resolved after 34m and 32m: a customer due time (30m) and two internal ones
        # (15m, 30m) passed, all missed; SEV2 resolved after 40m: its customer cadence
        # (60m) never fell due, its internal one (30m) did, missed
        rows = {plain(table, r)[0].strip(): plain(table, r) for r in range(table.row_count)}
        assert [rows["SEV1"][i] for i in on_time] == ["0%", "0%"]
        assert [rows["SEV2"][i] for i in on_time] == ["-", "0%"]
        assert screen.snap.drills_left_out == 1
        lines = await settled_lines(pilot, plain(table, 0)[0])
        assert lines[0].strip().endswith("1 drill left out")
        assert any("CSAT" in line for line in lines)  # every column on screen, no scrolling
        assert max(len(line) for line in lines) <= size[0]
        assert any(line.strip().startswith(MARKUP_NAME) for line in lines)  # not as markup
        assert [plain(table, r)[0] for r in range(table.row_count)].count("By customer") == 1
        incidents = screen.query_one("#trend-0", Sparkline)
        # ISO weeks of the incidents 20, 13, 6 days ago and now: none before the first
        assert list(incidents.data) == [1, 1, 1, 1]
        assert len(screen.snap.trend) == 4 and screen.snap.trend_unit == "week"
        ownership = screen.query_one("#trend-1", Sparkline)
        resolution = screen.query_one("#trend-2", Sparkline)
        assert len(ownership.data) == 4 and len(resolution.data) == 3  # no data is not 0
        assert any("last 1, max 1" in line for line in lines)
        await pilot.press("p")
        screen = await open_metrics(pilot)
        assert screen.days == 180
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.anyio
async def test_the_palette_opens_the_metrics_screen(tmp_path):
    db, clock = tmp_path / "m.db", FrozenClock(START)
    history(db, clock)
    app = app_for(db, clock, incident="INC-1005")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"escalation metrics")
        options = app.screen.query_one(CommandList)
        # The search runs in a worker: press enter once it has listed its hit.
        assert await until(pilot, lambda: not app.workers and options.option_count
                           and "Escalation metrics" in str(options.get_option_at_index(0).prompt))
        await pilot.press("enter")
        screen = await open_metrics(pilot)
        assert screen.query_one(DataTable).row_count >= 4


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
def test_metrics_screen_snapshot(snap_compare, tmp_path, size):
    db, clock = tmp_path / "m.db", FrozenClock(START)
    history(db, clock)

    async def run_before(pilot) -> None:
        await pilot.press("t")
        await open_metrics(pilot)

    app = app_for(db, clock, incident="INC-1005")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_a_group_name_shows_its_brackets_but_never_an_escape_sequence():
    from warroom.reports.rollup import Cell, Group
    from warroom.screens.metrics import row_cells

    group = Group("customer", "Ev\x1b[31mil [b]X[/b]", Cell.of([]), Cell.of([]))
    assert [c.plain for c in row_cells(group, wide=False)][:2] == ["  Evil [b]X[/b]", "0 (±0)"]
