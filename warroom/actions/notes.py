"""Notes for the room: a new fact, an observation, a drill inject, a decision, in the journal."""

from __future__ import annotations

from warroom.actions._common import Done, live_incident
from warroom.clock import Clock, utcnow
from warroom.db.store import Store
from warroom.journal import Kind
from warroom.models import Body, valid
from warroom.records import Actor


def add_note(store: Store, actor: Actor, ref: str, *, text: str, decision: bool = False,
             clock: Clock = utcnow) -> Done:
    """Tell the room something new ("the gateway vendor confirms an outage"), or record a
    decision it took (``decision``: marked in the timeline, listed in the review)."""
    text = valid(Body, text, "note")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        extra = {"decision": True} if decision else {}
        event = store.journal(actor, now, Kind.NOTE_POSTED, incident["id"], text=text, **extra)
    return Done(event, incident["key"], "decision recorded" if decision else "note posted")
