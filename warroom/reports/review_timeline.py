"""The review's account of what happened: the condensed timeline, the customer
communications with the longest silence, the handover notes, the blockers and the teams.

The timeline keeps in full what a review meeting discusses (ownership, decisions, customer
updates, approvals, blockers, milestones, stages, changes) and folds the routine entries
(internal updates and notes) of each day into one line where the first of them falls:
"2026-11-24 10:00 to 13:00: 12 internal updates (sam, dana), all on time". Every line starts
with its date and time. What was still open when the incident was resolved reads "open at
resolution", with how long it had been open by then.
"""

from __future__ import annotations

from warroom.clock import dur, local
from warroom.journal import Kind, backfilled, describe
from warroom.records import Event
from warroom.render.entries import readable
from warroom.render.markdown import table, text
from warroom.reports.figures import IncidentMetrics
from warroom.reports.review_record import Record, stamp, until
from warroom.rules.people import unusual, usual_names

FOLD_FROM = 2  # a day with this many routine entries or more has them on one line
LATE_SHOWN = 3  # late internal updates named on a folded line
NOTE_PARTS = (("done", "done"), ("remaining", "remaining"), ("dependencies", "dependencies"),
              ("risks", "risks"))


# The review's own records: each has its section (root cause, action items, the facts), so
# the timeline stays the incident's.
REVIEW_KINDS = {Kind.REVIEW_ACTION, Kind.REVIEW_DONE, Kind.REVIEW_ROOT_CAUSE, Kind.REVIEW_FACTOR,
                Kind.IMPACT_START}


def routine(e: Event) -> bool:
    """An internal update posted by its owners (no override), or a plain note."""
    p = e.payload
    if e.kind == Kind.UPDATE_POSTED:
        return p.get("audience") == "internal" and not p.get("override")
    return e.kind == Kind.NOTE_POSTED and not p.get("decision")


def timeline(events: list[Event], titles: dict[str, str] | None = None) -> list[str]:
    """One dated line per entry that matters; the routine entries of each day (in the
    viewer's zone) folded into one line where the first of them falls, when there are
    :data:`FOLD_FROM` or more; the review's own records left to their sections."""
    usual = usual_names((e.os_user, e.display_name) for e in events)
    days: dict[object, list[Event]] = {}
    for e in events:
        if routine(e):
            days.setdefault(local(e.at).date(), []).append(e)
    out: list[str] = []
    for e in events:
        if e.kind in REVIEW_KINDS:
            continue
        if not routine(e):
            out.append(_entry(e, usual, titles))
            continue
        day = days[local(e.at).date()]
        if len(day) < FOLD_FROM:
            out.append(_entry(e, usual, titles))
        elif e is day[0]:
            out.append(f"- {until(day[0].at, day[-1].at)}: {_folded(day)}")
    return out


def _entry(e: Event, usual: dict[str, str], titles: dict[str, str] | None = None) -> str:
    odd = unusual(e.os_user, e.display_name, usual)
    return (f"- {stamp(e.at)} {text(describe(readable(e, titles)) + backfilled(e))}"
            + (f" ({text(odd)})" if odd else ""))


def _folded(run: list[Event]) -> str:
    """``12 internal updates (sam, dana), all on time; 3 notes (kim)``."""
    updates = [e for e in run if e.kind == Kind.UPDATE_POSTED]
    notes = [e for e in run if e.kind == Kind.NOTE_POSTED]
    parts = []
    if updates:
        late = [e for e in updates if e.payload.get("late")]
        timely = "all on time" if not late else f"{len(late)} late (" + ", ".join(
            stamp(e.at) for e in late[:LATE_SHOWN]) + (", ..." if len(late) > LATE_SHOWN
                                                       else "") + ")"
        parts.append(f"{_count(len(updates), 'internal update')} ({_who(updates)}), {timely}")
    if notes:
        parts.append(f"{_count(len(notes), 'note')} ({_who(notes)})")
    return "; ".join(parts)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _who(events: list[Event]) -> str:
    return text(", ".join(dict.fromkeys(e.who for e in events)))


