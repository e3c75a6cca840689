"""Escalation metrics per incident, computed from the journal alone.

:func:`fold` reads journal rows once, as they happened, and keeps one :class:`IncidentMetrics`
per incident: who held each role when, disputes, handovers, update cadence, milestones,
approvals, blockers, CSAT and recorded follow-ups. Nothing here reads the state tables, so
the figures stay right for any history. Rows have the store's shape
``(id, incident_id, at, os_user, display_name, kind, payload)`` with ``at`` as ISO text and
the payload as JSON text (or already a dict), as :meth:`Store.journal_stream` yields them.
Times inside are POSIX seconds (floats); durations are seconds.

What each kind does is in :mod:`warroom.reports.handlers` (``HANDLERS``, re-exported here);
the rule for updates on time is in :mod:`warroom.reports.cadence`.
"""

from __future__ import annotations

import gc
import json
import json.scanner
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from warroom.errors import UserError
from warroom.journal import Kind
from warroom.reports.figures import IncidentMetrics
from warroom.reports.handlers import HANDLERS, opened, ts
from warroom.rules import stored

__all__ = [
    "HANDLERS", "IncidentMetrics", "fold", "for_incident", "all_incidents", "ts",
]

_parse = datetime.fromisoformat
# The C scanner behind json.loads, called directly: the journal's payloads are JSON objects
# written by the store, and json.loads' Python layers (decode, raw_decode, the whitespace
# checks) cost more than the scanning itself over a million events.
_scan = json.scanner.make_scanner(json.JSONDecoder())


def _loads(text: str) -> dict:
    """A payload as a dict."""
    try:
        return _scan(text, 0)[0]
    except StopIteration:  # empty or not starting with a JSON value: let json explain
        return json.loads(text)


def fold(
    rows: Iterable[tuple], now: datetime, *, drills: bool = True,
    opened_from: datetime | None = None, only: Container[int] | None = None,
) -> dict[int, IncidentMetrics]:
    """One pass over journal rows (at, id order) to the metrics of every incident they open.

    ``now`` closes what is still running (an open incident's vacancies, overdue updates).
    ``drills=False`` leaves drill incidents out; ``opened_from`` leaves out incidents
    opened before it; ``only`` keeps the incidents whose ids it holds. Events of incidents
    left out are skipped without decoding them.
    """
    tracked: dict[int, IncidentMetrics] = {}
    handlers, opening = HANDLERS, Kind.INCIDENT_OPENED.value
    floor = opened_from.timestamp() if opened_from is not None else None
    for _id, incident_id, at, os_user, display, kind, payload in rows:
        if kind == opening:
            if only is not None and incident_id not in only:
                continue
            p = payload if payload.__class__ is dict else _loads(payload)
            t = _parse(at).timestamp()
            if (floor is not None and t < floor) or (not drills and p.get("drill")):
                continue
            tracked[incident_id] = opened(incident_id, t, display or os_user, p)
            continue
        handler = handlers.get(kind)
        if handler is None:
            continue
        m = tracked.get(incident_id)
        if m is None:
            continue
        p = payload if payload.__class__ is dict else _loads(payload)
        handler(m, _parse(at).timestamp(), display or os_user, p)
    end = now.timestamp()
    for m in tracked.values():
        m.finish(end)
    return tracked


def for_incident(store, ref: str, now: datetime) -> IncidentMetrics:
    """One incident's metrics, folded from its journal in one snapshot, with the
    contingencies, teams and drill speed of the policy it opened under when the journal
    lacks them."""
    with store.read():
        row = store.find_incident(ref)
        metrics = fold(store.journal_stream(row["id"]), now)
    if not metrics:
        raise UserError(f"the journal has no opening event for {ref}")
    m = metrics[row["id"]]
    policy = stored.facts(row["policy"], row["severity"])
    m.contingency = m.contingency or policy.contingency
    m.teams = m.teams or policy.teams
    if m.speed == 1:
        m.speed = policy.speed
    return m


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while folding a long journal.

    The fold keeps hundreds of thousands of small records alive and creates no reference
    cycles (reference counting frees everything), so each collection only re-scans them:
    at a million events that cost a third of the summary's time and made it grow faster
    than the journal. Collection resumes (if it was on) when the block ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def all_incidents(
    store, now: datetime, *, drills: bool = False, opened_from: datetime | None = None
) -> list[IncidentMetrics]:
    """The metrics of every incident in the database, streamed from the journal."""
    with paused_gc(), store.read():
        folded = fold(store.journal_stream(), now, drills=drills, opened_from=opened_from)
    return list(folded.values())
