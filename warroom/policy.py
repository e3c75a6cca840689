"""What an incident is held to: update cadence, stage definitions, roles and approval rules.

An incident copies its policy when it opens, so later edits to defaults or playbooks never
change the rules of an incident already running. Playbooks build a :class:`Policy`; until one
matches, :data:`DEFAULT_POLICY` applies.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from warroom.models import TRIO, Risk, Severity, Stage


class Cadence(BaseModel):
    """Minutes between status updates, per audience."""

    model_config = ConfigDict(extra="forbid")

    customer: int = Field(gt=0, le=7 * 24 * 60)
    internal: int = Field(gt=0, le=7 * 24 * 60)


class ApprovalRule(BaseModel):
    """How many approvals a change of a given risk needs, and from whom."""

    model_config = ConfigDict(extra="forbid")

    needed: int = Field(ge=1, le=10)
    eligible_roles: list[str] = list(TRIO)
    decider_required: bool = False
    expires_minutes: int = Field(default=60, gt=0, le=7 * 24 * 60)
    fallback_required: bool = True


class Policy(BaseModel):
    """The rules one incident runs under."""

    model_config = ConfigDict(extra="forbid")

    name: str = "built-in defaults"
    roles: list[str] = list(TRIO)
    contingency: dict[str, str] = {}
    cadence: dict[Severity, Cadence]
    stages: dict[Stage, str]
    approvals: dict[Risk, ApprovalRule]

    def cadence_for(self, severity: Severity) -> Cadence:
        return self.cadence[severity]

    def rule_for(self, risk: Risk) -> ApprovalRule:
        return self.approvals[risk]


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

DEFAULT_POLICY = Policy(
    cadence={
        Severity.SEV1: Cadence(customer=30, internal=15),
        Severity.SEV2: Cadence(customer=60, internal=30),
        Severity.SEV3: Cadence(customer=240, internal=60),
        Severity.SEV4: Cadence(customer=1440, internal=240),
    },
    stages=DEFAULT_STAGES,
    approvals={
        Risk.LOW: ApprovalRule(needed=1),
        Risk.MEDIUM: ApprovalRule(needed=1),
        Risk.HIGH: ApprovalRule(needed=2, decider_required=True),
    },
)
