"""``warroom playbook list | show NAME | check [PATH]``: the playbooks in force, one in
full, and a check of playbook files (for CI, or before copying one into the user folder).

Handlers import the playbooks when they run: building the parser stays free of pydantic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.cli.common import Context, Parser, print_json, verb
from warroom.clock import offset
from warroom.errors import UserError

if TYPE_CHECKING:
    from warroom.rules.playbooks import Playbook

EXIT_INVALID = 1


def _review(pb: Playbook, today) -> str:
    state = "STALE, review was due" if pb.is_stale(today) else "next review"
    return (f"owner {pb.owner}; reviewed {pb.last_reviewed}, {state} {pb.review_due()} "
            f"(every {pb.review_every_days} days)")


def _catalog(args: argparse.Namespace, wanted: str | None = None):
    """The playbooks in force (shipped, then --playbooks or $WARROOM_PLAYBOOKS), warning
    about each invalid file left out; with ``wanted``, only if that playbook is missing
    (the warning may be why)."""
    from warroom.rules import playbooks

    catalog = playbooks.load(playbooks.user_folder(args.playbooks), strict=False)
    if wanted is None or wanted not in catalog.playbooks:
        for problem in catalog.skipped:
            print(f"warroom playbook: warning: skipped {problem}", file=sys.stderr)
    return catalog


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    catalog = _catalog(args)
    today = ctx.clock().date()
    if args.json:
        print_json([{"name": pb.name, "source": catalog.sources[pb.name],
                     "description": pb.description, "owner": pb.owner,
                     "last_reviewed": str(pb.last_reviewed), "review_due": str(pb.review_due()),
                     "stale": pb.is_stale(today)} for pb in catalog.playbooks.values()])
        return 0
    for pb in catalog.playbooks.values():
        print(f"{pb.name:<22} {pb.description}")
        print(f"{'':<22} {catalog.sources[pb.name]}; {_review(pb, today)}")
    return 0


def show_lines(pb: Playbook, source: str, today) -> list[str]:
    """The whole playbook as plain text."""
    from warroom.rules.policy import STATEMENT_KIND

    m = pb.match
    out = [f"{pb.name}  ({source})", pb.description, f"governance: {_review(pb, today)}",
           "matches: " + "; ".join([
               "title words " + (", ".join(m.keywords) or "-"),
               "services " + (", ".join(m.services) or "any"),
               "tiers " + (", ".join(m.tiers) or "any"),
               "severities " + (", ".join(s.value for s in m.severities) or "any"),
               f"priority {m.priority}"]),
           "", "Roles"]
    width = max(len(r) for r in pb.roles)
    for role, spec in pb.roles.items():
        who = f"holder {spec.holder}" if spec.holder else f"team {spec.team}"
        if spec.holder and spec.team:
            who += f" ({spec.team})"
        out.append(f"  {role:<{width}}  {who}; contingency {spec.contingency}")
    out += ["", "Update cadence (customer / internal)"]
    out += [f"  {sev.value}  every {c.customer}m / {c.internal}m" for sev, c in pb.cadence.items()]
    out += ["", "Who posts status updates",
            f"  customer: comms; while comms is vacant, {pb.updates.comms_stand_in} (journaled as "
            "acting for comms)",
            f"  internal: {', '.join(pb.updates.internal_roles(list(pb.roles)))}",
            "  the decider may post either anyway, with a reason the review lists"]
    if STATEMENT_KIND in pb.approvals:
        out.append(f"  customer statements go out only as approved ({STATEMENT_KIND} rules "
                   "below): the request carries the text, the update posts it (--approved N)")
    out += ["", "Milestones (due after opening)"]
    for ms in pb.milestones:
        dues = ", ".join(f"{sev.value} {offset(d)}" for sev, d in ms.due.items())
        out.append(f"  {ms.name} ({ms.role}): {dues}")
    out += ["", "Approvals (kind/risk: approvals needed of eligible roles)"]
    for kind, rules in pb.approvals.items():
        for risk, rule in rules.items():
            out.append(f"  {kind}/{risk.value}: {rule.summary()}")
    out.append("  (kind change, or a listed kind at a risk not listed: the default rule for "
               "that risk; any other kind is refused)")
    out += ["", "Stages (customer-resolution definition to leave each)"]
    out += [f"  {stage.value}: {text}" for stage, text in pb.stages.items()]
    out += ["", "Templates: " + (", ".join(pb.templates) or "the shipped ones")]
    return out


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    catalog = _catalog(args, wanted=args.name)
    pb = catalog.get(args.name)
    if args.json:
        data = pb.model_dump(mode="json") | {"source": catalog.sources[pb.name]}
        data["updates"]["internal"] = pb.updates.internal_roles(list(pb.roles))
        print_json(data)
    else:
        print("\n".join(show_lines(pb, catalog.sources[pb.name], ctx.clock().date())))
    return 0


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.rules import playbooks

    path = Path(args.path).expanduser() if args.path else None
    folder = None if path else playbooks.user_folder(args.playbooks)
    findings = playbooks.check(path, folder)
    today = ctx.clock().date()
    invalid = stale = problems = 0
    for f in findings:
        if f.errors:
            invalid += 1
            problems += len(f.errors)
            for error in f.errors:
                print(f"INVALID {error}", file=sys.stderr)
        elif f.playbook and f.playbook.is_stale(today):
            stale += 1
            pb = f.playbook
            print(f"STALE   {f.source}: {pb.name} was due for review on {pb.review_due()} "
                  f"(last reviewed {pb.last_reviewed}, every {pb.review_every_days} days); "
                  f"ask {pb.owner}", file=sys.stderr)
        else:
            name = f.playbook.name if f.playbook else f.template.name
            kind = "playbook" if f.playbook else "template"
            print(f"ok      {f.source}: {kind} {name}")
    if not findings:
        raise UserError(f"no playbook or template files in {path}")
    more = f" ({problems} problems)" if problems > invalid else ""
    print(f"{len(findings)} file(s) checked: {invalid} invalid{more}, {stale} past their "
          "review date")
    return EXIT_INVALID if invalid or (stale and args.strict) else 0


def _usage(args: argparse.Namespace, ctx: Context) -> int:
    raise UserError("say which: playbook list, playbook show NAME or playbook check [PATH] "
                    "(see --help)")


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    folder = Parser(add_help=False)
    folder.add_argument("--playbooks", metavar="DIR",
                        help="your own playbooks (and DIR/templates), added to the shipped "
                        "ones and overriding them by name (default: $WARROOM_PLAYBOOKS)")
    p = verb(sub, "playbook", [common], help="list, show or check playbooks",
             example="warroom playbook check ~/playbooks", handler=_usage)
    psub = p.add_subparsers(dest="playbook_verb", metavar="list|show|check", parser_class=Parser)
    verb(psub, "list", [common, reading, folder], help="list the playbooks in force",
         example="warroom playbook list --playbooks ~/playbooks", handler=cmd_list)
    s = verb(psub, "show", [common, reading, folder], help="show one playbook in full",
             example="warroom playbook show customer-outage", handler=cmd_show)
    s.add_argument("name", help="the playbook's name (see playbook list)")
    c = verb(psub, "check", [common, folder],
             help="validate playbook and template files; exit 1 if any is invalid, and warn "
             "about playbooks past their review date",
             example="warroom playbook check ~/playbooks/payments.toml", handler=cmd_check)
    c.add_argument("path", nargs="?",
                   help="a playbook file or a folder (default: the shipped playbooks and "
                   "the user folder)")
    c.add_argument("--strict", action="store_true",
                   help="also exit 1 when a playbook is past its review date")
