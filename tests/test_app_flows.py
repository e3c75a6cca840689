"""Every dashboard action from the keyboard, with its cancel and refusal paths (Pilot)."""

from __future__ import annotations

import pytest
from app_helpers import (
    act,
    app_for,
    count,
    fill,
    form_error,
    open_incident,
    pane,
    soon,
    until,
    view,
    who,
)
from textual.widgets import Static

from warroom import actions
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal
from warroom.screens.help import HelpScreen
from warroom.screens.picker import PickerScreen

pytestmark = pytest.mark.anyio
NOTE = dict(done="found bad deploy", remaining="roll back", dependencies="release team",
            risks="cache warm-up")


@pytest.fixture
def db(db_target):
    return db_target




async def test_claim_a_vacant_role(db, clock):
    open_incident(db, clock, staff=False)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("c")
        await fill(pilot, role="lead", reason="payments owns checkout")
        assert isinstance(app.screen, DashboardScreen)
        assert "Investigation lead   dana" in pane(app, "roles")
    assert view(db).role("lead").holder == "dana"


async def test_a_claim_overtaken_by_another_process_is_refused_inside_the_form(db, clock):
    open_incident(db, clock, staff=False)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("c")
        act(db, actions.claim_role, who("zoe"), "INC-1001", "lead", clock=clock)
        before = count(db)
        modal = await fill(pilot, role="lead")
        assert app.screen is modal
        assert "lead is held by zoe since 14:00; claim again to dispute it" in form_error(app)
        assert count(db) == before
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_escape_cancels_and_writes_nothing(db, clock):
    open_incident(db, clock)  # staffed: alex, on comms, may post the update
    before = count(db)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        for key in "cubrmg":
            await pilot.press(key)
            assert isinstance(app.screen, FormModal), key
            await pilot.press("escape")
            assert isinstance(app.screen, DashboardScreen), key
    assert count(db) == before


async def test_settle_a_dispute_as_the_decider(db, clock):
    open_incident(db, clock)
    act(db, actions.claim_role, who("dana"), "INC-1001", "lead", dispute="payments", clock=clock)
    app = app_for(db, clock, name="pat")
    async with app.run_test(size=(120, 35)) as pilot:
        assert "DISPUTED by dana" in pane(app, "roles")
        await pilot.press("s")
        await fill(pilot, outcome="lead|dana")
        assert "DISPUTED" not in pane(app, "roles")
    assert view(db).role("lead").holder == "dana"


