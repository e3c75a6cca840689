"""Milestones (time-bound targets with one owner) and blockers, numbered per incident (#1
in each): the number is what people type and read; the id stays internal."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from warroom.actions._common import Done, in_order, item, live_incident
from warroom.clock import Clock, local_hm, utcnow
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.models import Line, Name, Title, valid
from warroom.records import Actor
from warroom.rules import stored


def add_milestone(
    store: Store, actor: Actor, ref: str, *, name: str, owner: str, due_at: datetime,
    clock: Clock = utcnow,
) -> Done:
    """Add a milestone with exactly one owner and a due time."""
    name = valid(Title, name, "milestone")
    owner = valid(Name, owner, "owner")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        milestone_id, number = store.insert_numbered(
            "milestones", incident["id"], name=name, owner=owner, due_at=due_at)
        event = store.journal(actor, now, Kind.MILESTONE_ADDED, incident["id"],
                              milestone_id=milestone_id, number=number, name=name, owner=owner,
                              due_at=due_at)
    return Done(event, incident["key"],
                f"milestone #{number} '{name}' due {local_hm(due_at, now)}, owner {owner}",
                number)


def complete_milestone(
    store: Store, actor: Actor, ref: str, number: int, *, clock: Clock = utcnow
) -> Done:
    """Mark milestone #``number`` of the incident done."""
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        row = item(store, "milestones", incident, number, "milestone")
        if row["done_at"] is not None:
            raise UserError(f"milestone #{number} was already done by {row['done_by']}")
        store.update("milestones", {"id": row["id"]}, done_at=now, done_by=actor.name)
        due = from_db(row["due_at"])
        event = store.journal(actor, now, Kind.MILESTONE_COMPLETED, incident["id"],
                              milestone_id=row["id"], number=number, name=row["name"],
                              owner=row["owner"], due_at=due, late=now > due)
    return Done(event, incident["key"], f"milestone #{number} '{row['name']}' done")


def move_milestone(
    store: Store, actor: Actor, ref: str, number: int, *, due_at: datetime,
    reason: str, owner: str | None = None, clock: Clock = utcnow,
) -> Done:
    """Reschedule a milestone (and optionally give it a new owner); a reason is required."""
    reason = valid(Line, reason, "reason")
    owner = valid(Name, owner, "owner") if owner is not None else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        row = item(store, "milestones", incident, number, "milestone")
        if row["done_at"] is not None:
            raise UserError(f"milestone #{number} is already done")
        values: dict = {"due_at": due_at}
        if owner:
            values["owner"] = owner
        store.update("milestones", {"id": row["id"]}, **values)
        event = store.journal(
            actor, now, Kind.MILESTONE_MOVED, incident["id"], milestone_id=row["id"],
            number=number, name=row["name"], was_due=from_db(row["due_at"]), due_at=due_at,
            reason=reason,
            owner=owner or row["owner"], was_owner=row["owner"],
        )
    return Done(event, incident["key"],
                f"milestone #{number} now due {local_hm(due_at, now)}")


def _give(store: Store, actor: Actor, ref: str, number: int, owner: str, reason: str | None,
          clock: Clock, *, table: str, what: str, done: str, label: str,
          ) -> tuple[int, str, sqlite3.Row, str]:
    """Give open item #``number`` (a milestone or a blocker) to another ``owner``, journaled
    with who had it; returns the event, the incident's key, the item as it was and the owner
    as validated."""
    owner = valid(Name, owner, "owner")
    reason = valid(Line, reason, "reason") if reason else None
    now = clock()
    id_key = f"{what}_id"
    kind = Kind.MILESTONE_REASSIGNED if what == "milestone" else Kind.BLOCKER_REASSIGNED
    with store.write():
        incident = live_incident(store, ref)
        row = item(store, table, incident, number, what)
        in_order(store, incident, now, kind, **{id_key: row["id"]})
        if row[done] is not None:
            raise UserError(f"{what} #{number} is already "
                            f"{'done' if what == 'milestone' else 'cleared'}")
        if row["owner"] == owner:
            raise UserError(f"{what} #{number} is already owned by {owner}")
        store.update(table, {"id": row["id"]}, owner=owner)
        event = store.journal(actor, now, Kind.MILESTONE_REASSIGNED if what == "milestone"
                              else Kind.BLOCKER_REASSIGNED, incident["id"],
                              **{id_key: row["id"]}, number=number, **{label: row[label]},
                              owner=owner, was_owner=row["owner"],
                              **({"reason": reason} if reason else {}))
    return event, incident["key"], row, owner


