"""Reading: the current state of an incident as a view model, the incident list, the journal.

Each function reads in one snapshot, so a view never mixes two moments. The records are
plain dataclasses (warroom.records): rows come from our own database, validated when they
were written, so reading converts types and validates nothing.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import typing
from datetime import datetime
from enum import Enum
from functools import cache

from warroom.db.store import Store, from_db
from warroom.records import (
    ApprovalRequest,
    Blocker,
    Dispute,
    Event,
    Handover,
    Incident,
    IncidentSummary,
    IncidentView,
    Milestone,
    RoleSlot,
    Statement,
    StatusUpdate,
    Vote,
    role_title,
)
from warroom.rules import stored
from warroom.text import displayed


@cache
def _converters(cls) -> dict[str, object]:
    """Per field of a record, how to turn its column into the field's type."""
    hints = typing.get_type_hints(cls)
    out: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        kinds = [k for k in typing.get_args(hints[f.name]) or [hints[f.name]] if k is not
                 type(None)]
        kind = kinds[0] if kinds else None
        if kind is datetime:
            out[f.name] = from_db
        elif kind is bool:
            out[f.name] = bool
        elif isinstance(kind, type) and issubclass(kind, Enum):
            out[f.name] = kind
        else:
            out[f.name] = None
    return out


def _record(cls, row: sqlite3.Row, **extra):
    """A record from a row: the columns it has, converted; ``extra`` given as is."""
    values = dict(extra)
    columns = row.keys()
    for name, convert in _converters(cls).items():
        if name in values or name not in columns:
            continue
        value = displayed(row[name])
        values[name] = convert(value) if convert is not None and value is not None else value
    return cls(**values)


def _update(row: sqlite3.Row | None) -> StatusUpdate | None:
    return None if row is None else _record(StatusUpdate, row)


def _approval(r: sqlite3.Row, votes: list[sqlite3.Row]) -> ApprovalRequest:
    return _record(
        ApprovalRequest, r,
        eligible_roles=json.loads(r["eligible_roles"]),
        eligible_people=json.loads(r["eligible_people"]),
        fallback=r["fallback"] or "",
        votes=[_record(Vote, v, roles=json.loads(v["roles"] or "[]")) for v in votes],
        statement=Statement(**json.loads(r["statement"])) if r["statement"] else None,
    )


def incident_view(store: Store, ref: str) -> IncidentView:
    """The whole current state of one incident, ready for a UI or ``show --json``."""
    with store.read():
        row = store.find_incident(ref)
        iid = row["id"]
        policy = stored.facts(row["policy"], row["severity"])
        cadence, stages = policy.cadence, policy.stages
        titles = stored.parsed(row["policy"]).get("titles") or {}  # the playbook's names
        votes = store.votes_for(iid)
        return IncidentView(
            incident=_record(Incident, row,
                             customers=tuple(json.loads(row["customers"] or "[]"))),
            roles=[_record(RoleSlot, r,
                           title=displayed(titles.get(r["role"]) or role_title(r["role"])))
                   for r in store.rows("roles", order="rowid", incident_id=iid)],
            disputes=[_record(Dispute, r) for r in store.rows("disputes", incident_id=iid,
                                                              settled_at=None)],
            handovers=[_record(Handover, r) for r in store.rows("handovers", incident_id=iid,
                                                                status="offered")],
            milestones=[_record(Milestone, r) for r in store.rows(
                "milestones", order="due_at", incident_id=iid)],
            blockers=[_record(Blocker, r) for r in store.rows("blockers", incident_id=iid,
                                                              cleared_at=None)],
            approvals=[_approval(r, votes.get(r["id"], []))
                       for r in store.rows("approvals", incident_id=iid)],
            last_customer_update=_update(store.last_update(iid, "customer")),
            last_internal_update=_update(store.last_update(iid, "internal")),
            cadence_minutes=cadence,
            stage_definitions=stages,
            comms_stand_in=policy.comms_stand_in,
            internal_updates=policy.internal_updates,
            last_event_id=store.last_event_id(),
        )


