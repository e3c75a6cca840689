"""Opening an incident, status updates, and moving it through its stages to close."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.actions._common import Done, in_order, live_incident
from warroom.actions.authority import authority_roles, update_authority
from warroom.actions.lifecycle import resolution
from warroom.actions.promises import next_due
from warroom.actions.statements import approved_text, granted, spend, text
from warroom.actions.work import meet
from warroom.clock import Clock, said_day_hm, utcnow, zone_named
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.models import Body, Line, Name, RoleName, Title, valid
from warroom.records import TRIO, Actor, Audience, Severity, Stage
from warroom.rules import triggers
from warroom.rules.compose import NEXT_REQUIRED
from warroom.rules.policy import DEFAULT_POLICY, Policy, policy_of


def open_incident(
    store: Store,
    actor: Actor,
    *,
    title: str,
    customer: str,
    severity: Severity | str,
    service: str | None = None,
    tier: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    playbook: str | None = None,
    why: str | None = None,
    assign: dict[str, str] | None = None,
    milestones: list[tuple[str, str, timedelta]] | None = None,
    drill: bool = False,
    impact_start: datetime | None = None,
    customer_tz: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Open an incident with its roles vacant (or assigned), under ``policy``.

    ``customer_tz`` (an IANA zone) is the customer's: customer-facing text gives its times
    in it (default UTC; :func:`warroom.actions.change_customer_zone` changes it later).

    ``impact_start``, when the customer impact began (at or before the opening), is kept
    in the opening event for the review to set against the room's opening.

    ``milestones`` are (name, owner, offset from opening); ``assign`` maps roles to holders.
    Each role gets its contingency contact and suggested team from the policy. ``playbook``
    and ``why`` say which playbook the policy came from and why it was chosen.
    """
    title = valid(Title, title, "title")
    customer = valid(Name, customer, "customer")
    service = valid(Name, service, "service") if service is not None else None
    tier = valid(Name, tier, "tier").lower() if tier is not None else None
    severity = severity if isinstance(severity, Severity) else Severity.parse(severity)
    customer_tz = zone_named(customer_tz, "--customer-tz").key if customer_tz else None
    assign = {valid(RoleName, r, "role"): valid(Name, h, "holder") for r, h in (assign or {}).items()}
    unknown = set(assign) - set(policy.roles)
    if unknown:
        raise UserError(f"cannot assign unknown role {sorted(unknown)[0]!r}")
    now = clock()
    if impact_start is not None and impact_start > now:
        raise UserError("the impact start must be at or before the opening: the room opens "
                        "on an impact already seen")
    cadence = policy.cadence_for(severity)
    with store.write():
        key = store.next_incident_key()
        incident_id = store.insert(
            "incidents", key=key, title=title, customer=customer, service=service, tier=tier,
            severity=severity, stage=Stage.TRIAGE, playbook=playbook, drill=drill,
            opened_at=now, opened_by=actor.name, customer_tz=customer_tz,
            next_customer_due=now + timedelta(minutes=cadence.customer),
            next_internal_due=now + timedelta(minutes=cadence.internal),
            policy=policy.model_dump_json(),
        )
        for role in policy.roles:
            holder = assign.get(role)
            store.insert(
                "roles", incident_id=incident_id, role=role, holder=holder,
                since=now if holder else None, vacant_since=None if holder else now,
                contingency=policy.contingency.get(role), team=policy.teams.get(role),
                version=0,
            )
        created = []
        for name, owner, offset in milestones or []:
            name, owner = valid(Title, name, "milestone"), valid(Name, owner, "owner")
            milestone_id, number = store.insert_numbered(
                "milestones", incident_id, name=name, owner=owner, due_at=now + offset)
            created.append({"milestone_id": milestone_id, "number": number, "name": name,
                            "owner": owner, "due_at": now + offset})
        event = store.journal(
            actor, now, Kind.INCIDENT_OPENED, incident_id, key=key, title=title,
            customer=customer, service=service, tier=tier, severity=severity, drill=drill,
            playbook=playbook, why=why, policy=policy.name, roles=list(policy.roles),
            assigned=assign, milestones=created,
            cadence={"customer": cadence.customer, "internal": cadence.internal},
            contingency=policy.contingency, teams=policy.teams,
            **({"titles": policy.titles} if policy.titles else {}),
            **({"speed": policy.speed} if policy.speed != 1 else {}),
            **({"impact_start": impact_start} if impact_start is not None else {}),
            **({"customer_tz": customer_tz} if customer_tz else {}),
        )
        if all(assign.get(role) for role in TRIO):  # opened with the trio held
            meet(store, actor, store.row("incidents", id=incident_id), now, "trio-held")
    return Done(event, key, f"opened {key} ({severity.value}) {title}", incident_id)


