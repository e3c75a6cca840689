"""Reading: the current state of an incident as a view model, the incident list, the journal.

Each function reads in one snapshot, so a view never mixes two moments.
"""

from __future__ import annotations

import json
import sqlite3

from warroom.actions._common import find_incident, policy_of
from warroom.models import (
    ROLE_TITLES, ApprovalRequest, Blocker, Dispute, Event, Handover, Incident, IncidentSummary,
    IncidentView, Milestone, RoleSlot, Severity, StatusUpdate, Vote,
)
from warroom.store import Store


def _incident(row: sqlite3.Row) -> Incident:
    fields = {k: row[k] for k in row.keys() if k in Incident.model_fields}
    fields["drill"] = bool(row["drill"])
    return Incident.model_validate(fields)


def _model(model, row: sqlite3.Row, **extra):
    fields = {k: row[k] for k in row.keys() if k in model.model_fields}
    fields.update(extra)
    return model.model_validate(fields)


def _update(row: sqlite3.Row | None) -> StatusUpdate | None:
    return None if row is None else _model(StatusUpdate, row)


def incident_view(store: Store, ref: str) -> IncidentView:
    """The whole current state of one incident, ready for a UI or ``show --json``."""
    with store.read():
        row = find_incident(store, ref)
        iid = row["id"]
        policy = policy_of(row)
        roles = [
            _model(RoleSlot, r, title=ROLE_TITLES.get(r["role"], r["role"].replace("_", " ")
                                                       .capitalize()))
            for r in store.rows("roles", order="rowid", incident_id=iid)
        ]
        votes = store.votes_for(iid)
        approvals = [
            _model(
                ApprovalRequest, r,
                eligible_roles=json.loads(r["eligible_roles"]),
                eligible_people=json.loads(r["eligible_people"]),
                decider_required=bool(r["decider_required"]),
                fallback=r["fallback"] or "",
                votes=[_model(Vote, v, roles=json.loads(v["roles"] or "[]"))
                       for v in votes.get(r["id"], [])],
            )
            for r in store.rows("approvals", incident_id=iid)
        ]
        cadence = policy.cadence_for(Severity(row["severity"]))
        return IncidentView(
            incident=_incident(row),
            roles=roles,
            disputes=[_model(Dispute, r) for r in store.rows("disputes", incident_id=iid,
                                                             settled_at=None)],
            handovers=[_model(Handover, r) for r in store.rows("handovers", incident_id=iid,
                                                               status="offered")],
            milestones=[_model(Milestone, r) for r in store.rows(
                "milestones", order="due_at", incident_id=iid)],
            blockers=[_model(Blocker, r) for r in store.rows("blockers", incident_id=iid,
                                                             cleared_at=None)],
            approvals=approvals,
            last_customer_update=_update(store.last_update(iid, "customer")),
            last_internal_update=_update(store.last_update(iid, "internal")),
            cadence_minutes={"customer": cadence.customer, "internal": cadence.internal},
            stage_definitions={s.value: d for s, d in policy.stages.items()},
            last_event_id=store.last_event_id(),
        )


def list_incidents(store: Store, include_closed: bool = True) -> list[IncidentSummary]:
    """Every incident, oldest first, with its vacant roles and open disputes."""
    with store.read():
        vacant = store.vacant_counts()
        disputes = store.open_dispute_counts()
        return [
            IncidentSummary(
                id=r["id"], key=r["key"], title=r["title"], customer=r["customer"],
                severity=r["severity"], stage=r["stage"], drill=bool(r["drill"]),
                opened_at=r["opened_at"], vacant_roles=vacant.get(r["id"], []),
                open_disputes=disputes.get(r["id"], 0),
            )
            for r in store.incidents(include_closed)
        ]


def to_event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"], incident_id=row["incident_id"], incident_key=row["incident_key"],
        at=row["at"], os_user=row["os_user"], display_name=row["display_name"],
        kind=row["kind"], payload=json.loads(row["payload"]),
    )


def events_after(
    store: Store, after_id: int = 0, ref: str | None = None, limit: int | None = None
) -> list[Event]:
    """Journal events after ``after_id`` (oldest first), for one incident or all."""
    with store.read():
        incident_id = find_incident(store, ref)["id"] if ref else None
        return [to_event(r) for r in store.events_after(after_id, incident_id, limit)]


def events_before(store: Store, before_id: int, ref: str | None, limit: int) -> list[Event]:
    """Up to ``limit`` events older than ``before_id``, newest first: paging back."""
    with store.read():
        incident_id = find_incident(store, ref)["id"] if ref else None
        return [to_event(r) for r in store.events_before(before_id, incident_id, limit)]
