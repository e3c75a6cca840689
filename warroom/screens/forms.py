"""The form of every dashboard action: which fields, pre-filled how, and which action runs.

Each builder takes the :class:`Session` (store, actor, clock) and the incident view on
screen, and returns a :class:`FormModal`, or raises a UserError when there is nothing to act
on ("no handover is offered to you").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom import actions
from warroom.clock import Clock, local_hm, parse_when
from warroom.db.store import Store
from warroom.errors import UserError
from warroom.records import Actor, IncidentView, Risk, Stage
from warroom.render.show import statement_lines
from warroom.rules import compose, disputes
from warroom.screens.form import Field, FormModal
from warroom.screens.forms_changes import severity  # noqa: F401  (by name)
from warroom.screens.forms_items import (  # noqa: F401  (by name)
    blocker_owner,
    move_milestone,
    milestone_owner,
    withdraw,
)
from warroom.screens.forms_lifecycle import (  # noqa: F401  (by name)
    close,
    customers,
    open_new,
    reopen,
    retitle,
)
from warroom.screens.forms_resolve import resolve  # noqa: F401  (by name)
from warroom.screens.forms_timeline import note  # noqa: F401  (the note form, by name)
from warroom.screens.forms_update import update  # noqa: F401  (by name)


@dataclass
class Session:
    """Who is at the keyboard, on which database, at what time."""

    store: Store
    actor: Actor
    clock: Clock

    @property
    def me(self) -> str:
        return self.actor.name


def _optional(text: str) -> str | None:
    return text.strip() or None


def _when(text: str, now: datetime) -> datetime | None:
    return parse_when(text, now) if text.strip() else None


def _kw(s: Session) -> dict:
    return {"clock": s.clock}


def _named(v: IncidentView, role: str) -> str:
    """A role as people say it ("Communications owner"), from the incident's playbook."""
    slot = v.role(role)
    return slot.title if slot is not None else role


def claim(s: Session, v: IncidentView) -> FormModal:
    seen = {r.role: r.holder for r in v.roles}
    choices = [(f"{r.title}: " + (f"held by {r.holder} (a claim disputes it: give a reason)"
                                 if r.holder else "VACANT"), r.role)
               for r in v.roles if r.holder != s.me]
    if not choices:
        raise UserError("you already hold every role")
    vacant = next((r.role for r in v.roles if not r.holder), "")

    def submit(x: dict[str, str]) -> actions.Done:
        role, why = x["role"], _optional(x["reason"])
        held = seen.get(role)
        if held and not why:
            raise UserError(f"{_named(v, role)} is held by {held}: to dispute it, give your "
                            "reason")
        return actions.claim_role(s.store, s.actor, v.incident.key, role,
                                  reason=None if held else why, dispute=why if held else None,
                                  expect_holder=held or actions.VACANT, **_kw(s))

    return FormModal("Claim a role", [
        Field("role", "Role", "choice", value=vacant, choices=choices),
        Field("reason", "Reason (required to dispute a held role; shown to everyone)",
              required=False),
    ], submit, submit_label="Claim")


def settle(s: Session, v: IncidentView) -> FormModal:
    """Only the outcomes ``s.me`` may choose; none at all is refused, naming who may act."""
    slot = v.role("decider")
    allowed, refusal = disputes.outcomes(s.me, v.disputes, v.incident.key,
                                         slot.holder if slot else None)
    if not allowed:
        raise UserError(refusal or "there is no open dispute")
    choices = [(f"{_named(v, d.role)}: " + (f"stays with {w} (holder)" if w == d.holder
                                 else f"goes to {w} (claimant)"), f"{d.role}|{w}")
               for d, w in allowed]

    def submit(x: dict[str, str]) -> actions.Done:
        role, winner = x["outcome"].split("|", 1)
        return actions.settle_dispute(s.store, s.actor, v.incident.key, role, winner=winner,
                                      reason=_optional(x["reason"]), **_kw(s))

    return FormModal("Settle a dispute", [
        Field("outcome", "Outcome", "choice", choices=choices),
        Field("reason", "Reason (required to keep a role while no decider can settle)",
              required=False),
    ], submit, intro="The decider settles either way; the holder may yield, or keep it with a "
        "reason while no decider can settle; the claimant may withdraw.", submit_label="Settle")


def handover(s: Session, v: IncidentView) -> FormModal:
    mine = [(r.title, r.role) for r in v.roles if r.holder == s.me]
    if not mine:
        raise UserError("you hold no role to hand over")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.offer_handover(
            s.store, s.actor, v.incident.key, x["role"], to=x["to"], done=x["done"],
            remaining=x["remaining"], dependencies=x["dependencies"], risks=x["risks"], **_kw(s))

    return FormModal("Offer a handover", [
        Field("role", "Role", "choice", value=mine[0][1], choices=mine),
        Field("to", "Hand over to"),
        Field("done", "Done so far", "text"),
        Field("remaining", "Remaining", "text"),
        Field("dependencies", "Dependencies", "text"),
        Field("risks", "Risks", "text"),
    ], submit, intro="The role moves only when they accept; until then it stays yours.",
        submit_label="Offer")


