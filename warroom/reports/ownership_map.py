"""The ownership map of the review: who held each role when, with gaps and disputes.

A fixed-width strip per role (one letter per holder, ``.`` vacant, ``~`` under a disputed
stretch) gives the shape at a glance; the table under it gives every stretch exactly. Names
never enter the code block: only letters and digits chosen for them do.
"""

from __future__ import annotations

from warroom.clock import dur, hm
from warroom.render.markdown import inline, table
from warroom.reports.figures import IncidentMetrics

WIDTH = 48
LABEL = 10
HOW = {"opened": "at opening", "assigned": "assigned at opening", "claimed": "claimed",
       "settled": "won a dispute", "handover": "handover accepted", "released": "released"}


def letters(m: IncidentMetrics) -> dict[str, str]:
    """One distinct letter (or digit) per person, in order of first appearance."""
    out: dict[str, str] = {}
    for role in m.roles:
        for t in m.tenures.get(role, []):
            if t.holder and t.holder not in out:
                taken = set(out.values())
                pool = [c.upper() for c in t.holder if c.isascii() and c.isalnum()]
                pool += [c.lower() for c in t.holder if c.isascii() and c.isalpha()]
                pool += list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                out[t.holder] = next((c for c in pool if c not in taken), "?")
    return out


def _strip(m: IncidentMetrics, role: str, marks: dict[str, str], start: float,
           step: float) -> tuple[str, str]:
    """The holder strip and the dispute strip of one role."""
    holders, disputed = [], []
    for column in range(WIDTH):
        at = start + (column + 0.5) * step
        holder = m.holder_at(role, at)
        holders.append(marks.get(holder, "?") if holder else ".")
        open_ = any(d.role == role and d.opened <= at
                    and (d.settled if d.settled is not None else m.now) > at
                    for d in m.disputes.values())
        disputed.append("~" if open_ else " ")
    return "".join(holders), "".join(disputed).rstrip()


def ownership_map(m: IncidentMetrics) -> list[str]:
    """The strip chart and the table of stretches, as Markdown lines."""
    start, end = m.opened, max(m.end, m.opened + 60)
    step = (end - start) / WIDTH
    marks = letters(m)
    left, right = hm(start), hm(end, start)
    out = ["```text", " " * LABEL + left + right.rjust(WIDTH - len(left))]
    for role in m.roles:
        holders, disputed = _strip(m, role, marks, start, step)
        out.append(role[:LABEL - 1].ljust(LABEL) + holders)
        if disputed:
            out.append(" " * LABEL + disputed)
    out.append("```")
    legend = ", ".join(f"{letter} {inline(name)}" for name, letter in marks.items())
    out += ["", f"`.` vacant, `~` disputed; {legend or 'nobody held a role'}."
            + (" The strip ends at resolution." if m.resolved is not None
               else " The incident is still open; the strip ends now."), ""]
    out += table(["Role", "From", "To", "For", "Held by", "How"], _stretches(m), "lrrr")
    return out


def _stretches(m: IncidentMetrics) -> list[list[str]]:
    """Table rows: every holder and vacancy of each role, then its disputes."""
    rows = []
    still = "resolved" if m.resolved is not None else "now"
    for role in m.roles:
        for t in m.tenures.get(role, []):
            stop = t.end if t.end is not None else max(m.end, t.start)
            who = (f"{inline(t.holder)}" if t.holder else "VACANT" +
                   (f" after {inline(t.after)} left" if t.after else ""))
            how = HOW.get(t.how, t.how)
            if t.how == "handover" and t.after:
                how += f" from {inline(t.after)}"
            until = hm(stop, m.opened) if t.end is not None else still
            rows.append([role, hm(t.start, m.opened), until, dur(stop - t.start), who, how])
        for d in m.disputes.values():
            if d.role != role:
                continue
            stop = d.settled if d.settled is not None else m.now
            result = (f"settled by {inline(d.settled_by)} for {inline(d.winner)}"
                      if d.settled is not None else "NOT settled")
            if d.kept is not None:
                result = f"KEPT by {inline(d.holder)}, no decider to settle it"
            until = hm(stop, m.opened) if d.settled is not None else "now"
            rows.append([role, hm(d.opened, m.opened), until, dur(stop - d.opened),
                         f"DISPUTED: {inline(d.claimant)} against {inline(d.holder)}", result])
    return rows
