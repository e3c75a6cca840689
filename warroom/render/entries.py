"""The timeline's entries for people: role names instead of ids, the kinds a reader filters
by, and one entry in full (the customer message as sent, a handover note, an approval
with its votes), as plain data for the dashboard's drill-down.

Everything here is textual-free: lines of :class:`warroom.render.board.Cell` like the panes,
and the plain text the drill-down copies to the clipboard.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from warroom.clock import local_stamp
from warroom.journal import describe, line
from warroom.records import ApprovalRequest, Event, role_title
from warroom.render.board import Cell, Line
from warroom.text import clean_line, shown

# The timeline's filters, in the order ``f`` cycles through them: (name, label, kinds).
FILTERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("all", "everything", ()),
    ("customer", "customer updates", ("update.posted",)),
    ("notes", "notes and decisions", ("note.posted",)),
    ("ownership", "ownership", ("role.", "dispute.", "handover.")),
    ("approvals", "approvals", ("approval.",)),
]


def matches(event: Event, name: str) -> bool:
    """Whether ``event`` is one the filter ``name`` keeps (a customer update: the
    audience is the customer's)."""
    if name == "all":
        return True
    kinds = next(f[2] for f in FILTERS if f[0] == name)
    if not any(event.kind == k or (k.endswith(".") and event.kind.startswith(k))
               for k in kinds):
        return False
    return name != "customer" or event.payload.get("audience") == "customer"


def next_filter(name: str) -> str:
    names = [f[0] for f in FILTERS]
    return names[(names.index(name) + 1) % len(names)]


def filter_label(name: str) -> str:
    return next(f[1] for f in FILTERS if f[0] == name)


# Payload fields that name one role.
_ROLE_FIELDS = ("role", "acting_for")


def readable(event: Event, titles: dict[str, str] | None = None) -> Event:
    """The event with every role id in its payload replaced by the role's name
    ("Billing ops" for billing_ops), so that its sentence reads as people speak: ``role``,
    ``acting_for``, every list of roles (``eligible_roles``, ``authority_roles``...) and
    the roles ``assigned`` at opening."""
    p = event.payload
    if not any(k in _ROLE_FIELDS or k == "assigned" or k.endswith("roles") for k in p):
        return event

    def name(role: object) -> object:
        if not isinstance(role, str) or not role:
            return role
        return (titles or {}).get(role) or role_title(role)

    q = dict(p)
    for key, value in p.items():
        if key in _ROLE_FIELDS:
            q[key] = name(value)
        elif key.endswith("roles") and isinstance(value, list):
            q[key] = [name(r) for r in value]
        elif key == "assigned" and isinstance(value, dict):
            q[key] = {name(r): holder for r, holder in value.items()}
    return dataclasses.replace(event, payload=q)


def worded(event: Event, now: datetime, titles: dict[str, str] | None = None) -> str:
    """The timeline's one line for ``event``: role names, never ids; clean."""
    return clean_line(line(readable(event, titles), now))


# -- one entry in full --------------------------------------------------------------------

_LABELS = {
    "known": "What we know", "unknown": "What we don't know", "next_steps": "Next steps",
    "next_update_at": "Next update at", "done": "Done", "remaining": "Remaining",
    "dependencies": "Dependencies", "risks": "Risks", "rationale": "Rationale",
    "fallback": "Fallback", "text": "Text", "reason": "Reason", "note": "Note",
}
# The parts an update or a handover note shows above its details.
_SAID = {"known", "unknown", "next_steps", "done", "remaining", "dependencies", "risks"}
# Shown by the kind-specific part, or bookkeeping nobody reads.
_SKIP = {"update_id", "approval_id", "milestone_id", "blocker_id", "handover_id",
         "dispute_id", "message", "rule_terms", "policy", "statement", "late", "was_due",
         "next_due", "number", "decision"}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and "T" in value:
        try:
            return local_stamp(datetime.fromisoformat(value))
        except ValueError:
            pass
    return shown(str(value))


def message(event: Event) -> str | None:
    """What a status update said, exactly as it went out: the template's composed message,
    or the three parts as posted. None for other kinds."""
    p = event.payload
    if event.kind != "update.posted":
        return None
    if p.get("message"):
        return shown(str(p["message"]))
    return "\n".join(f"{_LABELS[k]}: {shown(str(p.get(k) or ''))}"
                     for k in ("known", "unknown", "next_steps"))


def handover_note(event: Event) -> str | None:
    """A handover offer's note: done, remaining, dependencies, risks."""
    if event.kind != "handover.offered":
        return None
    p = event.payload
    return "\n".join(f"{_LABELS[k]}: {shown(str(p.get(k) or ''))}"
                     for k in ("done", "remaining", "dependencies", "risks"))


def _block(label: str, text: str) -> list[Line]:
    """A heading, then the text line by line as stored (literal, cleaned)."""
    return [(Cell(label, "strong"),)] + [(Cell("  " + part),) for part in text.split("\n")]


def votes_lines(request: ApprovalRequest, titles: dict[str, str] | None = None) -> list[Line]:
    """Each vote on a request: who, how, as which roles, when, and why."""
    name = (titles or {}).get
    if not request.votes:
        return [(Cell("  no votes yet", "muted"),)]
    out: list[Line] = []
    for v in request.votes:
        roles = ", ".join(name(r) or role_title(r) for r in v.roles)
        out.append((Cell(f"  {local_stamp(v.at)} "), Cell(v.voter, "strong"),
                    Cell(f" {'approved' if v.decision == 'approve' else 'REJECTED'}",
                         "ok" if v.decision == "approve" else "alarm"),
                    Cell(f" as {roles}" if roles else "", "muted"),
                    Cell(f": {clean_line(v.reason)}" if v.reason else "")))
    return out


def entry(event: Event, now: datetime, titles: dict[str, str] | None = None,
          request: ApprovalRequest | None = None) -> tuple[list[Line], str]:
    """One timeline entry in full: its lines for the screen, and the text to copy (the
    message as sent for an update, the note for a handover, else everything shown).

    ``request`` is the approval request the event is about, when it is one: its votes
    are listed as they stand now."""
    nice = readable(event, titles)
    lines: list[Line] = [
        (Cell(clean_line(describe(nice)), "strong"),),
        (Cell(f"{local_stamp(event.at)} ", "muted"), Cell(event.who),
         Cell(f" (OS user {event.os_user})" if event.display_name else "", "muted"),
         Cell(f"  {event.kind}", "muted")),
    ]
    if event.recorded_at and event.recorded_at != event.at:
        lines.append((Cell(f"recorded {local_stamp(event.recorded_at)}", "muted"),))
    copy = message(event) or handover_note(event)
    if event.kind == "update.posted":
        audience = str(event.payload.get("audience") or "")
        lines += _block(f"Sent to the {audience} audience, exactly as posted:"
                        if audience == "customer" else "Posted, exactly as written:", copy)
    elif event.kind == "handover.offered":
        lines += _block("Handover note:", copy)
    p = nice.payload
    rest = [(k, v) for k, v in p.items() if k not in _SKIP and v not in (None, "", [], {})
            and not (event.kind in ("update.posted", "handover.offered") and k in _SAID)]
    if rest:
        lines.append((Cell("Details:", "strong"),))
        for key, value in rest:
            label = _LABELS.get(key, key.replace("_", " ").capitalize())
            text = _value(value)
            first, *more = text.split("\n")
            lines.append((Cell(f"  {label}: ", "muted"), Cell(first)))
            lines += [(Cell("    " + part),) for part in more]
    if request is not None:
        status = request.effective_status(now).value.upper()
        lines.append((Cell(f"Request #{request.number} now: ", "strong"), Cell(status),
                      Cell(f", {len(request.approvals)} of {request.needed} approvals",
                           "muted")))
        lines += votes_lines(request, titles)
    return lines, copy or plain(lines)


def plain(lines: list[Line]) -> str:
    """Lines as plain text (what the clipboard gets)."""
    return "\n".join("".join(c.text for c in cells).rstrip() for cells in lines)
