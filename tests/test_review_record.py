"""What a review meeting needs, in the review: a long incident condensed and dated, the
customer communications with the longest silence, handover notes, blockers, teams, impact
start against the opening, root cause and factors, follow-ups with due dates and status;
times labelled per instant across a DST change; Markdown that reads as typed.

Figures are worked out by hand in each test's comments.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from conftest import journal_count, refused

from warroom import actions
from warroom.actions import review as recorded
from warroom.cli import main
from warroom.clock import FrozenClock
from warroom.errors import UserError
from warroom.records import Actor
from warroom.render.markdown import document, text
from warroom.reports import review

DATED = re.compile(r"^- \d{4}-\d\d-\d\d \d\d:\d\d\b")


def _section(doc: str, title: str) -> str:
    return doc.split(f"## {title}\n\n", 1)[1].split("\n## ", 1)[0]


# -- the 13-day incident --------------------------------------------------------------------


def test_a_13_day_incident_of_1800_events_fits_in_300_lines_every_entry_dated(store):
    from long_incident import play

    key, clock = play(store)
    events = journal_count(store)
    assert 1700 <= events <= 1900
    doc = review.review(store, key, clock())
    lines = doc.splitlines()
    assert len(lines) < 300
    timeline = _section(doc, "Timeline").strip().splitlines()
    assert timeline and all(DATED.match(entry) for entry in timeline), [
        e for e in timeline if not DATED.match(e)]
    # 2026-11-27 is a SEV4 day led by sam: internal updates every 20 minutes from 00:00
    # (minute 3480 after opening) to 23:40, 72 of them; notes every 25 minutes, from 00:20
    # (minute 3500) to 23:40 (4900), 57, by lee, dana, kim in turn
    assert ("- 2026-11-27 00:00 to 23:40: 72 internal updates (sam), all on time; 57 notes "
            "(lee, dana, kim)") in timeline
    # every customer update in full, in the timeline and in the communications list: 8 at
    # SEV1 (30m, 14:30 to 18:00), 7 at SEV2 (60m, 19:00 to 01:00), 10 at SEV3 (240m,
    # 02:00 on the 25th to 14:00 on the 26th), then one a day at SEV4 until 2026-12-06: 35
    told = [e for e in timeline if "posted a customer update" in e]
    assert len(told) == 35
    comms = _section(doc, "Customer communications")
    assert comms.startswith("35 customer updates. Longest silence: 1d00h, from update 35 to "
                            "the resolution (2026-12-06 14:00 to 2026-12-07 14:00).")
    assert ("35. 2026-12-06 14:00, alex, 1d00h after the previous one, next promised for "
            "2026-12-07 14:00: orders repaired so far: 2016 (not yet known: the full count)"
            ) in comms
    # the cadence in force at each moment, not the final SEV4 one
    assert ("| First customer update | within 30m | 30m | yes |") in doc
    assert ("| Customer updates on time | every 30m (SEV1), 60m (SEV2) from 2026-11-24 18:00, "
            "240m (SEV3) from 2026-11-25 02:00, 1440m (SEV4) from 2026-11-26 14:00 |") in doc
    # blocker 3 raised 2026-12-04 14:00, still open when resolved on 2026-12-07 14:00: 3 days,
    # not the 5 days until the review
    assert ("| 3 | Customer maintenance window | Acme operations | sam | 2026-12-04 14:00 | "
            "open at resolution | 3d00h |") in doc
    assert ("| Impact started | 2026-11-24 13:20, 40m before the room opened; customer impact "
            "lasted 13d00h |") in doc
    assert "Root cause: deploy 412 changed the retry logic of pg_dump-based exports" in doc
    assert ("| 2 | Page the vendor at open | sam | 2026-12-16 14:00 | done 2026-12-09 14:00 by "
            "sam |") in doc
    assert "| 1 | Add a checkout canary | dana | 2026-12-23 14:00 | open |" in doc
    assert ("- lead: sam, dana\n- comms: alex, kim\n- decider: pat\n- holding no role: lee\n"
            "- waited on (blockers): Vendor support, DBA team, Acme operations\n") in doc


# -- zones: the label of each instant ---------------------------------------------------------


def test_across_the_end_of_summer_time_each_time_carries_its_own_zone(store, monkeypatch):
    """Berlin leaves summer time at 03:00 CEST on 2026-10-25 (01:00 UTC): the clock goes back
    to 02:00 CET, so 02:30 happens twice. Updates at 00:30 and 01:30 UTC are 02:30 CEST and
    02:30 CET, an hour apart."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        clock = FrozenClock(datetime(2026, 10, 24, 23, 0, tzinfo=timezone.utc))  # 01:00 CEST
        sam, alex = Actor("sam", "sam"), Actor("alex", "alex")
        key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                    severity="SEV2", clock=clock).key
        actions.claim_role(store, alex, key, "comms", clock=clock)
        for _ in range(2):
            clock.advance(minutes=90 if _ == 0 else 60)
            actions.post_update(store, alex, key, audience="customer", known="failing",
                                unknown="why", next_steps="fixing",
                                next_update_at=clock() + timedelta(minutes=60), clock=clock)
        clock.advance(minutes=30)  # 02:00 UTC, 03:00 CET
        actions.resolve(store, sam, key, summary="fixed", confirm=True, skip=True,
                        clock=clock)
        doc = review.review(store, key, clock())
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
    assert "times in CEST, CET." in doc
    timeline = _section(doc, "Timeline")
    assert "- 2026-10-25 01:00 CEST sam opened INC-1001" in timeline
    assert "- 2026-10-25 02:30 CEST alex posted a customer update (late): failing" in timeline
    assert "- 2026-10-25 02:30 CET alex posted a customer update: failing" in timeline
    comms = _section(doc, "Customer communications")
    # opening 01:00 CEST to the first update 02:30 CEST: 1h30m; then 1h between the two
    # 02:30s; then 30m to the resolution at 03:00 CET
    assert comms.startswith("2 customer updates. Longest silence: 1h30m, from the opening to "
                            "update 1 (2026-10-25 01:00 CEST to 02:30 CEST).")
    assert ("1. 2026-10-25 02:30 CEST (late), alex, 1h30m after the opening, next promised for "
            "2026-10-25 02:30 CET: failing (not yet known: why)") in comms
    assert ("2. 2026-10-25 02:30 CET, alex, 1h00m after the previous one, next promised for "
            "2026-10-25 03:30 CET: failing") in comms