def communications(m: IncidentMetrics, events: list[Event], rec: Record) -> list[str]:
    """Every customer update, the silence before each, the longest silence, and the
    customer and internal cadence figures, apart."""
    told = [e for e in events if e.kind == Kind.UPDATE_POSTED
            and e.payload.get("audience") == "customer"]
    start = m.opened
    out: list[str] = []
    gaps: list[tuple[float, float, float, str]] = []
    for n, e in enumerate(told, 1):
        t = e.at.timestamp()
        before = "the opening" if n == 1 else f"update {n - 1}"
        gaps.append((t - start, start, t, f"from {before} to update {n}"))
        p = e.payload
        late = " (late)" if p.get("late") else ""
        promise = p.get("next_update_at") or p.get("next_due")
        promised = f", next promised for {stamp(promise)}" if promise else ""
        said = (text(p["message"]) if p.get("message") else text(p.get("known", "")) + (
            f" (not yet known: {text(p['unknown'])})" if p.get("unknown") else ""))
        out.append(f"{n}. {stamp(e.at)}{late}, {text(e.who)}, {dur(t - start)} after "
                   f"{'the opening' if n == 1 else 'the previous one'}{promised}: {said}")
        start = t
    if m.resolved is not None:
        end, words = m.resolved, "the resolution"
    else:
        end, words = m.now, "now (not resolved)"
    if end > start:
        after = f"update {len(told)}" if told else "the opening"
        gaps.append((end - start, start, end, f"from {after} to {words}"))
    head = [f"{_count(len(told), 'customer update')}." if told
            else "The customer was never sent a status update."]
    if gaps:
        length, a, b, where = max(gaps)
        head[0] += f" Longest silence: {dur(length)}, {where} ({until(a, b)})."
    for audience in ("customer", "internal"):
        c = m.cadence.get(audience)
        if c is None:
            continue
        head.append(f"{audience.capitalize()} updates: {c.posts} posted, {c.on_time} of "
                    f"{c.due} due times met ({rec.cadence_words(audience)}), "
                    f"{c.late_posts} posted late.")
    return [" ".join(head[:1]), "", *[f"- {line}" for line in head[1:]]] + (
        ["", *out] if out else [])


def handover_notes(m: IncidentMetrics, events: list[Event]) -> list[str]:
    """Each handover offered, with its note and what came of it."""
    out = []
    for e in events:
        if e.kind != Kind.HANDOVER_OFFERED:
            continue
        p = e.payload
        note = "; ".join(f"{label}: {text(p[key])}" for key, label in NOTE_PARTS if p.get(key))
        h = m.handovers.get(p.get("handover_id"))
        fate = _fate(m, h, e.at.timestamp())
        out.append(f"- {stamp(e.at)} {text(p.get('role', ''))} from {text(p.get('from') or e.who)}"
                   f" to {text(p.get('to', ''))}: {note or 'no note'}. {fate}")
    return out or ["No handover was offered."]


def _fate(m: IncidentMetrics, h, offered: float) -> str:
    if h is None or h.closed is None:
        if m.resolved is not None:
            return f"Open at resolution, {dur(m.resolved - offered)} after it was offered."
        return f"Still waiting, {dur(m.now - offered)} after it was offered."
    return f"{str(h.status).capitalize()} {stamp(h.closed)}."


def blockers(m: IncidentMetrics, events: list[Event]) -> list[str]:
    """Every blocker: what, waiting on whom, its owner, raised, cleared, for how long."""
    raised: dict = {}
    for e in events:
        p = e.payload
        if e.kind == Kind.BLOCKER_RAISED:
            raised[p.get("blocker_id")] = [p, e.at.timestamp(), None]
        elif e.kind == Kind.BLOCKER_CLEARED and p.get("blocker_id") in raised:
            raised[p.get("blocker_id")][2] = e.at.timestamp()
    if not raised:
        return ["No blocker was raised."]
    rows = []
    for p, at, cleared in raised.values():
        if cleared is not None:
            state, length = stamp(cleared), dur(cleared - at)
        elif m.resolved is not None:
            state, length = "open at resolution", dur(m.resolved - at)
        else:
            state, length = "still open", dur(m.now - at)
        rows.append([str(p.get("number") or p.get("blocker_id")), text(p.get("what", "")),
                     text(p.get("waiting_on", "")), text(p.get("owner", "")), stamp(at),
                     state, length])
    return table(["#", "Blocker", "Waiting on", "Owner", "Raised", "Cleared", "Blocked for"],
                 rows, "r")


def teams(m: IncidentMetrics, events: list[Event]) -> list[str]:
    """Each role with its team (from the playbook) and everyone who held it, in order; then
    who else took part, and whom the room waited on (the blockers' parties)."""
    holders: set[str] = set()
    out = []
    for role in m.roles:
        people = list(dict.fromkeys(t.holder for t in m.tenures.get(role, []) if t.holder))
        holders.update(people)
        team = f" (team {text(m.teams[role])})" if m.teams.get(role) else ""
        out.append(f"- {text(role)}{team}: {text(', '.join(people)) or 'never held'}")
    others = [w for w in dict.fromkeys(e.who for e in events) if w not in holders]
    if others:
        out.append(f"- holding no role: {text(', '.join(others))}")
    waited = dict.fromkeys(str(e.payload.get("waiting_on") or "") for e in events
                           if e.kind == Kind.BLOCKER_RAISED)
    if [w for w in waited if w]:
        out.append(f"- waited on (blockers): {text(', '.join(w for w in waited if w))}")
    return out
