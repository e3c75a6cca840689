"""Helpers for the app tests: a staffed incident at a frozen time, form filling, and waiting
on state rather than on time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from textual.widgets import Checkbox, Input, Select, Static, TextArea

from warroom import actions
from warroom.app import make_app
from warroom.db import queries
from warroom.db.store import open_store
from warroom.records import Actor
from warroom.screens.form import FormModal
from warroom.widgets.pane import LinesPane


def who(name: str) -> Actor:
    return Actor(os_user="oncall", display=name)


def open_incident(db, clock, *, title="Checkout failing for EU users", severity="SEV1",
                  customer="Acme", staff=True) -> str:
    with open_store(db, create=True) as store:
        key = actions.open_incident(store, who("sam"), title=title, customer=customer,
                                    severity=severity, clock=clock).key
        if staff:
            for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
                actions.claim_role(store, who(name), key, role, clock=clock)
    return key


def act(db, fn, *args, **kw):
    """Run one action against the database from outside the app."""
    with open_store(db) as store:
        return fn(store, *args, **kw)


def app_for(db, clock, name="alex", **kw):
    """The app as a test drives it: no change feed, and cursors that never blink (a
    snapshot taken on a loaded machine must not catch a cursor mid-blink)."""
    return make_app(str(db), who(name), clock=clock, live=False, cursor_blink=False, **kw)


async def fill(pilot, submit=True, **values) -> FormModal:
    """Set the open form's fields by name, then submit it with ctrl+s."""
    modal = pilot.app.screen
    assert isinstance(modal, FormModal), f"no form open: {modal!r}"
    for name, value in values.items():
        widget = modal.query_one(f"#field-{name}")
        if isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, (Select, Input)):
            widget.value = value
        await pilot.pause()
    if submit:
        await pilot.press("ctrl+s")
        await pilot.pause()
    return modal


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0) -> bool:
    """Pause in short steps until ``condition()`` holds; False if it still does not after
    ``timeout`` seconds. For state that settles on its own schedule (a worker, a refresh,
    the command palette's search): a fixed wait is too short on a loaded machine.

    It always pauses once before the first check, so messages already queued are handled.
    """
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause(0.02)
        if condition():
            return True
        if time.monotonic() > deadline:
            return False


def soon(clock, minutes: int):
    return clock() + timedelta(minutes=minutes)


def view(db, key="INC-1001"):
    """The incident's state as the database has it now."""
    with open_store(db) as store:
        return queries.incident_view(store, key)


def count(db) -> int:
    """How many events the journal holds (a refusal must not add one)."""
    with open_store(db) as store:
        return store.last_event_id()


def pane(app, name) -> str:
    """What a dashboard pane says, as plain text."""
    return app.screen.query_one(f"#{name}", LinesPane).plain


def form_error(app) -> str:
    """The error the open form shows beside its fields."""
    return str(app.screen.query_one("#form-error", Static).render())
