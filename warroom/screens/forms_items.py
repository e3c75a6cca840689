"""Forms that change an item already on the board: move a milestone, give it or a blocker
another owner, withdraw your own approval request; re-exported by ``forms.py``."""

from __future__ import annotations

from warroom import actions
from warroom.actions.work import change_blocker_owner, reassign_milestone
from warroom.clock import local_hm, parse_when
from warroom.errors import UserError
from warroom.records import IncidentView
from warroom.screens.form import Field, FieldError, FormModal


def _open_milestones(v: IncidentView):
    open_ = [m for m in v.milestones if m.done_at is None]
    if not open_:
        raise UserError("no open milestones")
    return open_


def _milestone_field(v: IncidentView) -> Field:
    open_ = _open_milestones(v)
    return Field("milestone", "Milestone", "choice", value=str(open_[0].number),
                 choices=[(f"#{m.number} {m.name} ({m.owner}, due {local_hm(m.due_at)})",
                           str(m.number)) for m in open_])


def move_milestone(s, v: IncidentView) -> FormModal:
    """A new due time for an open milestone, with the reason the room reads."""
    field = _milestone_field(v)

    def submit(x: dict[str, str]) -> actions.Done:
        try:
            due = parse_when(x["due"], s.clock())
        except UserError as exc:
            raise FieldError("due", str(exc)) from None
        return actions.move_milestone(s.store, s.actor, v.incident.key, int(x["milestone"]),
                                      due_at=due, reason=x["reason"], clock=s.clock)

    return FormModal("Move a milestone", [
        field,
        Field("due", "New due time (+30m, 14:30)", value="+30m"),
        Field("reason", "Reason (shown in the timeline)"),
    ], submit, submit_label="Move")


def milestone_owner(s, v: IncidentView) -> FormModal:
    """Another owner for an open milestone (still exactly one); its due time stays."""
    field = _milestone_field(v)

    def submit(x: dict[str, str]) -> actions.Done:
        return reassign_milestone(s.store, s.actor, v.incident.key, int(x["milestone"]),
                                  owner=x["owner"], reason=x["reason"] or None, clock=s.clock)

    return FormModal("Give a milestone to another owner", [
        field,
        Field("owner", "New owner (exactly one)"),
        Field("reason", "Reason", required=False),
    ], submit, submit_label="Reassign")


def blocker_owner(s, v: IncidentView) -> FormModal:
    """Another owner for an open blocker: the one who chases it."""
    if not v.blockers:
        raise UserError("there are no open blockers")

    def submit(x: dict[str, str]) -> actions.Done:
        return change_blocker_owner(s.store, s.actor, v.incident.key, int(x["blocker"]),
                                    owner=x["owner"], reason=x["reason"] or None,
                                    clock=s.clock)

    return FormModal("Change a blocker's owner", [
        Field("blocker", "Blocker", "choice", value=str(v.blockers[0].number),
              choices=[(f"#{b.number} {b.what} (chased by {b.owner})", str(b.number))
                       for b in v.blockers]),
        Field("owner", "New owner (chases it)"),
        Field("reason", "Reason", required=False),
    ], submit, submit_label="Change")


def withdraw(s, v: IncidentView) -> FormModal:
    """Withdraw a request you made: nobody decided against it, so no reason is needed."""
    now = s.clock()
    mine = [a for a in v.approvals
            if a.effective_status(now) == "pending" and a.requester == s.me]
    if not mine:
        raise UserError("you have no pending approval request to withdraw")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.withdraw(s.store, s.actor, v.incident.key, int(x["request"]),
                                reason=x["reason"] or None, clock=s.clock)

    return FormModal("Withdraw your request", [
        Field("request", "Request", "choice", value=str(mine[0].number),
              choices=[(f"#{a.number} {a.change}", str(a.number)) for a in mine]),
        Field("reason", "Reason", required=False, placeholder="optional"),
    ], submit, submit_label="Withdraw")
