"""``warroom mine [INC]``: what waits on you, from the shell (the dashboard shows the same
on its second line)."""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, print_json, verb


def cmd_mine(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import queries
    from warroom.render import waiting

    now = ctx.clock()
    me = ctx.actor.name
    with ctx.store() as store:
        keys = ([args.incident] if args.incident else
                [s.key for s in queries.list_incidents(store, include_closed=False)])
        found = [(view.incident.key, item) for view in
                 (queries.incident_view(store, key) for key in keys)
                 for item in waiting.for_person(view, me, now)]
    if args.json:
        print_json([{"incident": key, "key": i.key, "text": i.text, "urgent": i.urgent}
                    for key, i in found])
        return 0
    if not found:
        where = args.incident or "any open incident"
        print(f"nothing waits on {me} in {where}")
    for key, item in found:
        print(f"{key}  {'! ' if item.urgent else ''}{item.text}")
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "mine", [common, reading],
             help="what waits on you: handovers offered to you, approvals you may give, "
             "updates due from your role, disputes you must settle",
             example="warroom mine --as pat\n  warroom mine INC-1001 --as alex", handler=cmd_mine)
    p.add_argument("incident", nargs="?", help="only this incident (default: every open one)")
