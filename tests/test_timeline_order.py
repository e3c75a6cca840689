"""The live timeline in the order things happened: an event recorded late (``--at``) takes
its place in time as it arrives, keeping its [backfilled] mark, and times not of today carry
their date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_helpers import act, app_for, open_incident, until, who

from warroom import actions
from warroom.clock import FrozenClock
from warroom.db import store as store_module
from warroom.widgets.timeline import Timeline

from conftest import START

pytestmark = pytest.mark.anyio


async def test_a_backfilled_event_lands_in_its_place(tmp_path, clock, monkeypatch):
    db = tmp_path / "t.db"
    open_incident(db, clock, staff=False)  # 14:00
    clock.advance(minutes=10)
    act(db, actions.claim_role, who("sam"), "INC-1001", "lead", clock=clock)  # 14:10
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = pilot.app.screen.query_one(Timeline)
        assert await until(pilot, lambda: timeline.oldest_id is not None)
        # recorded at 14:12, it happened at 14:05 (warroom note --at 14:05)
        monkeypatch.setattr(store_module, "recording_time", lambda: clock() + timedelta(minutes=2))
        act(db, actions.add_note, who("pat"), "INC-1001", text="vendor paged",
            clock=FrozenClock(START + timedelta(minutes=5)))
        clock.advance(minutes=3)  # 14:13, recorded as it happens
        monkeypatch.setattr(store_module, "recording_time", lambda: None)
        act(db, actions.claim_role, who("alex"), "INC-1001", "comms", clock=clock)
        pilot.app.db_changed()
        await pilot.pause()
        assert timeline.plain_lines[:4] == [
            "14:13 alex took Communications owner (was vacant)",
            "14:10 sam took Investigation lead (was vacant)",
            "14:05 pat noted: vendor paged [backfilled 14:12]",
            "14:00 sam opened INC-1001 (SEV1) Checkout failing for EU users for Acme",
        ]
        assert timeline.border_subtitle == "4 shown"


async def test_older_pages_merge_in_time_and_a_new_day_dates_the_lines(tmp_path, clock,
                                                                       monkeypatch):
    db = tmp_path / "t.db"
    open_incident(db, clock, staff=False)  # event 1, 14:00
    for n in range(120):  # events 2..121, 14:00
        act(db, actions.add_note, who("sam"), "INC-1001", text=f"fact {n}", clock=clock)
    clock.advance(minutes=30)
    # event 122: recorded at 14:30, it happened at 14:01
    monkeypatch.setattr(store_module, "recording_time", lambda: clock())
    act(db, actions.add_note, who("pat"), "INC-1001", text="early call",
        clock=FrozenClock(START + timedelta(minutes=1)))
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = pilot.app.screen.query_one(Timeline)
        assert await until(pilot, lambda: timeline.oldest_id is not None)
        # the first page (events 23..122) holds the late note among the notes of 14:00
        assert timeline.plain_lines[:2] == ["14:01 pat noted: early call [backfilled 14:30]",
                                            "14:00 sam noted: fact 119"]
        await pilot.press("o")
        lines = timeline.plain_lines
        assert len(lines) == 122 and len(set(lines)) == 122  # each event once
        assert lines[-1].startswith("14:00 sam opened INC-1001")
        clock.advance(hours=10)  # Wed 00:30: yesterday's times gain their date
        pilot.app.screen.tick()
        assert timeline.plain_lines[0] == \
            "Tue 24 Nov 14:01 pat noted: early call [backfilled 14:30]"
