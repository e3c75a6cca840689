"""The timeline pane: newest first, bounded, paged on demand, and steady while you read."""

from __future__ import annotations

import pytest
from app_helpers import act, app_for, open_incident, until, who

from warroom import actions
from warroom.widgets.timeline import HINT, HINT_FULL, MAX_KEPT, Timeline

pytestmark = pytest.mark.anyio


async def first_page(pilot) -> Timeline:
    """The timeline once the dashboard has loaded its first page (just after the first
    paint, so not necessarily by the time the app is running)."""
    timeline = pilot.app.screen.query_one(Timeline)
    assert await until(pilot, lambda: timeline.oldest_id is not None), "no page loaded"
    return timeline


def notes(db, clock, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        act(db, actions.add_note, who("sam"), "INC-1001", text=f"fact {n}", clock=clock)


async def test_a_long_journal_shows_one_page_and_o_pages_in_older_events(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)  # 4 events
    notes(db, clock, 150)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = await first_page(pilot)
        lines = timeline.plain_lines
        assert lines[0] == "14:00 sam noted: fact 149"
        assert len(lines) == 101 and lines[-1] == HINT
        assert timeline.border_subtitle == "100 shown"
        await pilot.press("o")
        lines = timeline.plain_lines
        assert len(lines) == 154 and HINT not in lines
        assert lines[-1].endswith("opened INC-1001 (SEV1) Checkout failing for EU users for Acme")
        await pilot.press("o")  # nothing older: nothing changes
        assert len(timeline.plain_lines) == 154


async def test_reading_older_events_keeps_its_place_when_new_ones_arrive(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    notes(db, clock, 60)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = await first_page(pilot)
        timeline.scroll_to(y=20, animate=False, immediate=True)
        await pilot.pause()
        top = timeline.plain_lines[round(timeline.scroll_y)]
        notes(db, clock, 3, start=60)
        app.db_changed()
        await pilot.pause()
        assert timeline.plain_lines[0] == "14:00 sam noted: fact 62"
        assert timeline.plain_lines[round(timeline.scroll_y)] == top


async def test_at_the_top_new_events_appear_in_view(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = await first_page(pilot)
        notes(db, clock, 40)  # past the pane's height: a scrollbar appears
        app.db_changed()
        await pilot.pause()
        assert timeline.scroll_y == 0
        assert timeline.virtual_size.height == 44
        assert timeline.max_scroll_y > 0


async def test_the_window_is_bounded(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = await first_page(pilot)
        notes(db, clock, MAX_KEPT + 10)
        app.db_changed()
        await pilot.pause()
        assert timeline.plain_lines[-1] == HINT_FULL  # the older ones are still in the log
        assert len(timeline.plain_lines) == MAX_KEPT + 1
        assert timeline.plain_lines[0] == f"14:00 sam noted: fact {MAX_KEPT + 9}"


async def test_long_lines_are_cropped_with_an_ellipsis(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    act(db, actions.add_note, who("sam"), "INC-1001", text="x" * 300, clock=clock)
    app = app_for(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await first_page(pilot)
        row = timeline.render_line(0).text
        assert row.rstrip().endswith("x…")
        assert len(row) == timeline.scrollable_content_region.width


async def test_paging_stops_at_the_bound_and_points_to_the_log(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    notes(db, clock, MAX_KEPT + 100)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = await first_page(pilot)
        for _ in range(MAX_KEPT // 100 + 2):
            await pilot.press("o")
        assert timeline.full
        assert len(timeline.plain_lines) == MAX_KEPT + 1
        assert timeline.plain_lines[-1] == HINT_FULL


async def test_wide_characters_are_cropped_by_their_width(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    act(db, actions.add_note, who("sam"), "INC-1001", text="漢字" * 100, clock=clock)
    app = app_for(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await first_page(pilot)
        strip = timeline.render_line(0)
        assert strip.text.rstrip().endswith("…")
        assert strip.cell_length == timeline.scrollable_content_region.width
