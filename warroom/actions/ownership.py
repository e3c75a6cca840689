"""Who owns what: claims, disputes, handovers and releases of roles.

Every change to a role bumps its ``version``; a handover remembers the version it was offered
against, so an accept never overwrites a change made in between. Each function runs in one
``BEGIN IMMEDIATE`` transaction, so of two people changing one role at once, exactly one wins
and the other is told who holds it now.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from warroom.actions._common import Done, live_incident, role_row
from warroom.actions.work import meet
from warroom.clock import Clock, local_hm, utcnow
from warroom.db.queries import known_names
from warroom.db.store import Store, from_db
from warroom.errors import Conflict, UserError
from warroom.journal import Kind
from warroom.models import Body, Line, Name, RoleName, valid
from warroom.records import TRIO, Actor, HandoverStatus
from warroom.rules.disputes import settle_refusal, who_settles
from warroom.rules.people import spelled_as_known

VACANT = object()


def _holder_text(role: sqlite3.Row, now: datetime, key: str | None = None) -> str:
    since = from_db(role["since"])
    when = f" since {local_hm(since, now)}" if since else ""
    where = f" on {key}" if key else ""
    return f"{role['role']}{where} is held by {role['holder']}{when}"


def _move_role(store: Store, role: sqlite3.Row, holder: str | None, now: datetime) -> dict:
    """Give the role to ``holder`` (None: vacant); pending handovers of it lapse.

    An open dispute on the role follows the move: when the role goes to the claimant, the
    claim is granted and the dispute settled (for the claimant, by the holder who let it
    go); when it goes to someone else, the claim is still undecided and the dispute stays
    open against the new holder, for the decider (or them) to settle. Returns what
    happened to the dispute, for the event payload (empty when there was none).
    """
    store.update(
        "roles", {"incident_id": role["incident_id"], "role": role["role"]},
        holder=holder, since=now if holder else None, vacant_since=None if holder else now,
        version=role["version"] + 1,
    )
    pending = store.rows("handovers", incident_id=role["incident_id"], role=role["role"],
                         status=HandoverStatus.OFFERED)
    for handover in pending:
        store.update("handovers", {"id": handover["id"]}, status=HandoverStatus.LAPSED,
                     closed_at=now)
    dispute = _open_dispute(store, role)
    if dispute is None or holder is None:  # (a disputed role is never released)
        return {}
    if holder == dispute["claimant"]:
        store.update("disputes", {"id": dispute["id"]}, settled_at=now,
                     settled_by=role["holder"], winner=holder)
        return {"dispute_id": dispute["id"], "dispute": "settled",
                "claimant": dispute["claimant"]}
    store.update("disputes", {"id": dispute["id"]}, holder=holder)
    return {"dispute_id": dispute["id"], "dispute": "carried", "claimant": dispute["claimant"]}


def _open_dispute(store: Store, role: sqlite3.Row) -> sqlite3.Row | None:
    return store.row("disputes", incident_id=role["incident_id"], role=role["role"],
                     settled_at=None)


def _decider(store: Store, incident: sqlite3.Row) -> str | None:
    row = store.row("roles", incident_id=incident["id"], role="decider")
    return row["holder"] if row is not None else None


def claim_role(
    store: Store,
    actor: Actor,
    ref: str,
    role: str,
    *,
    reason: str | None = None,
    dispute: str | None = None,
    expect_holder: object = None,
    clock: Clock = utcnow,
) -> Done:
    """Claim a role. Vacant: the claimer holds it at once (``reason`` is a note). Held: the
    claim is refused, naming the holder, unless it is an explicit dispute (``dispute`` is its
    reason), which stays open until it is settled or the holder yields or hands over.

    So a claim that loses a race for a vacant role is an error naming the winner, never a
    dispute; a dispute of a role found vacant simply takes it. ``expect_holder`` is the
    holder the claimer saw (``VACANT`` for a vacant role); when set and the role has changed
    since, the claim is refused.
    """
    role_name = valid(RoleName, role, "role")
    reason = valid(Line, reason, "reason") if reason else None
    dispute = valid(Line, dispute, "the reason for the dispute") if dispute is not None else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        slot = role_row(store, incident, role_name, now)
        me = actor.name
        key = incident["key"]
        if slot["holder"] == me:
            raise UserError(f"you already hold {role_name} on {key}")
        seen = None if expect_holder is VACANT else expect_holder
        if expect_holder is not None and slot["holder"] != seen:
            if slot["holder"] is None:
                raise Conflict(f"{role_name} on {key} is vacant now; claim it again")
            raise Conflict(f"{_holder_text(slot, now)}; claim again to dispute it")
        if slot["holder"] is None:
            _move_role(store, slot, me, now)
            event = store.journal(actor, now, Kind.ROLE_CLAIMED, incident["id"], role=role_name,
                                  holder=me, reason=dispute or reason,
                                  vacant_since=from_db(slot["vacant_since"]))
            held = {r["role"] for r in store.rows("roles", order="rowid",
                                                   incident_id=incident["id"])
                    if r["holder"]}
            if held >= set(TRIO):
                meet(store, actor, incident, now, "trio-held")
            return Done(event, key, f"you hold {role_name} on {key}"
                        + (" (it was vacant: nothing to dispute)" if dispute else ""))
        holder, decider = slot["holder"], _decider(store, incident)
        open_ = _open_dispute(store, slot)
        if open_ is not None:
            if open_["claimant"] == me:
                raise UserError(f"you already dispute {role_name} on {key}; wait for it to be "
                                "settled")
            who = who_settles(me, decider, holder, open_["claimant"])
            raise Conflict(f"{_holder_text(slot, now, key)} and is already disputed by "
                           f"{open_['claimant']}; {who}")
        if dispute is None:
            raise Conflict(f"{_holder_text(slot, now, key)}; to dispute it: warroom claim {key} "
                           f"{role_name} --dispute REASON")
        dispute_id = store.insert(
            "disputes", incident_id=incident["id"], role=role_name, claimant=me,
            holder=holder, reason=dispute, opened_at=now,
        )
        event = store.journal(actor, now, Kind.ROLE_DISPUTED, incident["id"], role=role_name,
                              claimant=me, holder=holder, reason=dispute,
                              dispute_id=dispute_id)
    return Done(event, key, f"{_holder_text(slot, now, key)}; your dispute is open: "
                f"{who_settles(me, decider, holder, me)}", dispute_id)


def settle_dispute(
    store: Store, actor: Actor, ref: str, role: str, *, winner: str,
    reason: str | None = None, clock: Clock = utcnow,
) -> Done:
    """Settle the open dispute on a role in favour of ``winner`` (the holder or the claimant).

    The decider settles either way, unless a party to it; the holder may yield it and the
    claimant withdraw (:func:`settle_refusal`). While no decider can settle it, the holder
    may keep the role with a ``reason``: journaled as kept by the holder, and flagged in the
    review.
    """
    role_name = valid(RoleName, role, "role")
    winner = spelled_as_known(valid(Name, winner, "winner"), known_names(store))
    reason = valid(Line, reason, "reason") if reason else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        slot = role_row(store, incident, role_name, now)
        dispute = _open_dispute(store, slot)
        key = incident["key"]
        if dispute is None:
            raise UserError(f"{role_name} on {key} has no open dispute")
        holder, claimant = slot["holder"], dispute["claimant"]
        if winner not in (holder, claimant):
            raise UserError(f"the dispute on {role_name} is between {holder} and {claimant}")
        me, decider = actor.name, _decider(store, incident)
        refusal = settle_refusal(me, winner, role=role_name, key=key, holder=holder,
                                 claimant=claimant, decider=decider, with_reason=bool(reason))
        if refusal:
            raise UserError(refusal)
        kept = me == holder == winner
        store.update("disputes", {"id": dispute["id"]}, settled_at=now, settled_by=me,
                     winner=winner)
        if winner == claimant:
            _move_role(store, slot, claimant, now)
        event = store.journal(
            actor, now, Kind.DISPUTE_SETTLED, incident["id"], role=role_name,
            dispute_id=dispute["id"], winner=winner, holder=holder, claimant=claimant,
            opened_at=from_db(dispute["opened_at"]), reason=reason,
            **({"kept_by_holder": True, "decider": decider} if kept else {}),
        )
    if kept:
        return Done(event, key, f"you keep {role_name} on {key}; with no decider to settle "
                    "the dispute, the review flags it")
    return Done(event, key, f"{role_name} on {key} stays with {winner}" if winner == holder
                else f"{role_name} on {key} goes to {winner}")


def offer_handover(
    store: Store,
    actor: Actor,
    ref: str,
    role: str,
    *,
    to: str,
    done: str,
    remaining: str,
    dependencies: str,
    risks: str,
    clock: Clock = utcnow,
) -> Done:
    """Offer a held role to someone, with the handover note. The role moves only when they
    accept; until then the offerer still owns it."""
    role_name = valid(RoleName, role, "role")
    to = spelled_as_known(valid(Name, to, "the incoming person"), known_names(store))
    note = {
        "done": valid(Body, done, "done"),
        "remaining": valid(Body, remaining, "remaining"),
        "dependencies": valid(Body, dependencies, "dependencies"),
        "risks": valid(Body, risks, "risks"),
    }
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        slot = role_row(store, incident, role_name, now)
        key = incident["key"]
        if slot["holder"] != actor.name:
            who = f"{slot['holder']} holds it" if slot["holder"] else "it is vacant"
            raise Conflict(f"you do not hold {role_name} on {key} ({who})")
        if to == actor.name:
            raise UserError("you cannot hand a role over to yourself")
        pending = store.row("handovers", incident_id=incident["id"], role=role_name,
                            status=HandoverStatus.OFFERED)
        if pending is not None:
            raise UserError(
                f"{role_name} is already offered to {pending['to_person']}; "
                "they accept or decline first (or you withdraw it with decline)"
            )
        handover_id = store.insert(
            "handovers", incident_id=incident["id"], role=role_name, from_person=actor.name,
            to_person=to, offered_at=now, role_version=slot["version"],
            status=HandoverStatus.OFFERED, **note,
        )
        event = store.journal(actor, now, Kind.HANDOVER_OFFERED, incident["id"], role=role_name,
                              handover_id=handover_id, to=to, **{"from": actor.name}, **note)
    return Done(event, key, f"{role_name} on {key} offered to {to}; it moves when they accept",
                handover_id)


def _pending_handover(store: Store, incident: sqlite3.Row, role: str) -> sqlite3.Row:
    pending = store.row("handovers", incident_id=incident["id"], role=role,
                        status=HandoverStatus.OFFERED)
    if pending is None:
        raise UserError(f"no handover of {role} is pending on {incident['key']}")
    return pending


def accept_handover(
    store: Store, actor: Actor, ref: str, role: str, *, clock: Clock = utcnow
) -> Done:
    """Accept a handover offered to you: the role is yours from now. A dispute on the role
    is settled when you are its claimant, and stays open against you otherwise."""
    role_name = valid(RoleName, role, "role")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        slot = role_row(store, incident, role_name, now)
        pending = _pending_handover(store, incident, role_name)
        if pending["to_person"] != actor.name:
            raise UserError(f"{role_name} is offered to {pending['to_person']}, not to you")
        if slot["version"] != pending["role_version"] or slot["holder"] != pending["from_person"]:
            who = _holder_text(slot, now) if slot["holder"] else f"{role_name} is vacant"
            raise Conflict(f"{role_name} changed since the offer: {who}")
        store.update("handovers", {"id": pending["id"]}, status=HandoverStatus.ACCEPTED,
                     closed_at=now, closed_by=actor.name)
        dispute = _move_role(store, slot, actor.name, now)
        event = store.journal(
            actor, now, Kind.HANDOVER_ACCEPTED, incident["id"], role=role_name,
            handover_id=pending["id"], to=actor.name, offered_at=from_db(pending["offered_at"]),
            **{"from": pending["from_person"]}, **dispute,
        )
    key = incident["key"]
    message = f"you hold {role_name} on {key}"
    if dispute.get("dispute") == "settled":
        message += "; your dispute on it is settled"
    elif dispute:
        message += (f"; {dispute['claimant']} still disputes it: the decider settles it, "
                    "or you give it to them")
    return Done(event, key, message)


def decline_handover(
    store: Store, actor: Actor, ref: str, role: str, *, reason: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Decline a handover offered to you, or withdraw one you offered."""
    role_name = valid(RoleName, role, "role")
    reason = valid(Line, reason, "reason") if reason else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        pending = _pending_handover(store, incident, role_name)
        if actor.name not in (pending["to_person"], pending["from_person"]):
            raise UserError(
                f"only {pending['to_person']} or {pending['from_person']} can decline this handover"
            )
        declined = actor.name == pending["to_person"]
        status = HandoverStatus.DECLINED if declined else HandoverStatus.WITHDRAWN
        store.update("handovers", {"id": pending["id"]}, status=status, closed_at=now,
                     closed_by=actor.name, reason=reason)
        event = store.journal(
            actor, now, Kind.HANDOVER_DECLINED, incident["id"], role=role_name,
            handover_id=pending["id"], to=pending["to_person"], status=status, reason=reason,
            **{"from": pending["from_person"]},
        )
    return Done(event, incident["key"], f"handover of {role_name} {status}; "
                f"{pending['from_person']} still holds it")


def release_role(
    store: Store, actor: Actor, ref: str, role: str, *, note: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Give up a role you hold; it becomes vacant (an alarm on every screen)."""
    role_name = valid(RoleName, role, "role")
    note = valid(Line, note, "note") if note else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        slot = role_row(store, incident, role_name, now)
        key = incident["key"]
        if slot["holder"] != actor.name:
            who = f"{slot['holder']} holds it" if slot["holder"] else "it is vacant"
            raise Conflict(f"you do not hold {role_name} on {key} ({who})")
        dispute = _open_dispute(store, slot)
        if dispute is not None:
            raise UserError(
                f"{role_name} is disputed by {dispute['claimant']}: settle it in their favour "
                "instead of leaving the role vacant"
            )
        _move_role(store, slot, None, now)
        event = store.journal(actor, now, Kind.ROLE_RELEASED, incident["id"], role=role_name,
                              holder=actor.name, note=note)
    return Done(event, key, f"{role_name} on {key} is now vacant")
