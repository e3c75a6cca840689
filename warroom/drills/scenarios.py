"""Drill and demo scenarios: an incident and a timeline of injects, loaded from TOML.

A scenario opens an incident ``opened_ago`` before the drill starts (so the room walks into
an incident already under way), then plays injects at offsets from the opening. Injects at
or before ``opened_ago`` are history, written with their own times; later ones arrive live.
``demo_only`` injects are the responses a good team would make: the demo plays them to tell
a whole story, a drill leaves them to the participants.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from warroom.clock import parse_duration
from warroom.errors import UserError
from warroom.models import Severity

Verb = Literal[
    "claim", "settle", "handover", "accept", "decline", "release", "update", "block",
    "unblock", "request", "approve", "reject", "milestone", "milestone_done", "stage",
    "resolve", "note",
]

# The fields each verb needs (beyond actor and at).
REQUIRED: dict[str, tuple[str, ...]] = {
    "claim": ("role",),
    "settle": ("role", "winner"),
    "handover": ("role", "to", "done", "remaining", "dependencies", "risks"),
    "accept": ("role",),
    "decline": ("role",),
    "release": ("role",),
    "update": ("audience", "known", "unknown", "next_steps"),
    "block": ("label", "what", "waiting_on", "owner"),
    "unblock": ("target",),
    "request": ("label", "change", "risk", "rationale"),
    "approve": ("target",),
    "reject": ("target", "reason"),
    "milestone": ("label", "name", "owner", "due"),
    "milestone_done": ("target",),
    "stage": ("stage",),
    "resolve": ("summary",),
    "note": ("text",),
}
CREATES = {"block": "blocker", "request": "approval", "milestone": "milestone"}
USES = {"unblock": "blocker", "approve": "approval", "reject": "approval",
        "milestone_done": "milestone"}


def _offset(value: object) -> timedelta:
    if isinstance(value, (int, float)):
        return timedelta(minutes=value)
    if not isinstance(value, str):
        raise ValueError("must be a duration such as 90s, 12m or 1h30m")
    try:
        return parse_duration(value)
    except UserError as exc:
        raise ValueError(str(exc)) from None


class Inject(BaseModel):
    """One thing that happens in the scenario, at ``at`` after the incident opened."""

    model_config = ConfigDict(extra="forbid")

    at: timedelta
    actor: str = Field(min_length=1, max_length=80)
    do: Verb
    demo_only: bool = False
    role: str | None = None
    reason: str | None = None
    winner: str | None = None
    to: str | None = None
    done: str | None = None
    remaining: str | None = None
    dependencies: str | None = None
    risks: str | None = None
    audience: Literal["customer", "internal"] | None = None
    known: str | None = None
    unknown: str | None = None
    next_steps: str | None = None
    next: timedelta | None = None
    label: str | None = None
    target: str | None = None
    what: str | None = None
    waiting_on: str | None = None
    owner: str | None = None
    change: str | None = None
    risk: Literal["low", "medium", "high"] | None = None
    rationale: str | None = None
    fallback: str | None = None
    name: str | None = None
    due: timedelta | None = None
    stage: str | None = None
    summary: str | None = None
    text: str | None = None

    @field_validator("at", "next", "due", mode="before")
    @classmethod
    def _durations(cls, value: object) -> timedelta | None:
        return None if value is None else _offset(value)

    @model_validator(mode="after")
    def _has_what_it_needs(self) -> "Inject":
        missing = [f for f in REQUIRED[self.do] if getattr(self, f) in (None, "")]
        if missing:
            raise ValueError(f"'{self.do}' needs {', '.join(missing)}")
        if self.do == "update" and self.audience == "customer" and self.next is None:
            raise ValueError("a customer update needs next (when the next update comes)")
        return self


class ScenarioIncident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    customer: str = Field(min_length=1, max_length=80)
    severity: Severity
    service: str | None = None
    playbook: str | None = None
    opened_ago: timedelta = timedelta()

    @field_validator("opened_ago", mode="before")
    @classmethod
    def _ago(cls, value: object) -> timedelta:
        return _offset(value)


class Scenario(BaseModel):
    """A whole scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    summary: str = Field(min_length=1)
    ambiguity: list[str] = Field(min_length=1)
    debrief_questions: list[str] = []
    incident: ScenarioIncident
    inject: list[Inject] = Field(min_length=1)

    @model_validator(mode="after")
    def _labels_resolve(self) -> "Scenario":
        made: dict[str, str] = {}
        for index, inj in enumerate(self.inject):
            if inj.do in CREATES:
                if inj.label in made:
                    raise ValueError(f"inject[{index}]: label {inj.label!r} is used twice")
                made[inj.label] = CREATES[inj.do]
            if inj.do in USES and made.get(inj.target) != USES[inj.do]:
                raise ValueError(f"inject[{index}]: target {inj.target!r} is not an earlier "
                                 f"{USES[inj.do]}'s label")
        if [i.at for i in self.inject] != sorted(i.at for i in self.inject):
            raise ValueError("injects must be in time order")
        return self

    def duration(self) -> timedelta:
        return self.inject[-1].at


def _located(source: str, exc: ValidationError) -> UserError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "file"
    message = first["msg"].removeprefix("Value error, ")
    return UserError(f"{source}: {where}: {message}")


def parse(text: str, source: str) -> Scenario:
    """Validate scenario TOML; every error names the file and the place in it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _located(source, exc) from None


def shipped() -> dict[str, Scenario]:
    """The scenarios shipped with warroom, by name."""
    folder = resources.files("warroom.data").joinpath("scenarios")
    out: dict[str, Scenario] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            scenario = parse(entry.read_text(encoding="utf-8"), entry.name)
            out[scenario.name] = scenario
    return out


def load(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a scenario file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            return parse(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise UserError(f"cannot read {path}: {exc.strerror}") from None
    scenarios = shipped()
    if name_or_path not in scenarios:
        raise UserError(f"no scenario {name_or_path!r} (shipped: {', '.join(scenarios)})")
    return scenarios[name_or_path]


def questions_for(title: str) -> list[str]:
    """The debrief questions of the one shipped scenario whose incident has ``title``
    (none when no scenario, or more than one, has it)."""
    found = [s for s in shipped().values() if s.incident.title == title]
    return list(found[0].debrief_questions) if len(found) == 1 else []