def _offers(v: IncidentView, person: str, *, either: bool = False):
    return [h for h in v.handovers if h.to_person == person or (either and h.from_person == person)]


def accept(s: Session, v: IncidentView) -> FormModal:
    offers = _offers(v, s.me)
    if not offers:
        raise UserError("no handover is offered to you")
    notes = "\n".join(
        f"{_named(v, h.role)} from {h.from_person} at {local_hm(h.offered_at)}\n"
        f"  done: {h.done}\n"
        f"  remaining: {h.remaining}\n  dependencies: {h.dependencies}\n  risks: {h.risks}"
        for h in offers)

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.accept_handover(s.store, s.actor, v.incident.key, x["role"], **_kw(s))

    return FormModal("Accept a handover", [
        Field("role", "Role", "choice", value=offers[0].role,
              choices=[(f"{_named(v, h.role)} from {h.from_person}", h.role)
                       for h in offers]),
    ], submit, intro=notes, submit_label="Accept")


def decline(s: Session, v: IncidentView) -> FormModal:
    offers = _offers(v, s.me, either=True)
    if not offers:
        raise UserError("no handover is offered to you or by you")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.decline_handover(s.store, s.actor, v.incident.key, x["role"],
                                        reason=_optional(x["reason"]), **_kw(s))

    choices = [(f"{_named(v, h.role)}: {h.from_person} -> {h.to_person}", h.role)
               for h in offers]
    return FormModal("Decline or withdraw a handover", [
        Field("role", "Handover", "choice", value=offers[0].role, choices=choices),
        Field("reason", "Reason", required=False),
    ], submit, submit_label="Decline")


def release(s: Session, v: IncidentView) -> FormModal:
    mine = [(r.title, r.role) for r in v.roles if r.holder == s.me]
    if not mine:
        raise UserError("you hold no role")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.release_role(s.store, s.actor, v.incident.key, x["role"],
                                    note=_optional(x["note"]), **_kw(s))

    return FormModal("Release a role", [
        Field("role", "Role", "choice", value=mine[0][1], choices=mine),
        Field("note", "Note", required=False),
    ], submit, intro="The role becomes VACANT on every screen. Prefer a handover.",
        submit_label="Release")


def raise_blocker(s: Session, v: IncidentView) -> FormModal:
    def submit(x: dict[str, str]) -> actions.Done:
        return actions.raise_blocker(s.store, s.actor, v.incident.key, what=x["what"],
                                     waiting_on=x["waiting_on"], owner=x["owner"], **_kw(s))

    return FormModal("Raise a blocker", [
        Field("what", "What is blocked"),
        Field("waiting_on", "Waiting on whom"),
        Field("owner", "Owner (chases it)", value=s.me),
    ], submit, submit_label="Raise")


def clear_blocker(s: Session, v: IncidentView) -> FormModal:
    if not v.blockers:
        raise UserError("there are no open blockers")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.clear_blocker(s.store, s.actor, v.incident.key, int(x["blocker"]),
                                     note=_optional(x["note"]), **_kw(s))

    return FormModal("Clear a blocker", [
        Field("blocker", "Blocker", "choice", value=str(v.blockers[0].number),
              choices=[(f"#{b.number} {b.what}", str(b.number)) for b in v.blockers]),
        Field("note", "Note", required=False),
    ], submit, submit_label="Clear")


def request(s: Session, v: IncidentView) -> FormModal:
    """An approval request; the rule of the authority matrix for the chosen kind and risk
    shows under the fields, since it sets who may approve and how many must."""
    policy = compose.incident_policy(s.store, v.incident.key)
    kinds = policy.known_kinds()  # the action refuses any other

    def rule(x: dict[str, str]) -> str:
        if not x["risk"]:
            return "Pick a risk to see the rule."
        found, source = policy.rule_and_source(Risk(x["risk"]), x["kind"] or kinds[0])
        return f"{source} of {policy.name}: {found.summary()}"

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.request_approval(
            s.store, s.actor, v.incident.key, change=x["change"], risk=x["risk"],
            kind=x["kind"] or kinds[0], rationale=x["rationale"],
            fallback=_optional(x["fallback"]), expires_at=_when(x["expires"], s.clock()),
            **_kw(s))

    return FormModal("Request approval", [
        Field("change", "Change to authorize (rollback, hotfix, data repair...)"),
        Field("kind", "Kind (sets the approval rule)", "choice", value=kinds[0],
              choices=[(k, k) for k in kinds]),
        Field("risk", "Risk", "choice", value="medium",
              choices=[("low", "low"), ("medium", "medium"), ("high", "high")]),
        Field("rationale", "Rationale", "text"),
        Field("fallback", "Fallback if it goes wrong", "text", required=False),
        Field("expires", "Expires (+60m, 15:30; empty: the rule's expiry)", required=False),
    ], submit, submit_label="Request", preview=rule, preview_label="Rule that applies",
        preview_after="risk")


