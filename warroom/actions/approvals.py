"""Approval requests for risky changes, and the votes on them.

The rule applied (approvals needed, eligible roles or people, decider required, expiry) is
copied onto the request and into the journal when it is made, so a later policy change
never alters a request already open.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from warroom.actions._common import Done, held_roles, in_order, item, live_incident
from warroom.actions.statements import draft
from warroom.actions.work import meet
from warroom.clock import Clock, span, utcnow
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.models import Body, Line, Name, valid
from warroom.records import Actor, ApprovalStatus, Risk
from warroom.rules.policy import GENERIC_KIND, Policy, policy_of


def request_approval(
    store: Store,
    actor: Actor,
    ref: str,
    *,
    change: str,
    risk: Risk | str,
    rationale: str,
    fallback: str | None = None,
    kind: str = GENERIC_KIND,
    needed: int | None = None,
    eligible: list[str] | None = None,
    decider_required: bool | None = None,
    expires_at: datetime | None = None,
    known: str | None = None,
    unknown: str | None = None,
    next_steps: str | None = None,
    template: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Ask for approval of a change under the incident's authority matrix.

    The kind must be one the incident's policy knows (``change``, or a kind with rules of
    its own). The rule for the change's kind and risk sets the approvals needed, the
    eligible roles, whether the decider must be among them, the expiry and whether a
    fallback is required. A request may ask for more (more approvals, the decider, fewer
    eligible roles, an earlier expiry) but never for less: ``eligible`` names roles the rule
    allows, or people holding one of them, and so only narrows it. A request that could
    never be granted (too few eligible people besides the requester, or the requester is
    the decider the rule requires) is refused.

    A ``customer-statement`` request carries the statement to approve, as the parts of a
    customer update (``known``, ``unknown``, ``next_steps``) and an optional ``template``
    (:func:`warroom.actions.statements.draft`); no other kind carries one.
    """
    change = valid(Line, change, "change")
    risk = risk if isinstance(risk, Risk) else Risk.parse(risk)
    rationale = valid(Body, rationale, "rationale")
    kind = valid(Name, kind, "kind")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        policy = policy_of(incident)
        kind = policy.known_kind(kind)
        statement = draft(policy, incident, kind, now, {"known": known, "unknown": unknown,
                                                        "next_steps": next_steps}, template)
        rule, source = policy.rule_and_source(risk, kind)
        fallback = valid(Body, fallback, "fallback") if fallback else None
        if fallback is None and rule.fallback_required:
            raise UserError(f"a {risk.value}-risk {kind} needs a fallback plan "
                            f"({_under(policy, source)})")
        if needed is not None and (not isinstance(needed, int) or not 1 <= needed <= 10):
            raise UserError("approvals needed must be from 1 to 10")
        needed = max(needed or rule.needed, rule.needed)
        holders = {r["role"]: r["holder"] for r in store.rows(
            "roles", order="rowid", incident_id=incident["id"])}
        roles, people = _narrowed(eligible, rule.eligible_roles, holders, actor.name,
                                  incident["key"], _under(policy, source))
        required = rule.decider_required or bool(decider_required)
        if required:
            _decider_can_approve(holders, actor.name, roles, people)
        _grantable(holders, actor.name, roles, people, needed)
        latest = now + timedelta(minutes=rule.expires_minutes)
        expires_at = latest if expires_at is None else expires_at
        if expires_at <= now:
            raise UserError("the expiry must be in the future")
        if expires_at > latest:
            raise UserError(f"the expiry can be at most {rule.expires_minutes}m away "
                            f"({_under(policy, source)})")
        request_id, number = store.insert_numbered(
            "approvals", incident["id"], change=change, kind=kind, risk=risk,
            rationale=rationale, fallback=fallback, needed=needed,
            eligible_roles=roles, eligible_people=people,
            decider_required=required, requester=actor.name, requested_at=now,
            expires_at=expires_at, status=ApprovalStatus.PENDING, rule=source,
            statement=statement,
        )
        event = store.journal(
            actor, now, Kind.APPROVAL_REQUESTED, incident["id"], approval_id=request_id,
            number=number, change=change, kind=kind, risk=risk, rationale=rationale,
            fallback=fallback,
            needed=needed, eligible_roles=roles, eligible_people=people,
            decider_required=required, expires_at=expires_at,
            policy=policy.name, rule=source, rule_terms=rule.model_dump(),
            **({"statement": statement} if statement else {}),
        )
    return Done(event, incident["key"],
                f"approval #{number} requested: {change} ({risk.value} risk, needs {needed}"
                f"{', decider among them' if required else ''}; rule {source})", number)


