"""The incident's own life from the dashboard: open a new one (also from the picker and the
wall's absence of one), close with the customer's CSAT, reopen with a reason, retitle, and
the customers affected or the tier; re-exported by ``forms.py``."""

from __future__ import annotations

from warroom import actions
from warroom.errors import UserError
from warroom.records import IncidentView, Severity, Stage
from warroom.screens.form import Field, FieldError, FormModal


def open_new(s, v: IncidentView | None) -> FormModal:
    """Open an incident under the playbook that matches it best (as ``warroom open``
    does); the app then shows its dashboard."""

    def submit(x: dict[str, str]) -> actions.Done:
        from warroom.rules import matching, playbooks

        severity = Severity.parse(x["severity"])
        now = s.clock()
        chosen = matching.plan_from(playbooks.user_folder(None), title=x["title"],
                                    severity=severity, service=x["service"] or None,
                                    tier=x["tier"] or None, name=None, today=now.date())
        return actions.open_incident(
            s.store, s.actor, title=x["title"], customer=x["customer"], severity=severity,
            service=x["service"] or None, tier=x["tier"] or None, clock=s.clock,
            **chosen.applied())

    return FormModal("Open an incident", [
        Field("title", "Title (what is wrong, in a few words)"),
        Field("customer", "Customer affected"),
        Field("severity", "Severity", "choice", value="SEV2",
              choices=[(f"{sev.value}" + (" (highest)" if sev is Severity.SEV1 else ""),
                        sev.value) for sev in Severity]),
        Field("service", "Service affected", required=False),
        Field("tier", "Customer tier (enterprise, standard...)", required=False),
    ], submit, intro="The best matching playbook applies (roles, cadence, milestones); "
       "the dashboard of the new incident opens.", submit_label="Open", backfill=False)


def close(s, v: IncidentView) -> FormModal:
    """Close a resolved incident with the customer's satisfaction score."""
    if v.incident.stage is not Stage.RESOLVED:
        raise UserError(f"{v.incident.key} is {v.incident.stage.value}: only a resolved "
                        "incident can be closed (resolve it first: R)")

    def submit(x: dict[str, str]) -> actions.Done:
        text = x["csat"].strip()
        if not (text.isdigit() and 1 <= int(text) <= 5):
            raise FieldError("csat", "CSAT must be a whole number from 1 to 5")
        return actions.close(s.store, s.actor, v.incident.key, csat=int(text),
                             comment=x["comment"] or None, clock=s.clock)

    # typed, not picked from a list: a score must be given, never a preselected default
    return FormModal("Close the incident", [
        Field("csat", "CSAT, as the customer gave it (1 very dissatisfied ... 5 very "
              "satisfied)", placeholder="1-5"),
        Field("comment", "The customer's comment", required=False),
    ], submit, intro="Closing is final: nothing about the incident can change afterwards.",
        submit_label="Close")


def reopen(s, v: IncidentView) -> FormModal:
    if v.incident.stage.order < Stage.RESOLVED.order:
        raise UserError(f"{v.incident.key} is still {v.incident.stage.value}: only a "
                        "resolved incident can be reopened")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.reopen(s.store, s.actor, v.incident.key, reason=x["reason"],
                              clock=s.clock)

    return FormModal("Reopen the incident", [
        Field("reason", "Why it is reopened (one line)"),
    ], submit, intro="Back to investigating; the update cadences start again.",
        submit_label="Reopen")


def retitle(s, v: IncidentView) -> FormModal:
    def submit(x: dict[str, str]) -> actions.Done:
        return actions.retitle(s.store, s.actor, v.incident.key, title=x["title"],
                               reason=x["reason"], clock=s.clock)

    return FormModal("Change the title", [
        Field("title", "Title", value=v.incident.title),
        Field("reason", "Reason (kept in the journal)"),
    ], submit, submit_label="Retitle")


def customers(s, v: IncidentView) -> FormModal:
    """Add or remove a customer affected besides the main one, or set the tier: one
    change per event."""
    others = ", ".join(v.incident.customers) or "none"

    def submit(x: dict[str, str]) -> actions.Done:
        what, name = x["what"], x["name"]
        if not name.strip():
            raise FieldError("name", "Customer or tier is required")
        kw = {"tier": name} if what == "tier" else {what: [name]}
        return actions.change_customers(s.store, s.actor, v.incident.key,
                                        reason=x["reason"] or None, clock=s.clock, **kw)

    return FormModal("Customers affected and tier", [
        Field("what", "Change", "choice", value="add",
              choices=[("Add a customer affected", "add"),
                       ("Remove a customer affected", "remove"),
                       ("Set the customer tier", "tier")]),
        Field("name", "Customer (or tier)"),
        Field("reason", "Reason", required=False),
    ], submit, intro=f"Main customer: {v.incident.customer} (always stays). Others: {others}. "
       f"Tier: {v.incident.tier or 'none'}.", submit_label="Change")
