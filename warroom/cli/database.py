"""``warroom db init URL`` (make a PostgreSQL database a warroom one) and ``warroom db copy
SRC DEST`` (a whole room from one database to another, SQLite or PostgreSQL)."""

from __future__ import annotations

import argparse

from warroom.cli.common import Context, Parser, verb
from warroom.errors import UserError


def _usage(args: argparse.Namespace, ctx: Context) -> int:
    raise UserError("say which: db init or db copy (see --help)")


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db.store import is_url

    if not is_url(args.url):
        raise UserError(f"{args.url[:60]!r} is not a postgresql:// URL: db init prepares a "
                        "PostgreSQL database (an SQLite file needs none: 'warroom open' "
                        "makes it)")
    from warroom.db import pg_schema
    from warroom.db.pg_conn import shown

    owner = pg_schema.role_name(args.owner, "--owner")
    client = pg_schema.role_name(args.client, "--client")
    if owner == client:
        raise UserError("--owner and --client must be two roles (the client owns nothing)")
    before, after, done = pg_schema.init_at(args.url, owner=owner, client=client)
    where = shown(args.url)
    if before == after:
        print(f"{where}: the warroom schema is already at version {after}; nothing to create")
    for line in done:
        print(f"{where}: {line}")
    kept = [name for name in (owner, client) if not any(
        line.startswith(f"created role {name} (") for line in done)]
    if kept:
        print(f"{where}: role(s) {' and '.join(kept)} already there, kept as they are")
    print("grants applied:")
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(args.url)  # (no database in the URL: libpq takes the user's name)
    database = unquote(parts.path.lstrip("/")) or parts.username or "postgres"
    for statement in [*pg_schema.database_grants(database, client),
                      *pg_schema.grants(owner, client)]:
        print(f"  {statement};")
    print(f"client URL: {pg_schema.client_url(args.url, client)}  (warroom --db URL, or "
          "$WARROOM_DB)")
    if f"created role {client} (login)" in done:
        print(f"set the client's password: ALTER ROLE \"{client}\" PASSWORD '...'; (as the "
              "admin), and give it to clients in ~/.pgpass, not in the URL")
    return 0


def cmd_copy(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import copy

    done, source, dest = copy.copy_room(args.source, args.dest)
    print(copy.summary(done, source, dest))
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "db", [common], help="prepare a PostgreSQL database (init), or copy a "
             "whole room between databases (copy)",
             example="warroom db init postgresql://postgres@db.example/warroom\n"
             "  warroom db copy room.db postgresql://warroom@db.example/warroom",
             handler=_usage)
    dsub = p.add_subparsers(dest="db_verb", metavar="init|copy", parser_class=Parser)
    p = verb(dsub, "init", [common],
             help="make a PostgreSQL database a warroom one: create the owner role (no "
             "login) and the client role (login) if missing, the schema 'warroom' (or its "
             "missing migrations) and the client's grants; running it again is harmless. "
             "Connect as a superuser, or as a role that may create roles and owns the "
             "database. Never needed for SQLite: 'warroom open' makes the file",
             example="warroom db init postgresql://postgres@db.example/warroom",
             handler=cmd_init)
    p.add_argument("url", help="an admin connection: postgresql://ADMIN@HOST[:PORT]/DATABASE")
    p.add_argument("--owner", default="warroom_owner",
                   help="the role owning the schema, no login (default: warroom_owner)")
    p.add_argument("--client", default="warroom",
                   help="the role warroom connects as (default: warroom)")
    p = verb(dsub, "copy", [common],
             help="copy a whole room (incidents, roles, disputes, handovers, milestones, "
             "blockers, approvals, votes, updates, and the journal with its ids and hashes) "
             "from SRC to DEST, either an SQLite file or a postgresql:// URL. SRC's chain is "
             "checked first; DEST must be empty: a file that does not exist yet, or a "
             "PostgreSQL database after 'db init' with no incident and no event. One write "
             "transaction, checked before it commits: a copy that does not check out writes "
             "nothing. Who is watching and the derived figures are not copied. On a "
             "PostgreSQL DEST each event's database user (db_user) becomes the copier's, "
             "unless the copier is a member of the owner role: copy as the owner (or a "
             "superuser) to keep who wrote each event",
             example="warroom db copy room.db postgresql://postgres@db.example/warroom\n"
             "  warroom db copy postgresql://warroom@db.example/warroom room-copy.db",
             handler=cmd_copy)
    p.add_argument("source", metavar="SRC", help="the room to copy: a file or a URL")
    p.add_argument("dest", metavar="DEST", help="where to: a new file or an empty "
                   "PostgreSQL database's URL")
