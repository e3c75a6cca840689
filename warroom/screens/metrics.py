"""The metrics screen: the escalation snapshot as a table, with weekly trend sparklines.

The figures come from :func:`warroom.reports.rollup.snapshot` (the journal, folded), computed in a
worker thread on its own connection so a long journal never freezes the room's screen. The
table is bounded: every severity, and the busiest groups of the other dimensions, under a
row naming each dimension. Customer and internal updates on time are two columns, never
pooled. It fits 80 columns: there each figure is the median; from :data:`WIDE` columns on,
the 90th percentile and the change against the previous period are shown too. Trends plot
the snapshot's calendar weeks (months over a long stretch), from the first incident's to
the last's; a week without a value (no incident, or none with that figure) is left out of a
median's sparkline rather than drawn as zero.
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

from warroom.reports import rollup
from warroom.reports.snapshot import change, count_change, value
from warroom.text import clean_line
from warroom.widgets.footer import IdentityFooter

PERIODS = (30, 90, 180)  # days; p cycles through them
GROUPS_SHOWN = 6  # per dimension (severity is never cut)
WIDE = 120  # from this many columns on, the table shows p90 and changes
# a group name (user text, indented under its dimension) is cut to this, narrow and wide
GROUP_WIDTH = {False: 15, True: 18}
SECTIONS = {"all": None, "severity": "By severity", "customer": "By customer",
            "playbook": "By playbook"}
# (measure, label, label when wide): None is the incident count; labels take two lines
COLUMNS = (
    (None, "Incidents\n(change)", None),
    ("time_to_ownership", "Owned\nafter", "Owned after\nmedian / p90"),
    ("first_customer_update", "First to\ncustomer", None),
    ("time_to_resolution", "Time to\nresolve", "Resolved after\nmedian / p90"),
    ("customer_on_time", "Customer\non time", None),
    ("internal_on_time", "Internal\non time", None),
    ("csat", "CSAT", "CSAT\n(1-5)"),
)
PAIRED = {"time_to_ownership", "time_to_resolution"}  # median / p90 and change when wide
# (measure, label): None is the incident count (a week or a month, as the snapshot's trend)
TRENDS = ((None, "Incidents a {unit}"), ("time_to_ownership", "Ownership (med.)"),
          ("time_to_resolution", "Resolution (med.)"),
          ("customer_on_time", "Customer on time"))
UNIT_SHORT = {"week": "wk", "month": "mo"}


def columns(wide: bool) -> list[tuple[str, str]]:
    """(key, label) of each column at this width."""
    out = [("group", "Group")]
    for measure, label, wide_label in COLUMNS:
        key = measure or "count"
        out.append((key, wide_label if wide and wide_label else label))
        if wide and measure in PAIRED:
            out.append((key + ":chg", "Change\n(median)"))
    return out


def _figure(group: rollup.Group, key: str, wide: bool) -> str:
    if key == "count":
        return f"{group.current.count} ({count_change(group)})"
    if key.endswith(":chg"):
        name = key.removesuffix(":chg")
        return change(name, group.change(name))
    s = group.current.stats[key]
    if s.median is None:
        return "-"
    if wide and key in PAIRED:
        return f"{value(key, s.median)} / {value(key, s.p90)}"
    return value(key, s.median)


def row_cells(group: rollup.Group, wide: bool = True) -> list[Text]:
    """One table row as rich Text, which DataTable measures to size its columns (a Content
    cell measures one cell wide). The group name is user text: plain, never markup."""
    shown = clean_line(group.name)  # stored text: escape sequences never reach the terminal
    name = Text(shown if group.dimension == "all" else "  " + shown,
                no_wrap=True, overflow="ellipsis")
    name.truncate(GROUP_WIDTH[wide], overflow="ellipsis")
    return [name] + [Text(_figure(group, key, wide), justify="right")
                     for key, _ in columns(wide)[1:]]


def section_cells(dimension: str, wide: bool) -> list[Text]:
    return [Text(SECTIONS[dimension], style="bold")] + [Text("") for _ in columns(wide)[1:]]


def trend(snap: rollup.Snapshot, measure: str | None) -> tuple[list[float], str]:
    """Values for a sparkline and a short caption. Counts plot every week (or month) of the
    trend; a median plots only those that have one (no incident is no data, not zero).
    ``last`` is the trend's last week, the one of the period's latest incident."""
    buckets = len(snap.trend)
    if measure is None:
        data = [float(b.cell.count) for b in snap.trend]
        last = f"{data[-1]:g}" if data else "-"
        return data, f"last {last}, max {max(data, default=0):g}"
    medians = [b.cell.stats[measure].median for b in snap.trend]
    data = [m for m in medians if m is not None]
    return data, f"last {value(measure, medians[-1] if medians else None)}, " \
        f"{len(data)}/{buckets} {UNIT_SHORT[snap.trend_unit]}"


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
    MetricsScreen #metrics-title { height: auto; max-height: 2; background: $boost;
                                   padding: 0 1; }
    MetricsScreen #metrics-table { height: 1fr; }
    MetricsScreen #metrics-trends { height: 5; }
    MetricsScreen .trend { width: 1fr; padding: 0 1; border-left: solid $foreground 30%; }
    MetricsScreen .trend-label { height: 2; color: $text-muted; text-wrap: nowrap;
                                 text-overflow: ellipsis; }
    MetricsScreen Sparkline { height: 2; }
    """

    def __init__(self, days: int = 90) -> None:
        super().__init__()
        self.days = days
        self.snap: rollup.Snapshot | None = None
        self.wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-title")
        yield DataTable(id="metrics-table", cursor_type="row", zebra_stripes=True,
                        header_height=2)
        with Horizontal(id="metrics-trends"):
            for index, (_, label) in enumerate(TRENDS):
                with Vertical(classes="trend"):
                    yield Static(Content(label.format(unit="week")),
                                 id=f"trend-label-{index}",
                                 classes="trend-label")
                    yield Sparkline([], id=f"trend-{index}")
        yield IdentityFooter(self.app.identity_text)

    def on_mount(self) -> None:
        self.action_refresh()

    def on_resize(self) -> None:
        if self.snap is not None and (self.size.width >= WIDE) != self.wide:
            self.show(self.snap)

    def action_refresh(self) -> None:
        """Compute the snapshot in a thread; :meth:`show` paints it."""
        self.query_one("#metrics-title", Static).update(
            Content(f"Escalation metrics, last {self.days} days: reading the journal..."))
        self.run_worker(self._compute, thread=True, exclusive=True, group="metrics")

    def _compute(self) -> None:
        now = self.app.clock()
        with self.app.store.reopen() as store:  # its own connection: another thread
            snap = rollup.snapshot(store, now, timedelta(days=self.days), limit=GROUPS_SHOWN)
        self.app.call_from_thread(self.show, snap)

    def title_text(self, snap: rollup.Snapshot) -> str:
        drills = snap.drills_left_out
        left_out = f"; {drills} drill{'' if drills == 1 else 's'} left out" if drills else ""
        how = "medians, p90 and changes" if self.wide else "medians"
        return (f"Escalation metrics, {self.days} days vs the {self.days} before: "
                f"{how}{left_out}")

    def show(self, snap: rollup.Snapshot) -> None:
        """Paint a computed snapshot: title, table rows, sparklines."""
        self.snap = snap
        self.wide = self.size.width >= WIDE
        self.query_one("#metrics-title", Static).update(
            Content.styled(self.title_text(snap), "bold"))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label in columns(self.wide):
            table.add_column(Text(label, justify="left" if key == "group" else "right"),
                             key=key)
        seen: set[str] = set()
        for group in snap.groups:
            if SECTIONS[group.dimension] and group.dimension not in seen:
                seen.add(group.dimension)
                table.add_row(*section_cells(group.dimension, self.wide),
                              key=f"section:{group.dimension}")
            table.add_row(*row_cells(group, self.wide), key=f"{group.dimension}:{group.name}")
        for index, (measure, label) in enumerate(TRENDS):
            data, caption = trend(snap, measure)
            self.query_one(f"#trend-{index}", Sparkline).data = data
            self.query_one(f"#trend-label-{index}", Static).update(
                Content(f"{label.format(unit=snap.trend_unit)}\n{caption}"))

    def action_period(self) -> None:
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)] \
            if self.days in PERIODS else PERIODS[0]
        self.action_refresh()

    def action_close(self) -> None:
        self.app.pop_screen()
