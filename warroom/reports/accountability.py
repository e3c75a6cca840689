"""Who answered for what, and when: the facts behind the findings that name people.

All from the fold's tenures (who held each role when) and, for acts, the journal:

- :func:`holder` and :func:`missed_dues`: the owner of a due time (a milestone's role, the
  roles that post an audience's updates) is whoever held the role at that moment, or
  ``vacant``; never someone else put in their place by the report;
- :func:`approval_cause`: why an approval request that waited too long ended as it did
  (nobody else eligible held a role while it waited; rejected, and by whom; still waiting,
  and on whom; withdrawn by whoever asked), the change that answers that cause, and the
  person who should own it. The decider is named only when they could have acted;
- :func:`roleless_acts`: acts that take a role (status updates, votes on approvals,
  settlements, stage changes, resolution and closing) made by someone who held none at
  that moment. Claims, disputes (a claimant withdrawing their own included) and notes
  need no role;
- :func:`overrides`: the decider's overrides of who may act.

Everything returned is plain text.
"""

from __future__ import annotations

from warroom.clock import dur, hm
from warroom.journal import Kind, line
from warroom.records import TRIO, Event
from warroom.reports.figures import ApprovalRec, CadenceRec, IncidentMetrics
from warroom.rules.stored import INTERNAL_UPDATES

# The roles whose holders post each audience's updates (the default policy's: comms for
# the customer; lead, comms and the internal liaison, those the incident has, internally).
POSTERS = {"customer": ("comms",), "internal": INTERNAL_UPDATES}
# Acts that take a role: made by someone holding none, the review flags them.
ROLE_ACTS = frozenset({
    Kind.UPDATE_POSTED, Kind.APPROVAL_APPROVED, Kind.APPROVAL_REJECTED, Kind.DISPUTE_SETTLED,
    Kind.STAGE_ADVANCED, Kind.INCIDENT_RESOLVED, Kind.INCIDENT_CLOSED,
})
MISSED_SHOWN = 4  # due times named one by one; the rest are counted


def _or(items: list[str], word: str = "or") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _and(items: list[str]) -> str:
    return _or(items, "and")


# -- owners of due times ------------------------------------------------------------------


def holder(m: IncidentMetrics, role: str, at: float) -> str:
    """Who held ``role`` at ``at``, or ``vacant``."""
    return m.holder_at(role, at) or "vacant"


def update_owners(m: IncidentMetrics, audience: str, at: float) -> str:
    """``comms (vacant)``; ``lead (dana), comms (kim)``: the roles that post ``audience``
    updates, each with its holder at ``at``."""
    roles = [r for r in POSTERS.get(audience, ()) if r in m.roles]
    return ", ".join(f"{r} ({holder(m, r, at)})" for r in roles) or "no role of the incident"


def missed_dues(m: IncidentMetrics, audience: str, c: CadenceRec) -> str:
    """``missed 14:25 with comms (vacant); 14:55 with comms (kim)``: the due times missed,
    each with who owned it then (consecutive ones with the same owners together)."""
    times, total = c.missed_times(MISSED_SHOWN)
    groups: list[tuple[list[str], str]] = []
    for t in times:
        owners = update_owners(m, audience, t)
        if groups and groups[-1][1] == owners:
            groups[-1][0].append(hm(t, m.opened))
        else:
            groups.append(([hm(t, m.opened)], owners))
    parts = [f"{_and(when)} with {owners}" for when, owners in groups]
    more = f"; and {total - len(times)} more" if total > len(times) else ""
    return ("missed " + "; ".join(parts) + more) if parts else ""


# -- approvals ----------------------------------------------------------------------------


def _roles(m: IncidentMetrics, a: ApprovalRec) -> list[str]:
    """The roles of the incident whose holders could vote on ``a`` (a journal too old to
    record them: the default rule's, lead, comms and decider)."""
    roles = a.eligible_roles if a.eligible_roles is not None else list(TRIO)
    if a.eligible_people:
        roles = roles + [r for r in (a.allowed or TRIO) if r not in roles]
    return [r for r in m.roles if r in roles]


def _can_vote(a: ApprovalRec, role: str, who: str) -> bool:
    """Whether ``who``, holding ``role``, could vote on ``a``: never its requester; a
    person the request named votes through any role its rule allows."""
    if who == a.requester or who in a.voters:
        return False
    roles = a.eligible_roles if a.eligible_roles is not None else list(TRIO)
    return role in roles or (who in a.eligible_people and role in (a.allowed or TRIO))


