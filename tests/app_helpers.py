"""Helpers for the app tests: a staffed incident at a frozen time, and form filling."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Checkbox, Input, Select, TextArea

from warroom import actions
from warroom.app import make_app
from warroom.models import Actor
from warroom.screens.form import FormModal
from warroom.db.store import Store


def who(name: str) -> Actor:
    return Actor(os_user="oncall", display=name)


def open_incident(db, clock, *, title="Checkout failing for EU users", severity="SEV1",
                  customer="Acme", staff=True) -> str:
    with Store(db, create=True) as store:
        key = actions.open_incident(store, who("sam"), title=title, customer=customer,
                                    severity=severity, clock=clock).key
        if staff:
            for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
                actions.claim_role(store, who(name), key, role, clock=clock)
    return key


def act(db, fn, *args, **kw):
    """Run one action against the database from outside the app."""
    with Store(db) as store:
        return fn(store, *args, **kw)


def app_for(db, clock, name="alex", **kw):
    return make_app(str(db), who(name), clock=clock, live=False, **kw)


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


def soon(clock, minutes: int):
    return clock() + timedelta(minutes=minutes)
