"""``warroom VERB``: argument parsing only; the work is done by actions, views and the app.

Each verb module of this package adds its verbs with ``register(sub, common, reading,
writing)`` (the parent parsers: every verb's options, a reading verb's ``--json``, a writing
verb's ``--at``); a verb's handler takes the parsed arguments and a :class:`Context` and
returns an exit code.
A user error prints one line on stderr and exits 2, having written nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from warroom.cli.common import EXIT_USER_ERROR, Context, Parser, os_user
from warroom.clock import STATED, FrozenClock, parse_at, use_zone, utcnow, viewer_zone
from warroom.errors import WarroomError
from warroom.records import Actor, valid_name
from warroom.rules.people import load as load_people
from warroom.text import EXACT, CleanWriter, cut


def build_parser(*, only_run: bool = False) -> Parser:
    """The whole command line, or (``only_run``) the global options and ``run`` alone."""
    from warroom.cli import dashboard

    modules = [dashboard]
    if not only_run:
        from warroom.cli import (
            changes,
            drill,
            incident,
            integrity,
            mine,
            playbook,
            reports,
            roles,
            timeline,
            who,
            work,
        )

        modules += [incident, changes, roles, work, timeline, mine, drill, playbook, reports,
                    integrity, who]
        from warroom.cli import database, doctor, serve

        modules += [doctor, serve, database]

    common = _identity_options(Parser(add_help=False), "")
    reading = Parser(add_help=False)
    reading.add_argument("--json", action="store_true", help="print JSON instead of text")
    writing = Parser(add_help=False, parents=[common])
    writing.add_argument(
        "--at", metavar="WHEN", default=None,
        help="record something that already happened, at the time it happened: -10m, "
        "'10m ago', 14:05 (today), 'yesterday 23:50' or an ISO time; not in the future "
        "and not before the incident opened (the log marks it [backfilled HH:MM])",
    )

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
        module.register(sub, common, reading, writing)
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
    parser.add_argument(
        "--tz", dest=f"{prefix}tz", metavar="ZONE", default=None,
        help="the time zone times are shown and typed in, e.g. Europe/Berlin (default: "
        "$WARROOM_TZ, then your system's zone, $TZ)",
    )
    return parser


def context(args: argparse.Namespace) -> Context:
    db = args.db or args.global_db or os.environ.get("WARROOM_DB") or "warroom.db"
    name = args.as_name if args.as_name is not None else args.global_as_name
    display = valid_name(name, "--as") if name is not None else None
    at = parse_at(args.at, utcnow()) if getattr(args, "at", None) is not None else None
    clock = FrozenClock(at) if at is not None else utcnow
    me = os_user()
    people = load_people(db)
    if people is None or db.startswith(("postgresql://", "postgres://")):  # (on a server:
        return Context(db=db, actor=Actor(os_user=me, display=display), clock=clock, at=at,
                       people=people, asked=display)  # the database user, once connected)
    return Context(db=db, actor=Actor(os_user=me, display=people.name_for(me, display),
                                      strict=True), clock=clock, at=at, people=people,
                   asked=display)


def _verb_in(argv: list[str]) -> str | None:
    """The verb ``argv`` names; "" when it asks for help before any verb; None when it
    names none, which means ``run``: ``warroom --db X --wall`` is ``warroom run --db X
    --wall``."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            return ""
        if arg in ("--db", "--as", "--tz", "--theme", "--rotate"):
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return arg  # a verb (or a typo argparse will name)
    return None


ERROR_LIMIT = 400
"""An error line is cut here: a pasted 100,000-character value is not echoed in full."""

PAST_TIMES = ("--at", "--impact-start")
"""Options that take a past time, which people write as ``-10m``."""


def _joined_at(argv: list[str]) -> list[str]:
    """``--at -10m`` as ``--at=-10m`` (and ``--impact-start``): argparse takes a value
    starting with "-" for an option and would refuse the most natural way to say "ten
    minutes ago"."""
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return out + argv[i:]
        if out and out[-1] in PAST_TIMES:
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def _unusable(argv: list[str]) -> str | None:
    """Why an argument cannot be used (not UTF-8, a NUL), or None; on the rare bad one,
    :mod:`warroom.cli.failsafe` words it."""
    if all(arg.isprintable() for arg in argv):
        return None
    from warroom.cli import failsafe

    return failsafe.bad_argument(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one verb. Everything it writes to the terminal, errors included, passes through
    :class:`~warroom.text.CleanWriter`: an error quoting a stored name cannot carry escape
    codes to the terminal (the dashboard draws on the real stream, untouched)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanWriter(out), CleanWriter(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None = None) -> int:
    argv = _joined_at(sys.argv[1:] if argv is None else list(argv))
    bad = _unusable(argv)
    if bad is not None:
        print(f"warroom: error: {bad}", file=sys.stderr)
        return EXIT_USER_ERROR
    verb = _verb_in(argv)
    if verb is None:
        verb, argv = "run", ["run", *argv]
    # The dashboard's start builds its own verb only: the other thirty cost 10 ms.
    parser = build_parser(only_run=verb == "run")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    before = None
    try:
        # the zone first: --at and every time typed or shown is read in it
        before = use_zone(viewer_zone(getattr(args, "tz", None) or args.global_tz))
        ctx = context(args)
        if hasattr(args, "at") and not ctx.db.startswith(("postgresql://", "postgres://")):
            from warroom.db.failures import refuse_unwritable  # (a file it may not write,

            refuse_unwritable(Path(ctx.db))  # refused unopened by a writing verb)
        exact = EXACT.set(bool(getattr(args, "json", False)))  # JSON: exactly as stored
        stated = STATED.set(ctx.at is not None)  # --at: ordered without the grace
        try:
            code = args.handler(args, ctx)
        finally:
            EXACT.reset(exact)
            STATED.reset(stated)
        if code == 0 and ctx.dated():
            print(ctx.dated())
        return code
    except WarroomError as exc:
        print(f"warroom {args.verb}: error: {cut(str(exc), ERROR_LIMIT)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place every other failure ends
        from warroom.cli import failsafe

        line = failsafe.explained(exc, getattr(args, "db", None) or getattr(
            args, "global_db", None) or os.environ.get("WARROOM_DB"))
        if line is None:
            return failsafe.crashed(exc, argv, args.verb)
        print(f"warroom {args.verb}: error: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        use_zone(before)  # main() may run again in this process (the tests)


if __name__ == "__main__":
    raise SystemExit(main())
