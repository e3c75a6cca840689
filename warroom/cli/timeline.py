"""``warroom note INC TEXT [--decision]``: a note or a decision, into the timeline."""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, print_done, verb


def cmd_note(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.add_note(store, ctx.actor, args.incident, text=args.text,
                                           decision=args.decision, clock=ctx.clock))


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "note", [writing], help="write a note (or, with --decision, a decision the "
             "room took) into the timeline; the review lists the decisions",
             example="warroom note INC-1001 'Vendor confirms a gateway outage' --as sam\n"
             "  warroom note INC-1001 'Roll back instead of hotfixing' --decision --as pat",
             handler=cmd_note)
    p.add_argument("incident")
    p.add_argument("text", help="what happened, or what was decided and why")
    p.add_argument("--decision", action="store_true",
                   help="a decision: marked DECIDED in the timeline, listed in the review")
