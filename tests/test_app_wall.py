"""The wall's overview of several incidents and the picker (Pilot)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_helpers import act, app_for, open_incident, pane, until, who
from textual.widgets import DataTable, Input, Static

from warroom import actions
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal
from warroom.screens.picker import PickerScreen
from warroom.screens.wall import Card, WallScreen

pytestmark = pytest.mark.anyio
LONG = ("Payments to every bank in the eurozone fail intermittently after the settlement "
        "batch moved to the new cluster")


@pytest.fixture
def db(tmp_path):
    return tmp_path / "wall.db"


def cards(app) -> list[Card]:
    wall = next(s for s in app.screen_stack if isinstance(s, WallScreen))
    return list(wall.query(Card))


def text(card: Card) -> str:
    return str(card.render())


async def test_the_wall_shows_every_open_incident_and_a_new_one_by_itself(db, clock):
    open_incident(db, clock, severity="SEV2")
    open_incident(db, clock, title="Invoices emailed twice", severity="SEV1",
                  customer="Globex", staff=False)
    app = app_for(db, clock, wall=True)
    async with app.run_test(size=(120, 35)) as pilot:
        assert isinstance(app.screen, WallScreen)  # not the picker: nobody picks on a wall
        assert [c.key for c in cards(app)] == ["INC-1002", "INC-1001"]  # most severe first
        first, second = cards(app)
        assert "Investigation lead: VACANT" in text(first)
        assert "Investigation lead: sam" in text(second)
        assert "Customer update in 1h00m" in text(second)
        open_incident(db, clock, title="Search is slow", severity="SEV3", customer="Initech")
        app.db_changed()  # as the change feed does
        assert await until(pilot, lambda: len(cards(app)) == 3)
        assert "Search is slow" in text(cards(app)[2])
        act(db, actions.claim_role, who("dana"), "INC-1003", "lead", dispute="mine",
            clock=clock)
        app.db_changed()
        assert await until(pilot, lambda: "DISPUTED by dana" in text(cards(app)[2]))


async def test_a_card_stands_out_while_its_incident_alarms(db, clock):
    open_incident(db, clock)
    open_incident(db, clock, title="Invoices emailed twice", severity="SEV3",
                  customer="Globex", staff=False)
    app = app_for(db, clock, wall=True)
    async with app.run_test(size=(120, 35)) as pilot:
        staffed, vacant = cards(app)
        assert vacant.has_class("-alarm") and "ALARM" in vacant.border_title
        assert "3 ALARMS" in text(vacant)
        assert not staffed.has_class("-alarm") and "no alarms" in text(staffed)
        clock.advance(minutes=31)  # the customer update is now overdue: the tick sees it
        app.screen.tick()
        await pilot.pause()
        assert staffed.has_class("-alarm") and "OVERDUE by 1m" in text(staffed)


async def test_one_incident_shows_its_dashboard_until_a_second_opens(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, wall=True)
    async with app.run_test(size=(120, 35)) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        open_incident(db, clock, title="Invoices emailed twice", severity="SEV3",
                      customer="Globex")
        app.db_changed()
        assert await until(pilot, lambda: isinstance(app.screen, WallScreen))
        assert len(cards(app)) == 2
        cards(app)[1].focus()
        await pilot.press("enter")  # a card's full dashboard, read-only
        assert isinstance(app.screen, DashboardScreen)
        assert "INC-1002" in pane(app, "header") and "WALL" in pane(app, "header")
        await pilot.press("escape")
        assert isinstance(app.screen, WallScreen)


async def test_rotate_turns_from_the_overview_through_each_dashboard(db, clock):
    open_incident(db, clock)
    open_incident(db, clock, title="Invoices emailed twice", severity="SEV3",
                  customer="Globex")
    app = app_for(db, clock, wall=True, rotate=3600)  # turned by hand below
    async with app.run_test(size=(120, 35)) as pilot:
        wall = app.screen
        assert isinstance(wall, WallScreen)
        seen = []
        for _ in range(3):
            wall.turn_page()
            await pilot.pause()
            seen.append(app.key if isinstance(app.screen, DashboardScreen) else "overview")
        assert seen == ["INC-1001", "INC-1002", "overview"]


async def test_picker_escape_goes_back_and_typing_filters(db, clock):
    open_incident(db, clock)
    open_incident(db, clock, title="Invoices emailed twice", severity="SEV3",
                  customer="Globex")
    app = app_for(db, clock, incident="INC-1002")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, PickerScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press(*"glob")
        assert await until(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[0].plain == "INC-1002"
        await pilot.press("escape")  # clears the filter first
        assert app.screen.query_one("#picker-filter", Input).value == ""
        assert table.row_count == 2
        await pilot.press("down", "enter")
        assert isinstance(app.screen, DashboardScreen) and app.key == "INC-1002"
        await pilot.press("i", "escape")  # back where we came from
        assert isinstance(app.screen, DashboardScreen) and app.key == "INC-1002"


async def test_picker_columns_alarms_disputes_and_a_long_title_cropped(db, clock):
    open_incident(db, clock, title=LONG)
    open_incident(db, clock, title="Invoices emailed twice", severity="SEV3",
                  customer="Globex", staff=False)
    act(db, actions.claim_role, who("sam"), "INC-1002", "lead", clock=clock)
    act(db, actions.claim_role, who("dana"), "INC-1002", "lead", dispute="mine", clock=clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-2:] == ["Alarms", "Disputes"]
        long_row = [c.plain for c in table.get_row("INC-1001")]
        assert long_row[2].endswith("…") and long_row[2][:-1] in LONG
        assert long_row[7:] == ["none", "none"]
        row = [c.plain for c in table.get_row("INC-1002")]
        assert row[7:] == ["3 ALARMS", "1 DISPUTED"]  # comms, decider vacant; the dispute
        total = sum(c.get_render_width(table) for c in table.columns.values())
        assert total <= 120  # every column stays on screen


async def test_picker_with_no_incidents_says_how_to_open_one_and_does(db, clock):
    open_incident(db, clock)
    act(db, actions.post_update, who("alex"), "INC-1001", audience="customer", known="fixed",
        unknown="none", next_steps="none", next_update_at=clock() + timedelta(minutes=30),
        clock=clock)
    act(db, actions.resolve, who("sam"), "INC-1001", summary="done", confirm=True, skip=True,
        clock=clock)
    act(db, actions.close, who("sam"), "INC-1001", csat=5, clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        assert isinstance(app.screen, PickerScreen)
        said = str(app.screen.query_one("#picker-empty", Static).render())
        assert "No open incidents. Open one with ctrl+n" in said
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, FormModal)
        from app_helpers import fill

        await fill(pilot, title="Search is slow", customer="Initech")
        assert isinstance(app.screen, DashboardScreen) and app.key == "INC-1002"
