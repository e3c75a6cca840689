"""Which playbook an incident opens under, why, and what applying it creates.

Scoring is plain so the journal can say why: a service the playbook lists scores 3, each of
its keywords found in the title 2, a listed tier 1. A keyword matches whole words (``down``
does not match "downloads"); a trailing ``*`` makes it a stem (``fail*`` matches "failing"
and "failures"). A keyword may be several words ("charged twice"). A playbook is a
candidate only when a keyword or a service matched; listed severities and tiers are
conditions. The highest score wins; ties go to the higher ``priority``, then the name, and
the journal's "why" says which broke it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from warroom.records import Severity
from warroom.rules.playbooks import Catalog, Playbook, load
from warroom.rules.policy import DEFAULT_POLICY, Policy


@dataclass(frozen=True)
class Match:
    """One candidate playbook, its score and what in the incident matched it."""

    playbook: Playbook
    score: int
    reasons: tuple[str, ...]


@dataclass
class Plan:
    """Everything ``open_incident`` needs to apply a playbook (or the built-in defaults)."""

    playbook: str | None
    why: str
    policy: Policy = field(default_factory=lambda: DEFAULT_POLICY)
    assign: dict[str, str] = field(default_factory=dict)
    milestones: list[tuple[str, str, timedelta]] = field(default_factory=list)
    stale: str | None = None  # the playbook is past its review date: a warning saying so

    def applied(self) -> dict:
        """The keyword arguments of ``actions.open_incident`` that apply this plan."""
        return dict(policy=self.policy, playbook=self.playbook, why=self.why,
                    assign=self.assign, milestones=self.milestones)


def keyword_in(keyword: str, text: str) -> bool:
    """Whether ``keyword`` (a word, words, or a stem ending in ``*``) is in ``text``."""
    stem = keyword.endswith("*")
    pattern = r"(?<![a-z0-9])" + re.escape(keyword.rstrip("*")) + ("" if stem else r"(?![a-z0-9])")
    return re.search(pattern, text) is not None


def score(pb: Playbook, *, title: str, severity: Severity, service: str | None = None,
          tier: str | None = None) -> Match | None:
    """How well ``pb`` fits the incident, or None when it does not apply."""
    rules = pb.match
    if rules.severities and severity not in rules.severities:
        return None
    tier_l = (tier or "").strip().lower()
    if rules.tiers and tier_l not in rules.tiers:
        return None
    text = title.lower()
    words = [k for k in rules.keywords if keyword_in(k, text)]
    service_l = (service or "").strip().lower()
    service_hit = bool(service_l) and service_l in rules.services
    if not words and not service_hit:
        return None
    points = 2 * len(words) + 3 * service_hit + (1 if rules.tiers else 0)
    reasons = []
    if words:
        reasons.append("title words " + ", ".join(repr(w) for w in words))
    if service_hit:
        reasons.append(f"service {service_l!r}")
    if rules.tiers:
        reasons.append(f"tier {tier_l!r}")
    if rules.severities:
        reasons.append(f"severity {severity.value}")
    return Match(pb, points, tuple(reasons))


def ranked(catalog: Catalog, **incident) -> list[Match]:
    """Every applicable playbook, best first."""
    found = [m for pb in catalog.playbooks.values() if (m := score(pb, **incident))]
    return sorted(found, key=lambda m: (-m.score, -m.playbook.match.priority, m.playbook.name))


def _tie(best: Match, tied: list[Match]) -> str:
    """How a tie on score was broken: by priority, else by name."""
    mine = best.playbook.match.priority
    lower = [m.playbook.match.priority for m in tied if m.playbook.match.priority < mine]
    out = ""
    if lower:
        against = ", ".join(str(p) for p in sorted(set(lower), reverse=True))
        out += f"; the tie went to {best.playbook.name} on priority ({mine} against {against})"
    if len(lower) < len(tied):
        out += f"; the tie at priority {mine} went to {best.playbook.name} by name"
    return out


def plan(catalog: Catalog, *, title: str, severity: Severity, service: str | None = None,
         tier: str | None = None, name: str | None = None, today=None) -> Plan:
    """Pick the playbook (``name`` if given, else the best match) and work out what it
    creates at this severity: the policy, default holders, milestones with their offsets."""
    incident = dict(title=title, severity=severity, service=service, tier=tier)
    if name is not None:
        pb = catalog.get(name)
        why = "chosen by name (--playbook)"
    else:
        matches = ranked(catalog, **incident)
        if not matches:
            return Plan(None, "no playbook matched the title, service or tier; built-in "
                              "defaults apply")
        best = matches[0]
        pb = best.playbook
        why = f"matched {'; '.join(best.reasons)} (score {best.score})"
        runners = [f"{m.playbook.name} ({m.score})" for m in matches[1:]]
        if runners:
            why += "; also matched " + ", ".join(runners)
        why += _tie(best, [m for m in matches[1:] if m.score == best.score])
    milestones = [(m.name, m.role, m.due[severity]) for m in pb.milestones if severity in m.due]
    stale = (f"playbook {pb.name} was due for review on {pb.review_due()} (owner {pb.owner})"
             if today and pb.is_stale(today) else None)
    return Plan(pb.name, why, pb.policy(catalog.templates), pb.holders(), milestones,
                stale=stale)


def plan_from(folder: Path | None, warn: Callable[[str], None] | None = None,
              **incident) -> Plan:
    """:func:`plan` (same keywords) under the playbooks in force: the shipped ones, then
    ``folder``'s. An invalid user file is left out rather than stopping the opening: ``warn``
    is told each one's problem first (so that a refusal, such as a playbook named but left
    out, comes explained), and the plan's why says how many were skipped."""
    catalog = load(folder, strict=False)
    for problem in catalog.skipped:
        if warn is not None:
            warn(problem)
    chosen = plan(catalog, **incident)
    if catalog.skipped:
        chosen.why += f"; {len(catalog.skipped)} invalid playbook file(s) skipped"
    return chosen
