"""A dashboard process for bench/live.py and bench/memory.py: ``_viewer.py DB NAME [INC]``
(set WARROOM_TRACE). DB is an SQLite path or a ``postgresql://`` URL; "" takes it from
$WARROOM_DB (bench/live.py passes a URL so, keeping any password out of the process list).

It takes the path of ``warroom run [INC] --db DB --as NAME`` (the parser ``main`` builds for
the dashboard, the context, the app), then runs the app headless: full layout and
rendering, output discarded. On PostgreSQL it acts as its database user, as ``warroom run``
does (``on_server``).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.cli import build_parser, context  # noqa: E402

db = ["--db", sys.argv[1]] if sys.argv[1] else []
args = build_parser(only_run=True).parse_args(
    ["run", *sys.argv[3:4], *db, "--as", sys.argv[2]])
ctx = context(args)

from warroom.app import make_app  # noqa: E402

make_app(ctx.db, ctx.actor, incident=args.incident,
         on_server=ctx.on_server).run(headless=True)