def reassign_milestone(
    store: Store, actor: Actor, ref: str, number: int, *, owner: str,
    reason: str | None = None, clock: Clock = utcnow,
) -> Done:
    """Give milestone #``number`` to another owner (still exactly one); its due time stays."""
    event, key, row, owner = _give(store, actor, ref, number, owner, reason, clock,
                                   table="milestones", what="milestone", done="done_at",
                                   label="name")
    return Done(event, key, f"milestone #{number} '{row['name']}' now owned by {owner} "
                            f"(was {row['owner']})")


def raise_blocker(
    store: Store, actor: Actor, ref: str, *, what: str, waiting_on: str, owner: str,
    clock: Clock = utcnow,
) -> Done:
    """Record what is blocked, on whom it waits, and who chases it."""
    what = valid(Line, what, "what is blocked")
    waiting_on = valid(Name, waiting_on, "waiting on")
    owner = valid(Name, owner, "owner")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        blocker_id, number = store.insert_numbered(
            "blockers", incident["id"], what=what, waiting_on=waiting_on, owner=owner,
            raised_at=now)
        event = store.journal(actor, now, Kind.BLOCKER_RAISED, incident["id"],
                              blocker_id=blocker_id, number=number, what=what,
                              waiting_on=waiting_on, owner=owner)
    return Done(event, incident["key"], f"blocker #{number} raised: {what}", number)


def clear_blocker(
    store: Store, actor: Actor, ref: str, number: int, *, note: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Clear blocker #``number`` of the incident."""
    note = valid(Line, note, "note") if note else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        row = item(store, "blockers", incident, number, "blocker")
        if row["cleared_at"] is not None:
            raise UserError(f"blocker #{number} was already cleared by {row['cleared_by']}")
        store.update("blockers", {"id": row["id"]}, cleared_at=now, cleared_by=actor.name)
        event = store.journal(actor, now, Kind.BLOCKER_CLEARED, incident["id"],
                              blocker_id=row["id"], number=number, what=row["what"],
                              raised_at=from_db(row["raised_at"]), note=note)
    return Done(event, incident["key"], f"blocker #{number} cleared")


def change_blocker_owner(
    store: Store, actor: Actor, ref: str, number: int, *, owner: str,
    reason: str | None = None, clock: Clock = utcnow,
) -> Done:
    """Give open blocker #``number`` another owner, the one who chases it."""
    event, key, row, owner = _give(store, actor, ref, number, owner, reason, clock,
                                   table="blockers", what="blocker", done="cleared_at",
                                   label="what")
    return Done(event, key, f"blocker #{number} now chased by {owner} (was {row['owner']})")


def meet(store: Store, actor: Actor, incident: sqlite3.Row, now: datetime,
         *fired: str) -> list[int]:
    """Complete the open milestones that the incident's playbook says ``fired`` meets
    (:mod:`warroom.rules.triggers`), inside the caller's transaction: each is journaled as
    completed by the act that met it. Returns their numbers."""
    wanted = stored.parsed(incident["policy"]).get("milestone_triggers") or {}
    met = []
    for row in store.rows("milestones", order="id", incident_id=incident["id"], done_at=None):
        trigger = wanted.get(row["name"])
        if trigger not in fired:
            continue
        store.update("milestones", {"id": row["id"]}, done_at=now, done_by=actor.name)
        due = from_db(row["due_at"])
        store.journal(actor, now, Kind.MILESTONE_COMPLETED, incident["id"],
                      milestone_id=row["id"], number=row["number"], name=row["name"],
                      owner=row["owner"], due_at=due, late=now > due, met_by=trigger)
        met.append(row["number"])
    return met