# -- recording what the review lists ---------------------------------------------------------


def test_cli_records_root_cause_factors_follow_ups_and_the_impact_start(tmp_path, capsys,
                                                                       monkeypatch):
    db = tmp_path / "r.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    at = ["--at", "2026-11-24T14:00:00+00:00"]
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--impact-start", "2026-11-24T13:15:00+00:00", "--as", "sam", *at]) == 0
    capsys.readouterr()
    run = lambda *args: main(["review", "INC-1001", *args, "--as", "pat"])  # noqa: E731
    assert run("--root-cause", "retry storm after deploy 412") == 0
    assert run("--factor", "no canary") == 0
    assert run("--factor", "alerts went to an old channel") == 0
    assert run("--action", "Add a canary", "--owner", "dana", "--due",
               "2099-01-15T17:00:00+00:00") == 0
    assert run("--action", "Fix the alert route", "--owner", "sam") == 0
    assert run("--done", "2") == 0
    out = capsys.readouterr().out
    assert "root cause recorded on INC-1001: retry storm after deploy 412" in out
    assert "follow-up #1 recorded on INC-1001 for dana, due 2099-01-15 17:00: Add a canary" in out
    assert "follow-up #2 on INC-1001 done: Fix the alert route" in out

    for args, says in [
        (["--done", "3"], "no follow-up #3 on INC-1001: it has #1 to #2"),
        (["--done", "2"], "follow-up #2 on INC-1001 is already done"),
        (["--action", "x", "--owner", "sam", "--due", "2001-01-01T00:00"], "has passed"),
        (["--root-cause", "a", "--factor", "b"], "one thing at a time"),
        (["--due", "7d"], "--due goes with --action TEXT"),
        (["--impact-start", "2099-01-01T00:00"], "--impact-start 2099-01-01T00:00: "),
        (["--impact-start", "2026-11-24T14:30:00+00:00"], "is after INC-1001 opened"),
        (["--root-cause", "  "], "root cause must not be empty"),
    ]:
        before = db.read_bytes()
        assert run(*args) == 2, args
        assert says in capsys.readouterr().err, args
        assert db.read_bytes() == before, args

    assert run("--impact-start", "2026-11-24T13:00:00+00:00") == 0
    assert "impact start of INC-1001 recorded: 2026-11-24 13:00" in capsys.readouterr().out
    assert main(["review", "INC-1001"]) == 0
    doc = capsys.readouterr().out
    assert "Root cause: retry storm after deploy 412 (recorded by pat, " in doc
    assert "- no canary (pat)\n- alerts went to an old channel (pat)" in doc
    # corrected from 13:15 to 13:00: an hour before the 14:00 opening
    assert ("| Impact started | 2026-11-24 13:00, 1h00m before the room opened (recorded later "
            "by pat); customer impact so far ") in doc
    assert "## Timeline" in doc and "recorded that the customer impact" not in doc
    main(["log", "INC-1001"])  # the journal keeps the correction, and what it replaced
    assert ("pat recorded that the customer impact started 2026-11-24 13:00 (was 2026-11-24 "
            "13:15)") in capsys.readouterr().out
    assert "| 1 | Add a canary | dana | 2099-01-15 17:00 | open |" in doc
    assert re.search(r"\| 2 \| Fix the alert route \| sam \| - \| done \S+ \S+ by pat \|", doc)


