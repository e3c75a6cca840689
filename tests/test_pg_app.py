"""The dashboard on a PostgreSQL room: two dashboards on two "hosts" (two processes, one through
a plain URL, one through a failover-aware multi-host URL) see each other's changes, and a
server restart in the middle of a form loses nothing typed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from app_helpers import fill, open_incident, until, who

from warroom import actions
from warroom.app import make_app
from warroom.db import queries
from warroom.db.store import open_store
from warroom.screens.form import FormModal
from warroom.widgets.pane import LinesPane

pytestmark = pytest.mark.anyio

VIEWER = textwrap.dedent("""
    import sys
    from warroom.app import make_app
    from warroom.records import Actor
    make_app(sys.argv[1], Actor(os_user="oncall", display="bea")).run(headless=True)
""")


@pytest.fixture
def room(pg_server, clock):
    url = pg_server.fresh()
    open_incident(url, clock, staff=False)
    yield url
    pg_server.drop(url)


def _painted(trace, event_id: int) -> bool:
    try:
        return any(line.split()[0] == str(event_id) for line in trace.read_text().splitlines())
    except FileNotFoundError:
        return False


async def test_two_dashboards_on_two_hosts_see_each_others_changes(pg_server, room, tmp_path):
    second_host = (f"postgresql://warroom@127.0.0.1:1,127.0.0.1:{pg_server.port}/"
                   f"{room.rsplit('/', 1)[1]}?target_session_attrs=read-write")
    trace = tmp_path / "trace"
    viewer = subprocess.Popen(
        [sys.executable, "-c", VIEWER, second_host], env=os.environ | {
            "WARROOM_TRACE": str(trace)}, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    app = make_app(room, who("alex"), live=True, cursor_blink=False)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            roles = app.screen.query_one("#roles", LinesPane)
            deadline = time.monotonic() + 30
            while not _painted(trace, 0) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert _painted(trace, 0), "the second host's dashboard did not start"
            # the second host writes (its CLI, through the multi-host URL): the first shows it
            subprocess.run([sys.executable, "-m", "warroom", "--db", second_host, "claim",
                            "INC-1001", "comms", "--as", "bea"], check=True,
                           capture_output=True)
            assert await until(pilot, lambda: "Communications owner bea" in roles.plain)
            # the first host acts: the second host's dashboard paints that event
            done = actions.claim_role(app.store, who("alex"), "INC-1001", "lead")
            app.db_changed()
            deadline = time.monotonic() + 15
            while not _painted(trace, done.event_id) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert _painted(trace, done.event_id), "the second host never painted the claim"
    finally:
        viewer.terminate()
        viewer.wait(10)


async def test_a_server_restart_mid_form_loses_nothing_typed(pg_server, room):
    app = make_app(room, who("alex"), live=True, cursor_blink=False)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        pg_server.down()
        try:
            assert await until(pilot, lambda: "lost the server" in app.footer_note, 20)
            await fill(pilot, text="rolled back deploy 412 at 14:05")
            assert app.screen is form, "the form closed while the server was away"
            error = str(form.query_one("#form-error").render())
            assert "PostgreSQL server" in error or "cannot connect" in error
            assert form.query_one("#field-text").text == "rolled back deploy 412 at 14:05"
        finally:
            pg_server.up()
        assert await until(pilot, lambda: app.footer_note == "", 30)
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: app.screen is not form)
    with open_store(room) as store:
        notes = [e for e in queries.events_after(store, 0) if e.kind == "note.posted"]
    assert [e.payload["text"] for e in notes] == ["rolled back deploy 412 at 14:05"]
