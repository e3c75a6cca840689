"""The metrics screen: the escalation snapshot as a table, with weekly trend sparklines.

The figures come from :func:`warroom.rollup.snapshot` (the journal, folded), computed in a
worker thread on its own connection so a long journal never freezes the room's screen. The
table is bounded: every severity, and the busiest groups of the other dimensions.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Sparkline, Static

from warroom import rollup
from warroom.snapshot import change, count_change, value
from warroom.widgets.footer import IdentityFooter

PERIODS = (30, 90, 180)  # days; p cycles through them
GROUPS_SHOWN = 6  # per dimension (severity is never cut)
# (label, width): None sizes to the content; a group name (user text) is cut at 20
COLUMNS = (("By", None), ("Group", 20), ("Count", None), ("Ownership", None), ("chg", None),
           ("1st update", None), ("Resolution", None), ("chg", None), ("On time", None),
           ("CSAT", None))
# (measure, label): None is the incident count
TRENDS = ((None, "Incidents"), ("time_to_ownership", "Ownership, median"),
          ("time_to_resolution", "Resolution, median"), ("cadence", "On time, median"))


def _pair(group: rollup.Group, name: str) -> str:
    s = group.current.stats[name]
    return "-" if s.median is None else f"{value(name, s.median)} / {value(name, s.p90)}"


def row_cells(group: rollup.Group) -> list[Text]:
    """One table row as rich Text, which DataTable measures to size its columns (a Content
    cell measures one cell wide). The group name is user text: plain, never markup."""
    current = group.current.stats
    figures = [
        f"{group.current.count} ({count_change(group)})",
        _pair(group, "time_to_ownership"),
        change("time_to_ownership", group.change("time_to_ownership")),
        value("first_customer_update", current["first_customer_update"].median),
        _pair(group, "time_to_resolution"),
        change("time_to_resolution", group.change("time_to_resolution")),
        value("cadence", current["cadence"].median),
        value("csat", current["csat"].median),
    ]
    return [Text(group.dimension), Text(group.name)] + [
        Text(f, justify="right") for f in figures]


def trend(snap: rollup.Snapshot, measure: str | None) -> tuple[list[float], str]:
    """Weekly values for a sparkline (weeks without a value count as 0) and a caption."""
    if measure is None:
        data = [float(w.cell.count) for w in snap.weeks]
        shown = [f"{n:g}" for n in data]
    else:
        medians = [w.cell.stats[measure].median for w in snap.weeks]
        data = [m or 0.0 for m in medians]
        shown = [value(measure, m) for m in medians]
    return data, f"this week {shown[-1]}, highest {max(data, default=0):g}" if measure is None \
        else f"this week {shown[-1]}"


class MetricsScreen(Screen[None]):
    """Escalation metrics over a period against the one before, and the weekly trend."""

    BINDINGS = [
        Binding("escape,t", "close", "Back", id="metrics.close",
                tooltip="Back to the dashboard"),
        Binding("p", "period", "Period", id="metrics.period",
                tooltip="Switch the period: 30, 90 or 180 days"),
        Binding("r", "refresh", "Refresh", id="metrics.refresh",
                tooltip="Read the journal again"),
    ]
    DEFAULT_CSS = """
    MetricsScreen #metrics-title { height: 1; background: $boost; padding: 0 1; }
    MetricsScreen #metrics-table { height: 1fr; }
    MetricsScreen #metrics-trends { height: 5; }
    MetricsScreen .trend { width: 1fr; padding: 0 1; border-left: solid $foreground 30%; }
    MetricsScreen .trend-label { height: 2; color: $text-muted; }
    MetricsScreen Sparkline { height: 2; }
    """

    def __init__(self, days: int = 90) -> None:
        super().__init__()
        self.days = days
        self.snap: rollup.Snapshot | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-title")
        yield DataTable(id="metrics-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="metrics-trends"):
            for index, (_, label) in enumerate(TRENDS):
                with Vertical(classes="trend"):
                    yield Static(Content(label), id=f"trend-label-{index}",
                                 classes="trend-label")
                    yield Sparkline([], id=f"trend-{index}")
        yield IdentityFooter(self.app.identity_text)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self.action_refresh()

    def action_refresh(self) -> None:
        """Compute the snapshot in a thread; :meth:`show` paints it."""
        self.query_one("#metrics-title", Static).update(
            Content(f" Escalation metrics, last {self.days} days: reading the journal..."))
        self.run_worker(self._compute, thread=True, exclusive=True, group="metrics")

    def _compute(self) -> None:
        from warroom.store import Store

        now = self.app.clock()
        with Store(self.app.store.path) as store:  # its own connection: another thread
            snap = rollup.snapshot(store, now, timedelta(days=self.days), limit=GROUPS_SHOWN)
        self.app.call_from_thread(self.show, snap)

    def show(self, snap: rollup.Snapshot) -> None:
        """Paint a computed snapshot: title, table rows, sparklines."""
        self.snap = snap
        weeks = len(snap.weeks)
        drills = f"; {snap.drills_left_out} drills left out" if snap.drills_left_out else ""
        self.query_one("#metrics-title", Static).update(Content.styled(
            f" Escalation metrics, last {self.days} days: median / p90, chg = median against "
            f"the {self.days} days before{drills}", "bold"))
        table = self.query_one(DataTable)
        table.clear()
        for group in snap.groups:
            table.add_row(*row_cells(group), key=f"{group.dimension}:{group.name}")
        for index, (measure, label) in enumerate(TRENDS):
            data, caption = trend(snap, measure)
            self.query_one(f"#trend-{index}", Sparkline).data = data
            self.query_one(f"#trend-label-{index}", Static).update(
                Content(f"{label}, {weeks} wk\n{caption}"))

    def action_period(self) -> None:
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)] \
            if self.days in PERIODS else PERIODS[0]
        self.action_refresh()

    def action_close(self) -> None:
        self.app.pop_screen()
