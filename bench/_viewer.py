"""A dashboard process for bench/live.py: ``_viewer.py DB NAME`` (set WARROOM_TRACE).

It takes the path of ``warroom --db DB --as NAME`` (the parser ``main`` builds for the
dashboard, the context, the app), then runs the app headless: full layout and rendering,
output discarded.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.cli import build_parser, context  # noqa: E402

args = build_parser(only_run=True).parse_args(
    ["run", "--db", sys.argv[1], "--as", sys.argv[2]])
ctx = context(args)

from warroom.app import make_app  # noqa: E402

make_app(ctx.db, ctx.actor).run(headless=True)
