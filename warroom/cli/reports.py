"""Verbs for looking back: ``warroom metrics`` (the snapshot) and ``warroom review INC``."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

from warroom.cli.common import Context, Parser, verb
from warroom.clock import parse_at, parse_duration
from warroom.errors import UserError


def past_time(text: str, now: datetime, option: str) -> datetime:
    """A time that has already come (``40m ago``, ``13:20``, an ISO time), for ``option``."""
    try:
        return parse_at(text, now)
    except UserError as exc:
        raise UserError(str(exc).replace("--at ", f"{option} ", 1)) from None


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

    now = ctx.clock()
    period = _metrics_period(args, now)
    with ctx.store() as store:
        customer = None
        if args.customer is not None:
            customer = rollup.find_customer(rollup.customers_of(store), args.customer)
            if customer is None:
                raise UserError(f"--customer {_quoted(args.customer)}: no incident in this "
                                "database is for that customer")
        snap = rollup.snapshot(store, now, period=period, customer=customer)
    _write(snapshot.FORMATS[args.format](snap), args.out)
    return 0


def _quoted(text: str, limit: int = 40) -> str:
    """A typed value in a one-line error, cut when long."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _day(flag: str, text: str) -> datetime:
    """``YYYY-MM-DD`` as 00:00 UTC that day (the snapshot's times are all UTC)."""
    import re
    from datetime import date, time, timezone

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return datetime.combine(date.fromisoformat(text.strip()), time(), timezone.utc)
    except ValueError:
        raise UserError(f"{flag}: cannot read {_quoted(text)} as a date: use YYYY-MM-DD, "
                        "e.g. 2026-10-01") from None


def _metrics_period(args: argparse.Namespace, now: datetime):
    """The period ``metrics`` covers: ``--since`` back from now, or whole UTC days from
    ``--from`` through ``--to`` (default: up to now)."""
    from warroom.reports import rollup

    if args.since is not None and (args.start is not None or args.to is not None):
        raise UserError("--since goes without --from/--to: give a duration or dates")
    if args.start is None:
        if args.to is not None:
            raise UserError("--to goes with --from DATE: the period needs a first day")
        return rollup.Period.last(now, _since(args.since or "90d"))
    first = _day("--from", args.start)
    last = _day("--to", args.to) if args.to is not None else None
    if last is not None and first > last:
        raise UserError(f"--from {args.start} is after --to {args.to}")
    if first >= now:
        raise UserError(f"--from {args.start}: that day has not begun yet (UTC)")
    period = rollup.Period.days(first, None if last is None else last + timedelta(days=1),
                                now)
    if period.length > rollup.MAX_PERIOD:
        raise UserError(f"--from/--to can span at most {rollup.MAX_PERIOD.days} days "
                        "(ten years)")
    try:
        period.previous()
    except OverflowError:  # the period before it would start before year 1
        raise UserError(f"--from {args.start} is too early: the period before it would "
                        "start before year 1") from None
    return period


def _since(text: str) -> timedelta:
    from warroom.reports import rollup

    try:
        since = parse_duration(text)
    except OverflowError:
        since = rollup.MAX_PERIOD * 2
    if since.total_seconds() <= 0:
        raise UserError("--since must be longer than zero, e.g. 30d or 90d")
    if since > rollup.MAX_PERIOD:
        raise UserError(f"--since can be at most {rollup.MAX_PERIOD.days}d (ten years), "
                        f"not {text}")
    return since