def test_impact_start_after_the_opening_is_refused(store, sam, clock):
    refused(store, lambda: actions.open_incident(
        store, sam, title="Checkout failing", customer="Acme", severity="SEV1",
        impact_start=clock() + timedelta(minutes=1), clock=clock),
        "impact start must be at or before the opening")


def test_a_follow_up_overdue_reads_overdue_by_how_long(store, staffed, pat, clock):
    recorded.add_follow_up(store, pat, staffed, text="Write the RCA", owner="sam",
                           due=clock() + timedelta(days=2), clock=clock)
    clock.advance(days=3)  # due two days in, reviewed three days in: a day overdue
    assert "| 1 | Write the RCA | sam | 2026-11-26 14:00 | OVERDUE by 1d00h |" in review.review(
        store, staffed, clock())
    refused(store, lambda: recorded.complete_follow_up(store, pat, staffed, 0, clock=clock),
            "no follow-up #0", UserError)


# -- the review's wording follows the incident as it was -------------------------------------


def test_a_severity_change_midway_words_each_stretch_with_its_own_cadence(store, staffed, pat,
                                                                           alex, clock):
    """SEV1 (customer every 30m, internal 15m) for the first hour, then SEV2 (60m, 30m)."""
    actions.post_update(store, alex, staffed, audience="customer", known="k", unknown="u",
                        next_steps="n", next_update_at=clock() + timedelta(minutes=30),
                        clock=clock)
    clock.advance(minutes=60)
    actions.change_severity(store, pat, staffed, severity="SEV2", reason="contained",
                            clock=clock)
    clock.advance(minutes=30)
    doc = review.review(store, staffed, clock())
    assert ("| Customer updates on time | every 30m (SEV1), 60m (SEV2) from 2026-11-24 15:00 "
            "|") in doc
    assert "| Severity | SEV1, then SEV2 from 2026-11-24 15:00 |" in doc
    assert "| First customer update | within 30m | 0s | yes |" in doc
    # no internal update at all: the suggestion names both cadences, not SEV2's alone
    assert re.search(r"internal updates: 0 of \d+ due times met \(every 15m \(SEV1\), 30m "
                     r"\(SEV2\) from 2026-11-24 15:00\) \(missed ", doc)


