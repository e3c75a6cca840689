"""The status update form: pre-filled from a template, with the message previewed as you
type, for someone who may post it (:mod:`warroom.actions.authority`).

Where the playbook gates customer statements (:mod:`warroom.actions.statements`), the form
offers the granted statements, pre-filled as approved, and otherwise requests approval of
the draft typed: nothing reaches the customer until it is granted."""

from __future__ import annotations

from datetime import datetime

from warroom import actions
from warroom.actions.authority import update_start
from warroom.actions.incident import NEXT_REQUIRED
from warroom.clock import parse_when
from warroom.errors import UserError
from warroom.records import ApprovalStatus, IncidentView
from warroom.rules import compose, templates
from warroom.rules.policy import STATEMENT_KIND
from warroom.screens.form import Field, FormModal

NEXT_LABEL = "Next update at"
REQUEST = "request"  # the statement choice that requests approval of the draft
STATEMENT = "Customer statement"  # what a statement request is called unless renamed


def update(s, v: IncidentView, audience: str = "customer") -> FormModal:
    """A status update, pre-filled from the template that suits the stage; picking another
    template fills the parts again, and the message it composes shows as you type.

    Someone who may post neither audience is refused before the form opens (the decider
    gets an override field instead); someone who may post only internal updates starts
    there."""
    start_with, overridable = update_start(s.store, v.incident.key, s.me, audience)
    audience = start_with.value
    available = compose.offered(s.store, v.incident.key)
    first = templates.suggested(available, audience, v.incident.stage.value)
    policy = compose.incident_policy(s.store, v.incident.key)
    gated = policy.gates_statements()
    grants = {str(a.number): a for a in v.approvals
              if a.kind == STATEMENT_KIND and a.statement and a.posted_at is None
              and a.status == ApprovalStatus.APPROVED} if gated else {}

    def parts_of(name: str) -> dict[str, str]:
        fields = templates.incident_fields(v.incident, s.clock())
        return templates.filled(available[name], fields, {}) if name in available else {}

    def approved(number: str) -> dict[str, str]:
        said = grants[number].statement
        return {"audience": "customer", "template": said.template or "", "known": said.known,
                "unknown": said.unknown, "next_steps": said.next_steps}

    def on_choice(field: str, x: dict[str, str]) -> dict[str, str]:
        chosen = available.get(x["template"])
        grant = grants.get(x.get("statement", ""))
        if field == "statement" and grant:
            return approved(x["statement"])
        if field == "template" and grant and x["template"] == (grant.statement.template or ""):
            return {}  # the approved statement's own template: keep its text
        if field == "template" and chosen:
            moved = {"statement": REQUEST} if grant else {}  # another text: a new request
            return {"audience": chosen.audience.value} | parts_of(chosen.name) | moved
        if field == "audience" and chosen and chosen.audience.value != x["audience"]:
            return {"template": ""}  # never send a customer template to the room, or back
        return {}

    def next_at(x: dict[str, str]) -> datetime | None:
        text = x["next"].strip()
        at = parse_when(text, s.clock()) if text else None
        if at is None and x["audience"] == "customer":
            raise UserError(f"{NEXT_REQUIRED}: fill in '{NEXT_LABEL}'")
        return at

    def preview(x: dict[str, str]) -> str:
        if x["template"] not in available:
            return "Pick a template to see the whole message."
        return compose.preview(s.store, v.incident.key, x["audience"], x["template"],
                                {k: x[k] for k in ("known", "unknown", "next_steps")},
                                next_at(x), s.clock())

    def submit(x: dict[str, str]) -> actions.Done:
        statement = gated and x["audience"] == "customer"
        if statement and x["statement"] not in grants:
            return actions.request_approval(
                s.store, s.actor, v.incident.key, change=x["change"].strip() or STATEMENT,
                kind=STATEMENT_KIND, risk=x["risk"] or "medium", rationale=x["rationale"],
                known=x["known"], unknown=x["unknown"], next_steps=x["next_steps"],
                template=x["template"] or None, clock=s.clock)
        return actions.post_update(
            s.store, s.actor, v.incident.key, audience=x["audience"], known=x["known"],
            unknown=x["unknown"], next_steps=x["next_steps"], next_update_at=next_at(x),
            template=x["template"] or None, agreed=x.get("agreed") == "yes",
            override=(x.get("override") or "").strip() or None,
            approval=int(x["statement"]) if statement else None, clock=s.clock)

    minutes = v.cadence_minutes.get(audience, 30)
    start = parts_of(first.name) if first else {}
    ready = next(iter(grants), None) if audience == "customer" else None
    if ready:
        start = approved(ready)
        first = available.get(start["template"])
    override = [Field("override", "Override reason (you are the decider: post without the "
                      "role that posts it; journaled, listed in the review)", required=False)]
    fields = [
        Field("template", "Template (fills the parts; [[...]] marks what you must fill in)",
              "choice", value=first.name if first else "", required=False,
              choices=[(f"{t.name} ({t.audience.value})", t.name) for t in available.values()]),
        Field("audience", "Audience", "choice", value=audience,
              choices=[("customer", "customer"), ("internal", "internal")]),
        Field("known", "What we know", "text", value=start.get("known", "")),
        Field("unknown", "What we don't know yet", "text", value=start.get("unknown", "")),
        Field("next_steps", "Next steps", "text", value=start.get("next_steps", "")),
        Field("next", f"{NEXT_LABEL} (+30m, 14:30, tomorrow 09:00; required for customers)",
              value=f"+{minutes}m", required=False),
        Field("agreed", "Agreed with the customer: a next update later than the cadence "
              "(at most 7 days ahead)", "confirm", required=False),
    ] + (override if overridable else [])
    if not gated:
        return FormModal("Post a status update", fields, submit, submit_label="Post",
                         on_choice=on_choice, preview=preview, preview_label="The message")
    return FormModal("Post a status update", fields[:2] + [
        Field("statement", "Customer statement", "choice", value=ready or REQUEST,
              required=False,
              choices=[(f"#{n} {a.change} (approved: posts it exactly as approved)", n)
                       for n, a in grants.items()]
              + [("a new one: request approval of this draft", REQUEST)]),
    ] + fields[2:] + [
        Field("change", "Approval request: what this statement is", value=STATEMENT,
              required=False),
        Field("risk", "Approval request: risk", "choice", value="medium", required=False,
              choices=[("low", "low"), ("medium", "medium"), ("high", "high")]),
        Field("rationale", "Approval request: rationale (why this text, why now)",
              required=False),
    ], submit, intro=f"Customer statements need approval under {policy.name} "
        f"({STATEMENT_KIND}): post a granted one exactly as approved, or request approval of "
        "this draft; nothing reaches the customer until it is granted.",
        submit_label=("Post" if audience == "internal" else "Post approved" if grants
                      else "Request approval"), on_choice=on_choice,
        preview=preview, preview_label="The message", preview_after=fields[-1].name)
