"""Message templates: standard phrases that become one coherent status update.

A template has a starting phrase for each part of an update (what we know, what we don't,
next steps) and a ``message`` that joins the parts into one narrative with the time of the
next update. Phrases may use the incident's fields (``{customer}``, ``{service}``...);
``[[...]]`` marks a blank the author must fill in, and an update still holding one is
refused, so a prompt never reaches a customer. Values are substituted once: braces in what
people type stay literal.

Templates live in ``data/templates/*.toml`` (and a user folder's ``templates/``); a playbook
names the ones it offers and an incident copies them with its policy.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from warroom import clock
from warroom.errors import UserError
from warroom.models import Body, Line
from warroom.records import Audience, Stage
from warroom.rules import shipped as bundled
from warroom.rules.tomlfiles import Content, Invalid, located, parse_files, problem, read_toml

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("must be lowercase letters, digits and - (at most 40), e.g. "
                         "'customer-outage'")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
INCIDENT_FIELDS = ("key", "title", "customer", "service", "severity", "opened")
PARTS = ("known", "unknown", "next_steps", "next_update")
PART_WORDS = {"known": "what we know", "unknown": "what we don't know",
              "next_steps": "the next steps", "next_update": "when the next update comes"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
BLANK = re.compile(r"\[\[[^\]]*\]\]")


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def _only(allowed: tuple[str, ...]):
    def check(text: str) -> str:
        for name in placeholders(text):
            if name not in allowed:
                names = ", ".join("{" + a + "}" for a in allowed)
                raise ValueError(f"unknown placeholder {{{name}}} (use {names})")
        return text

    return check


class Template(BaseModel):
    """One message template (one file in ``data/templates``). Its text is cleaned like
    anything a user types (a file is user input): no escape sequence or control character
    reaches a terminal, the dashboard or the customer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Slug
    audience: Audience = Audience.CUSTOMER
    description: Line = Field(max_length=300)
    stages: list[Stage] = []
    known: Body = Field(max_length=2000)
    unknown: Body = Field(max_length=2000)
    next_steps: Body = Field(max_length=2000)
    message: Body

    @field_validator("known", "unknown", "next_steps")
    @classmethod
    def _phrase(cls, text: str) -> str:
        return _only(INCIDENT_FIELDS)(text)

    @field_validator("message")
    @classmethod
    def _narrative(cls, text: str) -> str:
        _only(INCIDENT_FIELDS + PARTS)(text)
        for part in PARTS:
            if "{" + part + "}" not in text:
                raise ValueError(f"must say {PART_WORDS[part]} ({{{part}}})")
        return text.strip()


