"""What every action shares: the result it returns, and the checks it starts with."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from warroom.db.order import refuse_out_of_order
from warroom.db.store import Store
from warroom.errors import NotFound, UserError
from warroom.records import Stage


@dataclass(frozen=True)
class Done:
    """What an action did: the journal event it wrote and a sentence for the user."""

    event_id: int
    key: str
    message: str
    ref: int | None = None  # the id of what was created (milestone, blocker, request...)
    composed: str | None = None  # the whole message a template composed (status updates)


def live_incident(store: Store, ref: str) -> sqlite3.Row:
    """The incident, refusing changes once it is closed."""
    row = store.find_incident(ref)
    if row["stage"] == Stage.CLOSED.value:
        raise UserError(f"{row['key']} is closed; it can no longer change")
    return row


def role_row(store: Store, incident: sqlite3.Row, role: str,
             at: datetime | None = None) -> sqlite3.Row:
    """The role's row. With ``at`` (when the change happens), a change backfilled before a
    later change to the role is refused first, naming that change: the row holds the later
    state, which the checks that follow must not be made against."""
    row = store.row("roles", incident_id=incident["id"], role=role)
    if row is None:
        names = ", ".join(r["role"] for r in store.rows("roles", order="rowid",
                                                         incident_id=incident["id"]))
        raise NotFound(f"{incident['key']} has no role {role!r} (roles: {names})")
    if at is not None:
        in_order(store, incident, at, "role.claimed", role=role)
    return row


def in_order(store: Store, incident: sqlite3.Row, at: datetime, kind: str, **payload) -> None:
    """Refuse a change of ``kind`` backfilled to ``at`` before a later change to what it
    touches (:mod:`warroom.rules.backfill`), before any check made against the state
    stored now, which is the later one."""
    refuse_out_of_order(store.conn, incident["key"], incident["id"], at, kind, payload)


def held_roles(store: Store, incident_id: int, person: str) -> list[str]:
    return [r["role"] for r in store.rows("roles", order="rowid", incident_id=incident_id,
                                          holder=person)]


def item(store: Store, table: str, incident: sqlite3.Row, number: int, what: str) -> sqlite3.Row:
    """Milestone, blocker or approval request #``number`` of the incident (numbers count
    from 1 in each incident)."""
    row = store.row(table, number=number, incident_id=incident["id"])
    if row is None:
        raise NotFound(f"{incident['key']} has no {what} #{number}")
    return row
