"""What the post-incident review records, each as one journal event: follow-ups (with an
owner and a due date, then done), the root cause and the contributing factors, and when the
customer impact began (when it was not given at opening).

Each works on closed incidents too: reviews come after. Follow-ups are numbered per
incident (#1, #2...) in the order they were recorded; ``--done N`` names one by its number.
"""

from __future__ import annotations

from datetime import datetime

from warroom.actions._common import Done
from warroom.clock import Clock, local_stamp, utcnow
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.models import Line, Name, valid
from warroom.records import Actor


def _follow_ups(store: Store, incident_id: int) -> list[dict]:
    """The follow-ups recorded on an incident, in order, each with ``done`` (bool)."""
    items: list[dict] = []
    for row in store.events_after(0, incident_id):
        if row["kind"] == Kind.REVIEW_ACTION:
            items.append({**_payload(row), "done": False})
        elif row["kind"] == Kind.REVIEW_DONE:
            number = _payload(row).get("number")
            if isinstance(number, int) and 0 < number <= len(items):
                items[number - 1]["done"] = True
    return items


def _payload(row) -> dict:
    import json

    return json.loads(row["payload"])


def add_follow_up(
    store: Store, actor: Actor, ref: str, *, text: str, owner: str,
    due: datetime | None = None, clock: Clock = utcnow
) -> Done:
    """Record a follow-up action item for an incident, with its owner and an optional due
    date (not before now). One ``review.action`` event carries its number, the text, the
    owner and the due date; the review lists it with its status."""
    text = valid(Line, text, "action")
    owner = valid(Name, owner, "owner")
    now = clock()
    if due is not None and due < now:
        raise UserError(f"the due date {local_stamp(due)} has passed: a follow-up is due "
                        "from now on")
    with store.write():
        incident = store.find_incident(ref)
        number = len(_follow_ups(store, incident["id"])) + 1
        event = store.journal(actor, now, Kind.REVIEW_ACTION, incident["id"], text=text,
                              owner=owner, number=number,
                              **({"due_at": due} if due is not None else {}))
    when = f", due {local_stamp(due)}" if due is not None else ""
    return Done(event, incident["key"], f"follow-up #{number} recorded on {incident['key']} "
                f"for {owner}{when}: {text}", event)


def complete_follow_up(store: Store, actor: Actor, ref: str, number: int, *,
                       clock: Clock = utcnow) -> Done:
    """Mark follow-up ``number`` of the incident done (``review.done``)."""
    now = clock()
    with store.write():
        incident = store.find_incident(ref)
        items = _follow_ups(store, incident["id"])
        if not 0 < number <= len(items):
            have = (f"it has #1 to #{len(items)}" if items else "it has none: record one "
                    "with --action TEXT --owner NAME")
            raise UserError(f"no follow-up #{number} on {incident['key']}: {have}")
        item = items[number - 1]
        if item["done"]:
            raise UserError(f"follow-up #{number} on {incident['key']} is already done")
        event = store.journal(actor, now, Kind.REVIEW_DONE, incident["id"], number=number,
                              text=item.get("text", ""))
    return Done(event, incident["key"], f"follow-up #{number} on {incident['key']} done: "
                f"{item.get('text', '')}", event)


def record_root_cause(store: Store, actor: Actor, ref: str, *, text: str,
                      clock: Clock = utcnow) -> Done:
    """Record the root cause (``review.root_cause``); a later one replaces it in the review,
    and the journal keeps both."""
    text = valid(Line, text, "root cause")
    now = clock()
    with store.write():
        incident = store.find_incident(ref)
        event = store.journal(actor, now, Kind.REVIEW_ROOT_CAUSE, incident["id"], text=text)
    return Done(event, incident["key"], f"root cause recorded on {incident['key']}: {text}",
                event)


def add_factor(store: Store, actor: Actor, ref: str, *, text: str,
               clock: Clock = utcnow) -> Done:
    """Record one contributing factor (``review.factor``); the review lists them all."""
    text = valid(Line, text, "contributing factor")
    now = clock()
    with store.write():
        incident = store.find_incident(ref)
        event = store.journal(actor, now, Kind.REVIEW_FACTOR, incident["id"], text=text)
    return Done(event, incident["key"],
                f"contributing factor recorded on {incident['key']}: {text}", event)


def set_impact_start(store: Store, actor: Actor, ref: str, at: datetime, *,
                     clock: Clock = utcnow) -> Done:
    """Record (or correct) when the customer impact began (``incident.impact_start``): at
    or before the room opened."""
    now = clock()
    with store.write():
        incident = store.find_incident(ref)
        opened = from_db(incident["opened_at"])
        if at > opened:
            raise UserError(f"the impact start {local_stamp(at)} is after {incident['key']} "
                            f"opened ({local_stamp(opened)}): the room opens on an impact "
                            "already seen")
        was = None
        for row in store.events_after(0, incident["id"]):
            if row["kind"] in (Kind.INCIDENT_OPENED, Kind.IMPACT_START):
                p = _payload(row)
                was = p.get("impact_start") if row["kind"] == Kind.INCIDENT_OPENED else p.get(
                    "at")
        event = store.journal(actor, now, Kind.IMPACT_START, incident["id"], at=at,
                              **({"was": was} if was else {}))
    return Done(event, incident["key"], f"impact start of {incident['key']} recorded: "
                f"{local_stamp(at)}", event)
