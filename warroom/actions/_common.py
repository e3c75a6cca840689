"""What every action shares: the result it returns, and the checks it starts with."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

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


def role_row(store: Store, incident: sqlite3.Row, role: str) -> sqlite3.Row:
    row = store.row("roles", incident_id=incident["id"], role=role)
    if row is None:
        names = ", ".join(r["role"] for r in store.rows("roles", order="rowid",
                                                         incident_id=incident["id"]))
        raise NotFound(f"{incident['key']} has no role {role!r} (roles: {names})")
    return row


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
