"""``warroom serve``: the dashboard in a browser, for people without a shell on the host.

Needs the web extra (``pip install -e '.[web]'`` in a checkout). Binds 127.0.0.1 unless told
otherwise; put a reverse proxy with TLS in front of it (README: "The browser"). Each person
signs in with their token (``warroom serve --add-user NAME`` makes one) or, behind a proxy
that authenticates, by the header ``--trusted-header`` names; ``--wall`` serves the read-only
wall to anyone who can reach it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from warroom.cli.common import Context, Parser, positive, verb
from warroom.errors import UserError


def _tokens_path(args: argparse.Namespace) -> Path:
    from warroom.web.tokens import default_path

    return Path(args.tokens) if args.tokens else default_path()


def cmd_serve(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.web.tokens import Tokens

    path = _tokens_path(args)
    if args.add_user is not None:
        tokens = Tokens.load_or_new(path)
        token = tokens.add(args.add_user)
        tokens.save()
        print(f"token for web:{args.add_user} (shown once; only its hash is kept in {path}):")
        print(token)
        return 0
    if args.remove_user is not None:
        tokens = Tokens.load(path)
        tokens.remove(args.remove_user)
        tokens.save()
        print(f"removed web:{args.remove_user}: their token no longer signs in")
        return 0
    try:
        from warroom.web.server import WarroomServer
    except ImportError as exc:
        raise UserError(f"warroom serve needs the web extra ({exc.name} is missing): "
                        "pip install '.[web]' in warroom's source folder") from None
    from warroom.db import queries

    with ctx.store() as store:  # a missing or broken database fails now, with its message
        queries.list_incidents(store, include_closed=False)
    tokens = None
    if not args.wall:
        tokens = Tokens.load_or_new(path) if args.trusted_header else Tokens.load(path)
        if args.trusted_header and not path.exists():
            tokens.save()  # its key proves each session's name to the session
        if not args.trusted_header and not tokens.users:
            raise UserError(f"nobody can sign in: {path} holds no tokens; add someone with "
                            "warroom serve --add-user NAME")
    from warroom.db.store import is_url

    db = ctx.db if is_url(ctx.db) else str(Path(ctx.db).absolute())
    name = ctx.db.split("?", 1)[0].rsplit("/", 1)[-1] if is_url(ctx.db) else Path(ctx.db).name
    server = WarroomServer(
        db=db, host=args.host, port=args.port,
        public_url=args.public_url, tokens=tokens, trusted_header=args.trusted_header,
        wall=args.wall, max_sessions=args.max_sessions, title=f"warroom: {name}")
    try:
        server.serve()
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: "
                        f"{exc.strerror or exc}") from None
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "serve", [common], help="serve the dashboard to browsers (needs "
             "the web extra, pip install '.[web]'): sign-in by token or a proxy's header, "
             "or a read-only wall", example="warroom serve --add-user dana && warroom serve "
             "--db /srv/warroom/acme.db --public-url https://warroom.example.com",
             handler=cmd_serve)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: only this host; put a "
                   "reverse proxy with TLS in front)")
    p.add_argument("--port", type=positive, default=8000, help="port (default 8000)")
    p.add_argument("--public-url", metavar="URL", default=None,
                   help="the URL people open (default http://HOST:PORT); a websocket from "
                   "any other origin is refused")
    p.add_argument("--tokens", metavar="FILE", default=None,
                   help="the tokens file (default ~/.config/warroom/web-tokens, mode 0600)")
    p.add_argument("--add-user", metavar="NAME", default=None,
                   help="make a token for NAME (acting as web:NAME), print it once, and exit")
    p.add_argument("--remove-user", metavar="NAME", default=None,
                   help="remove NAME's token and exit")
    p.add_argument("--trusted-header", metavar="HEADER", default=None,
                   help="behind a reverse proxy that authenticates: take the person's name "
                   "from this request header (e.g. X-Remote-User); never without the proxy")
    p.add_argument("--wall", action="store_true",
                   help="serve the read-only wall to anyone who can reach it, no sign-in")
    p.add_argument("--max-sessions", type=positive, default=8,
                   help="most browser tabs at once, each a process of about 40 MB "
                   "(default 8)")
