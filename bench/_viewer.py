"""A dashboard process for bench/live.py: ``_viewer.py DB NAME`` (set WARROOM_TRACE).

It goes through the same imports as the ``warroom`` command (the CLI parser is built), then
runs the app headless: full layout and rendering, output discarded.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.cli import build_parser  # noqa: E402

build_parser()

from warroom.app import make_app  # noqa: E402
from warroom.models import Actor  # noqa: E402

make_app(sys.argv[1], Actor(os_user="bench", display=sys.argv[2])).run(headless=True)
