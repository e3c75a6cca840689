"""Who may post a status update, checked by :func:`warroom.actions.post_update` for the CLI,
the dashboard and the drills alike.

- A customer update comes from the comms owner. While comms is vacant it comes from the
  holder of the role the policy names as comms' stand-in (``comms_stand_in``, the lead by
  default), and the journal says they acted for comms.
- An internal update comes from a holder of one of the policy's ``internal_updates`` roles
  (lead, comms and the internal liaison by default; those the incident has).
- The decider may post either anyway, with a reason: the override is journaled and the
  post-incident review lists it. An override nobody needs is refused, so that every one the
  review lists was a real exception.

Anyone else is refused in one line naming who holds the role and how to take it.
"""

from __future__ import annotations

import sqlite3

from warroom.db.store import Store
from warroom.errors import UserError
from warroom.records import Audience, role_title
from warroom.rules.policy import Policy, policy_of

COMMS = "comms"
DECIDER = "decider"


def _holders(store: Store, incident: sqlite3.Row) -> dict[str, str | None]:
    return {r["role"]: r["holder"] for r in store.rows("roles", order="rowid",
                                                       incident_id=incident["id"])}


def _the(role: str, holder: str | None = None, *, vacant: bool = False) -> str:
    """``the communications owner (alex)``; ``(vacant)`` when asked to say so."""
    who = f" ({holder})" if holder else (" (vacant)" if vacant else "")
    return f"the {role_title(role).lower()}{who}"


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def allowed_roles(policy: Policy, holders: dict[str, str | None],
                  audience: Audience) -> list[str]:
    """The roles whose holders post updates for ``audience`` now."""
    if audience is Audience.CUSTOMER:
        return [COMMS] if holders.get(COMMS) else [policy.comms_stand_in]
    return [r for r in policy.internal_updates if r in holders]


def authority_roles(policy: Policy, audience: Audience, override: bool) -> list[str]:
    """The roles whose holders decide whether someone may post an ``audience`` update:
    comms and its stand-in, or the internal posters; the decider too for an override. A
    backfilled update may not precede a later change of any of them
    (:mod:`warroom.rules.backfill`)."""
    roles = ([COMMS, policy.comms_stand_in] if audience is Audience.CUSTOMER
             else list(policy.internal_updates))
    return sorted(set(roles) | ({DECIDER} if override else set()))


def _refusal(key: str, me: str, holders: dict[str, str | None], audience: Audience,
             allowed: list[str]) -> str:
    """One line: who posts ``audience`` updates on ``key`` now, and how to become them."""
    what = f"{audience.value} updates on {key}"
    if audience is Audience.CUSTOMER and holders.get(COMMS):
        holder = holders[COMMS]
        return (f"only {_the(COMMS, holder)} posts {what}; to take it over: {holder} hands "
                f"it to you (warroom handover {key} comms --to {me} ...), or dispute it "
                f"(warroom claim {key} comms --dispute WHY)")
    if audience is Audience.CUSTOMER:
        stand_in = allowed[0]
        if holders.get(stand_in):
            return (f"comms is vacant on {key}, so only {_the(stand_in, holders[stand_in])} "
                    f"posts customer updates, standing in for comms; to take comms: "
                    f"warroom claim {key} comms")
        return (f"comms is vacant on {key} and so is its stand-in, {_the(stand_in)}: nobody "
                f"may post customer updates; to take comms: warroom claim {key} comms")
    who = _either([_the(r, holders[r], vacant=True) for r in allowed])
    vacant = [r for r in allowed if not holders[r]]
    if vacant:
        how = f"to take one: warroom claim {key} {vacant[0]}"
    else:
        how = (f"to take one over: its holder hands it to you (warroom handover {key} ROLE "
               f"--to {me} ...), or dispute it (warroom claim {key} ROLE --dispute WHY)")
    return f"only {who} post {what}; {how}"


def update_authority(store: Store, incident: sqlite3.Row, policy: Policy, me: str,
                     audience: Audience, override: str | None = None) -> dict[str, str]:
    """The journal fields that say on whose authority ``me`` posts an ``audience`` update:
    none for the holder of an allowed role, ``acting_for`` for comms' stand-in,
    ``override`` (the reason) for the decider's override; a refusal for anyone else."""
    holders = _holders(store, incident)
    allowed = allowed_roles(policy, holders, audience)
    mine = [r for r in allowed if holders.get(r) == me]
    key = incident["key"]
    if mine:
        if override is not None:
            raise UserError(f"you post {audience.value} updates on {key} as "
                            f"{_the(mine[0])}: leave out the override")
        acting = audience is Audience.CUSTOMER and mine[0] != COMMS
        return {"acting_for": COMMS} if acting else {}
    decider = holders.get(DECIDER)
    if override is not None:
        if decider == me:
            return {"override": override}
        held = f"held by {decider}" if decider else "vacant"
        raise UserError(f"only the decider may override who posts updates on {key} (the "
                        f"decider role is {held})")
    refusal = _refusal(key, me, holders, audience, allowed)
    if decider == me:
        refusal += ("; as the decider you may post anyway with an override reason "
                    "(--override REASON)")
    raise UserError(refusal)


def update_start(store: Store, ref: str, me: str,
                 audience: Audience | str) -> tuple[Audience, bool]:
    """For the update form: the audience to start with (``audience`` when ``me`` may post
    it, else the other one when they may post that) and whether to offer the decider's
    override; a refusal when ``me`` may post neither and does not hold the decider role."""
    audience = audience if isinstance(audience, Audience) else Audience.parse(audience)
    other = Audience.INTERNAL if audience is Audience.CUSTOMER else Audience.CUSTOMER
    with store.read():
        incident = store.find_incident(ref)
        policy = policy_of(incident)
        holders = _holders(store, incident)
    me_may = [a for a in (audience, other)
              if any(holders.get(r) == me for r in allowed_roles(policy, holders, a))]
    if len(me_may) == 2:
        return audience, False
    if holders.get(DECIDER) == me:
        return audience, True
    if me_may:
        return me_may[0], False
    raise UserError(_refusal(incident["key"], me, holders, audience,
                             allowed_roles(policy, holders, audience)))
