"""The snapshot for one customer (safe to send: no other customer named), by dates, with
the incidents it counted, a trend over the stretch that has incidents, and customer and
internal updates on time apart, precise enough to tell 0.2 % from 0."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import person
from journal_helpers import Journal, rows_of

from warroom import actions
from warroom.cli import main
from warroom.clock import FrozenClock
from warroom.db.store import Store
from warroom.reports import rollup, snapshot
from warroom.reports.metrics import fold

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)  # a Tuesday
DAY = timedelta(days=1)
OTHERS = ("globex", "initech", "umbrella")  # never in a snapshot for Acme, in any case


def _open(store, clock, at, title, customer, severity="SEV1", *, also=(), drill=False):
    clock.now = at
    key = actions.open_incident(store, person("sam"), title=title, customer=customer,
                                severity=severity, drill=drill, clock=clock).key
    if also:
        actions.change_customers(store, person("sam"), key, add=list(also), clock=clock)
    for role, name in (("lead", "sam"), ("comms", "alex"), ("decider", "pat")):
        clock.advance(minutes=1)
        actions.claim_role(store, person(name), key, role, clock=clock)
    return key


def world(store) -> None:
    """Acme's own incident, Globex's incident that also affects Acme (titled with Globex's
    name), Globex and Initech incidents alone, an Umbrella drill that affects Acme, and one
    Acme and one Globex incident in the 30 days before."""
    clock = FrozenClock(NOW)
    _open(store, clock, NOW - 2 * DAY, "Checkout down", "Acme")
    _open(store, clock, NOW - 5 * DAY, "Shared cluster outage at Globex (GLOBEX-EU)",
          "Globex", "SEV2", also=["ACME "])
    _open(store, clock, NOW - 3 * DAY, "Globex API slow", "Globex")
    _open(store, clock, NOW - 4 * DAY, "Initech login loop", "Initech", also=["Globex"])
    _open(store, clock, NOW - 1 * DAY, "Drill: Umbrella", "Umbrella", also=["Acme"],
          drill=True)
    _open(store, clock, NOW - 40 * DAY, "Acme search slow", "Acme", "SEV2")
    _open(store, clock, NOW - 41 * DAY, "Globex billing", "Globex")


def test_a_snapshot_for_one_customer_names_no_other_customer_anywhere(store):
    world(store)
    snap = rollup.snapshot(store, NOW, timedelta(days=30), customer="Acme")
    assert snap.customer == "Acme"
    assert [i.key for i in sorted(snap.incidents, key=lambda i: i.opened)] == [
        "INC-1002", "INC-1001"]  # Globex's outage that affects Acme counts, opened first
    top = snap.dimension("all")[0]
    assert (top.current.count, top.previous.count) == (2, 1)  # the period before: Acme's
    assert snap.drills_left_out == 1  # Umbrella's drill affects Acme; no other is counted
    assert [(g.name, g.current.count) for g in snap.dimension("customer")] == [("Acme", 2)]
    assert {i.customers for i in snap.incidents} == {("Acme",)}
    shared = next(i for i in snap.incidents if i.key == "INC-1002")
    assert shared.title == \
        "Shared cluster outage at (another customer) ((another customer)-EU)"
    for render in snapshot.FORMATS.values():
        text = render(snap)
        assert "Acme" in text
        assert not [name for name in OTHERS if name in text.lower()]
    assert "# Escalation metrics for Acme: last 30d" in snapshot.render_md(snap)


def test_without_a_customer_every_customer_counts_and_is_named(store):
    world(store)
    snap = rollup.snapshot(store, NOW, timedelta(days=30))
    assert snap.customer is None and len(snap.incidents) == 4
    # each customer an incident affects counts it, "ACME" (INC-1002's) in Acme's group
    assert [(g.name, g.current.count, g.previous.count) for g in snap.dimension("customer")] \
        == [("Globex", 3, 1), ("Acme", 2, 1), ("Initech", 1, 0)]
    assert "counts in each one's row" in snapshot.render_md(snap)
    initech = next(i for i in snap.incidents if i.key == "INC-1004")
    assert initech.customers == ("Initech", "Globex")
    assert initech.title == "Initech login loop"


def test_the_customer_matches_as_names_compare_and_a_title_keeps_its_own_name():
    """``same_name``: case and spacing do not matter. Another customer's name inside the
    customer's own ("Acme" inside "Acme Japan") is not replaced; elsewhere it is."""
    j = Journal().staffed(1, NOW - DAY, tto=2, customer="Acme Japan")
    j.staffed(2, NOW - 2 * DAY, tto=4, customer="Acme")
    j.events[0].payload["title"] = "Acme Japan and acme EU down"
    j.events.sort(key=lambda e: (e.at, e.id))
    incidents = fold(rows_of(j.events), NOW).values()
    snap = rollup.summarise(incidents, NOW, timedelta(days=30), customer="Acme Japan",
                            customers={1: ("Acme Japan",), 2: ("Acme",)})
    assert [i.title for i in snap.incidents] == ["Acme Japan and (another customer) EU down"]
    scoped = rollup.summarise(incidents, NOW, timedelta(days=30), customer="acme  japan",
                              customers={1: ("Acme Japan",), 2: ("Acme",)})
    assert [i.key for i in scoped.incidents] == ["INC-1001"]


