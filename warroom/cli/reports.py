"""Verbs for looking back: ``warroom metrics`` (the snapshot) and ``warroom review INC``."""

from __future__ import annotations

import argparse
from pathlib import Path

from warroom.cli.common import Context, Parser, verb
from warroom.clock import parse_duration
from warroom.errors import UserError


def _write(text: str, out: str | None) -> None:
    """Print ``text``, or write it to ``out`` and say where it went."""
    if out is None:
        print(text, end="")
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    print(f"wrote {out}")


def cmd_metrics(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.reports import rollup, snapshot

    try:
        since = parse_duration(args.since)
    except OverflowError:
        since = rollup.MAX_PERIOD * 2
    if since.total_seconds() <= 0:
        raise UserError("--since must be longer than zero, e.g. 30d or 90d")
    if since > rollup.MAX_PERIOD:
        raise UserError(f"--since can be at most {rollup.MAX_PERIOD.days}d (ten years), "
                        f"not {args.since}")
    with ctx.store() as store:
        snap = rollup.snapshot(store, ctx.clock(), since)
    _write(snapshot.FORMATS[args.format](snap), args.out)
    return 0


def cmd_review(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions
    from warroom.reports import review

    if args.owner and not args.action:
        raise UserError("--owner goes with --action TEXT")
    if args.at is not None and args.action is None:
        raise UserError("--at goes with --action TEXT: the review is built as of now")
    with ctx.store() as store:
        if args.action is not None:
            if not args.owner:
                raise UserError("a follow-up needs an owner: --owner NAME")
            done = actions.add_follow_up(store, ctx.actor, args.incident, text=args.action,
                                         owner=args.owner, clock=ctx.clock)
            print(done.message)
            return 0
        text = review.review(store, args.incident, ctx.clock())
    _write(text, args.out)
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "metrics", [common],
             help="the escalation metrics snapshot for leadership and the customer",
             example="warroom metrics --since 90d --format md > snapshot.md", handler=cmd_metrics)
    p.add_argument("--since", default="90d", metavar="DURATION",
                   help="the period: incidents opened this long ago until now, compared with "
                   "the same length before it (default 90d, at most 3660d)")
    p.add_argument("--format", choices=["md", "json", "csv"], default="md",
                   help="Markdown for people, JSON or CSV for tools (default md)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")

    p = verb(sub, "review", [writing],
             help="the post-incident review (Markdown), or record a follow-up with --action",
             example="warroom review INC-1001 --out review.md\n"
             "  warroom review INC-1001 --action 'Name a comms contingency' --owner alex",
             handler=cmd_review)
    p.add_argument("incident", help="incident key (INC-1001) or number (1001)")
    p.add_argument("--out", metavar="FILE", help="write the review to FILE instead of printing")
    p.add_argument("--action", metavar="TEXT", help="record a follow-up action item")
    p.add_argument("--owner", metavar="NAME", help="who owns the follow-up (with --action)")
