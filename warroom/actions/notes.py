"""Notes for the room: a new fact, an observation, a drill inject, in the journal."""

from __future__ import annotations

from warroom.actions._common import Done, live_incident
from warroom.clock import Clock, utcnow
from warroom.db.store import Store
from warroom.journal import Kind
from warroom.models import Body, valid
from warroom.records import Actor


def add_note(store: Store, actor: Actor, ref: str, *, text: str, clock: Clock = utcnow) -> Done:
    """Tell the room something new ("the gateway vendor confirms an outage")."""
    text = valid(Body, text, "note")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        event = store.journal(actor, now, Kind.NOTE_POSTED, incident["id"], text=text)
    return Done(event, incident["key"], "note posted")