def test_dates_cover_whole_utc_days_and_the_same_length_before():
    """1 to 30 November: [1 Nov 00:00, 1 Dec 00:00) against [2 Oct, 1 Nov). An incident
    opened at 00:00 on the 1st counts in November, one at 00:00 on 1 December not at all."""
    nov = datetime(2026, 11, 1, tzinfo=timezone.utc)
    j = Journal().staffed(1, nov, tto=2).staffed(2, nov - timedelta(seconds=1), tto=4)
    j.staffed(3, nov + 30 * DAY, tto=6).staffed(4, nov - 30 * DAY, tto=8)
    j.events.sort(key=lambda e: (e.at, e.id))
    later = nov + 40 * DAY
    period = rollup.Period.days(nov, nov + 30 * DAY, later)
    snap = rollup.summarise(fold(rows_of(j.events), later).values(), later, period=period)
    top = snap.dimension("all")[0]
    assert (top.current.count, top.previous.count) == (1, 2)
    assert snap.previous_start == datetime(2026, 10, 2, tzinfo=timezone.utc)
    text = snapshot.render_md(snap)
    assert text.startswith("# Escalation metrics: 2026-11-01 to 2026-11-30\n")
    # the week of Monday 26 October is whole: it also counts the incident a second before
    assert "| 2026-10-26 (to 2026-11-30) | 2 |" not in text
    assert "| 2026-10-26 | 2 |" in text


def test_the_trend_spans_only_the_incidents_by_week_up_to_six_months_then_by_month():
    """Ten years back, incidents in September and November 2026: weeks from the one of 7
    September to the one of 23 November (12 lines). With one more in January 2026 the
    stretch is longer than 183 days: months, January to November (11 lines)."""
    j = Journal().staffed(1, datetime(2026, 9, 8, tzinfo=timezone.utc), tto=2)
    j.staffed(2, NOW - DAY, tto=4)
    j.events.sort(key=lambda e: (e.at, e.id))
    ten_years = timedelta(days=3660)
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, ten_years)
    assert snap.trend_unit == "week"
    assert [b.start.date().isoformat() for b in snap.trend][::11] == [
        "2026-09-07", "2026-11-23"]
    assert [b.cell.count for b in snap.trend] == [1] + [0] * 10 + [1]
    j.staffed(3, datetime(2026, 1, 15, tzinfo=timezone.utc), tto=6)
    j.events.sort(key=lambda e: (e.at, e.id))
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, ten_years)
    assert snap.trend_unit == "month"
    assert [(b.start.month, b.cell.count) for b in snap.trend] == [
        (1, 1), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 1), (10, 0),
        (11, 1)]
    assert snap.trend[-1].end == NOW
    text = snapshot.render_md(snap)
    assert "## Monthly trend" in text and "| 2026-11 (to now) | 1 |" in text
    rows = list(csv.DictReader(io.StringIO(snapshot.render_csv(snap))))
    assert [r["group"] for r in rows if r["dimension"] == "month"
            and r["measure"] == "incidents"][:2] == ["2026-01", "2026-02"]


def test_customer_and_internal_updates_on_time_apart_to_a_tenth_of_a_percent():
    """A 1-minute cadence over 477 minutes: the customer update at 1.5m meets its due time
    (the first update, at 0.5m, only restarts the clock) and 475 pass unmet: 1 of 476,
    0.21 %; no internal update: 0 of 476. Pooled it would have read 0.1 %."""
    j = Journal().open(1, base=NOW - DAY, cadence=(1, 1))
    j.update(0.5, "customer", 1, 1.5, base=NOW - DAY)
    j.update(1.5, "customer", 1.5, 2.5, base=NOW - DAY)
    j.add(477, "incident.resolved", base=NOW - DAY, **{"from": "monitoring", "to": "resolved"})
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, timedelta(days=30))
    top = snap.dimension("all")[0].current.stats
    assert top["customer_on_time"].median == 1 / 476
    assert top["internal_on_time"].median == 0
    assert "cadence" not in rollup.BY_NAME
    text = snapshot.render_md(snap)
    assert "| Customer updates on time | 1 | 0.2% | 0.2% | - | - |" in text
    assert "| Internal updates on time | 1 | 0% | 0% | - | - |" in text
    assert "| 0.2% (1/476) | 0% (0/476) |" in text  # the incident's own line
    data = json.loads(snapshot.render_json(snap))
    assert data["schema_version"] == 2  # the pooled "cadence" of version 1 is gone
    measures = data["groups"][0]["measures"]
    assert measures["customer_on_time"]["median"] == 1 / 476
    assert isinstance(measures["internal_on_time"]["median"], float)
    assert data["incidents"][0]["updates"] == {"customer": {"on_time": 1, "due": 476},
                                               "internal": {"on_time": 0, "due": 476}}
    rows = list(csv.DictReader(io.StringIO(snapshot.render_csv(snap))))
    row = next(r for r in rows if (r["dimension"], r["measure"]) == ("all",
                                                                     "customer_on_time"))
    assert float(row["median"]) == 1 / 476


