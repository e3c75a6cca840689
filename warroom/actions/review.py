"""Follow-ups from the post-incident review: recorded in the journal, with an owner."""

from __future__ import annotations

from warroom.actions._common import Done
from warroom.clock import Clock, utcnow
from warroom.db.store import Store
from warroom.journal import Kind
from warroom.models import Line, Name, valid
from warroom.records import Actor


def add_follow_up(
    store: Store, actor: Actor, ref: str, *, text: str, owner: str, clock: Clock = utcnow
) -> Done:
    """Record a follow-up action item for an incident (closed ones too: reviews come after).

    One ``review.action`` event carries the text and the owner; the review lists it.
    """
    text = valid(Line, text, "action")
    owner = valid(Name, owner, "owner")
    now = clock()
    with store.write():
        incident = store.find_incident(ref)
        event = store.journal(actor, now, Kind.REVIEW_ACTION, incident["id"], text=text,
                              owner=owner)
    return Done(event, incident["key"],
                f"follow-up recorded on {incident['key']} for {owner}: {text}", event)
