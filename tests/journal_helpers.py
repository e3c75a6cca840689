"""Hand-built journals for the metrics tests: events at exact minutes after START."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from conftest import START

from warroom.db.store import json_default, to_db
from warroom.records import Event

M = 60.0  # one minute in seconds: metric durations are seconds


def at(minutes: float, base: datetime = START) -> datetime:
    return base + timedelta(minutes=minutes)


def rows_of(events: Iterable[Event]) -> Iterator[tuple]:
    """``Event`` models as the journal rows the store would stream (times and payloads as
    the store writes them), for :func:`warroom.reports.metrics.fold`."""
    for e in events:
        yield (e.id, e.incident_id, to_db(e.at), e.os_user, e.display_name, e.kind,
               json.dumps(e.payload, default=json_default))


class Journal:
    """Append events in time order, the way the actions would have written them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, minutes: float, kind: str, who: str = "sam", incident: int = 1,
            base: datetime = START, **payload) -> "Journal":
        self.events.append(Event(
            id=len(self.events) + 1, incident_id=incident, at=at(minutes, base),
            os_user="oncall", display_name=who, kind=kind, payload=payload))
        return self

    def open(self, incident: int = 1, *, base: datetime = START, severity: str = "SEV1",
             customer: str = "Acme", playbook: str | None = None, drill: bool = False,
             cadence: tuple[int, int] = (30, 15), assigned: dict | None = None,
             milestones: list | None = None, minutes: float = 0,
             roles: tuple[str, ...] = ("lead", "comms", "decider")) -> "Journal":
        return self.add(
            minutes, "incident.opened", incident=incident, base=base,
            key=f"INC-{1000 + incident}", title="Checkout failing", customer=customer,
            service="checkout", severity=severity, drill=drill, playbook=playbook,
            roles=list(roles), assigned=assigned or {},
            milestones=milestones or [], policy="built-in defaults",
            cadence={"customer": cadence[0], "internal": cadence[1]})

    def claim(self, minutes: float, role: str, who: str, **kw) -> "Journal":
        return self.add(minutes, "role.claimed", who=who, role=role, holder=who, **kw)

    def update(self, minutes: float, audience: str, was_due: float | None,
               next_due: float | None, who: str = "alex", **kw) -> "Journal":
        base = kw.get("base", START)
        return self.add(
            minutes, "update.posted", who=who, audience=audience, known="k", unknown="u",
            next_steps="n", was_due=None if was_due is None else at(was_due, base),
            next_due=None if next_due is None else at(next_due, base),
            late=was_due is not None and minutes > was_due, **kw)

    def staffed(self, incident: int, base: datetime, tto: float, resolve: float | None = None,
                **open_kw) -> "Journal":
        """An incident whose trio is complete ``tto`` minutes after opening."""
        self.open(incident, base=base, **open_kw)
        self.claim(0, "lead", "sam", incident=incident, base=base)
        self.claim(0, "comms", "alex", incident=incident, base=base)
        self.claim(tto, "decider", "pat", incident=incident, base=base)
        if resolve is not None:
            self.add(resolve, "incident.resolved", incident=incident, base=base,
                     **{"from": "monitoring", "to": "resolved"}, note="fixed")
        return self
