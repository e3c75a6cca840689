"""The verb that opens the dashboard: ``warroom`` or ``warroom run [INC]``."""

from __future__ import annotations

import argparse
import os

from warroom.cli.common import Context, Parser, verb


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.app import run_app

    bell = not args.no_bell and os.environ.get("WARROOM_BELL", "on").lower() not in (
        "off", "0", "no", "false")
    return run_app(ctx, incident=args.incident, wall=args.wall, bell=bell)


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "run", [common], help="open the live dashboard (the default verb)",
             example="warroom run INC-1001 --as dana", handler=cmd_run)
    p.add_argument("incident", nargs="?", help="go straight to this incident")
    p.add_argument("--wall", action="store_true",
                   help="read-only wall display for a shared screen: no actions, alarms emphasised")
    p.add_argument("--no-bell", action="store_true",
                   help="never ring the terminal bell when something new waits on you "
                   "(also: WARROOM_BELL=off)")
