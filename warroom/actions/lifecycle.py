"""Resolving with what is still open, the final customer update, and reopening.

Resolving an incident (``resolve``, or ``advance_stage`` to resolved) first lists what is
still open: blockers not cleared, milestones not done, approval requests pending (not yet
expired), handovers offered and disputes unsettled. With something open the user says what
becomes of it:

- ``close``: each is closed and journaled as its own event, in the resolving transaction:
  a blocker is cleared, a pending approval request withdrawn, an offered handover
  withdrawn, a dispute settled for the holder (the role does not move), each with the
  reason "closed at resolution". A milestone has no closed state: it stays not done and
  counts as not met; the resolution event lists it as dropped.
- ``carry``: all stay open; the resolution event lists them, and the review shows them as
  open at resolution.

Without either, resolving is refused in one line naming the open items and both options.

Resolving also needs a final customer update: the last customer update must be no older
than the incident's customer cadence (the minutes its policy sets for its severity) when it
resolves. Otherwise a reason for going without one is required, and journaled.

Reopening a resolved incident (with a reason) takes it back to investigating: alarms and
update cadences run again from then, and the next resolution is the one time to resolution
is measured to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.actions._common import Done, in_order, live_incident
from warroom.clock import Clock, utcnow
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.models import Line, valid
from warroom.records import Actor, ApprovalStatus, HandoverStatus, Severity, Stage
from warroom.rules import stored
from warroom.rules.policy import policy_of

CLOSE, CARRY = "close", "carry"
AT_RESOLUTION = "closed at resolution"
REOPENED_TO = Stage.INVESTIGATING


@dataclass(frozen=True)
class OpenItem:
    """One thing still open: its sort, how people name it (#3, or a role), what it is."""

    sort: str  # blocker, milestone, approval, handover, dispute
    name: str
    what: str
    row: sqlite3.Row


SORTS = ("blocker", "milestone", "approval", "handover", "dispute")


def open_items(store: Store, incident: sqlite3.Row, now: datetime,
               fired: list[str] = ()) -> list[OpenItem]:  # type: ignore[assignment]
    """What is still open on the incident, in the order of ``SORTS`` (a milestone that
    what ``fired`` meets, say the resolution itself, is not open)."""
    iid = incident["id"]
    wanted = stored.parsed(incident["policy"]).get("milestone_triggers") or {}
    items = [OpenItem("blocker", f"#{r['number']}", r["what"], r)
             for r in store.rows("blockers", incident_id=iid, cleared_at=None)]
    items += [OpenItem("milestone", f"#{r['number']}", r["name"], r)
              for r in store.rows("milestones", incident_id=iid, done_at=None)
              if wanted.get(r["name"]) not in fired]
    items += [OpenItem("approval", f"#{r['number']}", r["change"], r)
              for r in store.rows("approvals", incident_id=iid, status=ApprovalStatus.PENDING)
              if r["expires_at"] is None or from_db(r["expires_at"]) > now]
    items += [OpenItem("handover", r["role"], f"{r['from_person']} to {r['to_person']}", r)
              for r in store.rows("handovers", incident_id=iid, status=HandoverStatus.OFFERED)]
    items += [OpenItem("dispute", r["role"], f"{r['claimant']} against {r['holder']}", r)
              for r in store.rows("disputes", incident_id=iid, settled_at=None)]
    return items


def counted(items: list[OpenItem]) -> str:
    """``2 blockers (#1, #3), 1 handover (comms)``."""
    parts = []
    for sort in SORTS:
        names = [i.name for i in items if i.sort == sort]
        if names:
            plural = "s" if len(names) > 1 else ""
            parts.append(f"{len(names)} {sort}{plural} ({', '.join(names)})")
    return ", ".join(parts)


def listed(items: list[OpenItem]) -> list[dict]:
    return [{"sort": i.sort, "name": i.name, "what": i.what} for i in items]


def parse_open(value: str | None) -> str | None:
    if value in (None, "", CLOSE, CARRY):
        return value or None
    raise UserError(f"open items at resolution: {CLOSE} or {CARRY}, not {value!r}")


def resolution(
    store: Store, actor: Actor, incident: sqlite3.Row, now: datetime, fired: list[str], *,
    disposition: str | None, no_customer_update: str | None,
) -> dict:
    """Inside the resolving transaction: refuse a resolution that leaves open items unspoken
    for or the customer untold, close the open items when asked, and return what the
    resolution event records (open items closed or carried, the reason for no update)."""
    disposition = parse_open(disposition)
    if no_customer_update:
        no_customer_update = valid(Line, no_customer_update, "reason for no customer update")
    key = incident["key"]
    items = open_items(store, incident, now, fired)
    if items and disposition is None:
        raise UserError(f"{key} still has open: {counted(items)}; close them (--close-open)"
                        " or carry them into the review as open (--carry)")
    payload: dict = {}
    if items:
        payload["open_items"] = disposition
        if disposition == CARRY:
            payload["carried"] = listed(items)
        else:
            payload["closed"] = listed([i for i in items if i.sort != "milestone"])
            payload["unmet"] = listed([i for i in items if i.sort == "milestone"])
    minutes = policy_of(incident).cadence_for(Severity(incident["severity"])).customer
    last = store.last_update(incident["id"], "customer")
    recent = last is not None and from_db(last["posted_at"]) >= now - timedelta(minutes=minutes)
    if not recent:
        if not no_customer_update:
            told = ("no customer update was posted" if last is None else
                    "the last customer update is older than the customer cadence"
                    f" ({minutes:g}m)")
            raise UserError(f"{key}: {told}; post a final customer update, or say why not"
                            " (--no-customer-update REASON)")
        payload["no_customer_update"] = no_customer_update
    if items and disposition == CLOSE:
        close_open(store, actor, incident, now, items)
    return payload


def close_open(store: Store, actor: Actor, incident: sqlite3.Row, now: datetime,
               items: list[OpenItem]) -> None:
    """Close each open item, one journal event each (milestones stay not done)."""
    iid, why = incident["id"], AT_RESOLUTION
    for i in items:
        r = i.row
        if i.sort == "blocker":
            store.update("blockers", {"id": r["id"]}, cleared_at=now, cleared_by=actor.name)
            store.journal(actor, now, Kind.BLOCKER_CLEARED, iid, blocker_id=r["id"],
                          number=r["number"], what=r["what"],
                          raised_at=from_db(r["raised_at"]), note=why)
        elif i.sort == "approval":
            store.update("approvals", {"id": r["id"]}, status=ApprovalStatus.WITHDRAWN,
                         decided_at=now)
            store.journal(actor, now, Kind.APPROVAL_WITHDRAWN, iid, approval_id=r["id"],
                          number=r["number"], change=r["change"], reason=why)
        elif i.sort == "handover":
            store.update("handovers", {"id": r["id"]}, status=HandoverStatus.WITHDRAWN,
                         closed_at=now, closed_by=actor.name, reason=why)
            store.journal(actor, now, Kind.HANDOVER_DECLINED, iid, role=r["role"],
                          handover_id=r["id"], to=r["to_person"],
                          status=HandoverStatus.WITHDRAWN, reason=why,
                          **{"from": r["from_person"]})
        elif i.sort == "dispute":
            # closed, not decided: nobody wins it (the resolver may be a party to it, and
            # the holder never settles in their own favour); the role stays where it is
            store.update("disputes", {"id": r["id"]}, settled_at=now, settled_by=actor.name,
                         winner=None)
            store.journal(actor, now, Kind.DISPUTE_SETTLED, iid, role=r["role"],
                          dispute_id=r["id"], winner=None, holder=r["holder"],
                          claimant=r["claimant"], opened_at=from_db(r["opened_at"]),
                          reason=why, at_resolution=True)


def reopen(
    store: Store, actor: Actor, ref: str, *, reason: str, clock: Clock = utcnow,
) -> Done:
    """Reopen a resolved incident (back to investigating), with a reason. Its update
    cadences restart from now; a closed incident can no longer change."""
    reason = valid(Line, reason, "reason")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        in_order(store, incident, now, Kind.INCIDENT_REOPENED)
        if incident["stage"] != Stage.RESOLVED.value:
            raise UserError(f"{incident['key']} is {incident['stage']}: only a resolved"
                            " incident can be reopened")
        cadence = policy_of(incident).cadence_for(Severity(incident["severity"]))
        store.update("incidents", {"id": incident["id"]}, stage=REOPENED_TO, resolved_at=None,
                     next_customer_due=now + timedelta(minutes=cadence.customer),
                     next_internal_due=now + timedelta(minutes=cadence.internal))
        event = store.journal(actor, now, Kind.INCIDENT_REOPENED, incident["id"],
                              reason=reason, was_resolved_at=from_db(incident["resolved_at"]),
                              **{"from": Stage.RESOLVED, "to": REOPENED_TO})
    return Done(event, incident["key"], f"reopened {incident['key']} ({REOPENED_TO.value})")
