"""A change committed by another process appears on a running dashboard without a keypress."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from app_helpers import act, open_incident, until, who

from warroom import actions
from warroom.app import make_app
from warroom.widgets.pane import LinesPane
from warroom.widgets.timeline import Timeline

pytestmark = pytest.mark.anyio


async def test_another_process_writes_and_the_app_shows_it(tmp_path, clock):
    db = tmp_path / "live.db"
    open_incident(db, clock, staff=False)
    app = make_app(str(db), who("alex"), live=True, cursor_blink=False)
    async with app.run_test(size=(120, 35)) as pilot:
        roles = app.screen.query_one("#roles", LinesPane)
        assert "Communications owner VACANT" in roles.plain
        subprocess.run(
            [sys.executable, "-m", "warroom", "claim", "INC-1001", "comms", "--as", "zoe",
             "--db", str(db)], check=True, capture_output=True, env=os.environ)
        # up to 10 s; the budget is tens of milliseconds
        await until(pilot, lambda: "Communications owner zoe" in roles.plain)
        assert "Communications owner zoe" in roles.plain
        timeline = app.screen.query_one(Timeline).plain_lines
        assert "zoe took Communications owner (was vacant)" in timeline[0]  # never the id


async def test_a_change_of_one_kind_updates_every_pane_it_affects(tmp_path, clock):
    """Claims end vacancies: the roles pane and the header's alarm count both follow."""
    db = tmp_path / "live.db"
    open_incident(db, clock, staff=False)
    app = make_app(str(db), who("alex"), clock=clock, live=False,
                   cursor_blink=False)
    async with app.run_test(size=(120, 35)) as pilot:
        header = app.screen.query_one("#header", LinesPane)
        assert "3 ALARMS" in header.plain
        for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
            act(db, actions.claim_role, who(name), "INC-1001", role, clock=clock)
        app.db_changed()
        await pilot.pause()
        app.screen.tick()
        assert "ALARM" not in header.plain
