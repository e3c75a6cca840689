"""The verb that opens the dashboard: ``warroom`` or ``warroom run [INC]``."""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, verb


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.app import run_app

    return run_app(ctx, incident=args.incident, wall=args.wall)


def register(sub, common: Parser, reading: Parser) -> None:
    p = verb(sub, "run", [common], help="open the live dashboard (the default verb)",
             example="warroom run INC-1001 --as dana", handler=cmd_run)
    p.add_argument("incident", nargs="?", help="go straight to this incident")
    p.add_argument("--wall", action="store_true",
                   help="read-only wall display for a shared screen: no actions, alarms emphasised")
