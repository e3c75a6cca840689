"""``warroom severity | retitle | customers``: changes during the incident (the customers
verb also sets the customer's time zone), each journaled with its reason."""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, print_done, verb


def cmd_severity(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.change_severity(
            store, ctx.actor, args.incident, severity=args.severity, reason=args.reason,
            clock=ctx.clock))


def cmd_retitle(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.retitle(store, ctx.actor, args.incident, title=args.title,
                                          reason=args.reason, clock=ctx.clock))


def cmd_customers(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        if args.customer_tz is not None:
            if args.add or args.remove or args.tier:
                from warroom.errors import UserError

                raise UserError("change the customer's time zone on its own (--customer-tz "
                                "without --add, --remove or --tier)")
            return print_done(actions.change_customer_zone(
                store, ctx.actor, args.incident, zone=args.customer_tz, reason=args.reason,
                clock=ctx.clock))
        return print_done(actions.change_customers(
            store, ctx.actor, args.incident, add=args.add, remove=args.remove, tier=args.tier,
            reason=args.reason, clock=ctx.clock))


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "severity", [writing], help="change the incident's severity; the update "
             "cadence follows it (the next update is due no later than one new cadence away)",
             example="warroom severity INC-1001 SEV2 --reason 'only EU checkout affected' "
             "--as dana", handler=cmd_severity)
    p.add_argument("incident")
    p.add_argument("severity", help="SEV1 (highest) to SEV4")
    p.add_argument("--reason", required=True, help="why the severity changes")

    p = verb(sub, "retitle", [writing], help="give the incident a new title",
             example="warroom retitle INC-1001 'Card payments failing in EU' "
             "--reason 'scope is clearer' --as dana", handler=cmd_retitle)
    p.add_argument("incident")
    p.add_argument("title", help="the new title")
    p.add_argument("--reason", required=True, help="why the title changes")

    p = verb(sub, "customers", [writing], help="add or remove affected customers (the main "
             "customer stays), or change the customer tier or time zone",
             example="warroom customers INC-1001 --add Globex --add Initech --as dana\n"
             "  warroom customers INC-1001 --tier enterprise --reason 'contract renewed'\n"
             "  warroom customers INC-1001 --customer-tz America/New_York",
             handler=cmd_customers)
    p.add_argument("incident")
    p.add_argument("--add", action="append", metavar="NAME", default=[],
                   help="a customer also affected (repeat for more)")
    p.add_argument("--remove", action="append", metavar="NAME", default=[],
                   help="a customer no longer affected (repeat for more)")
    p.add_argument("--tier", metavar="TIER", help="the main customer's tier (on its own)")
    p.add_argument("--customer-tz", metavar="ZONE", help="the customer's time zone, e.g. "
                   "America/New_York: customer-facing times are given in it (on its own)")
    p.add_argument("--reason", help="why (kept in the journal)")