def post_update(
    store: Store,
    actor: Actor,
    ref: str,
    *,
    audience: Audience | str,
    known: str | None = None,
    unknown: str | None = None,
    next_steps: str | None = None,
    next_update_at: datetime | None = None,
    template: str | None = None,
    override: str | None = None,
    approval: int | None = None,
    agreed: bool = False,
    clock: Clock = utcnow,
) -> Done:
    """Post a status update; the next one of that audience falls due by the cadence, or
    sooner when this update promised an earlier time. A customer update promises a later
    time only with ``agreed`` (agreed with the customer, at most 7 days ahead): the room is
    then held to it (:mod:`warroom.actions.promises`).

    Only the roles :mod:`warroom.actions.authority` names may post it; the decider may
    post anyway with ``override``, the reason, which the journal keeps.

    Where the policy gates customer statements (:mod:`warroom.actions.statements`), a
    customer update names ``approval``, a granted request, and posts exactly its text, once.

    With ``template``, parts left out come from the template's phrases, and the whole
    message the template composes is kept in the journal. A part still holding a
    ``[[...]]`` blank is refused.
    """
    audience = audience if isinstance(audience, Audience) else Audience.parse(audience)
    override = valid(Line, override, "the override reason") if override is not None else None
    now = clock()
    if audience is Audience.CUSTOMER and next_update_at is None:
        raise UserError(NEXT_REQUIRED)
    if next_update_at is not None and next_update_at <= now:
        raise UserError("the next update time must be in the future")
    with store.write():
        incident = live_incident(store, ref)
        policy = policy_of(incident)
        deciding = authority_roles(policy, audience, override is not None)
        in_order(store, incident, now, Kind.UPDATE_POSTED, audience=audience.value,
                 authority_roles=deciding)
        authority = update_authority(store, incident, policy, actor.name, audience, override)
        parts = {"known": known, "unknown": unknown, "next_steps": next_steps}
        grant = granted(store, incident, policy, audience, approval, parts, template, now)
        if grant is not None:
            parts, template = approved_text(grant)
        said = text(policy, incident, now, audience, parts, template, next_update_at)
        known, unknown, next_steps = said.known, said.unknown, said.next_steps
        chosen, message = said.template, said.message
        minutes = getattr(policy.cadence_for(Severity(incident["severity"])), audience.value)
        if incident["stage"] in (Stage.RESOLVED.value, Stage.CLOSED.value):
            due, agreed = None, False  # nothing falls due after resolution
        else:
            due, agreed = next_due(now, minutes, audience, incident["severity"],
                                   next_update_at, agreed)
        update_id = store.insert(
            "updates", incident_id=incident["id"], audience=audience, known=known,
            unknown=unknown, next_steps=next_steps, next_update_at=next_update_at,
            author=actor.name, posted_at=now,
        )
        store.update("incidents", {"id": incident["id"]}, **{f"next_{audience.value}_due": due})
        previous_due = from_db(incident[f"next_{audience.value}_due"])
        late = previous_due is not None and now > previous_due
        extra = {"template": chosen.name, "message": message} if chosen else {}
        extra |= {"agreed": True} if agreed else {}
        if grant is not None:
            extra |= spend(store, actor, grant, now)
        event = store.journal(
            actor, now, Kind.UPDATE_POSTED, incident["id"], update_id=update_id,
            audience=audience, known=known, unknown=unknown, next_steps=next_steps,
            next_update_at=next_update_at, next_due=due, was_due=previous_due, late=late,
            authority_roles=deciding, **extra, **authority,
        )
        meet(store, actor, incident, now, f"{audience.value}-update")
    when = f"; next due {said_day_hm(due, now)}" if due else ""
    when += " (agreed with the customer)" if agreed else ""
    how = (", acting for comms" if "acting_for" in authority
           else ", overriding who may post (decider)" if "override" in authority else "")
    how += f", as approved in #{grant['number']}" if grant is not None else ""
    return Done(event, incident["key"], f"posted {audience.value} update{how}{when}",
                update_id, composed=message)


def _stage_index(stage: str) -> int:
    return Stage(stage).order


