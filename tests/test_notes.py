"""Notes and decisions: written from the shell or the dashboard, marked in the timeline,
listed in the review."""

from __future__ import annotations

import pytest
from app_helpers import app_for, fill, open_incident, until

from warroom import actions
from warroom.cli import main
from warroom.db import queries
from warroom.db.store import Store
from warroom.errors import UserError
from warroom.journal import line
from warroom.reports.review import review
from warroom.screens.dashboard import DashboardScreen
from warroom.widgets.timeline import Timeline


def test_a_decision_is_marked_and_listed_in_the_review(store, clock, sam, pat):
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV2", clock=clock)
    assert actions.add_note(store, sam, "INC-1001", text="Vendor confirms an outage",
                            clock=clock).message == "note posted"
    done = actions.add_note(store, pat, "INC-1001", text="Roll back, no hotfix",
                            decision=True, clock=clock)
    assert done.message == "decision recorded"
    events = queries.events_after(store, 0, "INC-1001")
    assert [line(e) for e in events[-2:]] == ["14:00 sam noted: Vendor confirms an outage",
                                              "14:00 pat DECIDED: Roll back, no hotfix"]
    text = review(store, "INC-1001", clock())
    decisions = text.split("## Decisions\n\n", 1)[1].split("\n\n", 1)[0]
    assert decisions == "- 2026-11-24 14:00 pat: Roll back, no hotfix"


def test_a_review_without_decisions_says_how_to_record_one(store, clock, sam):
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV2", clock=clock)
    assert "No decision was recorded (`warroom note INC TEXT --decision`)." in review(
        store, "INC-1001", clock())


def test_an_empty_note_is_refused_and_writes_nothing(store, clock, sam):
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV2", clock=clock)
    before = store.last_event_id()
    with pytest.raises(UserError, match="note must not be empty"):
        actions.add_note(store, sam, "INC-1001", text="  ", clock=clock)
    assert store.last_event_id() == before


def test_note_from_the_shell(tmp_path, capsys, monkeypatch, clock):
    db = tmp_path / "n.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    open_incident(db, clock)
    assert main(["note", "INC-1001", "Roll back", "--decision", "--as", "pat"]) == 0
    assert capsys.readouterr().out == "INC-1001: decision recorded\n"
    assert main(["note", "INC-9999", "x", "--as", "pat"]) == 2
    with Store(db) as store:
        assert queries.events_after(store, 0, "INC-1001")[-1].payload == {
            "text": "Roll back", "decision": True}


@pytest.mark.anyio
async def test_n_writes_a_decision_from_the_dashboard(tmp_path, clock):
    db = tmp_path / "n.db"
    open_incident(db, clock)
    app = app_for(db, clock, name="pat")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n")
        await fill(pilot, kind="decision", text="Roll back deploy 412")
        assert isinstance(app.screen, DashboardScreen)
        app.db_changed()
        timeline = app.screen.query_one(Timeline)
        assert await until(pilot, lambda: "pat DECIDED: Roll back deploy 412"
                           in timeline.plain_lines[0])
