"""``warroom VERB``: argument parsing only; the work is done by actions, views and the app.

Each ``cli_*`` module adds its verbs with ``register(sub, common, reading)``; a verb's
handler takes the parsed arguments and a :class:`Context` and returns an exit code.
A user error prints one line on stderr and exits 2, having written nothing.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from warroom.clock import Clock, utcnow
from warroom.errors import WarroomError
from warroom.records import Actor, valid_name

EXIT_USER_ERROR = 2


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, no LOGNAME: fall back to the numeric id
        return f"uid{os.getuid()}"


@dataclass
class Context:
    """What every handler needs: where the database is, who is acting, and the time."""

    db: str
    actor: Actor
    clock: Clock = utcnow

    def store(self, create: bool = False):
        from warroom.store import Store

        return Store(self.db, create=create)


def print_done(done) -> int:
    """Print what an action did (an ``actions.Done``) on one line that names the incident."""
    print(done.message if done.key in done.message else f"{done.key}: {done.message}")
    return 0


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False, default=str))


def build_parser(*, only_run: bool = False) -> Parser:
    """The whole command line, or (``only_run``) the global options and ``run`` alone."""
    from warroom import cli_app

    modules = [cli_app]
    if not only_run:
        from warroom import (
            cli_drill, cli_incident, cli_metrics, cli_playbook, cli_roles, cli_work,
        )

        modules += [cli_incident, cli_roles, cli_work, cli_drill, cli_playbook, cli_metrics]

    common = _identity_options(Parser(add_help=False), "")
    reading = Parser(add_help=False)
    reading.add_argument("--json", action="store_true", help="print JSON instead of text")

    parser = Parser(
        prog="warroom",
        description="Incident war-room dashboard: who leads, who talks to the customer, "
        "who decides. With no verb, opens the dashboard.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  warroom open 'Checkout failing' --customer Acme --severity SEV1\n"
        "  warroom claim INC-1001 lead --as dana\n  warroom",
    )
    _identity_options(parser, "global_")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=Parser)
    for module in modules:
        module.register(sub, common, reading)
    return parser


def _identity_options(parser: Parser, prefix: str) -> Parser:
    # The top-level copies use other names: a subparser's defaults would overwrite them.
    parser.add_argument(
        "--db", dest=f"{prefix}db", metavar="PATH", default=None,
        help="database file (default: $WARROOM_DB, then ./warroom.db)",
    )
    parser.add_argument(
        "--as", dest=f"{prefix}as_name", metavar="NAME", default=None,
        help="the name you go by in the room (default: your OS user)",
    )
    return parser


def verb(
    sub: argparse._SubParsersAction, name: str, parents: list[Parser], *, help: str,
    example: str, handler: Callable[[argparse.Namespace, Context], int],
) -> Parser:
    """Add one verb, with its help line, an example in its --help and its handler."""
    p = sub.add_parser(
        name, parents=parents, help=help, description=help,
        epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=handler)
    return p


def context(args: argparse.Namespace) -> Context:
    db = args.db or args.global_db or os.environ.get("WARROOM_DB") or "warroom.db"
    name = args.as_name if args.as_name is not None else args.global_as_name
    display = valid_name(name, "--as") if name is not None else None
    return Context(db=db, actor=Actor(os_user=os_user(), display=display))


def _verb_in(argv: list[str]) -> str | None:
    """The verb ``argv`` names; "" when it asks for help before any verb; None when it
    names none, which means ``run``: ``warroom --db X --wall`` is ``warroom run --db X
    --wall``."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            return ""
        if arg in ("--db", "--as"):
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return arg  # a verb (or a typo argparse will name)
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    verb = _verb_in(argv)
    if verb is None:
        verb, argv = "run", ["run", *argv]
    # The dashboard's start builds its own verb only: the other thirty cost 10 ms.
    parser = build_parser(only_run=verb == "run")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    try:
        return args.handler(args, context(args))
    except WarroomError as exc:
        print(f"warroom {args.verb}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
