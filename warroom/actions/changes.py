"""Changes during the incident: its severity, its title, its customer tier, the customers
it affects and the customer's time zone. Each is one ``incident.changed`` event (field, from, to, reason), which the
metrics fold reads so that every figure uses the values in force at each moment."""

from __future__ import annotations

import json
from datetime import timedelta

from warroom.actions._common import Done, live_incident
from warroom.clock import Clock, local_hm, utcnow, zone_label, zone_named
from warroom.db.store import Store, from_db
from warroom.errors import NotFound, UserError
from warroom.journal import Kind
from warroom.models import Line, Name, Title, valid
from warroom.records import Actor, Audience, Severity
from warroom.rules.people import same_name
from warroom.rules.policy import policy_of


def extra_customers(incident) -> list[str]:
    """The customers an incident row affects besides its main one, in the order added."""
    raw = incident["customers"] if "customers" in incident.keys() else None
    return list(json.loads(raw)) if raw else []


def change_severity(
    store: Store, actor: Actor, ref: str, *, severity: Severity | str, reason: str,
    clock: Clock = utcnow,
) -> Done:
    """Change the incident's severity; the update cadence follows it from now on.

    The cadence comes from the policy the incident copied when it opened (the playbook's
    cadence for the new severity). For each audience the next update falls due at the
    earlier of the due time already in force and now plus the new cadence: an escalation
    brings the next update closer (at most one new cadence away), while a de-escalation never
    lets off an update already owed (an overdue one stays overdue, a promised time stands);
    the longer cadence applies from the next post on. A resolved incident owes no updates,
    so only the severity changes. The reason is required and kept in the journal.
    """
    severity = severity if isinstance(severity, Severity) else Severity.parse(severity)
    reason = valid(Line, reason, "reason")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        was = Severity(incident["severity"])
        if was is severity:
            raise UserError(f"{incident['key']} is already {severity.value}")
        cadence = policy_of(incident).cadence_for(severity)
        minutes = {a.value: getattr(cadence, a.value) for a in Audience}
        dues = {}
        for audience, every in minutes.items():
            due = from_db(incident[f"next_{audience}_due"])
            dues[audience] = None if due is None else min(due, now + timedelta(minutes=every))
        store.update("incidents", {"id": incident["id"]}, severity=severity,
                     **{f"next_{a}_due": due for a, due in dues.items()})
        event = store.journal(
            actor, now, Kind.INCIDENT_CHANGED, incident["id"], field="severity",
            **{"from": was, "to": severity}, reason=reason, cadence=minutes, next_due=dues)
    when = "".join(f"; next {a} update due {local_hm(d, now)}" for a, d in dues.items() if d)
    return Done(event, incident["key"],
                f"{incident['key']} is now {severity.value} (was {was.value}){when}")


def retitle(
    store: Store, actor: Actor, ref: str, *, title: str, reason: str, clock: Clock = utcnow,
) -> Done:
    """Give the incident a new title (what it turned out to be); the reason is required."""
    title = valid(Title, title, "title")
    reason = valid(Line, reason, "reason")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        if incident["title"] == title:
            raise UserError(f"{incident['key']} already has that title")
        store.update("incidents", {"id": incident["id"]}, title=title)
        event = store.journal(
            actor, now, Kind.INCIDENT_CHANGED, incident["id"], field="title",
            **{"from": incident["title"], "to": title}, reason=reason)
    return Done(event, incident["key"], f"{incident['key']} retitled: {title}")


def change_customers(
    store: Store, actor: Actor, ref: str, *, add: list[str] | None = None,
    remove: list[str] | None = None, tier: str | None = None, reason: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Add or remove affected customers besides the main one, or change the customer tier.

    The main customer always stays (it cannot be removed). Names compare without regard to
    case. One call changes either the customers or the tier, never both, so that each event
    says one thing; a refusal writes nothing.
    """
    add = [valid(Name, n, "customer") for n in add or []]
    remove = [valid(Name, n, "customer") for n in remove or []]
    tier = valid(Name, tier, "tier").lower() if tier is not None else None
    reason = valid(Line, reason, "reason") if reason else None
    if tier is not None and (add or remove):
        raise UserError("change the tier on its own (--tier without --add or --remove)")
    if tier is None and not add and not remove:
        raise UserError("say what changes: --add NAME, --remove NAME or --tier TIER")
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        key, main = incident["key"], incident["customer"]
        if tier is not None:
            if incident["tier"] == tier:
                raise UserError(f"{key} is already {tier} tier")
            field, was, to, values = "tier", incident["tier"], tier, {"tier": tier}
        else:
            was = extra_customers(incident)
            to = list(was)
            for name in remove:
                if same_name(name, main):
                    raise UserError(f"{main} is the main customer of {key}; it stays")
                found = [n for n in to if same_name(n, name)]
                if not found:
                    raise NotFound(f"{name} is not among the customers of {key}")
                to.remove(found[0])
            for name in add:
                if same_name(name, main) or any(same_name(n, name) for n in to):
                    raise UserError(f"{name} is already a customer of {key}")
                to.append(name)
            field, values = "customers", {"customers": to}
        store.update("incidents", {"id": incident["id"]}, **values)
        event = store.journal(actor, now, Kind.INCIDENT_CHANGED, incident["id"], field=field,
                              **{"from": was, "to": to}, reason=reason)
    if field == "tier":
        return Done(event, key, f"{key}: customer tier now {tier}")
    return Done(event, key, f"{key}: customers {', '.join([main, *to])}")


def change_customer_zone(
    store: Store, actor: Actor, ref: str, *, zone: str, reason: str | None = None,
    clock: Clock = utcnow,
) -> Done:
    """Record the customer's time zone (an IANA name, e.g. ``America/New_York``): the times
    in customer-facing text (a template's "next update at") are given in it, with its name.
    ``UTC`` sets it back to the default."""
    named = zone_named(zone, "customer time zone").key
    reason = valid(Line, reason, "reason") if reason else None
    now = clock()
    with store.write():
        incident = live_incident(store, ref)
        key, was = incident["key"], incident["customer_tz"]
        if (was or "UTC") == named:
            raise UserError(f"{key}: the customer's time zone is already {named}")
        store.update("incidents", {"id": incident["id"]}, customer_tz=named)
        event = store.journal(actor, now, Kind.INCIDENT_CHANGED, incident["id"],
                              field="customer_tz", **{"from": was, "to": named}, reason=reason)
    return Done(event, key, f"{key}: customer times now in {named} "
                f"({zone_label(now, zone_named(named))} now)")
