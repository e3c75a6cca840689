"""Verbs for the incident itself: open, ls, show, log, update, stage, resolve, reopen, close.

Handlers import what they use when they run: building the parser (every start of
``warroom``) imports neither pydantic nor the core.
"""

from __future__ import annotations

import argparse
import sys

from warroom.cli.common import Context, Parser, print_done, print_json, verb
from warroom.clock import day_hm, parse_when, span, stamp_zoned
from warroom.errors import UserError


def cmd_open(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions
    from warroom.records import Severity
    from warroom.rules import matching, playbooks

    folder = playbooks.user_folder(args.playbooks)
    severity = Severity.parse(args.severity)
    now = ctx.clock()
    chosen = matching.plan_from(
        folder, lambda problem: print(f"warroom open: warning: skipped {problem}",
                                      file=sys.stderr),
        title=args.title, severity=severity, service=args.service, tier=args.tier,
        name=args.playbook, today=now.date())
    from warroom.cli.reports import past_time

    impact = (past_time(args.impact_start, now, "--impact-start")
              if args.impact_start is not None else None)
    from pathlib import Path

    from warroom.db.store import is_url

    fresh = not is_url(ctx.db) and not Path(ctx.db).exists()
    with ctx.store(create=True) as store:
        done = actions.open_incident(
            store, ctx.actor, title=args.title, customer=args.customer, severity=severity,
            service=args.service, tier=args.tier, impact_start=impact,
            customer_tz=args.customer_tz, clock=ctx.clock,
            **chosen.applied(),
        )
    print_done(done)
    print(f"  playbook: {chosen.playbook or 'none (built-in defaults)'}: {chosen.why}")
    if fresh:
        from warroom.cli.doctor import folder_warning

        if (shared := folder_warning(Path(ctx.db).absolute().parent)) is not None:
            print(f"warroom open: warning: {shared}", file=sys.stderr)
    if chosen.stale:
        print(f"warroom open: warning: {chosen.stale}", file=sys.stderr)
    cadence = chosen.policy.cadence_for(severity)
    print(f"  roles: {', '.join(chosen.policy.roles)}; updates: customer every "
          f"{cadence.customer}m, internal every {cadence.internal}m")
    for name, role, offset in chosen.milestones:
        print(f"  milestone: {name} ({role}, due {day_hm(now + offset, now)})")
    return 0


def cmd_ls(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import queries
    from warroom.records import to_json

    with ctx.store() as store:
        rows = queries.list_incidents(store, include_closed=args.all)
    if args.json:
        print_json(to_json(rows))
        return 0
    if not rows:
        print("no open incidents" if not args.all else "no incidents")
        return 0
    now = ctx.clock()
    for r in rows:
        vacant = f"  VACANT: {', '.join(r.vacant_roles)}" if r.vacant_roles else ""
        disputed = f"  DISPUTES: {r.open_disputes}" if r.open_disputes else ""
        drill = " [DRILL]" if r.drill else ""
        print(f"{r.key}{drill}  {r.severity.value}  {r.stage.value:<13} {span(now - r.opened_at):>7}"
              f"  {r.customer}: {r.title}{vacant}{disputed}")
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import queries
    from warroom.render.show import render_show, show_json

    with ctx.store() as store:
        view = queries.incident_view(store, args.incident)
        broken = queries.journal_break(store, args.incident)
    if args.json:
        data = show_json(view, ctx.clock())
        data["journal_altered"] = None if broken is None else {
            "event_id": broken.event_id, "problem": broken.problem}
        print_json(data)
        return 0
    if broken is not None:
        print(f"JOURNAL ALTERED at event {broken.event_id}: {broken.problem} (warroom verify)")
    print(render_show(view, ctx.clock()))
    return 0


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db import queries
    from warroom.journal import backfilled, describe, happened_order
    from warroom.records import to_json
    from warroom.render.entries import readable
    from warroom.rules.people import unusual, usual_names

    def describe_line(e) -> str:  # role names as people read them, not ids
        return (describe(readable(e, titles.get(e.incident_id))).replace("\n", " ")
                + backfilled(e))

    with ctx.store() as store:
        events = happened_order(queries.events_after(store, args.after, args.incident))
        titles = queries.role_titles(store)
    if args.json:
        print_json(to_json(events))
        return 0
    usual = usual_names((e.os_user, e.display_name) for e in events)
    for e in events:
        key = f"{e.incident_key} " if not args.incident and e.incident_key else ""
        odd = unusual(e.os_user, e.display_name, usual)
        user = f" [{odd}]" if odd else (
            f" [{e.os_user}]" if e.display_name and e.display_name != e.os_user else "")
        print(f"{stamp_zoned(e.at)} {key}#{e.id} {describe_line(e)}{user}")
    return 0


def cmd_update(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions
    from warroom.rules.compose import NEXT_REQUIRED, preview

    now = ctx.clock()
    next_at = parse_when(args.next, now) if args.next else None
    parts = {"known": args.known, "unknown": args.unknown, "next_steps": args.next_steps}
    if args.template is None and args.approved is None:
        for key, flag in (("known", "--known"), ("unknown", "--unknown"),
                          ("next_steps", "--next-steps")):
            if parts[key] is None:
                raise UserError(f"{flag} is required (or start from a template: --template)")
    if args.preview and args.approved is not None:
        raise UserError("--preview composes a draft; an approved statement's text is in "
                        "warroom show")
    if args.preview and args.template is None:
        raise UserError("--preview shows a template's message: add --template NAME")
    if args.audience == "customer" and next_at is None:
        raise UserError(f"{NEXT_REQUIRED} (--next)")
    with ctx.store() as store:
        if args.preview:
            print(preview(store, args.incident, args.audience, args.template, parts, next_at,
                          now))
            return 0
        done = actions.post_update(
            store, ctx.actor, args.incident, audience=args.audience, next_update_at=next_at,
            template=args.template, override=args.override, approval=args.approved,
            agreed=args.agreed, clock=ctx.clock, **parts,
        )
    print_done(done)
    if done.composed:
        print("\n" + done.composed)
    return 0


def cmd_stage(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.advance_stage(
            store, ctx.actor, args.incident, to=args.stage, confirm=args.confirm,
            skip=args.skip, note=args.note, clock=ctx.clock,
        ))


def cmd_resolve(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.resolve(
            store, ctx.actor, args.incident, summary=args.summary, confirm=args.confirm,
            skip=args.skip, open_items=args.open_items,
            no_customer_update=args.no_customer_update, clock=ctx.clock,
        ))


def cmd_reopen(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.reopen(store, ctx.actor, args.incident, reason=args.reason,
                                         clock=ctx.clock))


def cmd_close(args: argparse.Namespace, ctx: Context) -> int:
    from warroom import actions

    with ctx.store() as store:
        return print_done(actions.close(
            store, ctx.actor, args.incident, csat=args.csat, comment=args.comment,
            clock=ctx.clock,
        ))


def _number(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number like 3 (the #N shown by show)")
    return int(text)


def _csat(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 5:
        raise argparse.ArgumentTypeError("CSAT must be a whole number from 1 to 5")
    return int(text)


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "open", [writing], help="open an incident",
             example="warroom open 'Checkout failing for EU users' --customer Acme "
             "--severity SEV1 --service checkout", handler=cmd_open)
    p.add_argument("title", help="what is wrong, in a few words")
    p.add_argument("--customer", required=True, help="the customer affected")
    p.add_argument("--severity", required=True, help="SEV1 (highest) to SEV4")
    p.add_argument("--service", help="the service affected")
    p.add_argument("--tier", help="the customer's tier (enterprise, standard...); playbooks "
                   "may match on it")
    p.add_argument("--playbook", metavar="NAME",
                   help="open under this playbook (default: the best match for the title, "
                   "service, tier and severity; built-in defaults if none matches)")
    p.add_argument("--playbooks", metavar="DIR",
                   help="a folder of your own playbooks, added to the shipped ones and "
                   "overriding them by name (default: $WARROOM_PLAYBOOKS)")
    p.add_argument("--customer-tz", metavar="ZONE",
                   help="the customer's time zone (IANA, e.g. America/New_York): customer "
                   "updates give their times in it (default UTC)")
    p.add_argument("--impact-start", metavar="TIME",
                   help="when the customer impact began, if before the room opens: '40m "
                   "ago', 13:20, 'yesterday 23:50' or an ISO time (the review sets it "
                   "against the opening)")

    p = verb(sub, "ls", [common, reading], help="list open incidents",
             example="warroom ls --all", handler=cmd_ls)
    p.add_argument("--all", action="store_true", help="include closed incidents")

    p = verb(sub, "show", [common, reading], help="show the current state of an incident",
             example="warroom show INC-1001 --json", handler=cmd_show)
    p.add_argument("incident", help="incident key (INC-1001) or number (1001)")

    p = verb(sub, "log", [common, reading], help="print the journal (who, when, what) in the "
             "order things happened; an entry recorded late (--at) is marked [backfilled]",
             example="warroom log INC-1001", handler=cmd_log)
    p.add_argument("incident", nargs="?", help="only this incident (default: all)")
    p.add_argument("--after", type=int, default=0, metavar="ID",
                   help="only events after this id")

    p = verb(sub, "update", [writing], help="post a status update (customer or internal)",
             example="warroom update INC-1001 customer --known 'Checkout fails for 20% of "
             "EU users' --unknown 'root cause' --next-steps 'rolling back deploy 412' "
             "--next 30m\n  warroom update INC-1001 customer --template acknowledge --next 20m "
             "--preview", handler=cmd_update)
    p.add_argument("incident")
    p.add_argument("audience", choices=["customer", "internal"])
    p.add_argument("--known", help="what we know (required without --template)")
    p.add_argument("--unknown", help="what we don't know yet (required without --template)")
    p.add_argument("--next-steps", help="what happens next (required without --template)")
    p.add_argument("--next", metavar="WHEN",
                   help="when the next update comes: +30m, 14:30, 'tomorrow 09:00' or an "
                   "ISO time (required for customer updates); later than the cadence "
                   "allows only with --agreed")
    p.add_argument("--agreed", action="store_true",
                   help="the customer agreed to a next update later than the cadence (at "
                   "most 7 days ahead): the room is held to that time, journaled as agreed")
    p.add_argument("--template", metavar="NAME",
                   help="start from a message template of the incident's playbook: parts "
                   "you leave out come from it, and the whole message is printed and kept")
    p.add_argument("--preview", action="store_true",
                   help="print the message the template composes; post nothing")
    p.add_argument("--override", metavar="REASON",
                   help="the decider only: post although you hold no role that posts this "
                   "audience's updates (customer: comms, or its stand-in while comms is "
                   "vacant; internal: lead, comms, internal liaison); the reason is journaled "
                   "and the review lists it")
    p.add_argument("--approved", metavar="N", type=_number,
                   help="post the customer statement granted in approval #N, exactly as "
                   "approved (once); required where the playbook gates customer statements "
                   "(security-incident): request it with 'warroom request INC ... --kind "
                   "customer-statement --known ... --unknown ... --next-steps ...'")

    p = verb(sub, "stage", [writing], help="move the incident to a later stage",
             example="warroom stage INC-1001 mitigating --confirm", handler=cmd_stage)
    p.add_argument("incident")
    p.add_argument("stage", nargs="?", help="target stage (default: the next one)")
    p.add_argument("--skip", action="store_true",
                   help="the target is more than one stage on: pass over those between "
                   "(journaled as skipped)")
    p.add_argument("--confirm", action="store_true",
                   help="confirm the current stage's customer-resolution definition is met")
    p.add_argument("--note", help="a note for the journal")

    p = verb(sub, "resolve", [writing], help="mark the incident resolved",
             example="warroom resolve INC-1001 --summary 'rolled back deploy 412' --confirm",
             handler=cmd_resolve)
    p.add_argument("incident")
    p.add_argument("--summary", required=True, help="how it was resolved, in one line")
    p.add_argument("--skip", action="store_true",
                   help="resolve from before monitoring, passing over the stages between")
    p.add_argument("--confirm", action="store_true",
                   help="confirm the customer-resolution definition is met")
    left = p.add_mutually_exclusive_group()
    left.add_argument("--close-open", dest="open_items", action="store_const", const="close",
                      help="close what is still open: clear blockers, withdraw pending "
                      "approval requests and offered handovers, settle disputes for the "
                      "holder (each journaled); milestones not done stay not met")
    left.add_argument("--carry", dest="open_items", action="store_const", const="carry",
                      help="leave what is still open open, listed in the review as open at "
                      "resolution")
    p.add_argument("--no-customer-update", metavar="REASON",
                   help="resolve without a customer update within the customer cadence, "
                   "saying why (journaled)")

    p = verb(sub, "reopen", [writing],
             help="reopen a resolved incident (back to investigating)",
             example="warroom reopen INC-1001 --reason 'errors are back after the rollback'",
             handler=cmd_reopen)
    p.add_argument("incident")
    p.add_argument("--reason", required=True, help="why it is reopened, in one line")

    p = verb(sub, "close", [writing], help="close a resolved incident with the customer's CSAT",
             example="warroom close INC-1001 --csat 4 --comment 'fast comms'", handler=cmd_close)
    p.add_argument("incident")
    p.add_argument("--csat", required=True, type=_csat, help="customer satisfaction, 1-5")
    p.add_argument("--comment", help="the customer's comment")