@pytest.mark.parametrize("ratio, text", [
    (0.0021, "0.2%"), (0.0004, "<0.1%"), (0, "0%"), (0.5, "50%"), (1 / 3, "33.3%"),
    (0.9996, ">99.9%"), (1, "100%")])
def test_percentages_are_never_rounded_to_zero_or_to_a_whole(ratio, text):
    assert snapshot.percent(ratio) == text


def test_an_empty_period_has_no_trend_and_says_so():
    j = Journal().staffed(1, NOW - 100 * DAY, tto=2)
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, timedelta(days=30))
    assert snap.trend == [] and snap.incidents == []
    text = snapshot.render_md(snap)
    assert "No incident was opened in this period: no trend." in text


def _cli_world(db) -> None:
    """Acme and Globex incidents two days ago (the CLI's clock is the real one)."""
    now = datetime.now(timezone.utc)
    with Store(db, create=True) as store:
        clock = FrozenClock(now)
        _open(store, clock, now - 2 * DAY, "Checkout down", "Acme")
        _open(store, clock, now - 2 * DAY, "Globex API slow", "Globex")


def test_cli_metrics_for_one_customer_by_dates(tmp_path, capsys):
    db = tmp_path / "m.db"
    _cli_world(db)
    first = (datetime.now(timezone.utc) - 10 * DAY).date().isoformat()
    assert main(["metrics", "--db", str(db), "--customer", "acme", "--from", first,
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer"] == "Acme" and data["period"]["start"].startswith(first)
    assert [i["title"] for i in data["incidents"]] == ["Checkout down"]
    out = tmp_path / "acme.csv"
    assert main(["metrics", "--db", str(db), "--customer", "Acme", "--since", "30d",
                 "--format", "csv", "--out", str(out)]) == 0
    assert "Globex" not in out.read_text() and "Acme" in out.read_text()
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert main(["metrics", "--db", str(db), "--since", "3660d", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)  # ten years back: one week has incidents
    assert [b["count"] for b in data["trend"]] == [2] and data["trend_unit"] == "week"


@pytest.mark.parametrize("argv, error", [
    (["--customer", "Umbrella"],
     "--customer 'Umbrella': no incident in this database is for that customer"),
    (["--since", "30d", "--from", "2026-10-01"],
     "--since goes without --from/--to: give a duration or dates"),
    (["--from", "2026-11-30", "--to", "2026-11-01"], "--from 2026-11-30 is after --to 2026-11-01"),
    (["--to", "2026-11-01"], "--to goes with --from DATE: the period needs a first day"),
    (["--from", "1 Oct"], "--from: cannot read '1 Oct' as a date: use YYYY-MM-DD, e.g. "
     "2026-10-01"),
    (["--from", "2026-02-30"], "--from: cannot read '2026-02-30' as a date: use YYYY-MM-DD, "
     "e.g. 2026-10-01"),
    (["--from", "2000-01-01"], "--from/--to can span at most 3660 days (ten years)"),
    (["--from", "9999-01-01"], "--from 9999-01-01: that day has not begun yet (UTC)"),
])
def test_cli_metrics_refuses_bad_scopes_in_one_line_and_writes_nothing(
        tmp_path, capsys, argv, error):
    db = tmp_path / "m.db"
    _cli_world(db)
    out = tmp_path / "snap.md"
    assert main(["metrics", "--db", str(db), "--out", str(out), *argv]) == 2
    assert capsys.readouterr().err == f"warroom metrics: error: {error}\n"
    assert not out.exists()


def test_a_name_that_contains_the_scoped_one_is_still_replaced():
    """Scoped to "Acme", the title "Acme Health records exposed" must not name Acme Health."""
    from warroom.reports.scope import ANOTHER, Scope

    scope = Scope.of("Acme", {1: ["Acme"], 2: ["Acme Health"]}, [])
    assert scope.title("Acme Health records exposed; Acme affected too") == (
        f"{ANOTHER} records exposed; Acme affected too")
    assert scope.title("ACME outage") == "ACME outage"
