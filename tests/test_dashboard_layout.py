"""The dashboard at every size: a key per pane and Tab between them, panes bounded by the
screen with "+N more", Enter for everything a pane holds or one timeline entry in full
(copied with y), the timeline's filter and search, role names instead of ids, and alarms
that stand out without colour."""

from __future__ import annotations

import pytest
from app_helpers import act, app_for, pane, until, who
from busy_incident import BLOCKERS, MILESTONES, busy
from textual.geometry import Region

from warroom import actions
from warroom.screens.dashboard import PANES, DashboardScreen
from warroom.screens.detail import DetailScreen
from warroom.widgets.pane import LinesPane
from warroom.widgets.timeline import Timeline

pytestmark = pytest.mark.anyio


@pytest.fixture
def db(tmp_path, clock):
    busy(tmp_path / "w.db", clock)
    return tmp_path / "w.db"


def in_sight(app, widget) -> bool:
    """Whether at least two rows of ``widget`` are on the screen."""
    seen = widget.region.intersection(Region(0, 0, *app.size))
    return seen.height >= 2


async def opened(pilot, *keys) -> DetailScreen:
    await pilot.press(*keys)
    assert await until(pilot, lambda: isinstance(pilot.app.screen, DetailScreen))
    return pilot.app.screen


async def test_at_80x24_every_pane_has_a_key_and_the_alarms_stay_in_view(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = app.screen.query_one("#header")
        for number, (name, _) in enumerate(PANES, start=1):
            await pilot.press(str(number))
            await pilot.pause()
            widget = app.screen.query_one(f"#{name}")
            assert app.focused is widget, name
            assert in_sight(app, widget), name
            assert header.region.y == 0 and "6 ALARMS" in pane(app, "header")


async def test_tab_goes_from_pane_to_pane_in_order(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("1")
        seen = [app.focused.id]
        for _ in range(len(PANES) - 1):
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert seen == [name for name, _ in PANES]
        await pilot.press("shift+tab")
        assert app.focused.id == "approvals"


@pytest.mark.parametrize("size, shown, more", [
    ((80, 24), 2, "+10 more (9 open, 1 OVERDUE, 1 done)  Enter: all"),
    ((120, 35), 12, None),
    ((200, 60), 12, None),
])
async def test_milestones_are_bounded_by_the_screen_and_say_how_many_more(
        db, clock, size, shown, more):
    app = app_for(db, clock)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        lines = pane(app, "milestones").splitlines()
        assert sum(line.startswith("#") for line in lines) == shown
        assert (more in lines[-1]) if more else not lines[-1].startswith("+")


async def test_a_resize_changes_the_bounds(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert pane(app, "blockers").splitlines()[-1].startswith("+5 more open")
        await pilot.resize_terminal(200, 60)
        assert await until(pilot, lambda: not pane(app, "blockers").splitlines()[-1]
                           .startswith("+"))
        assert len(pane(app, "blockers").splitlines()) == len(BLOCKERS)


async def test_enter_on_a_pane_lists_all_it_holds(db, clock):
    act(db, actions.clear_blocker, who("sam"), "INC-1001", 2, clock=clock)
    app = app_for(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await opened(pilot, "3", "enter")
        assert all(name in detail.plain for name in MILESTONES)
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, DashboardScreen))

        detail = await opened(pilot, "4", "enter")
        assert "#2 Vendor API keys  cleared" in detail.plain  # cleared ones too
        assert "#1 Prod DB read access  OPEN 35m" in detail.plain
        await pilot.press("escape")

        detail = await opened(pilot, "5", "enter")  # decided requests, with their votes
        assert "#1 Restart payment workers  LOW risk, change  APPROVED" in detail.plain
        assert "pat approved as Decision-maker" in detail.plain
        assert "rationale errors began 7 minutes after the deploy; the diff touches" \
            in detail.plain
        await pilot.press("escape")

        detail = await opened(pilot, "1", "enter")  # every role, who held it when
        assert "Billing ops           VACANT" in detail.plain
        assert "Handover of Investigation lead: sam to dana" in detail.plain
        assert "14:00 to now sam" in detail.plain
        assert "billing_ops" not in detail.plain


async def test_enter_on_a_timeline_entry_opens_it_in_full_and_y_copies_it(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("6", "f")  # customer updates
        timeline = app.screen.query_one(Timeline)
        assert [line[6:] for line in timeline.plain_lines if line[:1].isdigit()] == [
            "alex posted a customer update: 20% of EU card payments fail at checkout"]
        detail = await opened(pilot, "enter")
        assert ("Sent to the customer audience, exactly as posted:\n"
                "  What we know: 20% of EU card payments fail at checkout\n"
                "  What we don't know: root cause\n  Next steps: rolling back deploy 412"
                ) in detail.plain
        assert "Authority roles: Communications owner, Investigation lead" in detail.plain
        await pilot.press("y")
        assert app.clipboard == ("What we know: 20% of EU card payments fail at checkout\n"
                                 "What we don't know: root cause\n"
                                 "Next steps: rolling back deploy 412")
        await pilot.press("escape")
        await pilot.press("f", "f")  # ownership: the handover offer is the newest
        detail = await opened(pilot, "enter")
        assert "Risks: cache warm-up spike" in detail.plain
        assert "Dependencies: release team" in detail.plain
        await pilot.press("y")
        assert app.clipboard.startswith("Done: found bad deploy 412\nRemaining:")


async def test_an_approval_entry_shows_its_rationale_and_votes(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("6", "f", "f", "f", "f")  # approvals
        timeline = app.screen.query_one(Timeline)
        assert all("approv" in line for line in timeline.plain_lines if line[:1].isdigit())
        await pilot.press("down")  # the newest is alex's vote; below it, the request
        detail = await opened(pilot, "enter")
        assert "sam requested approval #2 Roll back deploy 412" in detail.plain
        assert "Fallback: roll forward with the flag off" in detail.plain
        assert "Request #2 now: PENDING, 1 of 2 approvals" in detail.plain
        assert "alex approved as Communications owner" in detail.plain


async def test_search_keeps_matching_entries_and_escape_clears_it(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = app.screen.query_one(Timeline)
        everything = list(timeline.plain_lines)
        await pilot.press("6", "slash")
        await pilot.press(*"DEPLOY")
        assert await until(pilot, lambda: timeline.query_text == "deploy")
        kept = [line for line in timeline.plain_lines if line[:1].isdigit()]
        assert kept and all("deploy" in line.lower() for line in kept)
        assert len(kept) < len(everything)
        assert "containing 'deploy'" in str(timeline.border_subtitle)
        await pilot.press("escape")
        assert await until(pilot, lambda: timeline.plain_lines == everything)
        assert app.focused is timeline and isinstance(app.screen, DashboardScreen)


async def test_a_search_for_markup_is_text_not_a_crash(db, clock):
    """"[/api" typed in the search was read as markup in the border and ended the app."""
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        timeline = app.screen.query_one(Timeline)
        await pilot.press("6", "slash")
        await pilot.press(*"[/api")
        assert await until(pilot, lambda: timeline.query_text == "[/api")
        await pilot.pause()
        assert app.is_running and "containing '[/api'" in str(timeline.border_subtitle)


async def test_stored_markup_and_escapes_stay_literal_in_an_entry(db, clock):
    act(db, actions.add_note, who("kim"), "INC-1001", text="see [link=x]here[/link] \x1b[31mred",
        clock=clock)
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        detail = await opened(pilot, "6", "enter")
        body = str(detail.query_one("#detail-body").render())
        assert "kim noted: see [link=x]here[/link] red" in body
        assert "\x1b" not in body


async def test_role_names_never_ids(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        shown = [p.plain for p in app.screen.query(LinesPane)]
        shown += app.screen.query_one(Timeline).plain_lines
        text = "\n".join(shown)
        assert "Billing ops" in text and "Investigation lead to dana" in text
        for leak in ("billing_ops", "offered lead", "took comms", "(decider)", "lead (vacant)"):
            assert leak not in text


async def test_alarms_are_bold_reverse_words_not_only_colour(db, clock):
    """With 16 colours (TERM=xterm over ssh) the alarm colour may be plain white: the word
    is also bold and in reverse video, so it still stands out."""
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        roles = app.screen.query_one("#roles", LinesPane)
        row = next(y for y, line in enumerate(roles.plain.splitlines()) if "VACANT" in line)
        strip = roles.render_line(row)
        vacant = next(s for s in strip if "VACANT" in s.text)
        assert vacant.style.reverse and vacant.style.bold


async def test_the_high_contrast_theme(db, clock):
    app = app_for(db, clock, theme="warroom-high-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "warroom-high-contrast"
        assert app.current_theme.background == "#000000"


async def test_a_filtered_timeline_takes_in_new_entries_of_its_kind_only(db, clock):
    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("6", "f", "f")  # notes and decisions
        timeline = app.screen.query_one(Timeline)
        assert timeline.border_subtitle.startswith("1 of 30: notes and decisions")
        act(db, actions.raise_blocker, who("sam"), "INC-1001", what="Pager down",
            waiting_on="ops", owner="sam", clock=clock)
        act(db, actions.add_note, who("kim"), "INC-1001", text="pager fixed", clock=clock)
        app.db_changed()
        assert await until(pilot, lambda: timeline.border_subtitle.startswith("2 of 32"))
        assert [line[6:] for line in timeline.plain_lines if line[:1].isdigit()] == [
            "kim noted: pager fixed",
            "pat DECIDED: Roll back first, investigate after: [bold]no hotfix[/bold] under load"]
        await pilot.press("f", "f", "f")  # back to everything
        assert len([line for line in timeline.plain_lines if line[:1].isdigit()]) == 32


async def test_the_help_lists_the_pane_keys_and_the_timeline_keys(db, clock):
    from warroom.screens.help import HelpScreen

    app = app_for(db, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("question_mark")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("Static").render())
        assert "  3    Go to Milestones (Enter there opens it in full)" in text
        assert "  f    Timeline: only customer updates" in text
        assert "  y    In an entry or a list: copy it to the clipboard" in text
