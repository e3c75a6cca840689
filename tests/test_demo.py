"""`warroom demo`: a greeting that stays out of the way at 80x24, and a clear end."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from app_helpers import until, who

from warroom.cli.drill import DEMO_NOTE, FINISHED_NOTE, demo_app, demo_greeting
from warroom.clock import FrozenClock
from warroom.db import queries
from warroom.drills import scenarios

START = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


def build(tmp_path, clock, *, play=True, speed=10.0, live=False, join=None):
    return demo_app(str(tmp_path / "demo.db"), scenarios.load("two-leads"), who("alex"),
                    clock=clock, speed=speed, join=join, play=play, live=live,
                    cursor_blink=False)


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


def toasts(app):
    from textual.widgets._toast import Toast

    return list(app.screen.query(Toast))


@pytest.mark.anyio
async def test_the_greeting_is_short_and_covers_little_of_an_80x24_screen(tmp_path):
    app, player = build(tmp_path, FrozenClock(START), play=False)
    timeouts = []
    notify = app.notify
    app.notify = lambda message, **kw: (timeouts.append(kw.get("timeout")),
                                        notify(message, **kw))[1]
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            assert await until(pilot, lambda: toasts(app))
            (toast,) = toasts(app)
            assert notices(app) == ["Demo two-leads at 10x: it plays by itself and ends "
                                    "resolved. q quits."]
            # two lines of text in a 40-column toast: 4 rows of 24, not half the screen
            assert toast.region.height <= 4 and toast.region.width <= 40
            assert timeouts == [6]
    finally:
        player.store.close()


def test_the_greeting_says_how_others_join_when_the_database_is_kept():
    two_leads = scenarios.load("two-leads")
    assert demo_greeting(two_leads, 2, "warroom --db /tmp/d.db").endswith(
        "q quits. Others join: warroom --db /tmp/d.db")


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(80, 24), (220, 30)])
async def test_the_demo_says_it_finished_once_the_last_inject_played_and_it_resolved(tmp_path,
                                                                                      size):
    from textual.css.query import NoMatches

    from warroom.widgets.footer import IdentityFooter

    clock = FrozenClock(START)
    app, player = build(tmp_path, clock)

    def footer() -> str:
        try:
            return str(app.screen.query_one(IdentityFooter).query_one("Label.identity").render())
        except NoMatches:  # the footer recomposes when the keys change
            return ""

    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            assert await until(pilot, lambda: footer().startswith(DEMO_NOTE + " · "))
            assert not player.finished and not any("finished" in n for n in notices(app))
            clock.advance(minutes=20)  # past the scenario's last inject (33m, opened 18m ago)
            assert await until(pilot, lambda: app.footer_note == FINISHED_NOTE)
            # said in the footer even at 80 columns, over the last keys if it must
            assert await until(pilot, lambda: footer().startswith("demo finished: q quits · "))
            assert await until(pilot, lambda: any("Demo finished" in str(t.render())
                                                  for t in toasts(app)))
            said = notices(app)[-1]
            assert said == ("Demo finished: every inject has played and INC-1001 is resolved. "
                            "Press q to quit; replay with: warroom demo --scenario two-leads "
                            "--speed 10")
            assert player.finished
            view = queries.incident_view(player.store, player.key)
            assert view.incident.stage.value == "resolved"
    finally:
        player.store.close()


def test_demo_first_screen_at_80x24(snap_compare, tmp_path):
    """What an 80x24 terminal shows as the demo starts: the greeting's toast leaves the
    panes readable."""
    app, player = build(tmp_path, FrozenClock(START), play=False)
    try:
        assert snap_compare(app, terminal_size=(80, 24))
    finally:
        player.store.close()


def test_leaving_the_demo_says_how_far_it_got_and_how_to_replay(tmp_path, monkeypatch, capsys):
    from warroom.app import WarroomApp
    from warroom.cli import main

    from warroom.cli import dashboard

    monkeypatch.setattr(WarroomApp, "run", lambda self: None)  # the user quits at once
    monkeypatch.setattr(dashboard, "require_terminal", lambda: None)  # (pytest has no tty)
    db = tmp_path / "kept.db"
    assert main(["demo", "--speed", "10", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("demo left before its end (") and "of 23 injects played" in out[0]
    assert out[1] == f"replay with: warroom demo --scenario two-leads --speed 10; the database " \
                     f"stays at {db}"


def test_the_demo_needs_a_terminal(tmp_path, capsys):
    from warroom.cli import main

    assert main(["demo", "--db", str(tmp_path / "d.db")]) == 2
    assert "needs a terminal" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()
