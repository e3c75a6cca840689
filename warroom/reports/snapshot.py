"""The metrics snapshot for leadership and the customer: Markdown, JSON or CSV.

Markdown is for people (durations as ``12m``, changes signed, times in UTC so that the
document reads the same wherever it was made); JSON and CSV are for tools (durations in
seconds, ratios from 0 to 1, empty where there is no value). A CSV text cell that a
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
from warroom.reports.rollup import BY_NAME, MEASURES, Group, Snapshot, Stat

# The measures shown per group in the Markdown tables and on the metrics screen.
KEY_MEASURES = ("time_to_ownership", "first_customer_update", "time_to_resolution",
                "cadence", "csat")
DIMENSION_TITLES = {"severity": "Severity", "customer": "Customer", "playbook": "Playbook"}


def period_label(since: timedelta) -> str:
    """``90d`` for whole days, else a short duration."""
    if since % timedelta(days=1) == timedelta():
        return f"{since.days}d"
    return span(since)


def value(measure: str, v: float | None) -> str:
    """One value for people: a duration, a percentage, a count or a score."""
    if v is None:
        return "-"
    unit = BY_NAME[measure].unit
    if unit == "duration":
        return span(timedelta(seconds=v))
    if unit == "ratio":
        return f"{v * 100:.0f}%"
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
        return f"{sign}{abs(delta) * 100:.0f} pts"
    return f"{sign}{abs(delta):g}" if delta == int(delta) else f"{sign}{abs(delta):.1f}"


def count_change(group: Group) -> str:
    delta = group.current.count - group.previous.count
    return "±0" if delta == 0 else f"{delta:+d}"


def utc(at: datetime) -> str:
    """``2026-11-24 14:02 UTC``."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_md(snap: Snapshot) -> str:
    """The snapshot as a Markdown document."""
    label = period_label(snap.since)
    out = [
        f"# Escalation metrics: last {label}",
        "",
        f"Incidents opened {utc(snap.start)} to {utc(snap.now)}, compared with the {label} "
        f"before ({utc(snap.previous_start)} to {utc(snap.start)}). Computed from the "
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
    for dimension, title in DIMENSION_TITLES.items():
        out += ["", f"## By {dimension}", ""]
        out += _group_table(title, snap.dimension(dimension))
        if snap.truncated.get(dimension):
            out += ["", f"{snap.truncated[dimension]} smaller groups not shown."]
    out += ["", "## Weekly trend", "",
            "ISO weeks, from Monday 00:00 UTC; a week counts every incident opened in it "
            "(the first may begin before the period, the last ends now).", ""]
    rows = [[w.start.astimezone(timezone.utc).date().isoformat()
             + (" (to now)" if w is snap.weeks[-1] else ""), str(w.cell.count)]
            + [value(name, w.cell.stats[name].median) for name in KEY_MEASURES]
            for w in snap.weeks]
    out += table(["Week of (Monday)", "Incidents"] + [BY_NAME[n].label for n in KEY_MEASURES],
                 rows, "lrrrrrr")
    out += ["", "Medians, with the 90th percentile after the slash and the change of the "
            "median against the previous period in brackets. Updates on time: due times "
            "met over due times counted; each due time counts once, met by an update posted "
            "by it (and after the previous one), missed when it passes without one."]
    return "\n".join(out) + "\n"


def _cell(group: Group, name: str) -> str:
    s = group.current.stats[name]
    if s.median is None:
        return "-"
    return f"{value(name, s.median)} / {value(name, s.p90)} ({change(name, group.change(name))})"


def _group_table(title: str, groups: list[Group]) -> list[str]:
    rows = [[inline(g.name), f"{g.current.count} ({count_change(g)})"]
            + [_cell(g, n) for n in KEY_MEASURES] for g in groups]
    return table([title, "Incidents"] + [BY_NAME[n].label for n in KEY_MEASURES], rows,
                 "lrrrrrr")


def _number(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if v == int(v) else round(v, 4)


def _stat_json(s: Stat) -> dict:
    return {"n": s.n, "median": _number(s.median), "p90": _number(s.p90),
            "total": _number(s.total)}


def to_json_data(snap: Snapshot) -> dict:
    """The snapshot as plain data: durations in seconds, ratios 0-1."""
    groups = []
    for g in snap.groups:
        measures = {}
        for m in MEASURES:
            now, before = g.current.stats[m.name], g.previous.stats[m.name]
            measures[m.name] = _stat_json(now) | {
                "previous": _stat_json(before), "change": _number(g.change(m.name))}
        groups.append({"dimension": g.dimension, "group": g.name, "count": g.current.count,
                       "previous_count": g.previous.count, "measures": measures})
    return {
        "period": {"since": period_label(snap.since), "start": snap.start.isoformat(),
                   "end": snap.now.isoformat(), "previous_start": snap.previous_start.isoformat()},
        "drills_left_out": snap.drills_left_out,
        "units": {m.name: m.unit for m in MEASURES},
        "labels": {m.name: m.label for m in MEASURES},
        "groups": groups,
        "weeks": [{"start": w.start.isoformat(), "end": w.end.isoformat(),
                   "count": w.cell.count,
                   "measures": {m.name: _stat_json(w.cell.stats[m.name]) for m in MEASURES}}
                  for w in snap.weeks],
    }


def render_json(snap: Snapshot) -> str:
    return json.dumps(to_json_data(snap), indent=2) + "\n"


CSV_COLUMNS = ["dimension", "group", "period_start", "period_end", "measure", "unit", "n",
               "median", "p90", "total", "previous_n", "previous_median", "previous_p90",
               "change"]


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

    def __init__(self, buffer: io.StringIO) -> None:
        self._writer = csv.writer(buffer, lineterminator="\r\n")

    def writerow(self, row: list) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])


def render_csv(snap: Snapshot) -> str:
    """One row per group (or week) and measure; ``incidents`` rows carry the counts."""
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
                             *_blank(now.median, now.p90, now.total), before.n,
                             *_blank(before.median, before.p90, g.change(m.name))])
    for w in snap.weeks:
        week = (w.start.isoformat(), w.end.isoformat())
        writer.writerow(["week", week[0][:10], *week, "incidents", "count", w.cell.count,
                         "", "", "", "", "", "", ""])
        for m in MEASURES:
            s = w.cell.stats[m.name]
            writer.writerow(["week", week[0][:10], *week, m.name, m.unit, s.n,
                             *_blank(s.median, s.p90, s.total), "", "", "", ""])
    return buffer.getvalue()


def _blank(*values: float | None) -> list:
    return ["" if v is None else _number(v) for v in values]


FORMATS = {"md": render_md, "json": render_json, "csv": render_csv}
