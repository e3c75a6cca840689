"""The dashboard's newer keys, each with its form: open an incident (N), close with the CSAT
(C), reopen (Z), retitle (L), customers and tier (K), move (e) and reassign (E) a
milestone, a blocker's owner (O), withdraw your own request (w) (Pilot)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_helpers import act, app_for, count, fill, form_error, open_incident, pane, view, who

from warroom import actions
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal

pytestmark = pytest.mark.anyio


@pytest.fixture
def db(db_target):
    return db_target


def told(app, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


def resolved(db, clock, *, new=True):
    if new:
        open_incident(db, clock)
    act(db, actions.post_update, who("alex"), "INC-1001", audience="customer",
        known="fixed", unknown="nothing", next_steps="monitor",
        next_update_at=clock() + timedelta(minutes=30), clock=clock)
    act(db, actions.resolve, who("sam"), "INC-1001", summary="rolled back", confirm=True,
        skip=True, clock=clock)


async def test_every_new_key_opens_its_form_and_escape_writes_nothing(db, clock):
    open_incident(db, clock)
    act(db, actions.add_milestone, who("sam"), "INC-1001", name="Rollback ready", owner="sam",
        due_at=clock() + timedelta(minutes=30), clock=clock)
    act(db, actions.raise_blocker, who("sam"), "INC-1001", what="DB access", waiting_on="DBA",
        owner="sam", clock=clock)
    act(db, actions.request_approval, who("sam"), "INC-1001", change="Roll back", risk="low",
        rationale="bad deploy", fallback="roll forward", clock=clock)
    before = count(db)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        for key in "NeEOwLK":
            await pilot.press(key)
            assert isinstance(app.screen, FormModal), key
            await pilot.press("escape")
            assert isinstance(app.screen, DashboardScreen), key
    assert count(db) == before


async def test_open_a_new_incident_from_the_dashboard(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("N")
        await fill(pilot, title="Invoices emailed twice", customer="Globex", severity="SEV3")
        assert isinstance(app.screen, DashboardScreen)
        assert "INC-1002" in pane(app, "header")
        assert "Invoices emailed twice" in pane(app, "header")
    assert view(db, "INC-1002").incident.customer == "Globex"


async def test_close_with_a_csat_score_refuses_a_bad_one_beside_it(db, clock):
    resolved(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        before = count(db)
        await pilot.press("C")
        await fill(pilot, csat="9")
        assert form_error(app) == "CSAT must be a whole number from 1 to 5"
        assert app.focused is app.screen.query_one("#field-csat")
        assert count(db) == before
        await fill(pilot, csat="4", comment="fast comms")
        assert isinstance(app.screen, DashboardScreen)
    closed = view(db).incident
    assert (closed.stage.value, closed.csat) == ("closed", 4)


async def test_close_before_resolving_says_why_and_reopen_needs_a_reason(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("C")
        assert isinstance(app.screen, DashboardScreen)
        assert told(app, "only a resolved incident can be closed")
    resolved(db, clock, new=False)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("Z")
        await fill(pilot, reason="")
        assert "Why it is reopened is required" in form_error(app)
        await fill(pilot, reason="errors are back")
        assert isinstance(app.screen, DashboardScreen)
    assert view(db).incident.stage.value == "investigating"


async def test_retitle_and_customers_and_tier(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("L")
        await fill(pilot, title="Checkout failing in the EU and UK", reason="UK too")
        await pilot.press("K")
        await fill(pilot, what="add", name="Globex")
        await pilot.press("K")
        await fill(pilot, what="tier", name="enterprise")
        assert isinstance(app.screen, DashboardScreen)
    inc = view(db).incident
    assert (inc.title, inc.customers, inc.tier) == ("Checkout failing in the EU and UK",
                                                    ("Globex",), "enterprise")


async def test_move_and_reassign_a_milestone_and_change_a_blockers_owner(db, clock):
    open_incident(db, clock)
    act(db, actions.add_milestone, who("sam"), "INC-1001", name="Rollback ready", owner="sam",
        due_at=clock() + timedelta(minutes=30), clock=clock)
    act(db, actions.raise_blocker, who("sam"), "INC-1001", what="DB access", waiting_on="DBA",
        owner="sam", clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("e")
        await fill(pilot, due="+60m", reason="vendor delay")
        await pilot.press("E")
        await fill(pilot, owner="dana")
        await pilot.press("O")
        await fill(pilot, owner="pat", reason="pat knows the DBA")
        assert isinstance(app.screen, DashboardScreen)
        assert "dana" in pane(app, "milestones")
        assert "pat" in pane(app, "blockers")
    v = view(db)
    assert (v.milestones[0].owner, v.milestones[0].due_at) == ("dana",
                                                               clock() + timedelta(minutes=60))
    assert v.blockers[0].owner == "pat"


async def test_withdraw_is_its_own_key_without_a_reason_and_reject_sends_you_there(db, clock):
    open_incident(db, clock)
    act(db, actions.request_approval, who("sam"), "INC-1001", change="Roll back", risk="low",
        rationale="bad deploy", fallback="roll forward", clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("x")
        assert isinstance(app.screen, DashboardScreen)
        assert told(app, "your own request is withdrawn, not rejected: press w")
        await pilot.press("w", "enter")  # the only request, preselected: two keys
        assert isinstance(app.screen, DashboardScreen)
        assert pane(app, "approvals").startswith("no pending approvals")
    assert view(db).approvals[0].status.value == "withdrawn"