def test_what_is_open_at_resolution_is_measured_to_the_resolution(store, staffed, sam, clock):
    actions.raise_blocker(store, sam, staffed, what="Vendor logs", waiting_on="Vendor",
                          owner="sam", clock=clock)
    actions.offer_handover(store, sam, staffed, "lead", to="dana", done="d", remaining="r",
                           dependencies="x", risks="y", clock=clock)
    clock.advance(minutes=30)
    actions.request_approval(store, sam, staffed, change="Restart workers", risk="low",
                             rationale="stuck", fallback="none", clock=clock)
    clock.advance(minutes=40)
    actions.resolve(store, sam, staffed, summary="fixed", confirm=True, skip=True,
                    open_items="carry", no_customer_update="told by phone", clock=clock)
    clock.advance(days=2)  # reviewed two days later: still 1h10m
    doc = review.review(store, staffed, clock())
    assert ("| 1 | Vendor logs | Vendor | sam | 2026-11-24 14:00 | open at resolution | 1h10m "
            "|") in doc
    assert ("- 2026-11-24 14:00 lead from sam to dana: done: d; remaining: r; dependencies: x; "
            "risks: y. Open at resolution, 1h10m after it was offered.") in doc
    # requested 14:30, to be decided within the hour, still waiting at the 15:10 resolution
    assert ("| Approval #1: Restart workers (low risk) | decided by 2026-11-24 15:30 | open at "
            "resolution after 40m | NO |") in doc
    assert ("approval #1 'Restart workers' (low risk, needing 1 approval, asked by sam) was open "
            "at resolution after 40m with no approval, short of 1 more approval; alex (comms) "
            "and pat (decider) could have approved it and did not") in doc


# -- Markdown that reads as typed ------------------------------------------------------------


def test_user_text_reads_as_typed_and_is_escaped_only_where_it_would_be_markup():
    lines = document([
        "- " + text("ran pg_dump, took ~5m; a -> b; 2*3; C:\\temp"),
        "| cell | " + text("a | b") + " |",
        "- " + text("- not a list") + " then " + text("*real* _emphasis_ ~~gone~~"),
        "- " + text("[link](http://x) <b>bold</b> &amp; `code`"),
    ]).splitlines()
    assert lines[0] == "- ran pg_dump, took ~5m; a -> b; 2*3; C:\\temp"
    assert lines[1] == "| cell | a \\| b |"
    assert lines[2] == "- \\- not a list then \\*real\\* \\_emphasis\\_ \\~\\~gone\\~\\~"
    assert lines[3] == "- \\[link\\](http://x) \\<b>bold\\</b> \\&amp; \\`code\\`"


def test_the_review_keeps_typed_text_plain(store, staffed, alex, sam, clock):
    actions.add_note(store, sam, staffed, text="pg_dump -> restore took ~5m", decision=True,
                     clock=clock)
    doc = review.review(store, staffed, clock())
    assert "- 2026-11-24 14:00 sam: pg_dump -> restore took ~5m" in doc
    assert "\\_" not in doc and "\\~" not in doc and "\\>" not in doc


def test_a_customer_update_made_from_a_template_is_listed_as_the_message_sent():
    from journal_helpers import Journal, at, rows_of

    from warroom.reports.metrics import fold

    j = Journal().open(assigned={"lead": "sam", "comms": "alex", "decider": "pat"})
    j.update(10, "customer", was_due=30, next_due=40, template="acknowledge",
             message="What we know: k.\nNext update by 14:40 UTC.", next_update_at=at(40))
    m = next(iter(fold(rows_of(j.events), at(20)).values()))
    comms = _section(review.render(m, j.events), "Customer communications")
    assert ("1. 2026-11-24 14:10, alex, 10m after the opening, next promised for 2026-11-24 "
            "14:40: What we know: k. Next update by 14:40 UTC.") in comms


def test_a_follow_up_cannot_be_marked_done_before_it_was_recorded(tmp_path, capsys,
                                                                  monkeypatch):
    from warroom.cli import main

    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "f.db"))
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam", "--at", "-2h"]) == 0
    assert main(["review", "INC-1001", "--action", "Add alerting", "--owner", "lee",
                 "--as", "sam"]) == 0
    capsys.readouterr()
    assert main(["review", "INC-1001", "--done", "1", "--as", "lee", "--at", "-30m"]) == 2
    assert "recorded a follow-up #1" in capsys.readouterr().err
    assert main(["review", "INC-1001", "--done", "1", "--as", "lee"]) == 0
