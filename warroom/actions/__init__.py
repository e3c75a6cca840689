"""Every state change of warroom: validate, one ``BEGIN IMMEDIATE`` transaction, one
journal event. Nothing else in the package changes state.

Each action takes the store, the acting :class:`~warroom.models.Actor`, the incident
reference and keyword arguments, plus a ``clock``; it returns a :class:`Done` or raises a
:class:`~warroom.errors.UserError` having written nothing.
"""

from warroom.actions._common import Done
from warroom.actions.approvals import approve, reject, request_approval, withdraw
from warroom.actions.changes import (
    change_customer_zone, change_customers, change_severity, retitle,
)
from warroom.actions.incident import advance_stage, close, open_incident, post_update, resolve
from warroom.actions.lifecycle import reopen
from warroom.actions.notes import add_note
from warroom.actions.ownership import (
    VACANT,
    accept_handover,
    claim_role,
    decline_handover,
    offer_handover,
    release_role,
    settle_dispute,
)
from warroom.actions.review import (
    add_factor,
    add_follow_up,
    complete_follow_up,
    record_root_cause,
    set_impact_start,
)
from warroom.actions.work import (
    add_milestone,
    change_blocker_owner,
    clear_blocker,
    complete_milestone,
    move_milestone,
    raise_blocker,
    reassign_milestone,
)

__all__ = [
    "Done", "VACANT",
    "open_incident", "post_update", "advance_stage", "resolve", "close", "reopen",
    "claim_role", "settle_dispute", "offer_handover", "accept_handover", "decline_handover",
    "release_role",
    "add_milestone", "complete_milestone", "move_milestone", "raise_blocker", "clear_blocker",
    "request_approval", "approve", "reject", "withdraw", "add_note", "add_follow_up",
    "change_severity", "retitle", "change_customers", "change_customer_zone",
    "complete_follow_up", "record_root_cause", "add_factor", "set_impact_start",
    "reassign_milestone", "change_blocker_owner",
]
