"""The records warroom reads back: incidents and their parts, journal events, the views.

Plain frozen dataclasses, without validation: what they hold was validated on the way in
(models.py, at the edge) and comes back from warroom's own database. Keeping pydantic off
the read path keeps ``warroom`` quick to paint its first screen (bench/live.py) and a view
cheap to rebuild after every event. The enums live here for the same reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from warroom.errors import UserError
from warroom.text import checked, clean_name


class _Parsed(str, Enum):
    """An enum read from what someone typed: case and spaces do not matter."""

    @classmethod
    def parse(cls, value: object):
        if isinstance(value, cls):
            return value
        try:
            return cls(cls._normal(str(value)))
        except ValueError:
            raise UserError(f"unknown {cls._what()} {value!r}: use {cls._choices()}") from None

    @classmethod
    def _normal(cls, text: str) -> str:
        return text.strip().lower()

    @classmethod
    def _what(cls) -> str:
        return cls.__name__.lower()

    @classmethod
    def _choices(cls) -> str:
        names = [m.value for m in cls]
        return ", ".join(names[:-1]) + " or " + names[-1]


class Severity(_Parsed):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"

    @classmethod
    def _normal(cls, text: str) -> str:
        text = text.strip().upper()
        return "SEV" + text if text in {"1", "2", "3", "4"} else text


class Stage(_Parsed):
    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    MITIGATING = "mitigating"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def order(self) -> int:
        return list(Stage).index(self)

    @classmethod
    def _choices(cls) -> str:
        return "one of " + ", ".join(s.value for s in cls)


class Audience(_Parsed):
    INTERNAL = "internal"
    CUSTOMER = "customer"

    @classmethod
    def _choices(cls) -> str:
        return "customer or internal"


class Risk(_Parsed):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class HandoverStatus(StrEnum):
    """Where a handover stands: offered until the incoming person answers, or the role
    changes under it (lapsed)."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class ApprovalStatus(StrEnum):
    """Where an approval request stands; ``expired`` is derived from the time, never stored."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class MilestoneStatus(StrEnum):
    """How a milestone stands against its due time."""

    MET = "met"
    MISSED = "missed"
    OPEN = "open"


TRIO = ("lead", "comms", "decider")
ROLE_TITLES = {
    "lead": "Investigation lead",
    "comms": "Communications owner",
    "decider": "Decision-maker",
}


def role_title(role: str) -> str:
    """``Investigation lead`` for lead; ``Internal liaison`` for internal_liaison."""
    return ROLE_TITLES.get(role, role.replace("_", " ").capitalize())


def valid_name(value: object, what: str) -> str:
    """A person's name as typed: cleaned, non-empty, at most 80 characters; the error names
    ``what`` ("--as must not be empty"). The same rule as models.Name, without pydantic."""
    try:
        return checked(value, 80, clean_name)
    except ValueError as exc:
        raise UserError(f"{what} {exc}") from None


@dataclass(frozen=True)
class Actor:
    """Who performs an action: the OS user, and the name they go by in the room. Both are
    cleaned like any typed name (a scenario or a flag may carry escape codes)."""

    os_user: str
    display: str | None = None
    strict: bool = False  # the room has a people file: one OS user's approvals count once

    def __post_init__(self) -> None:
        object.__setattr__(self, "os_user", valid_name(self.os_user, "the OS user"))
        if self.display is not None:
            object.__setattr__(self, "display", valid_name(self.display, "the name"))

    @property
    def name(self) -> str:
        return self.display or self.os_user


@dataclass(frozen=True)
class Incident:
    id: int
    key: str
    title: str
    customer: str
    severity: Severity
    stage: Stage
    opened_at: datetime
    opened_by: str
    service: str | None = None
    tier: str | None = None
    playbook: str | None = None
    drill: bool = False
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    csat: int | None = None
    csat_comment: str | None = None
    next_customer_due: datetime | None = None
    next_internal_due: datetime | None = None
    customers: tuple[str, ...] = ()  # affected besides the main customer, in order added
    customer_tz: str | None = None  # the customer's zone (IANA) for what they read


@dataclass(frozen=True)
class RoleSlot:
    role: str
    title: str
    holder: str | None = None
    team: str | None = None
    since: datetime | None = None
    vacant_since: datetime | None = None
    contingency: str | None = None
    version: int = 0


@dataclass(frozen=True)
class Dispute:
    id: int
    role: str
    claimant: str
    holder: str
    opened_at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Handover:
    id: int
    role: str
    from_person: str
    to_person: str
    done: str
    remaining: str
    dependencies: str
    risks: str
    offered_at: datetime
    status: HandoverStatus = HandoverStatus.OFFERED


@dataclass(frozen=True)
class Milestone:
    id: int
    name: str
    owner: str
    due_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    number: int = 0  # #1, #2 ... within its incident: what people type and read


@dataclass(frozen=True)
class Blocker:
    id: int
    what: str
    waiting_on: str
    owner: str
    raised_at: datetime
    cleared_at: datetime | None = None
    number: int = 0  # #1, #2 ... within its incident


@dataclass(frozen=True)
class Vote:
    voter: str
    decision: str  # "approve" | "reject"
    at: datetime
    roles: list[str] = field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True)
class Statement:
    """The customer statement a ``customer-statement`` request carries: the parts of a
    customer update as the customer will read them, and the template framing them."""

    known: str
    unknown: str
    next_steps: str
    template: str | None = None


@dataclass(frozen=True)
class ApprovalRequest:
    id: int
    change: str
    kind: str
    risk: Risk
    rationale: str
    fallback: str
    needed: int
    eligible_roles: list[str]
    eligible_people: list[str]
    decider_required: bool
    requester: str
    requested_at: datetime
    expires_at: datetime
    status: ApprovalStatus
    decided_at: datetime | None = None
    votes: list[Vote] = field(default_factory=list)
    rule: str | None = None  # the authority-matrix rule it was made under: "rollback/high"
    number: int = 0  # #1, #2 ... within its incident
    statement: Statement | None = None  # a customer statement's draft, approved as written
    posted_at: datetime | None = None  # when the approved statement went out (once)
    posted_by: str | None = None

    def effective_status(self, now: datetime) -> ApprovalStatus:
        """``expired`` once a pending request is past its expiry, else the stored status."""
        if self.status == ApprovalStatus.PENDING and now >= self.expires_at:
            return ApprovalStatus.EXPIRED
        return self.status

    @property
    def approvals(self) -> list[Vote]:
        return [v for v in self.votes if v.decision == "approve"]


@dataclass(frozen=True)
class StatusUpdate:
    id: int
    audience: Audience
    known: str
    unknown: str
    next_steps: str
    author: str
    posted_at: datetime
    next_update_at: datetime | None = None


@dataclass(frozen=True)
class Event:
    """One journal entry: append-only, the audit trail and the live feed."""

    id: int
    incident_id: int | None
    at: datetime
    os_user: str
    kind: str
    incident_key: str | None = None
    display_name: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    recorded_at: datetime | None = None  # when it was recorded: later than ``at`` if late

    @property
    def who(self) -> str:
        return self.display_name or self.os_user


@dataclass(frozen=True)
class IncidentView:
    """Everything a dashboard shows about one incident, read in one transaction."""

    incident: Incident
    roles: list[RoleSlot]
    disputes: list[Dispute]
    handovers: list[Handover]
    milestones: list[Milestone]
    blockers: list[Blocker]
    approvals: list[ApprovalRequest]
    cadence_minutes: dict[str, int]
    stage_definitions: dict[str, str]
    comms_stand_in: str  # the role that posts customer updates while comms is vacant
    internal_updates: tuple[str, ...]  # the roles that post internal updates
    last_customer_update: StatusUpdate | None = None
    last_internal_update: StatusUpdate | None = None
    last_event_id: int = 0

    def role(self, name: str) -> RoleSlot | None:
        return next((r for r in self.roles if r.role == name), None)


@dataclass(frozen=True)
class IncidentSummary:
    """One row of the incident list."""

    id: int
    key: str
    title: str
    customer: str
    severity: Severity
    stage: Stage
    drill: bool
    opened_at: datetime
    vacant_roles: list[str]
    open_disputes: int = 0


def to_json(value: Any) -> Any:
    """A record (or a list or dict of them) as JSON-ready data: enums by value, times in
    ISO 8601 UTC with a ``Z``, the shape ``warroom show --json`` has always printed."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value