def _under(policy: Policy, source: str) -> str:
    """``rule rollback/high of customer-outage``: where a requirement comes from."""
    return f"rule {source} of {policy.name}"


def _narrowed(eligible: list[str] | None, allowed: list[str], holders: dict[str, str | None],
              requester: str, key: str, under: str) -> tuple[list[str], list[str]]:
    """The (roles, people) who may approve a request: the rule's roles, or the roles and
    people the requester named. A named role must be one the rule allows; a named person
    must hold such a role now (and votes through it). Nobody widens the authority matrix
    from a request."""
    if not eligible:
        return list(allowed), []
    roles: list[str] = []
    people: list[str] = []
    for name in eligible:
        text = valid(Name, name, "eligible")
        role = text.lower()
        if role in holders or role in allowed:
            if role not in allowed:
                raise UserError(f"{role!r} may not approve this change: {under} allows "
                                f"{', '.join(allowed)}")
            roles += [role] if role not in roles else []
            continue
        held = [r for r, holder in holders.items() if holder == text]
        if not held:
            raise UserError(f"{text!r} is neither a role of {key} ({', '.join(holders)}) nor "
                            "someone holding one")
        if text == requester:
            raise UserError("you cannot approve your own request: name someone else")
        if not any(r in allowed for r in held):
            raise UserError(f"{text} may not approve this change: they hold {', '.join(held)}, "
                            f"and {under} allows {', '.join(allowed)}")
        people += [text] if text not in people else []
    return roles, people


def _decider_can_approve(holders: dict[str, str | None], requester: str, roles: list[str],
                         people: list[str]) -> None:
    """Refuse a request the decider must approve when no decider could: the requester holds
    it (nobody approves their own request), or the request names neither it nor its holder."""
    decider = holders.get("decider")
    if decider is not None and decider == requester:
        raise UserError("you hold decider and cannot approve your own request; ask someone "
                        "else to request it, or hand decider over first")
    if "decider" not in roles and (decider is None or decider not in people):
        raise UserError(f"the decider must approve but is not among the eligible "
                        f"({', '.join(roles + people)})")


def _grantable(holders: dict[str, str | None], requester: str, roles: list[str],
               people: list[str], needed: int) -> None:
    """Refuse a request that could never be granted: each eligible person counts once
    (a holder of an eligible role, or someone named), a vacant eligible role counts (someone
    may claim it), the requester never counts."""
    voters = {p for p in people if p != requester}
    voters |= {h for r, h in holders.items() if r in roles and h is not None and h != requester}
    possible = len(voters) + sum(1 for r, h in holders.items() if r in roles and h is None)
    if possible >= needed:
        return
    plural = "s" if needed > 1 else ""
    who = "nobody but you" if not possible else (
        f"only {possible} {'person' if possible == 1 else 'people'} other than you")
    raise UserError(f"this could never be granted: it needs {needed} approval{plural} and "
                    f"{who} could give one (eligible: {', '.join(roles + people)}; a vacant "
                    "role counts)")


def _pending(store: Store, incident: sqlite3.Row, number: int, now: datetime) -> sqlite3.Row:
    row = item(store, "approvals", incident, number, "approval request")
    if row["status"] != ApprovalStatus.PENDING:
        raise UserError(f"approval #{number} is already {row['status']}")
    if now >= from_db(row["expires_at"]):
        raise UserError(f"approval #{number} expired {span(now - from_db(row['expires_at']))}"
                        " ago; request it again")
    return row


