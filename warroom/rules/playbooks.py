"""Playbooks: how a kind of incident is run, loaded from TOML and validated.

A playbook maps a common incident pattern (outage, data loss, security...) to ownership
(roles with a default holder or team and a contingency contact), expected timelines
(update cadence and milestones per severity), decision criteria (stage definitions and the
authority matrix for approvals) and the message templates comms starts from. It is a living
document: it names a governance owner and when it was last reviewed, and ``warroom
playbook check`` warns once it is past its review interval.

Shipped playbooks live in ``data/playbooks``; a user folder (``--playbooks DIR`` or
``$WARROOM_PLAYBOOKS``) adds to them or overrides them by name, with its own templates in
``DIR/templates``. Every error names the file, the key and the problem.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from warroom.errors import UserError
from warroom.models import Line, Name, RoleName, Title
from warroom.records import TRIO, Risk, Severity, Stage
from warroom.rules import shipped as bundled
from warroom.rules import templates as tpl
from warroom.rules import triggers
from warroom.rules.policy import (
    DEFAULT_APPROVALS,
    DEFAULT_KIND,
    ApprovalRule,
    Cadence,
    Policy,
    UpdateRules,
    kind_key,
)
from warroom.rules.templates import Slug, Template
from warroom.rules.tomlfiles import (
    Content,
    Duration,
    Invalid,
    file_content,
    folder_files,
    parse_files,
    validated,
)
from warroom.text import clean_line

ENV_FOLDER = "WARROOM_PLAYBOOKS"
KIND = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _not_negative(value: object) -> object:
    """Before reading the duration: a negative one is refused as such (not as unreadable)."""
    if isinstance(value, str) and value.strip().startswith("-") or (
            isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0):
        raise ValueError("must not be negative: milestones fall due after the opening")
    return value


def _positive(delta: timedelta) -> timedelta:
    if delta <= timedelta():
        raise ValueError("must be greater than 0")
    return delta


# Minutes (a number) or a duration (``90m``, ``2h``, ``3d``), strictly after opening.
Offset = Annotated[Duration, BeforeValidator(_not_negative), AfterValidator(_positive)]


class RoleSpec(BaseModel):
    """A role of the playbook: who holds it by default (or which team is suggested), and
    who to call when they cannot be reached."""

    model_config = ConfigDict(extra="forbid")

    title: Name | None = None  # the name people read ("Billing operations"); else from the id
    holder: Name | None = None
    team: Name | None = None
    contingency: Name

    @model_validator(mode="after")
    def _someone(self) -> "RoleSpec":
        if self.holder is None and self.team is None:
            raise ValueError("needs a default holder or a team")
        return self


class MatchRules(BaseModel):
    """When the playbook applies. Keywords and services make it a candidate; severities and
    tiers, when listed, are conditions; priority breaks ties."""

    model_config = ConfigDict(extra="forbid")

    keywords: list[str] = []
    services: list[str] = []
    tiers: list[str] = []
    severities: list[Severity] = []
    priority: int = Field(default=0, ge=-100, le=100)

    @field_validator("keywords", "services", "tiers")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        out = [clean_line(v).lower() for v in values]
        if any(not v for v in out):
            raise ValueError("must not contain empty text")
        return out


class MilestoneSpec(BaseModel):
    """A milestone created at opening, owned by a role, due at an offset per severity (a
    severity left out gets no such milestone)."""

    model_config = ConfigDict(extra="forbid")

    name: Title
    role: RoleName
    due: dict[Severity, Offset] = Field(min_length=1)
    met_by: Annotated[str, AfterValidator(triggers.check)] | None = None  # see rules.triggers


class Playbook(BaseModel):
    """One playbook file. Its text is cleaned like anything a user types (a file is user
    input); stage definitions are one line each, since refusals quote them."""

    model_config = ConfigDict(extra="forbid")

    name: Slug
    description: Line
    owner: Name
    last_reviewed: date
    review_every_days: int = Field(default=90, gt=0, le=366)
    match: MatchRules = MatchRules()
    roles: dict[RoleName, RoleSpec]
    cadence: dict[Severity, Cadence]
    stages: dict[Stage, Line]
    milestones: list[MilestoneSpec] = []
    approvals: dict[str, dict[Risk, ApprovalRule]] = {}
    templates: list[str] = []
    updates: UpdateRules = UpdateRules()

    def review_due(self) -> date:
        return self.last_reviewed + timedelta(days=self.review_every_days)

    def is_stale(self, today: date) -> bool:
        return today > self.review_due()

    def policy(self, library: dict[str, Template]) -> Policy:
        """The policy an incident opened under this playbook copies."""
        default = dict(DEFAULT_APPROVALS) | self.approvals.get(DEFAULT_KIND, {})
        stages = {Stage.CLOSED: "Closed."} | self.stages
        return Policy(
            name=self.name, roles=list(self.roles),
            contingency={r: s.contingency for r, s in self.roles.items()},
            teams={r: s.team for r, s in self.roles.items() if s.team},
            titles={r: s.title for r, s in self.roles.items() if s.title},
            cadence=self.cadence, stages=stages, approvals=default,
            kinds={k: v for k, v in self.approvals.items() if k != DEFAULT_KIND},
            templates={n: library[n] for n in self.templates},
            comms_stand_in=self.updates.comms_stand_in,
            internal_updates=self.updates.internal_roles(list(self.roles)),
            milestone_triggers={m.name: m.met_by for m in self.milestones if m.met_by},
        )

    def holders(self) -> dict[str, str]:
        """Roles with a default holder, assigned at opening."""
        return {r: s.holder for r, s in self.roles.items() if s.holder}


def _problems(pb: Playbook, library: dict[str, Template]) -> list[tuple[str, str]]:
    """What pydantic cannot see: references between parts, as (where, what)."""
    out: list[tuple[str, str]] = []
    roles = list(pb.roles)
    known = ", ".join(roles)
    missing = [r for r in TRIO if r not in roles]
    if missing:
        out.append(("roles", f"must include lead, comms and decider (missing: "
                             f"{', '.join(missing)})"))
    for sev in Severity:
        if sev not in pb.cadence:
            out.append(("cadence", f"{sev.value} is missing: every severity needs customer "
                                   "and internal minutes"))
    for stage in Stage:
        if stage is not Stage.CLOSED and stage not in pb.stages:
            out.append(("stages", f"{stage.value} is missing: every stage needs its "
                                  "customer-resolution definition"))
    for m in pb.milestones:
        kind = (m.met_by or "").removeprefix("approval-granted:")
        if m.met_by and m.met_by.startswith("approval-granted:") and kind not in pb.approvals:
            out.append((f'milestones["{m.name}"].met_by',
                        f"no approval rules for {kind!r}, so it could never be granted "
                        f"(kinds: {', '.join(pb.approvals) or 'none'})"))
        if m.role not in roles:
            out.append((f'milestones["{m.name}"].role', f"unknown role {m.role!r} (roles: "
                                                         f"{known})"))
    for kind, rules in pb.approvals.items():
        if not KIND.match(kind):
            better = kind_key(clean_line(kind))
            hint = f" (write {better!r})" if KIND.match(better) else ""
            out.append((f"approvals.{kind}", f"a change kind is lowercase words joined by -{hint}"))
        for risk, rule in rules.items():
            where = f"approvals.{kind}.{risk.value}"
            for role in rule.eligible_roles:
                if role not in roles:
                    out.append((f"{where}.eligible_roles",
                                f"unknown role {role!r} (roles: {known})"))
            if rule.decider_required and "decider" not in rule.eligible_roles:
                out.append((f"{where}.decider_required", "the decider is not in eligible_roles"))
            if rule.needed > len(set(rule.eligible_roles)):
                out.append((f"{where}.needed", f"{rule.needed} approvals from "
                                               f"{len(set(rule.eligible_roles))} eligible roles "
                                               "can never be granted"))
    out += pb.updates.problems(roles)
    for name in pb.templates:
        if name not in library:
            out.append(("templates", f"no template {name!r} (templates: "
                                     f"{', '.join(library)})"))
    return out


def parse(text: Content, source: str, library: dict[str, Template]) -> Playbook:
    """Validate one playbook file against the template ``library``. Every problem is
    reported (:class:`Invalid`): those of its shape first, then, once the shape is right,
    its references between parts."""
    return validated(Playbook, text, source, lambda pb, _data: _problems(pb, library))


# -- the catalog: shipped and user playbooks together ---------------------------------------


@dataclass
class Catalog:
    """Every playbook and template in force, with where each came from."""

    playbooks: dict[str, Playbook] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # errors of files left out

    def get(self, name: str) -> Playbook:
        if name not in self.playbooks:
            raise UserError(f"no playbook {name!r} (playbooks: {', '.join(self.playbooks)}); "
                            "'warroom playbook list' shows them")
        return self.playbooks[name]


def shipped_files() -> list[tuple[str, str]]:
    """(source, text) of every shipped playbook file, sorted by name."""
    return bundled.shipped_files("playbooks")


def user_folder(given: str | None) -> Path | None:
    """The user's playbook folder: ``--playbooks``, else ``$WARROOM_PLAYBOOKS``, else none."""
    text = given or os.environ.get(ENV_FOLDER) or ""
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_dir():
        origin = "--playbooks" if given else f"${ENV_FOLDER}"
        raise UserError(clean_line(f"{origin}: {path} is not a folder of playbooks"))
    return path