async def test_handover_offer_then_accept_in_another_app(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("h")
        await fill(pilot, role="lead", to="dana", **NOTE)
        assert "offered to dana" in pane(app, "roles")
    assert view(db).role("lead").holder == "sam"
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("a")
        assert "remaining: roll back" in str(app.screen.query_one(".intro", Static).render())
        await fill(pilot)
        assert "Investigation lead   dana" in pane(app, "roles")
    assert view(db).role("lead").holder == "dana"


async def test_decline_and_nothing_to_accept(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, DashboardScreen)  # a warning, not a form
        assert any("no handover is offered to you" in n.message for n in app._notifications)
    act(db, actions.offer_handover, who("sam"), "INC-1001", "lead", to="dana", clock=clock,
        **NOTE)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("d")
        await fill(pilot, reason="going off shift")
    assert view(db).handovers == [] and view(db).role("lead").holder == "sam"


async def test_release_shows_the_vacancy(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("l")
        await fill(pilot, role="comms", note="end of shift")
        assert "Communications owner VACANT" in pane(app, "roles")
        assert app.screen.query_one("#roles").has_class("-alarm")


@pytest.mark.parametrize("audience", ["customer", "internal"])
async def test_post_an_update(db, clock, audience):
    open_incident(db, clock)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        await fill(pilot, audience=audience, known="20% of checkouts fail",
                   unknown="root cause", next_steps="roll back", next="+20m")
        assert "last 14:00 alex" in pane(app, "cadence")
    last = getattr(view(db), f"last_{audience}_update")
    assert last.known == "20% of checkouts fail"


async def test_a_customer_update_without_a_next_time_is_refused_in_the_form(db, clock):
    open_incident(db, clock)
    before = count(db)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        await fill(pilot, known="k", unknown="u", next_steps="n", next="")
        assert "must say when the next update comes" in form_error(app)
        await fill(pilot, known="")
        assert "What we know is required" in form_error(app)
    assert count(db) == before


async def test_a_later_next_update_needs_the_agreed_box(db, clock):
    open_incident(db, clock)
    before = count(db)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        await fill(pilot, known="k", unknown="u", next_steps="n", next="tomorrow 09:00")
        assert "a later next update needs --agreed" in form_error(app)
        assert count(db) == before
        await fill(pilot, agreed="yes")
    assert view(db).incident.next_customer_due.isoformat() == "2026-11-25T09:00:00+00:00"


async def test_raise_and_clear_a_blocker(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("b")
        await fill(pilot, what="Prod DB read access", waiting_on="DBA on-call")
        assert "Prod DB read access  waiting on DBA on-call" in pane(app, "blockers")
        await pilot.press("B")
        await fill(pilot, blocker="1", note="granted")
        assert pane(app, "blockers") == "no blockers"


async def test_request_approve_and_reject(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("r")
        await fill(pilot, change="Roll back deploy 412", risk="high", rationale="bad deploy",
                   fallback="roll forward")
        assert "0/2 approvals, decider required" in pane(app, "approvals")
        await pilot.press("p")
        assert isinstance(app.screen, DashboardScreen)  # the requester has nothing to approve
    app = app_for(db, clock, name="pat")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("p")
        await fill(pilot, request="1")
        assert "1/2 approvals" in pane(app, "approvals")
        await pilot.press("x")
        await fill(pilot, request="1", reason="changed my mind")
        assert "you already voted on #1" in form_error(app)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("x")
        await fill(pilot, request="1", reason="no tested fallback")
        assert pane(app, "approvals").startswith("no pending approvals")
    assert view(db).approvals[0].status == "rejected"


async def test_add_and_complete_a_milestone(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("m")
        await fill(pilot, name="Rollback ready", owner="sam", due="+30m")
        assert "#1 in 30m  14:30 sam  Rollback ready" in pane(app, "milestones")
        await pilot.press("M")
        await fill(pilot, milestone="1")
        assert "#1 done  14:30 sam  Rollback ready" in pane(app, "milestones")


async def test_advance_the_stage_needs_the_confirmation_then_resolve(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("g")
        await fill(pilot, stage="investigating")
        assert "confirm the customer-resolution definition first" in form_error(app)
        await fill(pilot, confirm=True)
        assert "INVESTIGATING" in pane(app, "header")
        await pilot.press("R")
        await fill(pilot, summary="rolled back", confirm=True)
        assert "post a final customer update, or say why not" in form_error(app)
        await fill(pilot, no_update="the customer is on the bridge call")
        assert "RESOLVED" in pane(app, "header")
        assert "no more due" in pane(app, "cadence")


async def test_picker_with_two_open_incidents_and_direct_open_with_one(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)):
        assert isinstance(app.screen, DashboardScreen)
    open_incident(db, clock, title="Invoices sent twice", severity="SEV3", customer="Globex")
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)
        assert "INC-1001" in pane(app, "header")  # SEV1 sorts first
        await pilot.press("i")
        assert isinstance(app.screen, PickerScreen)


async def test_wall_mode_has_no_actions(db, clock):
    open_incident(db, clock, staff=False)
    before = count(db)
    app = app_for(db, clock, wall=True)
    async with app.run_test(size=(120, 35)) as pilot:
        for key in "cuhbrpgm":
            await pilot.press(key)
            assert isinstance(app.screen, DashboardScreen)
        shown = {b.binding.action for b in app.active_bindings.values() if b.enabled}
        assert not any(a.startswith("form(") for a in shown)
        assert "WALL" in pane(app, "header")
    assert count(db) == before


async def test_help_opens_and_closes(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        for binding in DashboardScreen.BINDINGS:  # every key, metrics and paging included
            assert f"  {app.get_key_display(binding):<4} {binding.tooltip}" in text
        assert "  ?    Keys and legend" in text and "  q    Leave warroom" in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_the_command_palette_offers_every_action(db, clock):
    from textual.command import CommandList, CommandPalette

    open_incident(db, clock, staff=False)
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"claim a role")
        options = app.screen.query_one(CommandList)

        def prompts() -> list[str]:
            return [str(options.get_option_at_index(i).prompt) for i in
                    range(options.option_count)]

        # The search runs in a worker: wait for it to finish with the hit listed.
        assert await until(pilot, lambda: not app.workers
                           and any("Claim a role" in p for p in prompts())), prompts()
        await pilot.press("enter")  # the palette closes, then runs the command
        assert await until(pilot, lambda: isinstance(app.screen, FormModal)), app.screen


async def test_markup_and_escapes_in_user_text_show_literally(db, clock):
    open_incident(db, clock, title="[bold]x[/] [@click=app.quit]", staff=False)
    act(db, actions.claim_role, who("[red]eve\x1b[2J"), "INC-1001", "lead", clock=clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        assert "[bold]x[/] [@click=app.quit]" in pane(app, "header")
        assert "[red]eve" in pane(app, "roles") and "\x1b" not in pane(app, "roles")
        await pilot.click("#header", offset=(20, 0))
        await pilot.pause()
        assert app.is_running


async def test_new_events_appear_in_the_timeline_after_an_action(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("b")
        await fill(pilot, what="Vendor logs", waiting_on="vendor")
        from warroom.widgets.timeline import Timeline

        assert app.screen.query_one(Timeline).plain_lines[0] == "14:00 sam raised blocker #1 Vendor logs (waiting on " \
                                       "vendor, owner sam)"
    assert soon(clock, 0) == clock()