def _decider_missing(a: ApprovalRec) -> bool:
    """Whether the decider must approve and has not (a vote counts for the decider only
    when it was cast as the decider)."""
    return a.decider_required and not any(v.approve and "decider" in v.roles for v in a.votes)


def _decider_only(a: ApprovalRec) -> bool:
    """Whether only the decider's vote could still grant it."""
    return _decider_missing(a) and a.needed - a.approvals <= 1


def _missing(a: ApprovalRec) -> str:
    if _decider_only(a):
        return "the decider's approval"
    more = max(a.needed - a.approvals, 0)
    among = ", the decider's among them" if _decider_missing(a) else ""
    return f"{more} more approval{'s' if more != 1 else ''}{among}"


def _candidates(m: IncidentMetrics, a: ApprovalRec) -> list[str]:
    roles = _roles(m, a)
    return ["decider"] if _decider_only(a) and "decider" in roles else roles


def could_vote(m: IncidentMetrics, a: ApprovalRec, start: float,
               end: float) -> list[tuple[str, str]]:
    """(person, role) for everyone who held a role through which they could still have
    given a missing vote at some moment from ``start`` to ``end`` (once each)."""
    out: list[tuple[str, str]] = []
    for role in _candidates(m, a):
        for who in m.holders_during(role, start, end):
            if _can_vote(a, role, who) and who not in [p for p, _ in out]:
                out.append((who, role))
    return out


def _people(pairs: list[tuple[str, str]], word: str = "or") -> str:
    return _or([f"{who} ({role})" for who, role in pairs], word)


def _need(a: ApprovalRec) -> str:
    if a.decider_required and a.needed == 1:
        return "needing the decider's approval"
    plural = "s" if a.needed != 1 else ""
    return f"needing {a.needed} approval{plural}" + (
        ", the decider's among them" if a.decider_required else "")


def _got(a: ApprovalRec) -> str:
    yes = [v.who for v in a.votes if v.approve]
    return f"{len(yes)} of {a.needed} ({', '.join(yes)})" if yes else "no approval"


def _nobody(m: IncidentMetrics, a: ApprovalRec, start: float, end: float,
            when: str = "while it waited") -> tuple[str, str, str]:
    """No one who could give a missing vote held a role from ``start`` to ``end``: who did
    hold them (the requester, those who already voted), the fix, and its area."""
    roles = _candidates(m, a)
    held = []
    for role in roles:
        held += [w for w in m.holders_during(role, start, end)
                 if w not in held and (w == a.requester or w in a.voters)]
    names = [f"{w} (who asked)" if w == a.requester else f"{w} (who voted)" for w in held]
    if not roles:
        cause = "no role of the incident could approve it"
    elif a.eligible_people:  # named people vote through roles others may hold too
        eligible = [r for r in a.eligible_roles or [] if r in roles] + a.eligible_people
        cause = (f"nobody {'else ' if names else ''}eligible ({_or(eligible)}) held a role "
                 f"that could approve it {when}")
    else:
        cause = (f"nobody but {_and(names)}" if names else "nobody") + (
            f" held {_or(roles)} {when}")
    vacant = [r for r in roles if any(
        t.holder is None and t.start < end and (t.end is None or t.end > start)
        for t in m.tenures.get(r, []))]
    backups = [(r, m.contingency[r]) for r in vacant if m.contingency.get(r)]
    if backups:
        fix = ("call " + _and([f"{b} (the playbook's {r} contingency)" for r, b in backups])
               + " as soon as a request waits on a vacant role")
        return cause, fix, "contacts"
    if vacant:
        fix = (f"name a contingency for {_and(vacant)} in the playbook, so that someone can "
               f"approve while {'it is' if len(vacant) == 1 else 'they are'} vacant")
        return cause, fix, "playbook"
    return cause, ("ask for no more approvals than the people in the room can give, or "
                   "name more eligible roles in the playbook's approval rules"), "playbook"


PAGE = "page the people who can approve as soon as a request is made"


def _decider_fix(m: IncidentMetrics) -> str:
    backup = m.contingency.get("decider")
    return (f"hand the decider role to {backup} (the playbook's decider contingency) as "
            "soon as the decider is unreachable" if backup else
            "name who decides when the decider is unreachable (a decider contingency in the "
            "playbook's approval rules)")


def _vacant_for(m: IncidentMetrics, role: str, start: float, end: float) -> float:
    """Seconds ``role`` was vacant from ``start`` to ``end``."""
    return sum(max(min(t.end if t.end is not None else end, end) - max(t.start, start), 0)
               for t in m.tenures.get(role, []) if t.holder is None)


