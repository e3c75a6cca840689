"""The policy an incident copied when it opened, as its row stores it: parsed here alone.

The row keeps the JSON of :class:`warroom.rules.policy.Policy`. The write side validates it
into the model (:func:`warroom.rules.policy.policy_of`); the read side (the view a dashboard
rebuilds after every event, the metrics) takes the few facts it needs from the parsed JSON
without importing pydantic. Both start from :func:`parsed`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Who posts status updates when a policy does not say (an incident opened before it could):
# comms' stand-in while comms is vacant, and the roles that post internal updates.
COMMS_STAND_IN = "lead"
INTERNAL_UPDATES = ("lead", "comms", "internal_liaison")


@lru_cache(maxsize=64)
def _cached(text: str) -> dict[str, Any]:
    return json.loads(text)


def parsed(text: str | None) -> dict[str, Any]:
    """The stored policy as plain data (an empty dict when the row has none). Callers read
    it and never change it: the result is shared by every caller with the same text."""
    return _cached(text) if text else {}


@dataclass(frozen=True)
class Facts:
    """What the read side needs of an incident's policy."""

    cadence: dict[str, int]  # minutes per audience at the incident's severity
    stages: dict[str, str]  # stage -> its customer resolution definition
    contingency: dict[str, str]  # role -> contingency contact
    teams: dict[str, str]  # role -> suggested team
    speed: float  # a drill's speed (1 for real incidents)
    comms_stand_in: str  # posts customer updates while comms is vacant
    internal_updates: tuple[str, ...]  # the roles that post internal updates


def facts(text: str | None, severity: str) -> Facts:
    """The facts of a stored policy at ``severity``."""
    policy = parsed(text)
    cadence = (policy.get("cadence") or {}).get(severity) or {}
    return Facts(
        cadence={"customer": cadence.get("customer"), "internal": cadence.get("internal")},
        stages=dict(policy.get("stages") or {}),
        contingency=dict(policy.get("contingency") or {}),
        teams=dict(policy.get("teams") or {}),
        speed=float(policy.get("speed") or 1),
        comms_stand_in=policy.get("comms_stand_in") or COMMS_STAND_IN,
        internal_updates=tuple(policy.get("internal_updates") or INTERNAL_UPDATES),
    )