def advance_stage(
    store: Store,
    actor: Actor,
    ref: str,
    *,
    to: Stage | str | None = None,
    confirm: bool = False,
    skip: bool = False,
    note: str | None = None,
    open_items: str | None = None,
    no_customer_update: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Move the incident forward. Leaving a stage means its customer-resolution definition
    is met: without ``confirm`` the action is refused and the error quotes the definition of
    the stage being left. Passing over stages is explicit (``skip``) and journaled. Resolving
    checks open items and the final customer update (:mod:`warroom.actions.lifecycle`)."""
    note = valid(Line, note, "note") if note else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        current = Stage(incident["stage"])
        target = Stage.parse(to) if isinstance(to, str) else to
        if target is None:
            if current.order >= Stage.RESOLVED.order:
                raise UserError(f"{incident['key']} is {current.value}: close it with a CSAT score")
            target = list(Stage)[current.order + 1]
        if target is Stage.CLOSED:
            raise UserError("closing needs a CSAT score: use close")
        in_order(store, incident, now, Kind.INCIDENT_RESOLVED if target is Stage.RESOLVED
                 else Kind.STAGE_ADVANCED)
        if target is Stage.RESOLVED and note is None:
            raise UserError(f"resolving needs a summary and says what becomes of what is "
                            f"still open: warroom resolve {incident['key']} --summary TEXT "
                            "(the R key)")
        if target.order <= current.order:
            raise UserError(f"{incident['key']} is already {current.value}; stages only move forward")
        skipped = [s.value for s in Stage if current.order < s.order < target.order]
        if skipped and not skip:
            raise UserError(f"moving {incident['key']} from {current.value} to {target.value} "
                            f"skips {', '.join(skipped)}: say so (--skip) or move one stage on")
        definitions = policy_of(incident).stages
        met = [{"stage": current.value, "definition": definitions.get(current, "")}]
        if not confirm:
            raise UserError(f"confirm the customer-resolution definition first ({current.value}:"
                            f" {met[0]['definition']})")
        values: dict = {"stage": target}
        ended: dict = {}
        if target is Stage.RESOLVED:
            ended = resolution(store, actor, incident, now, triggers.stages_reached(
                current, target), disposition=open_items, no_customer_update=no_customer_update)
            values.update(resolved_at=now, next_customer_due=None, next_internal_due=None)
        store.update("incidents", {"id": incident["id"]}, **values)
        kind = Kind.INCIDENT_RESOLVED if target is Stage.RESOLVED else Kind.STAGE_ADVANCED
        event = store.journal(
            actor, now, kind, incident["id"], **{"from": current, "to": target},
            confirmed=met, note=note, **({"skipped": skipped} if skipped else {}), **ended,
        )
        meet(store, actor, incident, now, *triggers.stages_reached(current, target))
    passed = f" (skipped {', '.join(skipped)})" if skipped else ""
    return Done(event, incident["key"], f"{incident['key']} moved to {target.value}{passed}")


def resolve(
    store: Store, actor: Actor, ref: str, *, summary: str, confirm: bool = False,
    skip: bool = False, open_items: str | None = None, no_customer_update: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Mark the incident resolved, with a one-line summary of the resolution (from before
    monitoring, ``skip`` says the stages passed over were meant). ``open_items`` says what
    becomes of what is still open ("close" or "carry"); ``no_customer_update`` is the
    reason for resolving without a recent customer update."""
    summary = valid(Line, summary, "summary")
    return advance_stage(store, actor, ref, to=Stage.RESOLVED, confirm=confirm, skip=skip,
                         note=summary, open_items=open_items,
                         no_customer_update=no_customer_update, clock=clock)


def close(
    store: Store, actor: Actor, ref: str, *, csat: int, comment: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Close a resolved incident with the customer's satisfaction score (1-5)."""
    if not isinstance(csat, int) or isinstance(csat, bool) or not 1 <= csat <= 5:
        raise UserError("CSAT must be a whole number from 1 to 5")
    comment = valid(Body, comment, "comment") if comment else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        in_order(store, incident, now, Kind.INCIDENT_CLOSED)
        if incident["stage"] != Stage.RESOLVED.value:
            raise UserError(f"{incident['key']} is {incident['stage']}: resolve it before closing")
        store.update("incidents", {"id": incident["id"]}, stage=Stage.CLOSED, closed_at=now,
                     csat=csat, csat_comment=comment)
        event = store.journal(actor, now, Kind.INCIDENT_CLOSED, incident["id"], csat=csat,
                              comment=comment)
    return Done(event, incident["key"], f"closed {incident['key']} with CSAT {csat}")

