"""Verbs that keep the record trustworthy: ``warroom verify``, ``backup`` and ``restore``.

``verify`` works on both backends; ``backup`` and ``restore`` copy SQLite files, and on a
``postgresql://`` URL say what to use instead."""

from __future__ import annotations

import argparse
from pathlib import Path

from warroom.cli.common import Context, Parser, verb
from warroom.errors import UserError

EXIT_ALTERED = 1
"""``warroom verify`` found the journal or the stored state altered."""


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import chain
    from warroom.db.health import guard_problems
    from warroom.reports import agreement

    with ctx.store() as store:
        on_server = store.dialect == "postgresql"
        with store.read():
            count, broken = chain.check(store.conn)
            # on a server: which guards are disabled or dropped (the client cannot restore them)
            missing = (guard_problems(store.conn) if on_server
                       else chain.missing_guards(store.conn))
            head = chain.head(store.conn)
        differences = agreement.differences(store, ctx.clock())
    problems = []
    if broken is not None:
        problems.append(f"JOURNAL ALTERED at event {broken.event_id}: {broken.problem}")
    if missing and on_server:
        problems.append(f"the journal's guards are off on the server ({', '.join(missing)}): "
                        "it no longer keeps the journal append-only; its owner or a superuser "
                        "must put them back (warroom doctor says how)")
    elif missing:
        problems.append(f"the append-only guards are missing ({', '.join(missing)}): "
                        "the next write puts them back and journals it")
    problems += [f"stored state differs from the journal: {d}" for d in differences]
    if problems:
        for line in problems:
            print(line)
        print(f"{len(problems)} problem(s); {count} events check out before the first break"
              if broken else f"{len(problems)} problem(s)")
        return EXIT_ALTERED
    print(f"journal intact: {count} events chained, guards in place, stored state agrees; "
          f"last event's hash {head[:16]} (compare with a copy kept elsewhere: removing the "
          "last events and the counter together is seen only there)")
    return 0


SERVER_BACKUP = ("on PostgreSQL, back up with the server's own tools (pg_dump, a replica) "
                 "or copy the room to a file with 'warroom db copy URL FILE'")
SERVER_RESTORE = ("on PostgreSQL, restore with the server's own tools (pg_restore, a "
                  "replica) or copy a backup file into a fresh database with 'warroom db "
                  "copy FILE URL'")


def _refuse_urls(ctx: Context, file: str, said: str) -> None:
    """``backup`` and ``restore`` copy SQLite files: a URL on either side is refused, in one
    line naming what to use instead."""
    from warroom.db.store import is_url

    if is_url(ctx.db):
        raise UserError(said)
    if is_url(file):
        raise UserError(f"{file.split(':', 1)[0]}:// is a server, not a file: copy a room "
                        "between a file and a server with 'warroom db copy FROM TO'")


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import backup

    _refuse_urls(ctx, args.dest, SERVER_BACKUP)
    with ctx.store() as store:
        with store.read():
            copied = backup.backup(store.conn, store.path, Path(args.dest), force=args.force)
    if copied.broken is not None:
        print(f"backed up {copied.events} events of {copied.incidents} incident(s) to "
              f"{args.dest}; WARNING: the journal's chain breaks at event "
              f"{copied.broken.event_id} ({copied.broken.problem}): warroom verify says more")
        return EXIT_ALTERED
    print(f"backed up {copied.events} events of {copied.incidents} incident(s) to "
          f"{args.dest}; the copy checks out (last event {copied.head[:12]})")
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import backup

    _refuse_urls(ctx, args.source, SERVER_RESTORE)
    copied, kept = backup.restore(Path(args.source), Path(ctx.db), force=args.force,
                                  now=ctx.clock())
    print(f"restored {copied.events} events of {copied.incidents} incident(s) into {ctx.db}"
          + (f"; the file it replaced is kept as {kept}" if kept else ""))
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    verb(sub, "verify", [common], help="check the journal's hash chain, its append-only "
         "guards and that the stored state agrees with it; exit 1 naming the first "
         "altered event", example="warroom verify --db /srv/warroom/room.db",
         handler=cmd_verify)
    p = verb(sub, "backup", [common], help="copy the live database safely (SQLite's online "
             "backup, mode and group kept) and check the copy",
             example="warroom backup /srv/backups/room-$(date +%F).db", handler=cmd_backup)
    p.add_argument("dest", help="the file (or folder) to write the copy to")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p = verb(sub, "restore", [common], help="replace the database with a backup (the "
             "replaced file is kept beside it); refuses to lose newer events without --force",
             example="warroom restore /srv/backups/room-2026-12-01.db", handler=cmd_restore)
    p.add_argument("source", help="the backup to restore")
    p.add_argument("--force", action="store_true",
                   help="restore even though the database holds events the backup lacks")
