"""The verb that opens the dashboard: ``warroom`` or ``warroom run [INC]``."""

from __future__ import annotations

import argparse
import os
import sys

from warroom.cli.common import Context, Parser, verb
from warroom.clock import parse_duration
from warroom.errors import UserError

NOT_A_TERMINAL = ("the dashboard needs a terminal, and this is not one: use 'ssh -t HOST "
                  "warroom' (or a verb such as 'warroom show' for plain text)")


def require_terminal(stdin=None, stderr=None) -> None:
    """Refuse, in one line, to draw a dashboard where nobody can see or drive it: ``ssh
    host warroom`` without ``-t`` gives pipes, and the app would wait for keys forever.
    Textual reads keys from stdin and draws on stderr: both must be terminals."""
    stdin = sys.__stdin__ if stdin is None else stdin
    stderr = sys.__stderr__ if stderr is None else stderr
    for stream in (stdin, stderr):
        if stream is None or not stream.isatty():
            raise UserError(NOT_A_TERMINAL)


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.app import run_app

    bell = not args.no_bell and os.environ.get("WARROOM_BELL", "on").lower() not in (
        "off", "0", "no", "false")
    theme = args.theme or os.environ.get("WARROOM_THEME") or None
    rotate = None
    if args.rotate is not None:
        if not args.wall:
            raise UserError("--rotate goes with --wall: it turns the wall's pages")
        rotate = parse_duration(args.rotate).total_seconds()
        if rotate < 5:
            raise UserError(f"--rotate {args.rotate}: at least 5s, so a page can be read")
    return run_app(ctx, incident=args.incident, wall=args.wall, bell=bell, theme=theme,
                   rotate=rotate, terminal=require_terminal)


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "run", [common], help="open the live dashboard (the default verb)",
             example="warroom run INC-1001 --as dana", handler=cmd_run)
    p.add_argument("incident", nargs="?", help="go straight to this incident")
    p.add_argument("--wall", action="store_true",
                   help="read-only wall display for a shared screen: no actions, alarms emphasised")
    p.add_argument("--rotate", metavar="EVERY", default=None,
                   help="with --wall: turn the pages (the overview, then each incident's "
                   "dashboard) every EVERY, e.g. 30s or 2m")
    p.add_argument("--no-bell", action="store_true",
                   help="never ring the terminal bell when something new waits on you "
                   "(also: WARROOM_BELL=off)")
    p.add_argument("--theme", metavar="NAME", default=None,
                   help="colours: warroom-high-contrast for a projector or weak colour "
                   "vision, or any Textual theme (ansi-dark keeps the terminal's own colours); "
                   "also WARROOM_THEME, and the palette's 'Change theme' (ctrl+p)")
