"""The metrics snapshot for leadership and the customer: Markdown, JSON or CSV.

Markdown is for people (durations as ``12m``, percentages to a tenth where needed so that
0.21 % never reads 0 %, changes signed, times in UTC so that the document reads the same
wherever it was made); JSON and CSV are for tools (durations in seconds, ratios from 0 to 1
as floats, empty where there is no value). Each lists the incidents counted with their key
figures; a snapshot for one customer names no other (:mod:`warroom.reports.scope`). A CSV text cell that a
spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written with a leading ``'``, as OWASP advises; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

from warroom.clock import span
from warroom.render.markdown import inline, table
from warroom.reports.rollup import (BY_NAME, LISTED, MEASURES, Counted, Group, Snapshot,
                                    Stat)
from warroom.reports.trend import next_month
from warroom.text import clean_line

# The measures shown per group in the Markdown tables and on the metrics screen.
KEY_MEASURES = ("time_to_ownership", "first_customer_update", "time_to_resolution",
                "customer_on_time", "internal_on_time", "csat")
DIMENSION_TITLES = {"severity": "Severity", "customer": "Customer", "playbook": "Playbook"}


def period_label(since: timedelta) -> str:
    """``90d`` for whole days, else a short duration."""
    if since % timedelta(days=1) == timedelta():
        return f"{since.days}d"
    return span(since)


def percent(ratio: float, suffix: str = "%") -> str:
    """A ratio as a percentage, whole when it is, else to one decimal: 0.0021 is ``0.2%``;
    a ratio above zero never reads ``0%`` (``<0.1%``), nor one below 1 ``100%``."""
    x = ratio * 100
    if x == round(x):
        return f"{x:.0f}{suffix}"
    text = f"{x:.1f}"
    if text == "0.0":
        return f"<0.1{suffix}"
    if text == "100.0":
        return f">99.9{suffix}"
    return text.removesuffix(".0") + suffix


def value(measure: str, v: float | None) -> str:
    """One value for people: a duration, a percentage, a count or a score."""
    if v is None:
        return "-"
    unit = BY_NAME[measure].unit
    if unit == "duration":
        return span(timedelta(seconds=v))
    if unit == "ratio":
        return percent(v)
    return f"{v:g}" if v == int(v) else f"{v:.1f}"


def change(measure: str, delta: float | None) -> str:
    """A signed change for people; ``new`` when the previous period had nothing."""
    if delta is None:
        return "-"
    if delta == 0:
        return "±0"
    sign = "+" if delta > 0 else "-"
    unit = BY_NAME[measure].unit
    if unit == "duration":
        return sign + span(timedelta(seconds=abs(delta)))
    if unit == "ratio":
        return sign + percent(abs(delta), " pts")
    return f"{sign}{abs(delta):g}" if delta == int(delta) else f"{sign}{abs(delta):.1f}"


def count_change(group: Group) -> str:
    delta = group.current.count - group.previous.count
    return "±0" if delta == 0 else f"{delta:+d}"


def utc(at: datetime) -> str:
    """``2026-11-24 14:02 UTC``."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _day(at: datetime) -> str:
    return at.astimezone(timezone.utc).date().isoformat()


def title(snap: Snapshot) -> str:
    """``last 90d``, or the days given: ``2026-10-01 to 2026-10-31``."""
    period = snap.period
    if not period.closed_start:
        return f"last {period_label(snap.since)}"
    last = period.end if period.closed_end else period.end - timedelta(microseconds=1)
    return f"{_day(period.start)} to {'now' if snap.to_now else _day(last)}"


def md_text(text: str) -> str:
    """Stored text (a customer, a title) for a Markdown cell: clean and escaped."""
    return inline(clean_line(text))


def render_md(snap: Snapshot) -> str:
    """The snapshot as a Markdown document."""
    label = period_label(snap.since)
    who = f" for {md_text(snap.customer)}" if snap.customer else ""
    scope = f" affecting {md_text(snap.customer)}" if snap.customer else ""
    out = [
        f"# Escalation metrics{who}: {title(snap)}",
        "",
        f"Incidents{scope} opened {utc(snap.start)} to {utc(snap.now)}, compared with the "
        f"{label} before ({utc(snap.previous_start)} to {utc(snap.start)}). Computed from the "
        f"journal; drill incidents are left out ({snap.drills_left_out} in this period).",
        "",
        "## All incidents",
        "",
    ]
    top = snap.dimension("all")[0]
    rows = [["Incidents", str(top.current.count), "", "", str(top.previous.count),
             count_change(top)]]
    for m in MEASURES:
        now, before = top.current.stats[m.name], top.previous.stats[m.name]
        rows.append([m.label, str(now.n), value(m.name, now.median), value(m.name, now.p90),
                     value(m.name, before.median), change(m.name, top.change(m.name))])
    out += table(["Measure", "Values", "Median", "p90", "Previous median", "Change"], rows,
                 "lrrrrr")
    for dimension, heading in DIMENSION_TITLES.items():
        out += ["", f"## By {dimension}", ""]
        if dimension == "customer" and not snap.customer:
            out += ["An incident affecting several customers counts in each one's row.", ""]
        out += _group_table(heading, snap.dimension(dimension))
        if snap.truncated.get(dimension):
            out += ["", f"{snap.truncated[dimension]} smaller groups not shown."]
    out += ["", "## Incidents counted", ""] + _incident_table(snap.incidents)
    out += ["", f"## {snap.trend_unit.capitalize()}ly trend", ""] + _trend_table(snap)
    out += ["", "Medians, with the 90th percentile after the slash and the change of the "
            "median against the previous period in brackets. Customer and internal updates "
            "on time are counted apart, per incident: due times met over due times counted; "
            "each due time counts once, met by an update posted by it (and after the "
            "previous one), missed when it passes without one."]
    return "\n".join(out) + "\n"