def _eligible_roles(store: Store, incident: sqlite3.Row, row: sqlite3.Row, me: str) -> list[str]:
    """The eligible roles through which ``me`` votes now, or a refusal naming who may.
    Only these are recorded with the vote, so a vote counts for the decider only when it
    was cast as the decider."""
    mine = held_roles(store, incident["id"], me)
    roles = json.loads(row["eligible_roles"])
    people = json.loads(row["eligible_people"])
    through = [r for r in mine if r in roles]
    if me in people:  # named on the request: votes through a role the rule allows
        allowed = _rule_roles(incident, row)
        through += [r for r in mine if r in allowed and r not in through]
        if not through:
            raise UserError(f"you were named on approval #{row['number']} but no longer hold a "
                            f"role that may approve it ({', '.join(allowed)})")
    if not through:
        who = ", ".join([f"the {r}" for r in roles] + people) or "nobody"
        raise UserError(f"you are not eligible to decide approval #{row['number']} "
                        f"(eligible: {who})")
    return through


def _asked_by_account(store: Store, incident: sqlite3.Row, row: sqlite3.Row,
                      actor: Actor) -> bool:
    """Whether the actor's OS account made this request (under whatever name)."""
    return any(json.loads(e["payload"]).get("approval_id") == row["id"]
               for e in store.rows("events", incident_id=incident["id"],
                                   kind=Kind.APPROVAL_REQUESTED, os_user=actor.os_user))


def _once_per_account(store: Store, incident: sqlite3.Row, row: sqlite3.Row,
                      actor: Actor) -> None:
    """In a strict room (a people file) one OS account is one person, whatever name it
    goes by: it cannot decide its own request, nor vote on one request twice."""
    for kind, refusal in ((Kind.APPROVAL_REQUESTED, "requested it"),
                          (Kind.APPROVAL_APPROVED, "already approved it"),
                          (Kind.APPROVAL_REJECTED, "already rejected it")):
        for event in store.rows("events", incident_id=incident["id"], kind=kind,
                                os_user=actor.os_user):
            if json.loads(event["payload"]).get("approval_id") == row["id"]:
                raise UserError(
                    f"your OS account ({actor.os_user}) {refusal} as "
                    f"{event['display_name'] or actor.os_user}: one person, one approval "
                    f"of #{row['number']}")


def _vote(store: Store, incident: sqlite3.Row, row: sqlite3.Row, me: str, decision: str,
          now: datetime, reason: str | None = None) -> list[str]:
    """Record ``me``'s vote on a pending request (after checking they may cast it and have
    not yet); return the eligible roles it was cast through."""
    in_order(store, incident, now, Kind.APPROVAL_APPROVED, approval_id=row["id"])
    mine = _eligible_roles(store, incident, row, me)
    if store.row("votes", approval_id=row["id"], voter=me) is not None:
        done = "approved" if decision == "approve" else "voted on"
        raise UserError(f"you already {done} #{row['number']}")
    extra = {"reason": reason} if reason is not None else {}
    store.insert("votes", approval_id=row["id"], voter=me, decision=decision, roles=mine,
                 at=now, **extra)
    return mine


def _rule_roles(incident: sqlite3.Row, row: sqlite3.Row) -> list[str]:
    """The roles the rule of a request allows, from the policy the incident copied (which
    never changes while it runs)."""
    rule, _ = policy_of(incident).rule_and_source(Risk(row["risk"]), row["kind"])
    return rule.eligible_roles


