"""Opening an incident, status updates, and moving it through its stages to close."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.actions._common import Done, live_incident
from warroom.actions.authority import update_authority
from warroom.clock import Clock, local_hm, utcnow
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.journal import Kind
from warroom.models import Body, Line, Name, RoleName, Title, valid
from warroom.records import Actor, Audience, Severity, Stage
from warroom.rules import templates
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
    clock: Clock = utcnow,
) -> Done:
    """Open an incident with its roles vacant (or assigned), under ``policy``.

    ``milestones`` are (name, owner, offset from opening); ``assign`` maps roles to holders.
    Each role gets its contingency contact and suggested team from the policy. ``playbook``
    and ``why`` say which playbook the policy came from and why it was chosen.
    """
    title = valid(Title, title, "title")
    customer = valid(Name, customer, "customer")
    service = valid(Name, service, "service") if service is not None else None
    tier = valid(Name, tier, "tier").lower() if tier is not None else None
    severity = severity if isinstance(severity, Severity) else Severity.parse(severity)
    assign = {valid(RoleName, r, "role"): valid(Name, h, "holder") for r, h in (assign or {}).items()}
    unknown = set(assign) - set(policy.roles)
    if unknown:
        raise UserError(f"cannot assign unknown role {sorted(unknown)[0]!r}")
    now = clock()
    cadence = policy.cadence_for(severity)
    with store.write():
        key = store.next_incident_key()
        incident_id = store.insert(
            "incidents", key=key, title=title, customer=customer, service=service, tier=tier,
            severity=severity, stage=Stage.TRIAGE, playbook=playbook, drill=drill,
            opened_at=now, opened_by=actor.name,
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
            **({"speed": policy.speed} if policy.speed != 1 else {}),
        )
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
    clock: Clock = utcnow,
) -> Done:
    """Post a status update; the next one of that audience falls due by the cadence, or
    sooner when this update promised an earlier time.

    Only the roles :mod:`warroom.actions.authority` names may post it; the decider may
    post anyway with ``override``, the reason, which the journal keeps.

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
        authority = update_authority(store, incident, policy, actor.name, audience, override)
        parts = {"known": known, "unknown": unknown, "next_steps": next_steps}
        chosen, message = None, None
        if template is not None:
            chosen = templates.choose(policy.templates, template, audience)
            fields = templates.incident_fields(incident, now)
            parts = templates.filled(chosen, fields, parts)
        known, unknown, next_steps = _parts(parts)
        if chosen is not None:
            message = templates.compose(chosen, fields, known=known, unknown=unknown,
                                        next_steps=next_steps, next_update_at=next_update_at,
                                        now=now)
            _no_blank(chosen, message)
        minutes = getattr(policy.cadence_for(Severity(incident["severity"])), audience.value)
        due = now + timedelta(minutes=minutes)
        if next_update_at is not None:
            due = min(due, next_update_at)
        if incident["stage"] in (Stage.RESOLVED.value, Stage.CLOSED.value):
            due = None
        update_id = store.insert(
            "updates", incident_id=incident["id"], audience=audience, known=known,
            unknown=unknown, next_steps=next_steps, next_update_at=next_update_at,
            author=actor.name, posted_at=now,
        )
        store.update("incidents", {"id": incident["id"]}, **{f"next_{audience.value}_due": due})
        previous_due = from_db(incident[f"next_{audience.value}_due"])
        late = previous_due is not None and now > previous_due
        extra = {"template": chosen.name, "message": message} if chosen else {}
        event = store.journal(
            actor, now, Kind.UPDATE_POSTED, incident["id"], update_id=update_id,
            audience=audience, known=known, unknown=unknown, next_steps=next_steps,
            next_update_at=next_update_at, next_due=due, was_due=previous_due, late=late,
            **extra, **authority,
        )
    when = f"; next due {local_hm(due)}" if due else ""
    how = (", acting for comms" if "acting_for" in authority
           else ", overriding who may post (decider)" if "override" in authority else "")
    return Done(event, incident["key"], f"posted {audience.value} update{how}{when}",
                update_id, composed=message)


_PART_NAMES = {"known": "what we know", "unknown": "what we don't know",
               "next_steps": "next steps"}


def _parts(parts: dict[str, str | None]) -> tuple[str, str, str]:
    """The three parts of an update, validated; a template blank left in is refused."""
    out = []
    for key, what in _PART_NAMES.items():
        text = valid(Body, "" if parts[key] is None else parts[key], what)
        blank = templates.blank_in(text)
        if blank:
            raise UserError(f"{what} still has a blank to fill in: {blank}")
        out.append(text)
    return out[0], out[1], out[2]


def _no_blank(chosen: templates.Template, message: str) -> None:
    """Refuse a composed message that still holds a ``[[...]]`` blank outside the parts:
    the author cannot fill it from the update, and it must never reach the customer."""
    blank = templates.blank_in(message)
    if blank is None:
        return
    if blank in chosen.message:
        raise UserError(f"template {chosen.name!r} has a blank in its message that no part "
                        f"fills: {blank}; post without the template, and ask its author to "
                        "fix it")
    raise UserError(f"the message still has a blank: {blank} (from the incident's title, "
                    "customer or service); post without the template")


def _stage_index(stage: str) -> int:
    return Stage(stage).order


def advance_stage(
    store: Store,
    actor: Actor,
    ref: str,
    *,
    to: Stage | str | None = None,
    confirm: bool = False,
    note: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Move the incident forward. Leaving a stage means its customer-resolution definition
    is met: without ``confirm`` the action is refused and the error quotes the definition."""
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
        if target.order <= current.order:
            raise UserError(f"{incident['key']} is already {current.value}; stages only move forward")
        definitions = policy_of(incident).stages
        met = [
            {"stage": s.value, "definition": definitions.get(s, "")}
            for s in list(Stage)[current.order:target.order]
        ]
        if not confirm:
            wording = " / ".join(f"{m['stage']}: {m['definition']}" for m in met)
            raise UserError(f"confirm the customer-resolution definition first ({wording})")
        values: dict = {"stage": target}
        if target is Stage.RESOLVED:
            values.update(resolved_at=now, next_customer_due=None, next_internal_due=None)
        store.update("incidents", {"id": incident["id"]}, **values)
        kind = Kind.INCIDENT_RESOLVED if target is Stage.RESOLVED else Kind.STAGE_ADVANCED
        event = store.journal(
            actor, now, kind, incident["id"], **{"from": current, "to": target},
            confirmed=met, note=note,
        )
    return Done(event, incident["key"], f"{incident['key']} moved to {target.value}")


def resolve(
    store: Store, actor: Actor, ref: str, *, summary: str, confirm: bool = False,
    clock: Clock = utcnow,
) -> Done:
    """Mark the incident resolved, with a one-line summary of the resolution."""
    summary = valid(Line, summary, "summary")
    return advance_stage(store, actor, ref, to=Stage.RESOLVED, confirm=confirm, note=summary,
                         clock=clock)


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
        if incident["stage"] != Stage.RESOLVED.value:
            raise UserError(f"{incident['key']} is {incident['stage']}: resolve it before closing")
        store.update("incidents", {"id": incident["id"]}, stage=Stage.CLOSED, closed_at=now,
                     csat=csat, csat_comment=comment)
        event = store.journal(actor, now, Kind.INCIDENT_CLOSED, incident["id"], csat=csat,
                              comment=comment)
    return Done(event, incident["key"], f"closed {incident['key']} with CSAT {csat}")

