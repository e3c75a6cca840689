"""Across incidents: periods, groups, median, p90, change, weekly trend; drills left out;
and the snapshot in Markdown, JSON and CSV (parsed with the standard library)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from journal_helpers import Journal, M, rows_of

from warroom import actions
from warroom.cli import main
from warroom.clock import FrozenClock
from warroom.db.store import Store
from warroom.records import Actor
from warroom.reports import rollup, snapshot
from warroom.reports.metrics import fold

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def history() -> Journal:
    """Three incidents in the last 30 days, one drill, two in the 30 days before, one older."""
    j = Journal()
    j.staffed(1, NOW - 1 * DAY, tto=2, resolve=60, customer="Acme", playbook="checkout")
    j.staffed(2, NOW - 3 * DAY, tto=4, customer="Globex")
    j.staffed(3, NOW - 10 * DAY, tto=10, resolve=30, severity="SEV2", cadence=(60, 30),
              customer="Acme", playbook="checkout")
    j.staffed(4, NOW - 2 * DAY, tto=100, drill=True, customer="Acme")
    j.staffed(5, NOW - 40 * DAY, tto=6, resolve=90, customer="Acme", playbook="checkout")
    j.staffed(6, NOW - 45 * DAY, tto=8, severity="SEV2", customer="Acme")
    j.staffed(7, NOW - 70 * DAY, tto=1, customer="Initech")
    j.events.sort(key=lambda e: (e.at, e.id))  # the journal is in time order
    return j


@pytest.fixture
def snap() -> rollup.Snapshot:
    return rollup.summarise(fold(rows_of(history().events), NOW).values(), NOW,
                            timedelta(days=30))


def group(snap, dimension, name) -> rollup.Group:
    return next(g for g in snap.dimension(dimension) if g.name == name)


def test_p90_is_the_nearest_rank():
    assert rollup.p90([]) is None
    assert rollup.p90([5]) == 5
    assert rollup.p90(list(range(1, 11))) == 9
    assert rollup.p90([3, 1, 2]) == 3


def test_all_incidents_count_median_p90_and_change(snap):
    top = snap.dimension("all")[0]
    assert (top.current.count, top.previous.count) == (3, 2)
    tto = top.current.stats["time_to_ownership"]
    assert (tto.n, tto.median, tto.p90) == (3, 4 * M, 10 * M)
    assert top.previous.stats["time_to_ownership"].median == 7 * M
    assert top.change("time_to_ownership") == -3 * M
    ttr = top.current.stats["time_to_resolution"]
    assert (ttr.n, ttr.median, ttr.p90) == (2, 45 * M, 60 * M)
    assert top.change("time_to_resolution") == -45 * M
    assert top.current.stats["csat"].n == 0 and top.change("csat") is None


def test_drills_are_left_out_and_counted(snap):
    assert snap.drills_left_out == 1
    assert all(g.current.stats["time_to_ownership"].p90 != 100 * M for g in snap.groups)
    assert group(snap, "customer", "Acme").current.count == 2


def test_groups_by_severity_customer_and_playbook(snap):
    assert [g.name for g in snap.dimension("severity")] == ["SEV1", "SEV2"]
    sev1, sev2 = snap.dimension("severity")
    assert (sev1.current.stats["time_to_ownership"].median, sev1.change("time_to_ownership")) \
        == (3 * M, -3 * M)
    assert (sev2.current.stats["time_to_ownership"].median, sev2.change("time_to_ownership")) \
        == (10 * M, 2 * M)
    assert [(g.name, g.current.count, g.previous.count) for g in snap.dimension("customer")] \
        == [("Acme", 2, 2), ("Globex", 1, 0)]
    assert group(snap, "customer", "Globex").change("time_to_ownership") is None
    playbooks = {g.name: g for g in snap.dimension("playbook")}
    assert playbooks["checkout"].current.stats["time_to_ownership"].median == 6 * M
    assert playbooks[rollup.NO_PLAYBOOK].current.count == 1


def test_weekly_trend_is_iso_weeks_from_monday_utc(snap):
    """NOW is Tuesday 24 November 12:00 UTC. Incidents 1, 3 and 10 days ago fall in the ISO
    weeks of 23, 16 and 9 November: the trend runs from the first of them to the last, and
    not from the week of 19 October the 30 days start in."""
    monday = datetime(2026, 11, 9, tzinfo=timezone.utc)
    assert snap.trend_unit == "week"
    assert [w.start for w in snap.trend] == [monday + n * timedelta(days=7) for n in range(3)]
    assert all(w.start.weekday() == 0 and w.start.hour == 0 for w in snap.trend)
    assert [w.end - w.start for w in snap.trend[:-1]] == [timedelta(days=7)] * 2
    assert snap.trend[-1].end == NOW
    assert [w.cell.count for w in snap.trend] == [1, 1, 1]
    assert snap.trend[-1].cell.stats["time_to_ownership"].median == 2 * M


def test_the_first_week_is_whole_even_when_the_period_starts_inside_it():
    """A week that began before the period counts all its incidents: the 30 days start on
    Sunday 25 October 12:00, and the week of Monday 19 October holds one incident opened on
    Sunday evening (in the period) and one on Tuesday 20 October (before it)."""
    j = Journal().staffed(1, NOW - 35 * DAY, tto=2).staffed(2, NOW - 1 * DAY, tto=4)
    j.staffed(3, NOW - 30 * DAY + 6 * timedelta(hours=1), tto=6)
    j.events.sort(key=lambda e: (e.at, e.id))
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, timedelta(days=30))
    assert snap.trend[0].start == datetime(2026, 10, 19, tzinfo=timezone.utc)
    assert [w.cell.count for w in snap.trend] == [2, 0, 0, 0, 0, 1]
    assert snap.trend[0].cell.stats["time_to_ownership"].median == 4 * M  # of 2m and 6m
    assert snap.dimension("all")[0].current.count == 2  # the period itself is unchanged


def test_the_snapshot_folds_the_whole_first_week_from_the_store(tmp_path):
    """``rollup.snapshot`` reads back to the first week's Monday even when that is before
    the previous period: 12 hours to Wednesday noon (one incident at 06:00), the previous
    12 hours from Tuesday noon, and an incident opened on Monday morning, in the trend's
    week."""
    start = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 01:00
    clock = FrozenClock(start)
    with Store(tmp_path / "w.db", create=True) as store:
        actions.open_incident(store, Actor(os_user="u", display="sam"), title="t",
                              customer="Acme", severity="SEV2", clock=clock)
        clock.now = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)
        actions.open_incident(store, Actor(os_user="u", display="sam"), title="t2",
                              customer="Acme", severity="SEV2", clock=clock)
        now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)  # Wednesday noon
        snap = rollup.snapshot(store, now, timedelta(hours=12))
    assert [(w.start.day, w.cell.count) for w in snap.trend] == [(23, 2)]
    assert snap.dimension("all")[0].current.count == 1


def test_limit_keeps_the_busiest_groups():
    events = history().events
    snap = rollup.summarise(fold(rows_of(events), NOW).values(), NOW, timedelta(days=30),
                            limit=1)
    assert [g.name for g in snap.dimension("customer")] == ["Acme"]
    assert snap.truncated == {"customer": 1, "playbook": 1}


def test_markdown_snapshot(snap):
    text = snapshot.render_md(snap)
    assert text.startswith("# Escalation metrics: last 30d\n")
    assert "Incidents opened 2026-10-25 12:00 UTC to 2026-11-24 12:00 UTC" in text
    assert "## Weekly trend\n\nISO weeks, from Monday 00:00 UTC" in text
    assert "| 2026-11-09 | 1 | 10m |" in text and "| 2026-11-23 (to now) | 1 | 2m |" in text
    assert "| 2026-11-02 |" not in text  # no week before the first incident's
    assert "| Time to ownership | 3 | 4m | 10m | 7m | -3m |" in text
    assert "| Incidents | 3 |  |  | 2 | +1 |" in text
    assert "| SEV2 | 1 (±0) | 10m / 10m (+2m) |" in text
    assert "drill incidents are left out (1 in this period)" in text


def test_json_snapshot_parses_with_the_standard_library(snap):
    data = json.loads(snapshot.render_json(snap))
    assert data["period"]["since"] == "30d"
    assert data["drills_left_out"] == 1
    top = data["groups"][0]
    assert (top["dimension"], top["count"], top["previous_count"]) == ("all", 3, 2)
    tto = top["measures"]["time_to_ownership"]
    assert (tto["median"], tto["p90"], tto["change"], tto["previous"]["median"]) == (
        240, 600, -180, 420)
    assert data["units"]["customer_on_time"] == data["units"]["internal_on_time"] == "ratio"
    assert "cadence" not in data["units"]
    assert data["trend_unit"] == "week"
    assert [w["count"] for w in data["trend"]] == [1, 1, 1]
    assert data["trend"][0]["start"] == "2026-11-09T00:00:00+00:00"


def test_csv_snapshot_parses_with_the_standard_library(snap):
    rows = list(csv.DictReader(io.StringIO(snapshot.render_csv(snap))))
    assert list(rows[0]) == snapshot.CSV_COLUMNS
    find = {(r["dimension"], r["group"], r["measure"]): r for r in rows}
    tto = find[("all", "all incidents", "time_to_ownership")]
    assert (tto["n"], tto["median"], tto["p90"], tto["previous_median"], tto["change"]) == (
        "3", "240", "600", "420", "-180")
    assert find[("customer", "Globex", "incidents")]["n"] == "1"
    assert find[("customer", "Globex", "time_to_ownership")]["change"] == ""
    weeks = [r for r in rows if r["dimension"] == "week" and r["measure"] == "incidents"]
    assert [r["n"] for r in weeks] == ["1", "1", "1"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas_and_numbers_stay_numbers():
    """The reviewer's case: a customer named like a formula is written as text."""
    evil = '=HYPERLINK("http://x.example","Acme")'
    j = Journal().staffed(1, NOW - DAY, tto=2, customer=evil)
    for n, name in enumerate(["+1 555", "-5", "@SUM(A1)", "\tTab", "\rCR", "Acme"], 2):
        j.staffed(n, NOW - DAY, tto=3, customer=name)
    j.staffed(9, NOW - 40 * DAY, tto=9, customer="Acme")
    j.events.sort(key=lambda e: (e.at, e.id))
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, timedelta(days=30))
    rows = list(csv.DictReader(io.StringIO(snapshot.render_csv(snap))))
    customers = {r["group"] for r in rows if r["dimension"] == "customer"}
    assert customers == {"'" + evil, "'+1 555", "'-5", "'@SUM(A1)", "'\tTab", "'\rCR", "Acme"}
    assert not any(cell.startswith(snapshot.FORMULA_STARTS) and not _number(cell)
                   for r in rows for cell in r.values())
    acme = next(r for r in rows if (r["group"], r["measure"]) == ("Acme", "time_to_ownership"))
    assert (acme["median"], acme["change"]) == ("180", "-360")  # negative numbers as numbers


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_role_vacancy_across_incidents_adds_up_the_trio_only():
    """A playbook scribe nobody took does not count; the review keeps it per role."""
    j = Journal().open(1, base=NOW - DAY, roles=("lead", "comms", "decider", "scribe"))
    j.claim(0, "lead", "sam", base=NOW - DAY).claim(0, "comms", "alex", base=NOW - DAY)
    j.claim(10, "decider", "pat", base=NOW - DAY)
    j.add(60, "incident.resolved", base=NOW - DAY, **{"from": "monitoring", "to": "resolved"})
    m = next(iter(fold(rows_of(j.events), NOW).values()))
    assert (m.vacant("scribe"), m.trio_vacancy) == (60 * M, 10 * M)
    snap = rollup.summarise([m], NOW, timedelta(days=30))
    assert snap.dimension("all")[0].current.stats["vacancy"].median == 10 * M
    assert "(lead, comms, decider)" in rollup.BY_NAME["vacancy"].label