def cmd_review(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.actions import review as recorded
    from warroom.reports import review

    records = {"--action": args.action, "--done": args.done, "--root-cause": args.root_cause,
               "--factor": args.factor, "--impact-start": args.impact_start}
    given = [name for name, value in records.items() if value is not None]
    if len(given) > 1:
        raise UserError(f"record one thing at a time: {' and '.join(given)} were both given")
    if (args.owner or args.due) and not args.action:
        raise UserError(f"{'--owner' if args.owner else '--due'} goes with --action TEXT")
    if args.at is not None and not given:
        raise UserError("--at goes with what you record (--action, --done, --root-cause, "
                        "--factor, --impact-start): the review is built as of now")
    if given and args.out:
        raise UserError("--out writes the review: leave it out when recording")
    with ctx.store() as store:
        if given:
            done = _record(recorded, store, args, ctx)
            print(done.message)
            return 0
        text = review.review(store, args.incident, ctx.clock())
    _write(text, args.out)
    return 0


def _record(recorded, store, args: argparse.Namespace, ctx: Context):
    """The one thing ``warroom review INC --...`` records."""
    from warroom.clock import parse_when

    now, ref, actor = ctx.clock(), args.incident, ctx.actor
    if args.action is not None:
        if not args.owner:
            raise UserError("a follow-up needs an owner: --owner NAME")
        due = parse_when(args.due, now) if args.due else None
        return recorded.add_follow_up(store, actor, ref, text=args.action, owner=args.owner,
                                      due=due, clock=ctx.clock)
    if args.done is not None:
        return recorded.complete_follow_up(store, actor, ref, args.done, clock=ctx.clock)
    if args.root_cause is not None:
        return recorded.record_root_cause(store, actor, ref, text=args.root_cause,
                                          clock=ctx.clock)
    if args.factor is not None:
        return recorded.add_factor(store, actor, ref, text=args.factor, clock=ctx.clock)
    at = past_time(args.impact_start, now, "--impact-start")
    return recorded.set_impact_start(store, actor, ref, at, clock=ctx.clock)


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "metrics", [common],
             help="the escalation metrics snapshot for leadership and the customer",
             example="warroom metrics --since 90d --format md > snapshot.md\n"
             "  warroom metrics --customer Acme --from 2026-10-01 --to 2026-12-31 "
             "--out acme.md", handler=cmd_metrics)
    p.add_argument("--since", metavar="DURATION",
                   help="the period: incidents opened this long ago until now, compared with "
                   "the same length before it (default 90d, at most 3660d)")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="the period from this day (YYYY-MM-DD, 00:00 UTC) instead of --since")
    p.add_argument("--to", metavar="DATE",
                   help="the period through this day (YYYY-MM-DD, UTC; default: up to now)")
    p.add_argument("--customer", metavar="NAME",
                   help="only the incidents affecting this customer, and no other customer "
                   "named anywhere: a snapshot safe to send to them")
    p.add_argument("--format", choices=["md", "json", "csv"], default="md",
                   help="Markdown for people, JSON or CSV for tools (default md)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")

    p = verb(sub, "review", [writing],
             help="the post-incident review (Markdown), or record what it lists: a "
             "follow-up (--action, --done), the root cause, a contributing factor, the "
             "impact start",
             example="warroom review INC-1001 --out review.md\n"
             "  warroom review INC-1001 --action 'Name a comms contingency' --owner alex "
             "--due 7d\n"
             "  warroom review INC-1001 --done 1\n"
             "  warroom review INC-1001 --root-cause 'Deploy 412 broke retries'",
             handler=cmd_review)
    p.add_argument("incident", help="incident key (INC-1001) or number (1001)")
    p.add_argument("--out", metavar="FILE", help="write the review to FILE instead of printing")
    p.add_argument("--action", metavar="TEXT", help="record a follow-up action item")
    p.add_argument("--owner", metavar="NAME", help="who owns the follow-up (with --action)")
    p.add_argument("--due", metavar="DATE",
                   help="when the follow-up is due (with --action): 2026-12-15T17:00, 7d, "
                   "'tomorrow 09:00'")
    p.add_argument("--done", metavar="N", type=int, help="mark follow-up #N done")
    p.add_argument("--root-cause", metavar="TEXT",
                   help="record the root cause (a later one replaces it; the journal keeps "
                   "both)")
    p.add_argument("--factor", metavar="TEXT", help="record a contributing factor")
    p.add_argument("--impact-start", metavar="TIME",
                   help="record when the customer impact began ('2h ago', 13:20, an ISO time), "
                   "if not given at open")
