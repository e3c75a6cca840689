"""Verbs for the work: milestones, blockers and approvals.

Handlers import the actions when they run: building the parser (every start of
``warroom``) stays free of pydantic.
"""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, positive, print_done, verb
from warroom.clock import parse_when
from warroom.errors import UserError


def _when(ctx: Context, text: str | None):
    """A typed time; absent stays None, but an empty ``--due ''`` is refused, not dropped."""
    return parse_when(text, ctx.clock()) if text is not None else None


def cmd_milestone_add(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.add_milestone(store, ctx.actor, args.incident, name=args.name,
                                                owner=args.owner, due_at=_when(ctx, args.due),
                                                clock=ctx.clock))


def cmd_milestone_done(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.complete_milestone(store, ctx.actor, args.incident, args.id,
                                                     clock=ctx.clock))


def cmd_milestone_move(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.move_milestone(store, ctx.actor, args.incident, args.id,
                                                 due_at=_when(ctx, args.due), reason=args.reason,
                                                 owner=args.owner, clock=ctx.clock))


def cmd_milestone_owner(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.actions.work import reassign_milestone

    with ctx.store() as store:
        return print_done(reassign_milestone(store, ctx.actor, args.incident, args.id,
                                             owner=args.owner, reason=args.reason,
                                             clock=ctx.clock))


def cmd_block_owner(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.actions.work import change_blocker_owner

    with ctx.store() as store:
        return print_done(change_blocker_owner(store, ctx.actor, args.incident, args.id,
                                               owner=args.owner, reason=args.reason,
                                               clock=ctx.clock))


def cmd_block(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.raise_blocker(store, ctx.actor, args.incident, what=args.what,
                                                waiting_on=args.waiting_on, owner=args.owner,
                                                clock=ctx.clock))


def cmd_unblock(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.clear_blocker(store, ctx.actor, args.incident, args.id,
                                                note=args.note, clock=ctx.clock))


def cmd_request(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.request_approval(
            store, ctx.actor, args.incident, change=args.change, risk=args.risk,
            rationale=args.rationale, fallback=args.fallback, kind=args.kind,
            needed=args.needed, eligible=args.eligible,
            decider_required=True if args.decider_required else None,
            expires_at=_when(ctx, args.expires), known=args.known, unknown=args.unknown,
            next_steps=args.next_steps, template=args.template, clock=ctx.clock))


def cmd_approve(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.approve(store, ctx.actor, args.incident, args.id,
                                          clock=ctx.clock))


def cmd_reject(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.reject(store, ctx.actor, args.incident, args.id,
                                         reason=args.reason, clock=ctx.clock))


def cmd_withdraw(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.withdraw(store, ctx.actor, args.incident, args.id,
                                           reason=args.reason, clock=ctx.clock))


def _milestone_usage(args: argparse.Namespace, ctx: Context) -> int:
    raise UserError("say which: milestone add, done, move or owner (see --help)")


def _item_verb(sub, name, parents, *, help, example, handler, what) -> Parser:
    p = verb(sub, name, parents, help=help, example=example, handler=handler)
    p.add_argument("incident", help="incident key (INC-1001) or number (1001)")
    p.add_argument("id", type=positive, help=f"the {what}'s number (#N in show and log)")
    return p


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "milestone", [common], help="add, complete, move or reassign milestones",
             example="warroom milestone add INC-1001 'Rollback ready' --owner sam --due +30m",
             handler=_milestone_usage)
    msub = p.add_subparsers(dest="milestone_verb", metavar="add|done|move|owner", parser_class=Parser)
    m = verb(msub, "add", [writing], help="add a milestone with one owner and a due time",
             example="warroom milestone add INC-1001 'Rollback ready' --owner sam --due +30m",
             handler=cmd_milestone_add)
    m.add_argument("incident")
    m.add_argument("name", help="what must be true by then")
    m.add_argument("--owner", required=True, help="exactly one owner")
    m.add_argument("--due", required=True, help="+30m, 14:30 or an ISO time")
    _item_verb(msub, "done", [writing], help="mark a milestone done", what="milestone",
               example="warroom milestone done INC-1001 2", handler=cmd_milestone_done)
    m = _item_verb(msub, "move", [writing], help="reschedule a milestone (a reason is required)",
                   what="milestone", handler=cmd_milestone_move,
                   example="warroom milestone move INC-1001 2 --due +1h --reason 'vendor delay'")
    m.add_argument("--due", required=True, help="the new due time")
    m.add_argument("--reason", required=True, help="why it moves")
    m.add_argument("--owner", help="a new owner")
    m = _item_verb(msub, "owner", [writing], help="give a milestone to another owner",
                   what="milestone", handler=cmd_milestone_owner,
                   example="warroom milestone owner INC-1001 2 --owner dana")
    m.add_argument("--owner", required=True, help="the new owner (still exactly one)")
    m.add_argument("--reason", help="why (optional)")

    p = verb(sub, "block", [writing], help="raise a blocker: what, waiting on whom, owner",
             example="warroom block INC-1001 'Prod DB read access' --waiting-on 'DBA on-call' "
             "--owner sam", handler=cmd_block)
    p.add_argument("incident")
    p.add_argument("what", help="what is blocked")
    p.add_argument("--waiting-on", required=True, help="who or what it waits on")
    p.add_argument("--owner", required=True, help="who chases it")
    p = _item_verb(sub, "unblock", [writing], help="clear a blocker", what="blocker",
                   example="warroom unblock INC-1001 1 --note 'access granted'",
                   handler=cmd_unblock)
    p.add_argument("--note", help="how it was cleared")
    p = _item_verb(sub, "block-owner", [writing], help="give a blocker another owner to chase it",
                   what="blocker", example="warroom block-owner INC-1001 1 --owner dana",
                   handler=cmd_block_owner)
    p.add_argument("--owner", required=True, help="who chases it now")
    p.add_argument("--reason", help="why (optional)")

    p = verb(sub, "request", [writing], help="request approval of a risky change",
             example="warroom request INC-1001 'Roll back deploy 412' --risk high --rationale "
             "'bad deploy' --fallback 'roll forward with flag off' --as sam",
             handler=cmd_request)
    p.add_argument("incident")
    p.add_argument("change", help="the change to authorize")
    p.add_argument("--risk", required=True, choices=["low", "medium", "high"])
    p.add_argument("--rationale", required=True, help="why this change")
    p.add_argument("--fallback", help="what we do if it goes wrong (required by policy for "
                   "most changes)")
    p.add_argument("--kind", default="change",
                   help="a kind of change the incident's playbook defines (see 'warroom "
                   "playbook show NAME'); other kinds are refused (default: change)")
    p.add_argument("--needed", type=positive, help="approvals needed (at least the policy's)")
    p.add_argument("--eligible", action="append", metavar="ROLE_OR_NAME",
                   help="who may approve: a role the rule allows (decider) or a person "
                   "holding one; repeatable; only narrows the rule (default: its roles)")
    p.add_argument("--decider-required", action="store_true",
                   help="the decider must be among the approvers")
    p.add_argument("--expires", metavar="WHEN", help="+60m, 15:30 (default: the policy's)")
    statement = p.add_argument_group(
        "a customer statement (--kind customer-statement)",
        "its text, approved as written; once granted, post it with 'warroom update INC "
        "customer --approved N --next WHEN'")
    statement.add_argument("--known", metavar="TEXT", help="what we know")
    statement.add_argument("--unknown", metavar="TEXT", help="what we don't know yet")
    statement.add_argument("--next-steps", metavar="TEXT", help="what happens next")
    statement.add_argument("--template", metavar="NAME",
                           help="a customer template of the playbook: parts left out come "
                           "from it, and it frames the message")
    _item_verb(sub, "approve", [writing], help="approve a pending change", what="request",
               example="warroom approve INC-1001 1 --as pat", handler=cmd_approve)
    p = _item_verb(sub, "reject", [writing],
                   help="reject a pending change, with a reason (your own request: withdraws it)",
                   what="request", handler=cmd_reject,
                   example="warroom reject INC-1001 1 --reason 'no tested fallback' --as pat")
    p.add_argument("--reason", required=True, help="why")
    p = _item_verb(sub, "withdraw", [writing], help="withdraw your own pending request",
                   what="request", example="warroom withdraw INC-1001 1 --as sam",
                   handler=cmd_withdraw)
    p.add_argument("--reason", help="why it is no longer wanted (optional)")