# -- rendering -----------------------------------------------------------------------------


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` with ``values[name]`` in one pass (inserted text is not re-read)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def customer_zone(incident: Any) -> str | None:
    """The customer's time zone an incident records (an IANA name), else None (UTC); from a
    record or a row (a row from before the column existed has none)."""
    if hasattr(incident, "keys"):
        return incident["customer_tz"] if "customer_tz" in incident.keys() else None
    return getattr(incident, "customer_tz", None)


def when(at: datetime | None, now: datetime, zone: str | None = None) -> str:
    """A time for a customer, in their zone (``zone``, an IANA name; else UTC), always
    named: ``14:30 UTC``, ``09:30 EST``; with the day when not today there
    (``Wed 25 Nov 16:00 UTC``)."""
    if at is None:
        return "the next scheduled update"
    there = ZoneInfo(zone) if zone else timezone.utc
    text = clock.when(at, now, there)
    label = clock.zone_label(at, there)
    return text if text.endswith(f" {label}") else f"{text} {label}"


def incident_fields(incident: Any, now: datetime) -> dict[str, str]:
    """The values phrases may use, from an :class:`~warroom.models.Incident` or a row."""
    get = incident.__getitem__ if hasattr(incident, "keys") else (
        lambda name: getattr(incident, name))
    opened = get("opened_at")
    opened = datetime.fromisoformat(opened) if isinstance(opened, str) else opened
    severity = get("severity")
    return {
        "key": get("key"), "title": get("title"), "customer": get("customer"),
        "service": get("service") or "our service",
        "severity": getattr(severity, "value", severity),
        "opened": when(opened, now, customer_zone(incident)),
    }


def phrases(template: Template, fields: dict[str, str]) -> dict[str, str]:
    """The template's starting text for each part, with the incident's fields filled in."""
    return {part: fill(getattr(template, part), fields)
            for part in ("known", "unknown", "next_steps")}


def filled(template: Template, fields: dict[str, str],
           parts: dict[str, str | None]) -> dict[str, str]:
    """The three parts of an update: each as given in ``parts``, or, where it is missing or
    None, the template's phrase (blanks and all) with the incident's ``fields`` filled in."""
    start = phrases(template, fields)
    return {part: start[part] if parts.get(part) is None else parts[part] for part in start}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:;)\"'" else text + "."


def compose(template: Template, fields: dict[str, str], *, known: str, unknown: str,
            next_steps: str, next_update_at: datetime | None, now: datetime,
            zone: str | None = None) -> str:
    """The whole message: the parts, as sentences, inside the template's narrative; the
    next update's time in the customer's ``zone`` (:func:`customer_zone`)."""
    values = fields | {
        "known": _sentence(known), "unknown": _sentence(unknown),
        "next_steps": _sentence(next_steps), "next_update": when(next_update_at, now, zone),
    }
    return fill(template.message, values)


def blank_in(text: str) -> str | None:
    """The first ``[[...]]`` blank left in ``text``, if any."""
    match = BLANK.search(text)
    return match[0] if match else None


# -- loading -------------------------------------------------------------------------------


def parse(text: Content, source: str) -> Template:
    """Validate one template file; errors name the file, the key and the problem.

    A ``[[...]]`` blank in the message itself is refused here, in the file (not in the
    model, so incidents that copied such a template still load): the author of an update
    fills the parts, and nothing could ever fill it.
    """
    data = read_toml(text, source)
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        raise located(source, exc, data) from None
    blank = blank_in(template.message)
    if blank:
        raise Invalid([problem(source, "message", f"has a blank no part fills: {blank} (put "
                                                  "it in known, unknown or next_steps, which "
                                                  "the author of an update fills in)")])
    return template


def shipped_files() -> list[tuple[str, str]]:
    """(source, text) of every shipped template file, sorted by name."""
    return bundled.shipped_files("templates")


def load_all(files: list[tuple[str, Content]]) -> dict[str, Template]:
    """Templates by name; an invalid file, or a name defined twice among ``files``, is an
    error."""
    out: dict[str, Template] = {}
    for _source, template, errors in parse_files(files, parse):
        if errors:
            raise Invalid(errors)
        out[template.name] = template
    return out


def shipped() -> dict[str, Template]:
    """The standard templates shipped with warroom, by name."""
    return load_all(shipped_files())


def for_policy(policy_templates: dict[str, Template]) -> dict[str, Template]:
    """The templates an incident offers: its policy's, or the shipped ones when it has none
    (an incident opened without a playbook)."""
    return dict(policy_templates) or shipped()


def pick(available: dict[str, Template], name: str) -> Template:
    """The template ``name``, or an error listing the ones there are."""
    if name not in available:
        raise UserError(f"no template {name!r} here (templates: {', '.join(available)})")
    return available[name]


def choose(policy_templates: dict[str, Template], name: str, audience: Audience) -> Template:
    """The incident's template ``name``, refusing one written for the other audience."""
    chosen = pick(for_policy(policy_templates), name.strip())
    if chosen.audience is not audience:
        raise UserError(f"template {chosen.name!r} is for {chosen.audience.value} updates, "
                        f"not {audience.value}")
    return chosen


def suggested(available: dict[str, Template], audience: str, stage: str) -> Template | None:
    """The first template for this audience that suits the stage, else the first for it."""
    fitting = [t for t in available.values() if t.audience.value == audience]
    for t in fitting:
        if any(s.value == stage for s in t.stages):
            return t
    return fitting[0] if fitting else None