def updates_on_time(counts: tuple[int, int] | None) -> str:
    """``75% (3/4)``: due times met over due times counted, or ``-`` when none fell due."""
    if counts is None:
        return "-"
    met, due = counts
    return f"{percent(met / due)} ({met}/{due})"


def _incident_table(incidents: list[Counted]) -> list[str]:
    if not incidents:
        return ["No incident was opened in this period."]
    rows = [[i.key, _day(datetime.fromtimestamp(i.opened, timezone.utc)), i.severity,
             ", ".join(md_text(c) for c in i.customers), md_text(i.title)]
            + [value(n, i.figures[n]) for n in LISTED[:3]]
            + [updates_on_time(i.updates[a]) for a in ("customer", "internal")]
            for i in sorted(incidents, key=lambda i: (i.opened, i.key))]
    return table(["Incident", "Opened", "Severity", "Customers", "Title"]
                 + [BY_NAME[n].label for n in LISTED], rows, "lllllrrrrr")


def _natural_end(snap: Snapshot, start: datetime) -> datetime:
    return start + timedelta(days=7) if snap.trend_unit == "week" else next_month(start)


def _trend_table(snap: Snapshot) -> list[str]:
    if not snap.trend:
        return ["No incident was opened in this period: no trend."]
    weekly = snap.trend_unit == "week"
    out = [("ISO weeks, from Monday 00:00 UTC" if weekly else
            "Calendar months, from the 1st 00:00 UTC")
           + f", from the {snap.trend_unit} of the period's first incident to the "
           f"{snap.trend_unit} of its last; a {snap.trend_unit} counts every incident opened "
           "in it (the first may begin before the period, the last ends with it).", ""]
    rows = []
    for b in snap.trend:
        text = _day(b.start) if weekly else _day(b.start)[:7]
        if b.end < _natural_end(snap, b.start):
            last = b.end if snap.period.closed_end else b.end - timedelta(microseconds=1)
            text += " (to now)" if snap.to_now else f" (to {_day(last)})"
        rows.append([text, str(b.cell.count)]
                    + [value(n, b.cell.stats[n].median) for n in KEY_MEASURES])
    return out + table(["Week of (Monday)" if weekly else "Month", "Incidents"]
                       + [BY_NAME[n].label for n in KEY_MEASURES], rows, "lrrrrrrr")


def _cell(group: Group, name: str) -> str:
    s = group.current.stats[name]
    if s.median is None:
        return "-"
    return f"{value(name, s.median)} / {value(name, s.p90)} ({change(name, group.change(name))})"


def _group_table(title: str, groups: list[Group]) -> list[str]:
    rows = [[md_text(g.name), f"{g.current.count} ({count_change(g)})"]
            + [_cell(g, n) for n in KEY_MEASURES] for g in groups]
    return table([title, "Incidents"] + [BY_NAME[n].label for n in KEY_MEASURES], rows,
                 "lrrrrrrr")


def _number(v: float | None, unit: str = "") -> float | int | None:
    """A figure for tools: a ratio stays a float as computed (0.0021, 1.0); others are
    whole numbers when whole, else rounded to four decimals."""
    if v is None:
        return None
    if unit == "ratio":
        return float(v)
    return int(v) if v == int(v) else round(v, 4)


def _stat_json(s: Stat, unit: str) -> dict:
    return {"n": s.n, "median": _number(s.median, unit), "p90": _number(s.p90, unit),
            "total": _number(s.total, unit)}


def _incident_json(i: Counted) -> dict:
    return {"key": i.key, "title": i.title, "severity": i.severity,
            "customers": list(i.customers),
            "opened": datetime.fromtimestamp(i.opened, timezone.utc).isoformat(),
            "figures": {n: _number(i.figures[n], BY_NAME[n].unit) for n in LISTED},
            "updates": {audience: None if counts is None else
                        {"on_time": counts[0], "due": counts[1]}
                        for audience, counts in i.updates.items()}}


