"""Status messages of one incident: the templates it offers and the message they compose,
read from the policy the incident copied when it opened.

Shared by ``warroom update --preview`` and the dashboard's forms; posting goes through
:func:`warroom.actions.post_update`, which composes the same message for the journal.
"""

from __future__ import annotations

from datetime import datetime

from warroom.db.store import Store
from warroom.errors import UserError
from warroom.records import Audience
from warroom.rules import templates
from warroom.rules.policy import Policy, policy_of
from warroom.rules.templates import Template

NEXT_REQUIRED = "a customer update must say when the next update comes"


def incident_policy(store: Store, ref: str) -> Policy:
    """The policy the incident runs under (copied from its playbook when it opened)."""
    with store.read():
        return policy_of(store.find_incident(ref))


def offered(store: Store, ref: str) -> dict[str, Template]:
    """The templates the incident offers (its playbook's, else the shipped ones)."""
    return templates.for_policy(incident_policy(store, ref).templates)


def preview(store: Store, ref: str, audience: Audience | str, name: str | None,
            parts: dict[str, str | None], next_update_at: datetime | None,
            now: datetime) -> str:
    """The message ``name`` composes for the incident; parts left as None come from the
    template's phrases, blanks and all, so the author sees what is left to fill in."""
    audience = audience if isinstance(audience, Audience) else Audience.parse(audience)
    if name is None:
        raise UserError("a preview shows a template's message: pick a template")
    if audience is Audience.CUSTOMER and next_update_at is None:
        raise UserError(NEXT_REQUIRED)
    with store.read():
        row = store.find_incident(ref)
        chosen = templates.choose(policy_of(row).templates, name, audience)
        fields = templates.incident_fields(row, now)
        zone = templates.customer_zone(row)
    values = templates.filled(chosen, fields, parts)
    return templates.compose(chosen, fields, next_update_at=next_update_at, now=now,
                             zone=zone, **values)