def _add(files: list[tuple[str, Content]], parse_one, into: dict, sources: dict,
         strict: bool, skipped: list[str]) -> None:
    """Parse ``files`` into ``into`` (later sets override earlier ones by name); a name
    defined twice within ``files`` is an error."""
    for source, item, errors in parse_files(files, parse_one):
        if errors:
            if strict:
                raise Invalid(errors)
            skipped.append(str(Invalid(errors)))
            continue
        into[item.name] = item
        sources[item.name] = source


def load(folder: Path | None = None, *, strict: bool = True) -> Catalog:
    """The shipped playbooks and templates, then the user folder's, which override by name.

    With ``strict=False`` an invalid user file is left out and its error kept in
    ``skipped`` (opening an incident must not fail because someone broke a file); shipped
    files are always checked strictly.
    """
    cat = Catalog()
    template_sources: dict[str, str] = {}
    _add(tpl.shipped_files(), tpl.parse, cat.templates, template_sources, True, cat.skipped)
    if folder is not None:
        _add(folder_files(folder / "templates"), tpl.parse, cat.templates,
             template_sources, strict, cat.skipped)

    def one(text: str, source: str) -> Playbook:
        return parse(text, source, cat.templates)

    _add(shipped_files(), one, cat.playbooks, cat.sources, True, cat.skipped)
    if folder is not None:
        _add(folder_files(folder), one, cat.playbooks, cat.sources, strict, cat.skipped)
    return cat