def approval_cause(m: IncidentMetrics, a: ApprovalRec, status: str, wait: float,
                   slow: float) -> tuple[str, str, str]:
    """What happened to an approval request that waited too long (more than ``slow``
    seconds, or expired, or still waiting), why, and the change that answers it:
    (text, area, owner). The owner is whoever asked, except the person who rejected it
    or the decider who could have decided and did not."""
    head = f"approval #{a.id} '{a.change}' ({a.risk} risk, {_need(a)}, asked by {a.requester})"
    end = a.decided if a.decided is not None else (
        a.expires if status == "expired" and a.expires is not None else m.now)
    if status == "rejected":
        no = next((v for v in reversed(a.votes) if not v.approve), None)
        by = f" by {no.who} ({', '.join(no.roles) or 'no role'})" if no else ""
        why = f": {a.reason}" if a.reason else ""
        return (f"{head} was rejected{by} after {dur(wait)}{why}; decide within "
                f"{dur(slow)}, a no included, so that the room turns to another plan sooner",
                "playbook", no.who if no else a.requester)
    if status == "approved":
        last = next((v for v in reversed(a.votes) if v.approve), None)
        head += f" was granted after {dur(wait)}" + (
            f", the last approval by {last.who} ({', '.join(last.roles) or 'no role'})"
            if last else "")
        lost = _vacant_for(m, "decider", a.requested, end) if a.decider_required else 0
        if lost > 0:
            backup = m.contingency.get("decider")
            fix = (f"call {backup} (the playbook's decider contingency) as soon as a request "
                   "needs the decider while the role is vacant" if backup else
                   "name a decider contingency in the playbook, to call while the role is "
                   "vacant")
            return (f"{head}; the decider was vacant for {dur(lost)} of it: {fix}",
                    "contacts" if backup else "playbook", a.requester)
        return f"{head}: {PAGE}", "contacts", a.requester
    if status == "pending" and m.resolved is not None:  # carried: open at resolution
        end = m.resolved
        head += (f" was open at resolution after {dur(end - a.requested)} with {_got(a)}, "
                 f"short of {_missing(a)}")
        could = could_vote(m, a, a.requested, end)
        if not could:
            cause, fix, area = _nobody(m, a, a.requested, end)
            return f"{head}; {cause}: {fix}", area, a.requester
        return (f"{head}; {_people(could, 'and')} could have approved it and did not: {PAGE}",
                "contacts", a.requester)
    if status == "pending":
        head += f" has waited {dur(wait)} with {_got(a)}, short of {_missing(a)}"
        now = could_vote(m, a, m.now, m.now)
        if now:
            return (f"{head}; {_people(now)} can still approve it: {PAGE}", "contacts",
                    a.requester)
        cause, fix, area = _nobody(m, a, m.now, m.now, "now")
        return f"{head}; {cause}: {fix}", area, a.requester
    could = could_vote(m, a, a.requested, end)
    if status == "withdrawn":
        why = f" ({a.reason})" if a.reason else ""
        head += f" was withdrawn by {a.withdrawn_by or a.requester} after {dur(wait)}{why}"
        if could:
            return (f"{head}, while {_people(could)} could have approved it: {PAGE}",
                    "contacts", a.requester)
        cause, fix, area = _nobody(m, a, a.requested, end)
        return f"{head}; {cause}: {fix}", area, a.requester
    head += f" expired after {dur(wait)} with {_got(a)}, short of {_missing(a)}"
    if not could:
        cause, fix, area = _nobody(m, a, a.requested, end)
        return f"{head}; {cause}: {fix}", area, a.requester
    if _decider_only(a):
        return (f"{head}; {_people(could)} could have decided and did not: "
                f"{_decider_fix(m)}", "playbook", could[0][0])
    return (f"{head}; {_people(could, 'and')} could have approved it and did not: {PAGE}",
            "contacts", a.requester)


# -- acts -----------------------------------------------------------------------------


def roleless_acts(m: IncidentMetrics, events: list[Event]) -> list[str]:
    """Each act that takes a role, made by someone who held no role at that moment."""
    out = []
    for e in events:
        if e.kind not in ROLE_ACTS:
            continue
        if e.kind == Kind.DISPUTE_SETTLED and e.who == e.payload.get("claimant"):
            continue  # a claimant withdrawing their own dispute
        if not m.roles_held(e.who, e.at.timestamp()):
            out.append(f"acted holding no role: #{e.id} {line(e)}")
    return out


def overrides(events: list[Event]) -> list[str]:
    """Each act the decider made although no role of theirs allowed it, with the reason."""
    return [f"the decider's override: #{e.id} {line(e)}" for e in events
            if e.payload.get("override")]
