"""Drill and demo scenarios: an incident and a timeline of injects, loaded from TOML.

A scenario opens an incident ``opened_ago`` before the drill starts (so the room walks into
an incident already under way), then plays injects at offsets from the opening. Injects at
or before ``opened_ago`` are history, written with their own times; later ones arrive live.
``demo_only`` injects are the responses a good team would make: the demo plays them to tell
a whole story, a drill leaves them to the participants.

Scenario files are read like playbooks (``warroom.rules.tomlfiles``): every problem of a
file is reported, each as ``file: where: what``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from warroom.errors import UserError
from warroom.records import Severity
from warroom.rules import shipped as bundled
from warroom.rules.tomlfiles import (
    Content,
    Duration,
    Invalid,
    file_content,
    parse_files,
    validated,
    where,
)
from warroom.text import clean_line

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
FACILITATOR = "facilitator"  # who opens a drill incident, and resolves it at its end
DRILL_ENDED = "drill ended"  # the summary of that resolution
CREATES = {"block": "blocker", "request": "approval", "milestone": "milestone"}
USES = {"unblock": "blocker", "approve": "approval", "reject": "approval",
        "milestone_done": "milestone"}


class Inject(BaseModel):
    """One thing that happens in the scenario, at ``at`` after the incident opened."""

    model_config = ConfigDict(extra="forbid")

    at: Duration
    actor: str = Field(min_length=1, max_length=80)
    do: Verb
    demo_only: bool = False
    role: str | None = None
    reason: str | None = None
    dispute: str | None = None  # a claim of a held role: the reason for the dispute
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
    next: Duration | None = None
    agreed: bool = False  # a customer update's next time later than the cadence: agreed
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
    due: Duration | None = None
    stage: str | None = None
    summary: str | None = None
    # a resolution (resolve, or stage resolved): what becomes of what is still open, and the
    # reason for resolving without a recent customer update (warroom.actions.lifecycle)
    open_items: Literal["close", "carry"] | None = None
    no_customer_update: str | None = None
    text: str | None = None

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
    opened_ago: Duration = timedelta()


class Scenario(BaseModel):
    """A whole scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    summary: str = Field(min_length=1)
    ambiguity: list[str] = Field(min_length=1)
    debrief_questions: list[str] = []
    incident: ScenarioIncident
    inject: list[Inject] = Field(min_length=1)

    def duration(self) -> timedelta:
        return self.inject[-1].at


def _problems(scenario: Scenario, data: dict[str, Any]) -> list[tuple[str, str]]:
    """What pydantic cannot see: labels used twice, targets that name no earlier label, and
    injects out of time order, as (where, what)."""
    out: list[tuple[str, str]] = []
    made: dict[str, str] = {}
    for index, inj in enumerate(scenario.inject):
        place = where(("inject", index), data)
        if inj.do in CREATES:
            if inj.label in made:
                out.append((place, f"label {inj.label!r} is used twice"))
            else:
                made[inj.label] = CREATES[inj.do]
        if inj.do in USES and made.get(inj.target) != USES[inj.do]:
            out.append((place, f"target {inj.target!r} is not an earlier {USES[inj.do]}'s "
                               "label"))
    ats = [i.at for i in scenario.inject]
    late = next((n for n in range(1, len(ats)) if ats[n] < ats[n - 1]), None)
    if late is not None:
        out.append((where(("inject", late, "at"), data), "injects must be in time order"))
    return out


def parse(text: Content, source: str) -> Scenario:
    """Validate one scenario file. Every problem is reported (:class:`Invalid`), each naming
    the file and the place in it: those of its shape first, then, once the shape is right,
    its labels and time order."""
    return validated(Scenario, text, source, _problems)


def shipped() -> dict[str, Scenario]:
    """The scenarios shipped with warroom, by name."""
    out: dict[str, Scenario] = {}
    for _source, scenario, errors in parse_files(bundled.shipped_files("scenarios"), parse):
        if errors:
            raise Invalid(errors)
        out[scenario.name] = scenario
    return out


def load(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a scenario file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return parse(file_content(path), clean_line(str(path)))
    scenarios = shipped()
    if name_or_path not in scenarios:
        raise UserError(f"no scenario {name_or_path!r} (shipped: {', '.join(scenarios)})")
    return scenarios[name_or_path]


def questions_for(title: str) -> list[str]:
    """The debrief questions of the one shipped scenario whose incident has ``title``
    (none when no scenario, or more than one, has it)."""
    found = [s for s in shipped().values() if s.incident.title == title]
    return list(found[0].debrief_questions) if len(found) == 1 else []
