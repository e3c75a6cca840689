"""What an incident is held to: update cadence, stage definitions, roles and approval rules.

An incident copies its policy when it opens, so later edits to defaults or playbooks never
change the rules of an incident already running. Playbooks build a :class:`Policy`; until one
matches, :data:`DEFAULT_POLICY` applies.

The authority matrix is two-level: ``kinds`` holds rules for a change kind (rollback,
data-repair...) per risk, and ``approvals`` the default rule per risk, which applies to the
generic kind ``change``. A kind without a rule for some risk falls back to ``approvals`` for
that risk. A kind the policy does not know is refused: falling back to the default would let
``Hot_Fix`` get round the rule for ``hotfix``.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel, ConfigDict, Field

from warroom.errors import UserError
from warroom.models import RoleName
from warroom.records import TRIO, Risk, Severity, Stage
from warroom.rules import stored
from warroom.rules.stored import COMMS_STAND_IN, INTERNAL_UPDATES
from warroom.rules.templates import Template

DEFAULT_KIND = "default"  # the key of the default rules in a playbook's approvals
GENERIC_KIND = "change"  # the kind of a change the default rules apply to
# A policy with rules for this kind gates customer statements: a customer update goes out
# only as the text a request of this kind carried and had granted (warroom.actions.statements).
STATEMENT_KIND = "customer-statement"


def kind_key(kind: str) -> str:
    """The canonical form of a change kind: ``Data repair`` -> ``data-repair``."""
    return re.sub(r"[\s_]+", "-", kind.strip().lower())


class Cadence(BaseModel):
    """Minutes between status updates, per audience."""

    model_config = ConfigDict(extra="forbid")

    customer: int = Field(gt=0, le=7 * 24 * 60)
    internal: int = Field(gt=0, le=7 * 24 * 60)


class ApprovalRule(BaseModel):
    """How many approvals a change of a given kind and risk needs, and from whom."""

    model_config = ConfigDict(extra="forbid")

    needed: int = Field(ge=1, le=10)
    eligible_roles: list[str] = Field(default=list(TRIO), min_length=1)
    decider_required: bool = False
    expires_minutes: int = Field(default=60, gt=0, le=7 * 24 * 60)
    fallback_required: bool = True

    def summary(self) -> str:
        """``2 of lead, comms, decider; decider required; expires 30m``."""
        parts = [f"{self.needed} of {', '.join(self.eligible_roles)}"]
        if self.decider_required:
            parts.append("decider required")
        parts.append(f"expires {self.expires_minutes}m")
        if not self.fallback_required:
            parts.append("no fallback needed")
        return "; ".join(parts)


_WIDEN = "a playbook may widen who posts internal updates, never narrow it"


class UpdateRules(BaseModel):
    """A playbook's ``[updates]``: who posts status updates beyond the defaults. Customer
    updates come from comms, or while comms is vacant from the holder of ``comms_stand_in``;
    internal updates from the ``internal`` roles (default: lead, comms and the internal
    liaison, those the playbook has)."""

    model_config = ConfigDict(extra="forbid")

    comms_stand_in: RoleName = COMMS_STAND_IN
    internal: list[RoleName] | None = None

    def internal_roles(self, roles: list[str]) -> list[str]:
        """The roles that post internal updates, of ``roles`` (the playbook's)."""
        if self.internal is not None:
            return list(dict.fromkeys(self.internal))
        return [r for r in INTERNAL_UPDATES if r in roles]

    def problems(self, roles: list[str]) -> list[tuple[str, str]]:
        """References to roles the playbook lacks, as (where, what)."""
        out = []
        known = ", ".join(roles)
        if self.comms_stand_in not in roles:
            out.append(("updates.comms_stand_in", f"unknown role {self.comms_stand_in!r} "
                                                  f"(roles: {known})"))
        elif self.comms_stand_in == "comms":
            out.append(("updates.comms_stand_in", "comms cannot stand in for itself: name "
                                                  "the role that posts while comms is vacant"))
        for role in self.internal or []:
            if role not in roles:
                out.append(("updates.internal", f"unknown role {role!r} (roles: {known})"))
        left_out = [r for r in INTERNAL_UPDATES if r in roles and r not in (
            self.internal_roles(roles))]
        if left_out:
            out.append(("updates.internal", f"must include {', '.join(left_out)}: {_WIDEN}"))
        return out


class Policy(BaseModel):
    """The rules one incident runs under."""

    model_config = ConfigDict(extra="forbid")

    name: str = "built-in defaults"
    roles: list[str] = list(TRIO)
    contingency: dict[str, str] = {}
    teams: dict[str, str] = {}
    titles: dict[str, str] = {}  # role -> the name people read, where the playbook gives one
    cadence: dict[Severity, Cadence]
    stages: dict[Stage, str]
    approvals: dict[Risk, ApprovalRule]
    kinds: dict[str, dict[Risk, ApprovalRule]] = {}
    templates: dict[str, Template] = {}
    # Who posts status updates (warroom.actions.authority); an incident opened before these
    # existed has neither in its copy, and so the defaults.
    comms_stand_in: str = COMMS_STAND_IN
    internal_updates: list[str] = list(INTERNAL_UPDATES)
    # milestone name -> what meets it by itself (warroom.rules.triggers)
    milestone_triggers: dict[str, str] = {}
    # A drill's speed: its durations (cadence, expiries) were divided by it
    # (warroom.drills.scaled_policy), and its metrics are judged on that clock.
    speed: float = 1

    def cadence_for(self, severity: Severity) -> Cadence:
        return self.cadence[severity]

    def rule_and_source(self, risk: Risk, kind: str = GENERIC_KIND) -> tuple[ApprovalRule, str]:
        """The rule for a change of ``kind`` (canonical, as :meth:`known_kind` returns it)
        at ``risk``, and where it comes from: the kind's own (``rollback/high``), else the
        default (``default/high``)."""
        own = self.kinds.get(kind, {})
        if risk in own:
            return own[risk], f"{kind}/{risk.value}"
        return self.approvals[risk], f"{DEFAULT_KIND}/{risk.value}"

    def gates_statements(self) -> bool:
        """Whether customer updates need a granted :data:`STATEMENT_KIND` request first."""
        return STATEMENT_KIND in self.kinds

    def known_kinds(self) -> list[str]:
        """The kinds a request may name: the generic one, then those with rules."""
        return [GENERIC_KIND] + [k for k in self.kinds if k != GENERIC_KIND]

    def known_kind(self, kind: str) -> str:
        """``kind`` in its canonical form, or a refusal naming the kinds there are."""
        key = kind_key(kind)
        known = self.known_kinds()
        if key in known:
            return key
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UserError(f"no approval rule for kind {key!r} under {self.name}{hint}; kinds: "
                        f"{', '.join(known)}")


def policy_of(incident) -> Policy:
    """The policy an incident copied when it opened, from its row."""
    return Policy.model_validate(stored.parsed(incident["policy"]))


DEFAULT_STAGES: dict[Stage, str] = {
    Stage.TRIAGE: "Impact, affected customer and severity are confirmed, and the customer has "
    "been told we are working on it.",
    Stage.INVESTIGATING: "A probable cause or a safe mitigation path is identified and the "
    "customer has been told what we will do next.",
    Stage.MITIGATING: "The mitigation is in place and the customer's impact has stopped or is "
    "down to a level the customer has agreed to.",
    Stage.MONITORING: "The fix has held for the agreed observation window and the customer "
    "confirms service is back to normal.",
    Stage.RESOLVED: "The customer has the resolution summary and agrees the incident can be "
    "closed.",
    Stage.CLOSED: "Closed.",
}

DEFAULT_CADENCE: dict[Severity, Cadence] = {
    Severity.SEV1: Cadence(customer=30, internal=15),
    Severity.SEV2: Cadence(customer=60, internal=30),
    Severity.SEV3: Cadence(customer=240, internal=60),
    Severity.SEV4: Cadence(customer=1440, internal=240),
}

DEFAULT_APPROVALS: dict[Risk, ApprovalRule] = {
    Risk.LOW: ApprovalRule(needed=1),
    Risk.MEDIUM: ApprovalRule(needed=1),
    Risk.HIGH: ApprovalRule(needed=2, decider_required=True),
}

DEFAULT_POLICY = Policy(cadence=DEFAULT_CADENCE, stages=DEFAULT_STAGES,
                        approvals=DEFAULT_APPROVALS)
