"""The resolve form: the summary, the definition confirmed, what becomes of what is still
open (close or carry), and the reason for resolving without a final customer update
(the rules are :mod:`warroom.actions.lifecycle`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom import actions
from warroom.actions.lifecycle import CARRY, CLOSE, OpenItem, counted
from warroom.clock import span
from warroom.errors import UserError
from warroom.records import ApprovalStatus, IncidentView, Stage
from warroom.screens.form import Field, FormModal


def still_open(v: IncidentView, now: datetime) -> str:
    """What is still open, as the refusal names it: ``1 blocker (#2), 1 handover (lead)``."""
    items = [OpenItem("blocker", f"#{b.number}", b.what, None) for b in v.blockers]
    items += [OpenItem("milestone", f"#{m.number}", m.name, None)
              for m in sorted(v.milestones, key=lambda m: m.number) if m.done_at is None]
    items += [OpenItem("approval", f"#{a.number}", a.change, None) for a in v.approvals
              if a.effective_status(now) is ApprovalStatus.PENDING]
    items += [OpenItem("handover", h.role, h.to_person, None) for h in v.handovers]
    items += [OpenItem("dispute", d.role, d.claimant, None) for d in v.disputes]
    return counted(items)


def customer_told(v: IncidentView, now: datetime) -> str:
    """Whether the last customer update is recent enough to be the final one."""
    minutes = v.cadence_minutes.get("customer") or 0
    last = v.last_customer_update
    if last is not None and last.posted_at >= now - timedelta(minutes=minutes):
        return f"The last customer update went out {span(now - last.posted_at)} ago."
    return (f"No customer update within the customer cadence ({minutes}m): post a final one"
            " first, or say below why not.")


def resolve(s, v: IncidentView) -> FormModal:
    if v.incident.stage.order >= Stage.RESOLVED.order:
        raise UserError(f"the incident is already {v.incident.stage.value}")

    current, now = v.incident.stage, s.clock()
    skipped = [st.value for st in Stage if current.order < st.order < Stage.RESOLVED.order]
    open_ = still_open(v, now)

    def submit(x: dict[str, str]) -> actions.Done:
        # the form says what resolving now passes over: submitting it is the explicit skip
        return actions.resolve(s.store, s.actor, v.incident.key, summary=x["summary"],
                               confirm=bool(x["confirm"]), skip=True,
                               open_items=x.get("open_items") or None,
                               no_customer_update=x.get("no_update") or None, clock=s.clock)

    definition = v.stage_definitions.get(current.value, "")
    passing = f"\nResolving now skips {', '.join(skipped)} (journaled)." if skipped else ""
    fields = [
        Field("summary", "Resolution summary"),
        Field("confirm", "The definition above is met", "confirm"),
    ]
    if open_:
        fields.append(Field("open_items", "What is still open", "choice", choices=[
            ("Close it: clear blockers, withdraw requests and offers, settle disputes for "
             "the holder (milestones stay not met)", CLOSE),
            ("Carry it: leave it open, listed in the review as open at resolution", CARRY)]))
    fields.append(Field("no_update", "No final customer update because", required=False,
                        placeholder="only if no customer update is recent enough"))
    still = f"\nStill open: {open_}." if open_ else "\nNothing is left open."
    return FormModal("Resolve the incident", fields, submit,
                     intro=f"To resolve from {current.value}, this must be true:\n"
                     f"{definition}{passing}{still}\n{customer_told(v, now)}",
                     submit_label="Resolve")
