"""Forms that behave: the error beside its field with the focus moved there, cleared once
fixed; no placeholder entry to pick; Enter submits; keys typed ahead across Tab land in
their fields (Pilot)."""

from __future__ import annotations

import pytest
from app_helpers import act, app_for, count, fill, form_error, open_incident, view, who
from textual import events
from textual.widgets import Input, Select

from warroom import actions
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal

pytestmark = pytest.mark.anyio
NOTE = dict(done="found bad deploy", remaining="roll back", dependencies="release team",
            risks="cache warm-up")


@pytest.fixture
def db(db_target):
    return db_target


def error_follows(modal: FormModal) -> str | None:
    """The id of the widget the error is shown right after (None: above every field)."""
    box = modal.query_one("#form-fields")
    children = list(box.children)
    at = children.index(modal.query_one("#form-error"))
    return children[at - 1].id if at else None


async def test_a_missing_field_is_named_beside_it_and_focused_then_cleared_when_fixed(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("b")
        modal = await fill(pilot, what="Prod DB read access", waiting_on="")
        assert form_error(app) == "Waiting on whom is required"
        assert error_follows(modal) == "field-waiting_on"
        assert app.focused is modal.query_one("#field-waiting_on")
        assert not modal.query_one("#form-error").has_class("-empty")
        await pilot.press(*"DBA")  # typed straight into the field the error named
        assert modal.query_one("#field-waiting_on", Input).value == "DBA"
        assert modal.query_one("#form-error").has_class("-empty")  # fixed: the error goes
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, DashboardScreen)
    assert view(db).blockers[0].waiting_on == "DBA"


async def test_a_refusal_about_one_field_moves_there_and_one_about_none_goes_on_top(db, clock):
    open_incident(db, clock)
    act(db, actions.add_milestone, who("sam"), "INC-1001", name="Rollback ready", owner="sam",
        due_at=clock(), clock=clock)
    before = count(db)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("e")  # move a milestone
        modal = await fill(pilot, due="half past never", reason="vendor delay")
        assert "half past never" in form_error(app)
        assert error_follows(modal) == "field-due"
        assert app.focused is modal.query_one("#field-due")
        await pilot.press("escape")
        await pilot.press("E")  # give it to the owner it already has: refused by the action
        modal = await fill(pilot, owner="sam")
        assert form_error(app) == "milestone #1 is already owned by sam"
        assert error_follows(modal) == "field-milestone"  # it names the milestone field
        assert app.focused is modal.query_one("#field-milestone")
        await pilot.press("escape")
        act(db, actions.release_role, who("alex"), "INC-1001", "comms", clock=clock)
        app.db_changed()  # as the change feed would
        await pilot.press("c")
        act(db, actions.claim_role, who("zoe"), "INC-1001", "comms", clock=clock)
        before = count(db)
        modal = await fill(pilot, role="comms")  # seen vacant, taken meanwhile
        assert "comms is held by zoe" in form_error(app)
        assert error_follows(modal) is None  # about no one field: above them all
        assert app.focused is modal.query_one("#field-role")
        modal.query_one("#field-reason", Input).value = "I have the customer"
        await pilot.pause()
        assert form_error(app) == ""  # any change clears an error about no one field
    assert count(db) == before


async def test_required_choices_offer_no_placeholder_entry(db, clock):
    open_incident(db, clock)
    act(db, actions.offer_handover, who("sam"), "INC-1001", "lead", to="dana", clock=clock,
        **NOTE)
    act(db, actions.offer_handover, who("alex"), "INC-1001", "comms", to="dana", clock=clock,
        **NOTE)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("a")
        select = app.screen.query_one("#field-role", Select)
        assert select.value == "lead"  # a real choice from the start
        await pilot.press("space")  # open the list: every entry is an offer
        overlay = select.query_one("SelectOverlay")
        prompts = [str(overlay.get_option_at_index(i).prompt)
                   for i in range(overlay.option_count)]
        assert prompts == ["Investigation lead from sam", "Communications owner from alex"]
        await pilot.press("escape", "escape")
        await pilot.press("c")  # every role held: which to dispute is never a default
        select = app.screen.query_one("#field-role", Select)
        assert select.value is Select.NULL
        await pilot.press("space")
        overlay = select.query_one("SelectOverlay")
        assert overlay.get_option_at_index(0).disabled
        assert overlay.option_count == 4  # the disabled prompt, then the three roles


async def test_enter_submits_and_accepting_a_handover_takes_two_keys(db, clock):
    open_incident(db, clock)
    act(db, actions.offer_handover, who("sam"), "INC-1001", "lead", to="dana", clock=clock,
        **NOTE)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("a", "enter")
        assert isinstance(app.screen, DashboardScreen)
    assert view(db).role("lead").holder == "dana"


async def test_enter_on_a_box_submits_and_space_ticks_it(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("g")
        modal = app.screen
        modal.query_one("#field-confirm").focus()
        await pilot.press("space", "enter")
        assert isinstance(app.screen, DashboardScreen), form_error(app)
    assert view(db).incident.stage.value == "investigating"


async def test_keys_typed_ahead_across_tab_land_in_their_fields(db, clock):
    """Sent as a terminal sends them, with no pause between: the Tab must move the focus
    before the keys behind it are handed to a field."""
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("b")
        for key in [*"disk", "tab", *"ops", "tab", *"sam"]:
            event = events.Key(key, key if len(key) == 1 else None)
            event.set_sender(app)
            app._driver.send_message(event)
        await pilot.pause()
        values = app.screen.values()
        assert (values["what"], values["waiting_on"], values["owner"]) == ("disk", "ops", "sam")


async def test_a_choice_that_must_be_made_starts_blank_and_its_blank_cannot_be_picked(db,
                                                                                     clock):
    """Resolving with a blocker open: close it or carry it is never a default."""
    open_incident(db, clock)
    act(db, actions.raise_blocker, who("sam"), "INC-1001", what="DB access", waiting_on="DBA",
        owner="sam", clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        select = app.screen.query_one("#field-open_items", Select)
        assert select.value is Select.NULL
        select.focus()
        await pilot.press("space")
        overlay = select.query_one("SelectOverlay")
        assert overlay.get_option_at_index(0).disabled  # "choose one": not a choice
        assert not any(overlay.get_option_at_index(i).disabled for i in (1, 2))
        assert overlay.highlighted != 0
        await pilot.press("enter")  # whatever is highlighted, it is a real choice
        assert select.value in ("close", "carry")
