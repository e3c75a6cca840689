"""Verbs for ownership: claim, settle, handover, accept, decline, release.

Handlers import the actions when they run: building the parser (every start of
``warroom``) stays free of pydantic.
"""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, print_done, verb


def cmd_claim(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.claim_role(
            store, ctx.actor, args.incident, args.role, reason=args.reason,
            dispute=args.dispute, expect_holder=actions.VACANT if args.if_vacant else None,
            clock=ctx.clock))


def cmd_settle(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.settle_dispute(store, ctx.actor, args.incident, args.role,
                                                 winner=args.winner, reason=args.reason,
                                                 clock=ctx.clock))


def cmd_handover(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.offer_handover(
            store, ctx.actor, args.incident, args.role, to=args.to, done=args.done,
            remaining=args.remaining, dependencies=args.dependencies, risks=args.risks,
            clock=ctx.clock))


def cmd_accept(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.accept_handover(store, ctx.actor, args.incident, args.role,
                                                  clock=ctx.clock))


def cmd_decline(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.decline_handover(store, ctx.actor, args.incident, args.role,
                                                   reason=args.reason, clock=ctx.clock))


def cmd_release(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.release_role(store, ctx.actor, args.incident, args.role,
                                               note=args.note, clock=ctx.clock))


def _role_verb(sub, name: str, parent: Parser, *, help: str, example: str, handler) -> Parser:
    p = verb(sub, name, [parent], help=help, example=example, handler=handler)
    p.add_argument("incident", help="incident key (INC-1001) or number (1001)")
    p.add_argument("role", help="lead, comms, decider, or a playbook's extra role")
    return p


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = _role_verb(sub, "claim", writing, handler=cmd_claim,
                   help="claim a role: a vacant one is yours at once; a held one only with "
                   "--dispute, which opens a dispute",
                   example="warroom claim INC-1001 lead --as dana --dispute 'payments owns "
                   "checkout'")
    why = p.add_mutually_exclusive_group()
    why.add_argument("--reason", help="a note on taking a vacant role (shown to everyone)")
    why.add_argument("--dispute", metavar="REASON", help="dispute the role's holder: why you "
                     "should hold it; the decider settles it")
    p.add_argument("--if-vacant", action="store_true",
                   help="only take it if vacant (a held role is never taken without --dispute)")

    p = _role_verb(sub, "settle", writing, handler=cmd_settle,
                   help="settle a dispute: the decider decides; the holder may yield (or keep it "
                   "with a reason while no decider can settle); the claimant may withdraw",
                   example="warroom settle INC-1001 lead --winner dana --as pat")
    p.add_argument("--winner", required=True, help="who holds the role from now: the holder "
                   "or the claimant")
    p.add_argument("--reason", help="why (required for the holder to keep it while no decider "
                   "can settle; the review flags that)")

    p = _role_verb(sub, "handover", writing, handler=cmd_handover,
                   help="offer your role to someone; it moves only when they accept",
                   example="warroom handover INC-1001 lead --to sam --done 'found bad deploy' "
                   "--remaining 'roll back' --dependencies 'release team' --risks 'cache "
                   "warm-up' --as dana")
    p.add_argument("--to", required=True, help="the incoming person")
    p.add_argument("--done", required=True, help="what is done")
    p.add_argument("--remaining", required=True, help="what remains")
    p.add_argument("--dependencies", required=True, help="who or what the work waits on")
    p.add_argument("--risks", required=True, help="what could go wrong")

    _role_verb(sub, "accept", writing, handler=cmd_accept,
               help="accept a handover offered to you: the role is yours",
               example="warroom accept INC-1001 lead --as sam")

    p = _role_verb(sub, "decline", writing, handler=cmd_decline,
                   help="decline a handover offered to you, or withdraw one you offered",
                   example="warroom decline INC-1001 lead --as sam --reason 'going off shift'")
    p.add_argument("--reason", help="why")

    p = _role_verb(sub, "release", writing, handler=cmd_release,
                   help="give up a role you hold: it becomes vacant (prefer a handover)",
                   example="warroom release INC-1001 comms --as alex --note 'end of shift'")
    p.add_argument("--note", help="a note for the room")
