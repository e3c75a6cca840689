"""Which events a backfilled one may not precede.

An action checks what it does against the state stored now, and writes what it computed into
its event (who held the role, which due time an update met, the next one). An event recorded
with ``--at`` as happening before a later change to the same thing would be judged against a
state that did not exist yet at that moment, so the stored state would differ from the one
the same events typed in order leave. So a backfilled event is refused when something it
touches changed after the moment it names; everything else (a note, an update while nothing
later touched updates, a claim of a role nobody touched since) goes in its place.

What an event touches, its *subjects*:

- a role, for claims, disputes, settlements, handovers and releases of it; a change to the
  decider and a settlement also touch who may settle (a settlement kept by its holder
  because no decider was held must not be preceded by a claim of decider);
- one milestone, blocker or approval request, for every event about it (its creation too:
  nothing about an item can be backfilled to before it existed);
- the updates of one audience, for an update; resolution, reopening and a severity change
  touch both audiences (they move the due times every later update is judged against);
- the roles that decide who may post an update (comms and its stand-in, or the internal
  posters; the decider for an override: ``authority_roles`` in its payload), and every role
  for a vote on an approval: who may post or approve is judged by the roles held, so
  neither may precede a later change of one of those holders;
- the stage, for a stage move, resolution, closing and reopening;
- one field (title, customers, tier, severity) for a change of it;
- the approval request a gated customer statement spends (it cannot be posted before the
  request was granted); one follow-up of the review, for recording it and marking it done.
"""

from __future__ import annotations

from typing import Any

Subject = tuple[str, ...]
READS = "reads role"
"""An update or a vote only reads who holds a role: ``(READS, role)``, ``(READS, "*")`` for
every role. Reads conflict with a change of that role, never with each other."""

_ROLE_KINDS = {"role.claimed", "role.disputed", "dispute.settled", "handover.offered",
               "handover.accepted", "handover.declined", "role.released"}
_ITEMS = {"milestone": "milestone_id", "blocker": "blocker_id", "approval": "approval_id"}
_BOTH = {("updates", "customer"), ("updates", "internal")}
_STAGE = {"stage.advanced": set(), "incident.closed": set(),
          "incident.resolved": _BOTH, "incident.reopened": _BOTH}


def subjects(kind: str, payload: dict[str, Any]) -> set[Subject]:
    """What an event of ``kind`` with ``payload`` touches (empty: nothing it can conflict
    with, such as a note)."""
    if kind in _ROLE_KINDS:
        out = {("role", str(payload.get("role")))}
        if kind == "dispute.settled" or payload.get("role") == "decider":
            out.add(("settlers",))
        return out
    family = kind.split(".", 1)[0]
    if family in _ITEMS:
        voted = {(READS, "*")} if kind in ("approval.approved", "approval.rejected") else set()
        return {(family, str(payload.get(_ITEMS[family])))} | voted
    if kind == "update.posted":  # the roles that decide who may post it (every one, if unsaid)
        roles = payload.get("authority_roles")
        statement = ({("approval", str(payload["approval_id"]))}
                     if payload.get("approval_id") is not None else set())
        return {("updates", str(payload.get("audience")))} | statement | (
            {(READS, str(r)) for r in roles} if roles is not None else {(READS, "*")})
    if kind in ("review.action", "review.done"):
        return {("follow-up", str(payload.get("number")))}
    if kind in _STAGE:
        return {("stage",)} | _STAGE[kind]
    if kind == "incident.changed":
        field = str(payload.get("field"))
        return {("field", field)} | (_BOTH if field == "severity" else set())
    return set()


def _reads_a_change(reads: set[Subject], changes: set[Subject]) -> bool:
    """Whether a role ``reads`` names (or every role) is one ``changes`` changes."""
    changed = {s[1] for s in changes if s[0] == "role"}
    return any(s[0] == READS and (s[1] == "*" and changed or s[1] in changed) for s in reads)


def conflicts(kind: str, payload: dict[str, Any], later_kind: str,
              later_payload: dict[str, Any]) -> bool:
    """Whether an event may not be recorded as happening before ``later``."""
    mine, theirs = subjects(kind, payload), subjects(later_kind, later_payload)
    shared = {s for s in mine & theirs if s[0] != READS}
    return bool(shared) or _reads_a_change(mine, theirs) or _reads_a_change(theirs, mine)
