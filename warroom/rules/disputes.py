"""Who may settle a dispute over a role, and who is told to act: the rules alone, no I/O.

A claim of a held role is an explicit dispute with a reason. The decider settles it either
way, unless the decider is a party to it (the holder or the claimant). The holder may yield
it to the claimant, and the claimant may withdraw (settle for the holder). While no decider
can settle it (none is held, or the decider is a party), the holder may keep the role, with a
reason; that is journaled as kept by the holder and flagged in the review.

:func:`settle_refusal` is what :func:`warroom.actions.settle_dispute` enforces, and what the
dashboard's settle form asks to offer only the outcomes its user may choose. Every refusal is
one line that names who may act.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def absent(decider: str | None, me: str) -> str:
    """Why no decider can settle a dispute: none is held, or the decider is a party."""
    if decider is None:
        return "nobody holds decider"
    if decider == me:
        return "you hold decider but are a party to the dispute"
    return f"{decider} holds decider but is a party to the dispute"


def settle_refusal(me: str, winner: str, *, role: str, key: str, holder: str, claimant: str,
                   decider: str | None, with_reason: bool) -> str | None:
    """Why ``me`` may not settle the dispute on ``role`` for ``winner``, naming who may act;
    None when they may.

    The decider settles either way, unless they are a party to the dispute (the holder or
    the claimant). The holder may yield; the claimant may withdraw. The holder keeps the
    role only while no decider can settle it, and then only with a reason.
    """
    arbiter = decider if decider not in (None, holder, claimant) else None
    if me == arbiter or (me, winner) in ((holder, claimant), (claimant, holder)):
        return None
    dispute = f"the dispute on {role} on {key}"
    if me == holder:  # keeping it
        if arbiter:
            return (f"you cannot keep {role} on {key} in your own favour while {arbiter} "
                    f"holds decider: {arbiter} settles it, or you yield it to {claimant}")
        if with_reason:
            return None
        return (f"{absent(decider, me)}: to keep {role} on {key}, give a reason (the review "
                f"flags it), or yield it to {claimant}")
    rest = (f"{holder} (the holder) may yield it" if arbiter else
            f"{holder} (the holder) may keep it with a reason or yield it")
    if me == claimant:
        who = f"only {arbiter} (the decider) can" if arbiter else f"{absent(decider, me)}; {rest}"
        return (f"you cannot settle {dispute} in your own favour: {who}; you may withdraw "
                f"(settle for {holder})")
    rest += f", {claimant} (the claimant) may withdraw"
    if arbiter:
        return f"only {arbiter} (the decider) can settle {dispute}; {rest}"
    if decider is None:
        return f"nobody holds decider to settle {dispute}: claim decider first, or {rest}"
    return f"{decider} (the decider) is a party to {dispute} and cannot settle it: {rest}"


def who_settles(me: str, decider: str | None, holder: str, claimant: str) -> str:
    """Who may act on a dispute, as told to ``me`` (the claimant, or a would-be one)."""
    if decider == me and me not in (holder, claimant):
        return "you settle it (the decider)"
    if decider not in (None, holder, claimant):
        return f"{decider} (the decider) settles it"
    return (f"{absent(decider, me)}: {holder} (the holder) may yield it or keep it "
            "with a reason")


def outcomes(me: str, disputes: Iterable, key: str,
             decider: str | None) -> tuple[list[tuple[Any, str]], str | None]:
    """The outcomes of ``disputes`` (records with role, holder and claimant) that ``me`` may
    choose, as (dispute, winner), a keep assuming a reason; with none, the refusal that
    names who may act (None when there is no dispute at all)."""
    allowed, refusals = [], []
    for d in disputes:
        for winner in (d.holder, d.claimant):
            why = settle_refusal(me, winner, role=d.role, key=key, holder=d.holder,
                                 claimant=d.claimant, decider=decider, with_reason=True)
            if why:
                refusals.append(why)
            else:
                allowed.append((d, winner))
    return allowed, (refusals[0] if refusals and not allowed else None)
