"""Disputes from the dashboard (Pilot): the claim form asks for the reason of a dispute, the
settle form offers only the outcomes you may choose, and refusals name who may act."""

from __future__ import annotations

import pytest
from app_helpers import act, app_for, count, fill, form_error, open_incident, pane, view, who
from textual.widgets import Select

from warroom import actions
from warroom.db import queries
from warroom.db.store import open_store
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal

pytestmark = pytest.mark.anyio


@pytest.fixture
def db(db_target):
    return db_target




def outcomes(app) -> list[str]:
    return [value for _, value in app.screen.query_one("#field-outcome", Select)._options
            if value != Select.NULL]


def notified(app, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


async def test_claiming_a_held_role_asks_for_the_reason_then_opens_the_dispute(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("c")
        before = count(db)
        modal = await fill(pilot, role="lead")
        assert app.screen is modal
        assert "lead is held by sam: to dispute it, give your reason" in form_error(app)
        assert count(db) == before
        await fill(pilot, reason="payments owns checkout")
        assert isinstance(app.screen, DashboardScreen)
        assert "DISPUTED by dana" in pane(app, "roles")
        assert notified(app, "your dispute is open: pat (the decider) settles it")
    (d,) = view(db).disputes
    assert (d.claimant, d.holder, d.reason) == ("dana", "sam", "payments owns checkout")
    assert view(db).role("lead").holder == "sam"


async def test_a_bystander_gets_a_notification_naming_who_may_settle(db, clock):
    open_incident(db, clock)
    act(db, actions.claim_role, who("dana"), "INC-1001", "lead", dispute="payments", clock=clock)
    before = count(db)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, DashboardScreen)  # a warning, not a form
        assert notified(app, "only pat (the decider) can settle the dispute on lead on "
                             "INC-1001; sam (the holder) may yield it, dana (the claimant) may "
                             "withdraw")
    assert count(db) == before


async def test_the_holder_may_only_yield_while_a_decider_is_held(db, clock):
    open_incident(db, clock)
    act(db, actions.claim_role, who("dana"), "INC-1001", "lead", dispute="payments", clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, FormModal)
        assert outcomes(app) == ["lead|dana"]
        await fill(pilot, outcome="lead|dana")
        assert "Investigation lead   dana" in pane(app, "roles")
    assert view(db).role("lead").holder == "dana" and view(db).disputes == []


async def test_with_no_decider_the_holder_keeps_it_only_with_a_reason(db, clock):
    open_incident(db, clock)
    act(db, actions.release_role, who("pat"), "INC-1001", "decider", clock=clock)
    act(db, actions.claim_role, who("dana"), "INC-1001", "lead", dispute="payments", clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("s")
        assert outcomes(app) == ["lead|sam", "lead|dana"]
        before = count(db)
        modal = await fill(pilot, outcome="lead|sam")
        assert app.screen is modal and count(db) == before
        assert ("nobody holds decider: to keep lead on INC-1001, give a reason (the review "
                "flags it), or yield it to dana") in form_error(app)
        await fill(pilot, reason="I found the bad deploy")
        assert isinstance(app.screen, DashboardScreen)
        assert "DISPUTED" not in pane(app, "roles")
        assert notified(app, "the review flags it")
    after = view(db)  # the role stays with sam, and the journal says he kept it
    assert after.role("lead").holder == "sam" and after.disputes == []
    with open_store(db) as store:
        last = queries.events_after(store, 0)[-1]
    assert last.payload["kept_by_holder"] is True