def test_group_names_from_users_cannot_break_the_markdown_table():
    j = Journal().staffed(1, NOW - DAY, tto=2, customer="Acme | <b>Evil</b>")
    snap = rollup.summarise(fold(rows_of(j.events), NOW).values(), NOW, timedelta(days=30))
    text = snapshot.render_md(snap)
    assert "| Acme \\| \\<b\\>Evil\\</b\\> | 1 (+1) |" in text


def test_cli_metrics_in_every_format(tmp_path, capsys, monkeypatch):
    db = tmp_path / "m.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    start = datetime.now(timezone.utc) - timedelta(days=2)
    clock = FrozenClock(start)
    with Store(db, create=True) as store:
        for n, severity in enumerate(("SEV1", "SEV2")):
            key = actions.open_incident(store, Actor(os_user="u", display="sam"),
                                        title=f"t{n}", customer="Acme", severity=severity,
                                        clock=clock).key
            for role, name in (("lead", "sam"), ("comms", "alex"), ("decider", "pat")):
                clock.advance(minutes=1)
                actions.claim_role(store, Actor(os_user="u", display=name), key, role,
                                   clock=clock)
    assert main(["metrics", "--since", "7d", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["groups"][0]["count"] == 2
    assert data["groups"][0]["measures"]["time_to_ownership"]["median"] == 180
    assert main(["metrics", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["group"] for r in rows if r["dimension"] == "severity"} == {"SEV1", "SEV2"}
    out = tmp_path / "snap.md"
    assert main(["metrics", "--out", str(out)]) == 0
    assert out.read_text().startswith("# Escalation metrics: last 90d")
    assert main(["metrics", "--since", "0d"]) == 2
    assert "--since must be longer than zero" in capsys.readouterr().err


@pytest.mark.parametrize("since", ["999999d", "99999999999999999999d", "3661d"])
def test_cli_metrics_refuses_a_period_too_long_in_one_line(tmp_path, capsys, since):
    db = tmp_path / "m.db"
    Store(db, create=True).close()
    assert main(["metrics", "--since", since, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err == f"warroom metrics: error: --since can be at most 3660d (ten years), not {since}\n"
    assert main(["metrics", "--since", "3660d", "--db", str(db), "--format", "json"]) == 0
