"""Approval requests for risky changes, and the votes on them.

The rule applied (approvals needed, eligible roles or people, decider required, expiry) is
copied onto the request and into the journal when it is made, so a later policy change
never alters a request already open.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from warroom.actions._common import Done, held_roles, item, live_incident, policy_of
from warroom.clock import Clock, span, utcnow
from warroom.errors import UserError
from warroom.models import Actor, Body, Line, Name, Risk, valid
from warroom.store import Store, from_db


def request_approval(
    store: Store,
    actor: Actor,
    ref: str,
    *,
    change: str,
    risk: Risk | str,
    rationale: str,
    fallback: str | None = None,
    kind: str = "change",
    needed: int | None = None,
    eligible: list[str] | None = None,
    decider_required: bool | None = None,
    expires_at: datetime | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Ask for approval of a change. Unset fields come from the incident's policy for the
    risk; ``eligible`` names roles (``decider``) or people (anything not a role)."""
    change = valid(Line, change, "change")
    risk = risk if isinstance(risk, Risk) else Risk.parse(risk)
    rationale = valid(Body, rationale, "rationale")
    kind = valid(Name, kind, "kind")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        rule = policy_of(incident).rule_for(risk)
        fallback = valid(Body, fallback, "fallback") if fallback else None
        if fallback is None and rule.fallback_required:
            raise UserError(f"a {risk.value}-risk change needs a fallback plan")
        needed = rule.needed if needed is None else needed
        if not isinstance(needed, int) or not 1 <= needed <= 10:
            raise UserError("approvals needed must be from 1 to 10")
        needed = max(needed, rule.needed)
        roles = {r["role"] for r in store.rows("roles", order="rowid", incident_id=incident["id"])}
        names = [valid(Name, e, "eligible") for e in (eligible or [])]
        eligible_roles = [n.lower() for n in names if n.lower() in roles] if names else list(
            rule.eligible_roles)
        eligible_people = [n for n in names if n.lower() not in roles]
        required = rule.decider_required if decider_required is None else (
            decider_required or rule.decider_required)
        if expires_at is None:
            expires_at = now + timedelta(minutes=rule.expires_minutes)
        if expires_at <= now:
            raise UserError("the expiry must be in the future")
        request_id = store.insert(
            "approvals", incident_id=incident["id"], change=change, kind=kind, risk=risk,
            rationale=rationale, fallback=fallback, needed=needed,
            eligible_roles=eligible_roles, eligible_people=eligible_people,
            decider_required=required, requester=actor.name, requested_at=now,
            expires_at=expires_at, status="pending",
        )
        event = store.journal(
            actor, now, "approval.requested", incident["id"], approval_id=request_id,
            change=change, kind=kind, risk=risk, rationale=rationale, fallback=fallback,
            needed=needed, eligible_roles=eligible_roles, eligible_people=eligible_people,
            decider_required=required, expires_at=expires_at,
            policy=policy_of(incident).name,
        )
    return Done(event, incident["key"],
                f"approval #{request_id} requested: {change} ({risk.value} risk, needs {needed}"
                f"{', decider among them' if required else ''})", request_id)


def _pending(store: Store, incident: sqlite3.Row, request_id: int, now: datetime) -> sqlite3.Row:
    row = item(store, "approvals", incident, request_id, "approval request")
    if row["status"] != "pending":
        raise UserError(f"approval #{request_id} is already {row['status']}")
    if now >= from_db(row["expires_at"]):
        raise UserError(f"approval #{request_id} expired {span(now - from_db(row['expires_at']))}"
                        " ago; request it again")
    return row


def _eligible_roles(store: Store, incident: sqlite3.Row, row: sqlite3.Row, me: str) -> list[str]:
    """The roles through which ``me`` may vote, or a refusal naming who may."""
    mine = held_roles(store, incident["id"], me)
    roles = json.loads(row["eligible_roles"])
    people = json.loads(row["eligible_people"])
    through = [r for r in mine if r in roles]
    if not through and me not in people:
        who = ", ".join([f"the {r}" for r in roles] + people) or "nobody"
        raise UserError(f"you are not eligible to decide approval #{row['id']} (eligible: {who})")
    return mine


def approve(
    store: Store, actor: Actor, ref: str, request_id: int, *, clock: Clock = utcnow
) -> Done:
    """Approve a pending request. It is granted once enough eligible people approved, with
    the decider among them when the rule requires."""
    now = clock()
    me = actor.name
    with store.write():
        incident = live_incident(store, ref)
        row = _pending(store, incident, request_id, now)
        if row["requester"] == me:
            raise UserError(f"you requested approval #{request_id}; someone else must approve it")
        mine = _eligible_roles(store, incident, row, me)
        if store.row("votes", approval_id=request_id, voter=me) is not None:
            raise UserError(f"you already approved #{request_id}")
        store.insert("votes", approval_id=request_id, voter=me, decision="approve", roles=mine,
                     at=now)
        votes = store.rows("votes", approval_id=request_id, decision="approve")
        count = len(votes)
        has_decider = any("decider" in json.loads(v["roles"]) for v in votes)
        granted = count >= row["needed"] and (has_decider or not row["decider_required"])
        if granted:
            store.update("approvals", {"id": request_id}, status="approved", decided_at=now)
        event = store.journal(
            actor, now, "approval.approved", incident["id"], approval_id=request_id,
            change=row["change"], roles=mine, count=count, needed=row["needed"],
            granted=granted, requested_at=from_db(row["requested_at"]),
        )
    if granted:
        message = f"approval #{request_id} granted ({count} of {row['needed']})"
    elif count >= row["needed"]:
        message = f"approval #{request_id}: {count} of {row['needed']}, still needs the decider"
    else:
        message = f"approval #{request_id}: {count} of {row['needed']} approvals"
    return Done(event, incident["key"], message)


def reject(
    store: Store, actor: Actor, ref: str, request_id: int, *, reason: str,
    clock: Clock = utcnow,
) -> Done:
    """Reject a pending request, with a reason; one eligible rejection ends it."""
    reason = valid(Line, reason, "reason")
    now = clock()
    me = actor.name
    with store.write():
        incident = live_incident(store, ref)
        row = _pending(store, incident, request_id, now)
        mine = _eligible_roles(store, incident, row, me)
        if store.row("votes", approval_id=request_id, voter=me) is not None:
            raise UserError(f"you already voted on #{request_id}")
        store.insert("votes", approval_id=request_id, voter=me, decision="reject", roles=mine,
                     reason=reason, at=now)
        store.update("approvals", {"id": request_id}, status="rejected", decided_at=now)
        event = store.journal(
            actor, now, "approval.rejected", incident["id"], approval_id=request_id,
            change=row["change"], roles=mine, reason=reason,
            requested_at=from_db(row["requested_at"]),
        )
    return Done(event, incident["key"], f"approval #{request_id} rejected")


def withdraw(
    store: Store, actor: Actor, ref: str, request_id: int, *, clock: Clock = utcnow
) -> Done:
    """Withdraw your own pending request."""
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        row = item(store, "approvals", incident, request_id, "approval request")
        if row["status"] != "pending":
            raise UserError(f"approval #{request_id} is already {row['status']}")
        if row["requester"] != actor.name:
            raise UserError(f"only {row['requester']} (who asked) can withdraw #{request_id}")
        store.update("approvals", {"id": request_id}, status="withdrawn", decided_at=now)
        event = store.journal(actor, now, "approval.withdrawn", incident["id"],
                              approval_id=request_id, change=row["change"])
    return Done(event, incident["key"], f"approval #{request_id} withdrawn")
