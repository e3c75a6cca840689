"""What the post-incident review reads from the journal beyond the metrics fold, and how it
dates a time.

The review is a document read later, and reordered, pasted and quoted: every time in it
carries its date (``2026-11-24 14:05``), and its zone label is the one of that instant
(``CEST`` before a change to winter time, ``CET`` after), never the opening's. From the
journal: the cadence in force at each moment (a severity change switches it), when the
customer impact began (given at opening or recorded later), the root cause and the
contributing factors, and the follow-ups with their owner, due date and status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from warroom.clock import dur, local, to_dt, zone_label
from warroom.journal import Kind
from warroom.records import Event
from warroom.render.markdown import zoned


def stamp(at: datetime | float | str | None) -> str:
    """``2026-11-24 14:05`` in the viewer's zone, with the zone label of that instant (the
    document shows labels where its times use more than one); ``-`` for no time."""
    if at is None:
        return "-"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = to_dt(at) if isinstance(at, (int, float)) else at
    return zoned(local(at).strftime("%Y-%m-%d %H:%M"), zone_label(at), at.timestamp())


def until(start: datetime | float, end: datetime | float) -> str:
    """``14:05 to 16:00`` on one day (each with its label), else both with their dates."""
    a = to_dt(start) if isinstance(start, (int, float)) else start
    b = to_dt(end) if isinstance(end, (int, float)) else end
    if local(a).date() == local(b).date():
        return f"{stamp(a)} to {zoned(local(b).strftime('%H:%M'), zone_label(b), b.timestamp())}"
    return f"{stamp(a)} to {stamp(b)}"


@dataclass
class FollowUpItem:
    number: int
    text: str
    owner: str
    at: float
    by: str
    due: float | None = None
    done: float | None = None
    done_by: str | None = None

    def status(self, now: float) -> str:
        if self.done is not None:
            return f"done {stamp(self.done)} by {self.done_by}"
        if self.due is not None and self.due < now:
            return f"OVERDUE by {dur(now - self.due)}"
        return "open"


@dataclass
class Record:
    """The review's own facts, read from the events of one incident."""

    impact_start: float | None = None
    impact_by: str | None = None  # who recorded it after the opening (None: at opening)
    root_cause: tuple[str, str, float] | None = None  # text, who, when
    factors: list[tuple[str, str, float]] = field(default_factory=list)
    follow_ups: list[FollowUpItem] = field(default_factory=list)
    # the cadence in force from each moment: (from, severity, {audience: minutes})
    cadences: list[tuple[float, str, dict[str, float]]] = field(default_factory=list)

    @property
    def opening(self) -> dict[str, float]:
        """The cadence the incident opened with: audience -> minutes."""
        return self.cadences[0][2] if self.cadences else {}

    def cadence_steps(self, audience: str) -> list[tuple[float, str, float]]:
        """Each change of ``audience``'s cadence: (from, severity, minutes)."""
        steps: list[tuple[float, str, float]] = []
        for t, severity, minutes in self.cadences:
            every = minutes.get(audience)
            if every and (not steps or steps[-1][2] != every):
                steps.append((t, severity, every))
        return steps

    def cadence_words(self, audience: str) -> str:
        """``every 30m`` or, after a severity change, ``every 30m (SEV1), 60m (SEV2) from
        2026-11-24 20:00``: the cadence in force at each moment."""
        steps = self.cadence_steps(audience)
        if not steps:
            return "-"
        if len(steps) == 1:
            return f"every {steps[0][2]:g}m"
        parts = [f"{steps[0][2]:g}m ({steps[0][1]})"]
        parts += [f"{every:g}m ({severity}) from {stamp(t)}" for t, severity, every in steps[1:]]
        return "every " + ", ".join(parts)


def _ts(value) -> float | None:
    if not value:
        return None
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).timestamp()


def record(events: list[Event]) -> Record:
    """The review's facts from an incident's events, in the order they happened."""
    r = Record()
    for e in events:
        t, p = e.at.timestamp(), e.payload
        if e.kind == Kind.INCIDENT_OPENED:
            r.cadences.append((t, str(p.get("severity") or ""), dict(p.get("cadence") or {})))
            if p.get("impact_start"):
                r.impact_start = _ts(p["impact_start"])
        elif e.kind == Kind.INCIDENT_CHANGED and p.get("field") == "severity":
            r.cadences.append((t, str(p.get("to") or ""), dict(p.get("cadence") or {})))
        elif e.kind == Kind.IMPACT_START:
            r.impact_start, r.impact_by = _ts(p.get("at")), e.who
        elif e.kind == Kind.REVIEW_ROOT_CAUSE:
            r.root_cause = (str(p.get("text", "")), e.who, t)
        elif e.kind == Kind.REVIEW_FACTOR:
            r.factors.append((str(p.get("text", "")), e.who, t))
        elif e.kind == Kind.REVIEW_ACTION:
            r.follow_ups.append(FollowUpItem(
                p.get("number") or len(r.follow_ups) + 1, str(p.get("text", "")),
                str(p.get("owner", "")), t, e.who, due=_ts(p.get("due_at"))))
        elif e.kind == Kind.REVIEW_DONE:
            item = next((f for f in r.follow_ups if f.number == p.get("number")), None)
            if item is not None and item.done is None:
                item.done, item.done_by = t, e.who
    return r