# -- checking files: every problem reported, not just the first ----------------------------


@dataclass
class Finding:
    """The result of checking one file: a valid playbook or template, or its problems
    (each a line ``file: where: what``)."""

    source: str
    playbook: Playbook | None = None
    template: Template | None = None
    errors: list[str] = field(default_factory=list)


def _check_set(files: list[tuple[str, Content]], parse_one, findings: list[Finding],
               into: dict) -> None:
    for source, item, errors in parse_files(files, parse_one):
        if errors:
            findings.append(Finding(source, errors=errors))
            continue
        into[item.name] = item
        kind = "playbook" if isinstance(item, Playbook) else "template"
        findings.append(Finding(source, **{kind: item}))


def check(path: Path | None = None, folder: Path | None = None) -> list[Finding]:
    """Check one file, one folder (its ``*.toml`` playbooks and ``templates/``), or with no
    ``path`` the shipped files and the user ``folder``. Templates are checked first, since
    playbooks name them."""
    findings: list[Finding] = []
    library: dict[str, Template] = {}
    if path is not None and not path.exists():
        raise UserError(f"no such file or folder: {path}")
    if path is not None and path.is_file():
        _check_set(tpl.shipped_files(), tpl.parse, [], library)
        if path.parent.name == "templates":
            _check_set(folder_files(path.parent), tpl.parse, [], library)
            _check_set([(clean_line(str(path)), file_content(path))], tpl.parse,
                       findings, {})
            return findings
        _check_set(folder_files(path.parent / "templates"), tpl.parse, [], library)
        _check_set([(clean_line(str(path)), file_content(path))],
                   lambda t, s: parse(t, s, library), findings, {})
        return findings
    folders = [path] if path is not None else ([folder] if folder is not None else [])
    _check_set(tpl.shipped_files(), tpl.parse, findings if path is None else [], library)
    for f in folders:
        _check_set(folder_files(f / "templates"), tpl.parse, findings, library)
    if path is None:
        _check_set(shipped_files(), lambda t, s: parse(t, s, library), findings, {})
    for f in folders:
        _check_set(folder_files(f), lambda t, s: parse(t, s, library), findings, {})
    return findings