def _pending(v: IncidentView, now: datetime):
    return [a for a in v.approvals if a.effective_status(now) == "pending"]


def approve(s: Session, v: IncidentView) -> FormModal:
    pending = [a for a in _pending(v, s.clock()) if a.requester != s.me]
    if not pending:
        raise UserError("no pending approval request that you can decide")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.approve(s.store, s.actor, v.incident.key, int(x["request"]), **_kw(s))

    intro = "\n".join("\n".join([
        f"#{a.number} {a.change} ({a.risk.value}): {a.rationale}",
        f"  fallback: {a.fallback or 'none'}",
        *(statement_lines(a.statement, "  ") if a.statement else [])])  # the draft, as written
        for a in pending)
    return FormModal("Approve a change", [
        Field("request", "Request", "choice", value=str(pending[0].number),
              choices=[(f"#{a.number} {a.change}" + (" (customer statement: see above)"
                                                      if a.statement else ""), str(a.number))
                       for a in pending]),
    ], submit, intro=intro, submit_label="Approve")


def reject(s: Session, v: IncidentView) -> FormModal:
    """Reject a request someone else made (your own: withdraw it, w)."""
    pending = [a for a in _pending(v, s.clock()) if a.requester != s.me]
    if not pending:
        mine = bool(_pending(v, s.clock()))
        raise UserError("your own request is withdrawn, not rejected: press w" if mine
                        else "no pending approval request")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.reject(s.store, s.actor, v.incident.key, int(x["request"]),
                              reason=x["reason"], **_kw(s))

    return FormModal("Reject a change", [
        Field("request", "Request", "choice", value=str(pending[0].number),
              choices=[(f"#{a.number} {a.change}", str(a.number)) for a in pending]),
        Field("reason", "Reason"),
    ], submit, submit_label="Reject")


def add_milestone(s: Session, v: IncidentView) -> FormModal:
    def submit(x: dict[str, str]) -> actions.Done:
        return actions.add_milestone(s.store, s.actor, v.incident.key, name=x["name"],
                                     owner=x["owner"], due_at=parse_when(x["due"], s.clock()),
                                     **_kw(s))

    return FormModal("Add a milestone", [
        Field("name", "Milestone (acknowledge customer, rollback ready, RCA to customer...)"),
        Field("owner", "Owner (exactly one)", value=s.me),
        Field("due", "Due (+30m, 14:30)", value="+30m"),
    ], submit, submit_label="Add")


def complete_milestone(s: Session, v: IncidentView) -> FormModal:
    open_ = [m for m in v.milestones if m.done_at is None]
    if not open_:
        raise UserError("no open milestones")

    def submit(x: dict[str, str]) -> actions.Done:
        return actions.complete_milestone(s.store, s.actor, v.incident.key,
                                          int(x["milestone"]), **_kw(s))

    return FormModal("Complete a milestone", [
        Field("milestone", "Milestone", "choice", value=str(open_[0].number),
              choices=[(f"#{m.number} {m.name} ({m.owner})", str(m.number)) for m in open_]),
    ], submit, submit_label="Done")


def advance(s: Session, v: IncidentView) -> FormModal:
    current = v.incident.stage
    later = [st for st in Stage if current.order < st.order < Stage.RESOLVED.order]
    if not later:  # resolving has its own form: a summary, and what becomes of open items
        raise UserError(f"the incident is {current.value}: resolve it (R)"
                        if current.order < Stage.RESOLVED.order
                        else f"the incident is {current.value}: close it with a CSAT score")

    def submit(x: dict[str, str]) -> actions.Done:
        # choosing a later stage, labelled with what it skips, is the explicit skip
        return actions.advance_stage(s.store, s.actor, v.incident.key, to=x["stage"],
                                     confirm=bool(x["confirm"]), skip=True, **_kw(s))

    definition = v.stage_definitions.get(current.value, "")
    return FormModal("Advance the stage", [
        Field("stage", "Move to", "choice", value=later[0].value,
              choices=[(st.value + (f" (skips {', '.join(x.value for x in later[:i])})"
                                    if i else ""), st.value)
                       for i, st in enumerate(later)]),
        Field("confirm", "The definition above is met", "confirm"),
    ], submit, intro=f"To leave {current.value}, this must be true:\n{definition}",
        submit_label="Advance")