def list_incidents(store: Store, include_closed: bool = True) -> list[IncidentSummary]:
    """Every incident, oldest first, with its vacant roles and open disputes."""
    with store.read():
        vacant = store.vacant_counts()
        disputes = store.open_dispute_counts()
        return [
            _record(IncidentSummary, r, vacant_roles=vacant.get(r["id"], []),
                    open_disputes=disputes.get(r["id"], 0))
            for r in store.incidents(include_closed)
        ]


def to_event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"], incident_id=row["incident_id"], incident_key=row["incident_key"],
        at=from_db(row["at"]), os_user=displayed(row["os_user"]),
        display_name=displayed(row["display_name"]), kind=row["kind"],
        payload=displayed(json.loads(row["payload"])),
        recorded_at=from_db(row["recorded_at"]),
    )


def events_after(
    store: Store, after_id: int = 0, ref: str | None = None, limit: int | None = None
) -> list[Event]:
    """Journal events after ``after_id`` (oldest first), for one incident or all."""
    with store.read():
        incident_id = store.find_incident(ref)["id"] if ref else None
        return [to_event(r) for r in store.events_after(after_id, incident_id, limit)]


def events_before(store: Store, before_id: int, ref: str | None, limit: int) -> list[Event]:
    """Up to ``limit`` events older than ``before_id``, newest first: paging back."""
    with store.read():
        incident_id = store.find_incident(ref)["id"] if ref else None
        return [to_event(r) for r in store.events_before(before_id, incident_id, limit)]


def journal_break(store: Store, ref: str):
    """The first of an incident's journal events that was altered after it was written
    (:func:`warroom.db.chain.check_incident`), or None."""
    from warroom.db import chain

    with store.read():
        return chain.check_incident(store.conn, store.find_incident(ref)["id"])


def chain_head(store: Store) -> tuple[int, str | None]:
    """The last event's id and hash: where a dashboard starts checking new events."""
    with store.read():
        row = store.conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"
                                 ).fetchone()
    return (0, None) if row is None else (row[0], row[1])


def events_checked(store: Store, after_id: int, chain_at: tuple[int, str | None] | None
                   ) -> tuple[list[Event], tuple[int, str | None, object] | None]:
    """The events after ``after_id`` (as :func:`events_after`) and, unless ``chain_at`` is
    None, the hash chain checked over them from ``(id, hash)`` last checked
    (:func:`warroom.db.chain.walk`): one read of the new rows for both, a viewer's path for
    every commit."""
    from warroom.db import chain

    with store.read():
        rows = store.events_after(after_id)
        checked = None
        if chain_at is not None:
            last, prev = chain_at
            checked = (chain.walk(rows, last, prev) if last == after_id
                       else chain.step(store.conn, last, prev))
    return [to_event(r) for r in rows], checked


def known_names(store: Store) -> list[str]:
    """The names people already go by in this database: role holders, claimants, handover
    parties, approval requesters and voters (the spellings actions compare against)."""
    with store.read():
        rows = store.conn.execute(
            "SELECT holder FROM roles UNION SELECT claimant FROM disputes "
            "UNION SELECT from_person FROM handovers UNION SELECT to_person FROM handovers "
            "UNION SELECT requester FROM approvals UNION SELECT voter FROM votes").fetchall()
    return sorted(r[0] for r in rows if r[0])


def all_blockers(store: Store, ref: str) -> list[Blocker]:
    """Every blocker of one incident, cleared ones too, by number (the view holds the open
    ones only): the blockers pane's drill-down."""
    with store.read():
        iid = store.find_incident(ref)["id"]
        return [_record(Blocker, r) for r in store.rows("blockers", order="id", incident_id=iid)]


def role_titles(store: Store) -> dict[int, dict[str, str]]:
    """Each incident's playbook names for its roles (incident id -> role -> name), for
    wording the journal as people read it."""
    with store.read():
        rows = store.conn.execute("SELECT id, policy FROM incidents").fetchall()
    return {r["id"]: stored.parsed(r["policy"]).get("titles") or {} for r in rows}


def still_there(store: Store, event_id: int, digest: str | None) -> bool:
    """Whether the journal still holds event ``event_id`` with hash ``digest`` (the last one
    a viewer checked): not after ``warroom restore`` put an older journal in its place."""
    if not event_id:
        return True
    with store.read():
        row = store.conn.execute("SELECT hash FROM events WHERE id = ?", (event_id,)).fetchone()
    return row is not None and row[0] == digest
