"""The status update form: pre-filled from a template, with the message previewed as you
type, for someone who may post it (:mod:`warroom.actions.authority`)."""

from __future__ import annotations

from datetime import datetime

from warroom import actions
from warroom.actions.authority import update_start
from warroom.actions.incident import NEXT_REQUIRED
from warroom.clock import parse_when
from warroom.errors import UserError
from warroom.records import IncidentView
from warroom.rules import compose, templates
from warroom.screens.form import Field, FormModal

NEXT_LABEL = "Next update at"


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

    def parts_of(name: str) -> dict[str, str]:
        fields = templates.incident_fields(v.incident, s.clock())
        return templates.filled(available[name], fields, {}) if name in available else {}

    def on_choice(field: str, x: dict[str, str]) -> dict[str, str]:
        chosen = available.get(x["template"])
        if field == "template" and chosen:
            return {"audience": chosen.audience.value} | parts_of(chosen.name)
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
        return actions.post_update(
            s.store, s.actor, v.incident.key, audience=x["audience"], known=x["known"],
            unknown=x["unknown"], next_steps=x["next_steps"], next_update_at=next_at(x),
            template=x["template"] or None,
            override=(x.get("override") or "").strip() or None, clock=s.clock)

    minutes = v.cadence_minutes.get(audience, 30)
    start = parts_of(first.name) if first else {}
    override = [Field("override", "Override reason (you are the decider: post without the "
                      "role that posts it; journaled, listed in the review)", required=False)]
    return FormModal("Post a status update", [
        Field("template", "Template (fills the parts; [[...]] marks what you must fill in)",
              "choice", value=first.name if first else "", required=False,
              choices=[(f"{t.name} ({t.audience.value})", t.name) for t in available.values()]),
        Field("audience", "Audience", "choice", value=audience,
              choices=[("customer", "customer"), ("internal", "internal")]),
        Field("known", "What we know", "text", value=start.get("known", "")),
        Field("unknown", "What we don't know yet", "text", value=start.get("unknown", "")),
        Field("next_steps", "Next steps", "text", value=start.get("next_steps", "")),
        Field("next", f"{NEXT_LABEL} (+30m, 14:30; required for customers)",
              value=f"+{minutes}m", required=False),
    ] + (override if overridable else []), submit, submit_label="Post", on_choice=on_choice,
        preview=preview, preview_label="The message")