def approve(
    store: Store, actor: Actor, ref: str, number: int, *, clock: Clock = utcnow
) -> Done:
    """Approve a pending request. It is granted once enough eligible people approved, with
    the decider among them when the rule requires."""
    now = clock()
    me = actor.name
    with store.write():
        incident = live_incident(store, ref)
        row = _pending(store, incident, number, now)
        if row["requester"] == me:
            raise UserError(f"you requested approval #{number}; someone else must approve it")
        if actor.strict:
            _once_per_account(store, incident, row, actor)
        mine = _vote(store, incident, row, me, "approve", now)
        votes = store.rows("votes", approval_id=row["id"], decision="approve")
        count = len(votes)
        has_decider = any("decider" in json.loads(v["roles"]) for v in votes)
        granted = count >= row["needed"] and (has_decider or not row["decider_required"])
        if granted:
            store.update("approvals", {"id": row["id"]}, status=ApprovalStatus.APPROVED,
                         decided_at=now)
        event = store.journal(
            actor, now, Kind.APPROVAL_APPROVED, incident["id"], approval_id=row["id"],
            number=number, change=row["change"], roles=mine, count=count,
            needed=row["needed"], granted=granted, requested_at=from_db(row["requested_at"]),
        )
        if granted:
            meet(store, actor, incident, now, "approval-granted",
                 f"approval-granted:{row['kind']}")
    if granted:
        message = f"approval #{number} granted ({count} of {row['needed']})"
    elif count >= row["needed"]:
        message = f"approval #{number}: {count} of {row['needed']}, still needs the decider"
    else:
        message = f"approval #{number}: {count} of {row['needed']} approvals"
    return Done(event, incident["key"], message)


def reject(
    store: Store, actor: Actor, ref: str, number: int, *, reason: str,
    clock: Clock = utcnow,
) -> Done:
    """Reject a pending request, with a reason; one eligible rejection ends it.

    The requester rejecting their own request withdraws it (with the reason): they are
    never among those who decide it, and the journal must not count a rejection by the
    eligible that never happened. The dashboard withdraws with its own form (``w``,
    :func:`withdraw`), where a reason is optional.
    """
    reason = valid(Line, reason, "reason")
    now = clock()
    me = actor.name
    with store.write():
        incident = live_incident(store, ref)
        row = _pending(store, incident, number, now)
        if row["requester"] == me or (actor.strict and _asked_by_account(store, incident, row,
                                                                         actor)):
            event = _withdrawn(store, actor, incident, row, now, reason)
            return Done(event, incident["key"], f"approval #{number} withdrawn (you asked "
                                                "for it, so rejecting it withdraws it)")
        if actor.strict:
            _once_per_account(store, incident, row, actor)
        mine = _vote(store, incident, row, me, "reject", now, reason)
        store.update("approvals", {"id": row["id"]}, status=ApprovalStatus.REJECTED,
                     decided_at=now)
        event = store.journal(
            actor, now, Kind.APPROVAL_REJECTED, incident["id"], approval_id=row["id"],
            number=number,
            change=row["change"], roles=mine, reason=reason,
            requested_at=from_db(row["requested_at"]),
        )
    return Done(event, incident["key"], f"approval #{number} rejected")


def withdraw(
    store: Store, actor: Actor, ref: str, number: int, *, reason: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Withdraw your own pending request; a reason is optional (the change is no longer
    wanted: nobody decided against it)."""
    reason = valid(Line, reason, "reason") if reason and reason.strip() else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        row = item(store, "approvals", incident, number, "approval request")
        if row["status"] != ApprovalStatus.PENDING:
            raise UserError(f"approval #{number} is already {row['status']}")
        if row["requester"] != actor.name:
            raise UserError(f"only {row['requester']} (who asked) can withdraw #{number}")
        event = _withdrawn(store, actor, incident, row, now, reason)
    return Done(event, incident["key"], f"approval #{number} withdrawn")


def _withdrawn(store: Store, actor: Actor, incident: sqlite3.Row, row: sqlite3.Row,
               now: datetime, reason: str | None) -> int:
    store.update("approvals", {"id": row["id"]}, status=ApprovalStatus.WITHDRAWN,
                 decided_at=now)
    extra = {"reason": reason} if reason else {}
    return store.journal(actor, now, Kind.APPROVAL_WITHDRAWN, incident["id"],
                         approval_id=row["id"], number=row["number"], change=row["change"],
                         **extra)
