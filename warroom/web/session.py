"""One browser session of ``warroom serve``: the dashboard, as the signed-in person.

``serve`` starts ``python -m warroom.web.session --db PATH [--wall]`` once per browser tab.
A session acts as ``web:NAME`` only when its environment proves that ``serve`` signed NAME
in (:func:`warroom.web.tokens.session_user`); in a room with a people file, ``web:NAME``
must be in it like any OS user, and goes by the names listed there. A wall session is read-only and needs no
name. Anything that goes wrong is one line on stderr and exit 2, and ``serve`` closes the
tab's connection so the browser says the session ended.
"""

from __future__ import annotations

import argparse
import os
import sys

from warroom.errors import WarroomError

EXIT_USER_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warroom-web-session")
    parser.add_argument("--db", required=True)
    parser.add_argument("--wall", action="store_true")
    args = parser.parse_args(argv)
    try:
        from warroom.cli.common import Context, os_user
        from warroom.records import Actor

        if args.wall:
            actor = Actor(os_user=os_user(), display="wall")
        else:
            from warroom.web.tokens import session_user

            from warroom.rules.people import load as load_people

            # the journal keeps the account the session runs under (serve's) beside the
            # web name: a session another account started is told apart in every entry
            me, people = f"web:{session_user(os.environ, args.db)}", load_people(args.db)
            actor = Actor(os_user=os_user(), display=me) if people is None else Actor(
                os_user=os_user(), display=people.name_for(os_user(), me), strict=True)
        from warroom.app import run_app

        return run_app(Context(db=args.db, actor=actor), wall=args.wall, bell=False)
    except WarroomError as exc:
        print(f"warroom serve: session refused: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
