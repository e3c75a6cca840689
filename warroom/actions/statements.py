"""Customer statements: the text of a status update, and the approval a playbook may require
before a customer reads it.

A policy with approval rules for the kind ``customer-statement`` (the security playbook's)
gates customer statements:

- A request of that kind carries its draft (:func:`draft`): the three parts of a customer
  update as the customer will read them (a template's phrases filled in) and the template
  that frames them. The approvers see it (``warroom show``, the approve form).
- A customer update is refused unless it names a granted request of that kind
  (:func:`granted`). It then posts exactly that draft, and spends the grant
  (:func:`spend`): the request records when and by whom it went out, the update's journal
  event names it, and a second post of it is refused. A changed text needs a new request.
- The next update time is given when posting, not in the draft: it would pass while the
  approvers read. The decider's override of *who* posts does not lift the gate: what the
  customer may be told is the approvers' say.

Policies without the rule post customer updates as before.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warroom.actions._common import item
from warroom.clock import local_hm
from warroom.db.store import Store, from_db
from warroom.errors import UserError
from warroom.models import Body, valid
from warroom.records import Actor, ApprovalStatus, Audience
from warroom.rules import templates
from warroom.rules.policy import STATEMENT_KIND, Policy

PART_NAMES = {"known": "what we know", "unknown": "what we don't know",
              "next_steps": "next steps"}


@dataclass(frozen=True)
class Text:
    """What an update says: its parts, and the template and the message it composes."""

    known: str
    unknown: str
    next_steps: str
    template: templates.Template | None = None
    message: str | None = None


def text(policy: Policy, incident: sqlite3.Row, now: datetime, audience: Audience,
         parts: dict[str, str | None], template: str | None,
         next_update_at: datetime | None) -> Text:
    """The parts of an update, validated; with ``template``, parts left as None come from
    its phrases and the whole message is composed. A ``[[...]]`` blank left in is refused."""
    chosen, fields = None, {}
    if template is not None:
        chosen = templates.choose(policy.templates, template, audience)
        fields = templates.incident_fields(incident, now)
        parts = templates.filled(chosen, fields, parts)
    known, unknown, next_steps = _parts(parts)
    if chosen is None:
        return Text(known, unknown, next_steps)
    message = templates.compose(chosen, fields, known=known, unknown=unknown,
                                next_steps=next_steps, next_update_at=next_update_at, now=now,
                                zone=templates.customer_zone(incident))
    _no_blank(chosen, message)
    return Text(known, unknown, next_steps, chosen, message)


def _parts(parts: dict[str, str | None]) -> tuple[str, str, str]:
    """The three parts of an update, validated; a template blank left in is refused."""
    out = []
    for key, what in PART_NAMES.items():
        value = valid(Body, "" if parts.get(key) is None else parts[key], what)
        blank = templates.blank_in(value)
        if blank:
            raise UserError(f"{what} still has a blank to fill in: {blank}")
        out.append(value)
    return out[0], out[1], out[2]


def _no_blank(chosen: templates.Template, message: str) -> None:
    """Refuse a composed message that still holds a ``[[...]]`` blank outside the parts:
    the author cannot fill it from the update, and it must never reach the customer."""
    blank = templates.blank_in(message)
    if blank is None:
        return
    if blank in chosen.message:
        raise UserError(f"template {chosen.name!r} has a blank in its message that no part "
                        f"fills: {blank}; post without the template, and ask its author to "
                        "fix it")
    raise UserError(f"the message still has a blank: {blank} (from the incident's title, "
                    "customer or service); post without the template")


# -- the request: a draft ---------------------------------------------------------------------


def draft(policy: Policy, incident: sqlite3.Row, kind: str, now: datetime,
          parts: dict[str, str | None], template: str | None) -> dict[str, Any] | None:
    """The statement a request of ``kind`` carries (stored and journaled with it), checked
    as a customer update would be: None for any other kind, which may carry none."""
    offered = template is not None or any(v is not None for v in parts.values())
    if kind != STATEMENT_KIND:
        if offered:
            raise UserError(f"only a {STATEMENT_KIND} request carries a statement to approve "
                            f"(this one is a {kind})")
        return None
    if not offered:
        raise UserError(f"a {STATEMENT_KIND} request carries the statement to approve: what "
                        "we know, what we don't know and next steps (--known, --unknown, "
                        "--next-steps, or --template NAME; on the dashboard, the update form)")
    said = text(policy, incident, now, Audience.CUSTOMER, parts, template, None)
    return {"known": said.known, "unknown": said.unknown, "next_steps": said.next_steps,
            "template": said.template.name if said.template else None}


# -- the post: a grant, spent once ------------------------------------------------------------


def granted(store: Store, incident: sqlite3.Row, policy: Policy, audience: Audience,
            number: int | None, parts: dict[str, str | None], template: str | None,
            now: datetime) -> sqlite3.Row | None:
    """The granted statement request #``number`` an update posts, or None when it posts
    none; a refusal when the policy gates customer statements and ``number`` is missing, or
    the request is not granted, already posted, or says something else than ``parts``."""
    if number is None:
        if audience is Audience.CUSTOMER and policy.gates_statements():
            raise UserError(_needs_approval(store, incident, policy, now))
        return None
    if audience is not Audience.CUSTOMER:
        raise UserError(f"an approved statement (#{number}) goes to the customer: post it as "
                        "a customer update")
    row = item(store, "approvals", incident, number, "approval request")
    if row["kind"] != STATEMENT_KIND or not row["statement"]:
        raise UserError(f"approval #{number} is a {row['kind']} request with no statement "
                        f"to post; a customer statement is approved as a {STATEMENT_KIND}")
    _usable(store, row, now)
    approved = json.loads(row["statement"])
    for key, what in PART_NAMES.items():
        given = parts.get(key)
        if given is not None and valid(Body, given, what) != approved[key]:
            raise UserError(f"{what} differs from the statement approved in #{number}; it "
                            "goes out as approved, and a changed text needs a new request")
    if template is not None and (template.strip() or None) != approved["template"]:
        framed = (f"template {approved['template']}" if approved["template"]
                  else "no template")
        raise UserError(f"#{number} was approved with {framed}; it goes out as approved, and "
                        "a changed text needs a new request")
    return row


def approved_text(row: sqlite3.Row) -> tuple[dict[str, str], str | None]:
    """The parts and the template a granted statement request carries."""
    approved = json.loads(row["statement"])
    return {key: approved[key] for key in PART_NAMES}, approved["template"]


def spend(store: Store, actor: Actor, row: sqlite3.Row, now: datetime) -> dict[str, Any]:
    """Mark a granted statement as posted (it goes out once); the journal fields that say
    which approval the update posted."""
    store.update("approvals", {"id": row["id"]}, posted_at=now, posted_by=actor.name)
    return {"approval_id": row["id"], "approval_number": row["number"]}


def _usable(store: Store, row: sqlite3.Row, now: datetime) -> None:
    """Refuse a statement request that is not granted, or was posted already."""
    number, status = row["number"], row["status"]
    if status == ApprovalStatus.PENDING:
        if now >= from_db(row["expires_at"]):
            raise UserError(f"approval #{number} expired before it was granted; request it "
                            "again")
        votes = len(store.rows("votes", approval_id=row["id"], decision="approve"))
        raise UserError(f"approval #{number} is not granted yet ({votes} of {row['needed']} "
                        f"approvals{', decider required' if row['decider_required'] else ''})")
    if status != ApprovalStatus.APPROVED:
        raise UserError(f"approval #{number} was {status}; only a granted statement goes out")
    if row["posted_at"]:
        posted = local_hm(from_db(row["posted_at"]), now)
        raise UserError(f"approval #{number} was posted at {posted}"
                        f" by {row['posted_by']}; an approved statement goes out once: request "
                        "approval of the next one")


def _needs_approval(store: Store, incident: sqlite3.Row, policy: Policy, now: datetime) -> str:
    """One line: customer statements need approval here, and the next step towards it."""
    key = incident["key"]
    head = (f"customer statements on {key} go out only as approved ({STATEMENT_KIND} rules "
            f"of {policy.name})")
    post = f"warroom update {key} customer --approved N --next WHEN"
    rows = store.rows("approvals", incident_id=incident["id"], kind=STATEMENT_KIND)
    ready = [r for r in rows if r["status"] == ApprovalStatus.APPROVED and r["statement"]
             and not r["posted_at"]]
    if ready:
        n = ready[0]["number"]
        return f"{head}: #{n} is granted; post it with {post.replace(' N ', f' {n} ')}"
    waiting = [r for r in rows if r["status"] == ApprovalStatus.PENDING
               and now < from_db(r["expires_at"])]
    if waiting:
        n = waiting[-1]["number"]
        return (f"{head}: #{n} waits for approval; once it is granted, post it with "
                f"{post.replace(' N ', f' {n} ')}")
    return (f"{head}: request approval of this statement with warroom request {key} "
            f"'Customer statement' --kind {STATEMENT_KIND} --risk RISK --rationale WHY and "
            f"the same --known, --unknown and --next-steps (or --template), then post it "
            f"with {post}")
