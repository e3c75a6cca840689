"""The order of the journal: an event recorded as happening before a later change to what it
touches is refused (the rule is :mod:`warroom.rules.backfill`; this is its query)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from warroom.clock import STATED, local_stamp
from warroom.errors import UserError
from warroom.journal import BACKFILL_GRACE, describe
from warroom.records import Event
from warroom.rules.backfill import conflicts


def _stored(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")  # as stored


def refuse_out_of_order(conn: sqlite3.Connection, key: str, incident_id: int, at: datetime,
                        kind: str, payload: dict[str, Any]) -> None:
    """Raise when an event of ``kind`` at ``at`` would precede a later event of the incident
    that touches the same role, item, audience, stage or field: the action's checks were
    made against a state that did not exist yet at ``at``. Events in order (the usual case)
    find nothing later, through the ``(incident_id, at, id)`` index.

    For an action at the time it runs, later means later by more than
    :data:`~warroom.journal.BACKFILL_GRACE`: two people acting at once each take the time
    before waiting for the write lock, so the one who waited writes a time a moment before
    the other's, and is checked against the state the lock shows, as ever. A time the user
    stated (:data:`warroom.clock.STATED`) gets no grace: any later change refuses it."""
    grace = timedelta() if STATED.get() else BACKFILL_GRACE
    rows = conn.execute(
        "SELECT id, at, os_user, display_name, kind, payload FROM events "
        "WHERE incident_id = ? AND at > ? ORDER BY at, id", (incident_id, _stored(at + grace)))
    for later in rows:
        later_payload = json.loads(later["payload"] or "{}")
        if not conflicts(kind, payload, later["kind"], later_payload):
            continue
        when = datetime.fromisoformat(later["at"])
        said = describe(Event(later["id"], incident_id, when, later["os_user"], later["kind"],
                              display_name=later["display_name"], payload=later_payload))
        raise UserError(f"{key}: cannot record this as happening at {local_stamp(at)}: "
                        f"after that, at {local_stamp(when)}, {said}; record it as "
                        f"happening after {local_stamp(when)}")