# 2: customer_on_time and internal_on_time instead of the pooled cadence; ratios as floats;
#    customer, incidents, trend_unit and trend (over the incidents' stretch) instead of weeks;
#    the period's start_included and end_included. 1 (unversioned): the first shape.
SCHEMA_VERSION = 2


def to_json_data(snap: Snapshot) -> dict:
    """The snapshot as plain data: durations in seconds, ratios 0-1 (floats)."""
    groups = []
    for g in snap.groups:
        measures = {}
        for m in MEASURES:
            now, before = g.current.stats[m.name], g.previous.stats[m.name]
            measures[m.name] = _stat_json(now, m.unit) | {
                "previous": _stat_json(before, m.unit),
                "change": _number(g.change(m.name), m.unit)}
        groups.append({"dimension": g.dimension, "group": g.name, "count": g.current.count,
                       "previous_count": g.previous.count, "measures": measures})
    period = snap.period
    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"since": period_label(snap.since), "start": snap.start.isoformat(),
                   "end": snap.now.isoformat(), "previous_start": snap.previous_start.isoformat(),
                   "start_included": period.closed_start, "end_included": period.closed_end},
        "customer": snap.customer,
        "drills_left_out": snap.drills_left_out,
        "units": {m.name: m.unit for m in MEASURES},
        "labels": {m.name: m.label for m in MEASURES},
        "groups": groups,
        "incidents": [_incident_json(i) for i in sorted(snap.incidents,
                                                        key=lambda i: (i.opened, i.key))],
        "trend_unit": snap.trend_unit,
        "trend": [{"start": b.start.isoformat(), "end": b.end.isoformat(),
                   "count": b.cell.count,
                   "measures": {m.name: _stat_json(b.cell.stats[m.name], m.unit)
                                for m in MEASURES}}
                  for b in snap.trend],
    }


def render_json(snap: Snapshot) -> str:
    return json.dumps(to_json_data(snap), indent=2) + "\n"


CSV_COLUMNS = ["dimension", "group", "period_start", "period_end", "measure", "unit", "n",
               "median", "p90", "total", "previous_n", "previous_median", "previous_p90",
               "change", "title", "severity", "customers"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(cell: object) -> object:
    """A CSV cell a spreadsheet shows as typed: text that would start a formula gets a
    leading ``'``; numbers (negative changes included) are left as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class _SafeWriter:
    """Rows end in CRLF (RFC 4180), which also makes the writer quote a cell holding a
    carriage return."""

    def __init__(self, buffer: io.StringIO, width: int = len(CSV_COLUMNS)) -> None:
        self._writer = csv.writer(buffer, lineterminator="\r\n")
        self._width = width

    def writerow(self, row: list) -> None:
        """One row, as wide as the header (empty cells at the end)."""
        row = row + [""] * (self._width - len(row))
        self._writer.writerow([safe_cell(cell) for cell in row])


def render_csv(snap: Snapshot) -> str:
    """One row per group (or trend bucket) and measure, ``incidents`` rows carrying the
    counts; then one row per incident counted and listed figure (``dimension`` is
    ``incident``, ``group`` its key, with its title, severity and customers)."""
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    start, end = snap.start.isoformat(), snap.now.isoformat()
    for g in snap.groups:
        writer.writerow([g.dimension, g.name, start, end, "incidents", "count",
                         g.current.count, "", "", "", g.previous.count, "", "",
                         g.current.count - g.previous.count])
        for m in MEASURES:
            now, before = g.current.stats[m.name], g.previous.stats[m.name]
            writer.writerow([g.dimension, g.name, start, end, m.name, m.unit, now.n,
                             *_blank(m.unit, now.median, now.p90, now.total), before.n,
                             *_blank(m.unit, before.median, before.p90, g.change(m.name))])
    for i in sorted(snap.incidents, key=lambda i: (i.opened, i.key)):
        about = [i.title, i.severity, "; ".join(i.customers)]
        for n in LISTED:
            v, unit = i.figures[n], BY_NAME[n].unit
            writer.writerow(["incident", i.key, start, end, n, unit, int(v is not None),
                             *_blank(unit, v, v, v), "", "", "", "", *about])
    for b in snap.trend:
        when = (b.start.isoformat(), b.end.isoformat())
        group = when[0][:10] if snap.trend_unit == "week" else when[0][:7]
        writer.writerow([snap.trend_unit, group, *when, "incidents", "count", b.cell.count,
                         "", "", "", "", "", "", ""])
        for m in MEASURES:
            s = b.cell.stats[m.name]
            writer.writerow([snap.trend_unit, group, *when, m.name, m.unit, s.n,
                             *_blank(m.unit, s.median, s.p90, s.total), "", "", "", ""])
    return buffer.getvalue()


def _blank(unit: str, *values: float | None) -> list:
    return ["" if v is None else _number(v, unit) for v in values]


FORMATS = {"md": render_md, "json": render_json, "csv": render_csv}
