"""The domain of warroom: enums, validated field types and the records a UI reads.

Every piece of user text passes through the annotated types below, so validation (trimmed,
non-empty, bounded, control characters removed) lives here and nowhere else.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from warroom.errors import UserError
from warroom.text import clean_block, clean_line


class Severity(str, Enum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"

    @classmethod
    def parse(cls, value: str) -> "Severity":
        if isinstance(value, cls):
            return value
        text = str(value).strip().upper()
        if text in {"1", "2", "3", "4"}:
            text = "SEV" + text
        try:
            return cls(text)
        except ValueError:
            raise UserError(f"unknown severity {value!r}: use SEV1, SEV2, SEV3 or SEV4") from None


class Stage(str, Enum):
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
    def parse(cls, value: str) -> "Stage":
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise UserError(f"unknown stage {value!r}: use one of {names}") from None


class Audience(str, Enum):
    INTERNAL = "internal"
    CUSTOMER = "customer"

    @classmethod
    def parse(cls, value: str) -> "Audience":
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise UserError(f"unknown audience {value!r}: use customer or internal") from None


class Risk(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def parse(cls, value: str) -> "Risk":
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise UserError(f"unknown risk {value!r}: use low, medium or high") from None


TRIO = ("lead", "comms", "decider")
ROLE_TITLES = {
    "lead": "Investigation lead",
    "comms": "Communications owner",
    "decider": "Decision-maker",
}
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _cleaned(limit: int, clean):
    """A validator: text, cleaned of controls, non-empty, at most ``limit`` characters.

    Messages leave out the subject; callers put the field's name in front.
    """

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        text = clean(value)
        if not text:
            raise ValueError("must not be empty")
        if len(text) > limit:
            raise ValueError(f"is longer than {limit} characters")
        return text

    return check


def _role(value: Any) -> str:
    text = clean_line(str(value)).lower()
    if not _ROLE_NAME.match(text):
        raise ValueError("is not a role name (lowercase letters, digits, - or _)")
    return text


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a timezone")
    return value.astimezone(timezone.utc)


Name = Annotated[str, BeforeValidator(_cleaned(80, clean_line))]
Title = Annotated[str, BeforeValidator(_cleaned(200, clean_line))]
Line = Annotated[str, BeforeValidator(_cleaned(500, clean_line))]
Body = Annotated[str, BeforeValidator(_cleaned(4000, clean_block))]
RoleName = Annotated[str, BeforeValidator(_role)]
UTC = Annotated[datetime, AfterValidator(_utc)]


class Record(BaseModel):
    """Base of every domain record: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Actor(Record):
    """Who performs an action: the OS user, and the name they go by in the room."""

    os_user: Name
    display: Name | None = None

    @property
    def name(self) -> str:
        return self.display or self.os_user


class Incident(Record):
    id: int
    key: str
    title: Title
    customer: Name
    service: Name | None = None
    tier: Name | None = None
    severity: Severity
    stage: Stage
    playbook: str | None = None
    drill: bool = False
    opened_at: UTC
    opened_by: str
    resolved_at: UTC | None = None
    closed_at: UTC | None = None
    csat: int | None = Field(default=None, ge=1, le=5)
    csat_comment: str | None = None
    next_customer_due: UTC | None = None
    next_internal_due: UTC | None = None


class RoleSlot(Record):
    role: RoleName
    title: str
    holder: str | None = None
    team: str | None = None
    since: UTC | None = None
    vacant_since: UTC | None = None
    contingency: str | None = None
    version: int = 0


class Dispute(Record):
    id: int
    role: RoleName
    claimant: str
    holder: str
    reason: str | None = None
    opened_at: UTC


class Handover(Record):
    id: int
    role: RoleName
    from_person: str
    to_person: str
    done: str
    remaining: str
    dependencies: str
    risks: str
    offered_at: UTC
    status: str = "offered"


class Milestone(Record):
    id: int
    name: Title
    owner: str
    due_at: UTC
    done_at: UTC | None = None
    done_by: str | None = None


class Blocker(Record):
    id: int
    what: Line
    waiting_on: Name
    owner: Name
    raised_at: UTC
    cleared_at: UTC | None = None


class Vote(Record):
    voter: str
    decision: str  # "approve" | "reject"
    roles: list[str] = []
    reason: str | None = None
    at: UTC


class ApprovalRequest(Record):
    id: int
    change: Line
    kind: str
    risk: Risk
    rationale: str
    fallback: str
    needed: int
    eligible_roles: list[str]
    eligible_people: list[str]
    decider_required: bool
    requester: str
    requested_at: UTC
    expires_at: UTC
    status: str  # pending | approved | rejected | withdrawn
    decided_at: UTC | None = None
    votes: list[Vote] = []

    def effective_status(self, now: datetime) -> str:
        """``expired`` once a pending request is past its expiry, else the stored status."""
        if self.status == "pending" and now >= self.expires_at:
            return "expired"
        return self.status

    @property
    def approvals(self) -> list[Vote]:
        return [v for v in self.votes if v.decision == "approve"]


class StatusUpdate(Record):
    id: int
    audience: Audience
    known: str
    unknown: str
    next_steps: str
    next_update_at: UTC | None = None
    author: str
    posted_at: UTC


class Event(Record):
    """One journal entry: append-only, the audit trail and the live feed."""

    id: int
    incident_id: int | None
    incident_key: str | None = None
    at: UTC
    os_user: str
    display_name: str | None = None
    kind: str
    payload: dict[str, Any] = {}

    @property
    def who(self) -> str:
        return self.display_name or self.os_user


class IncidentView(Record):
    """Everything a dashboard shows about one incident, read in one transaction."""

    incident: Incident
    roles: list[RoleSlot]
    disputes: list[Dispute]
    handovers: list[Handover]
    milestones: list[Milestone]
    blockers: list[Blocker]
    approvals: list[ApprovalRequest]
    last_customer_update: StatusUpdate | None = None
    last_internal_update: StatusUpdate | None = None
    cadence_minutes: dict[str, int]
    stage_definitions: dict[str, str]
    last_event_id: int = 0

    def role(self, name: str) -> RoleSlot | None:
        return next((r for r in self.roles if r.role == name), None)


class IncidentSummary(Record):
    """One row of the incident list."""

    id: int
    key: str
    title: str
    customer: str
    severity: Severity
    stage: Stage
    drill: bool
    opened_at: UTC
    vacant_roles: list[str]
    open_disputes: int = 0


def parse_fields(model: type[BaseModel], **values: Any) -> Any:
    """Validate ``values`` against a model, turning pydantic errors into one plain line."""
    from pydantic import ValidationError

    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "value"
        message = first["msg"].removeprefix("Value error, ")
        raise UserError(f"{field} {message}") from None


_ADAPTERS: dict[Any, Any] = {}


def valid(kind: Any, value: Any, what: str) -> Any:
    """Validate one value against an annotated type; errors name ``what``.

    >>> valid(Name, "  dana ", "name")
    'dana'
    """
    from pydantic import TypeAdapter, ValidationError

    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UserError(f"{what} {message}") from None
