"""Per-incident figures kept in a derived table, so that a snapshot never folds all history.

What is kept: the :class:`~warroom.reports.measures.Figures` of each **resolved** incident
(drills included), one row each (:mod:`warroom.db.derived`). From the resolution on nothing
runs: durations end at it, nothing falls due after it, so a resolved incident's figures do
not depend on the time they are read. An incident still open does (vacancies, waits and
overdue updates run to now): it is never kept and is folded live at every read. Open
incidents are few; this keeps every stored figure exactly what a full fold says.

How it stays up to date: the table has a marker, the last journal event id its rows are up
to date with. A reader (:func:`current`) asks which incidents have events above it (an index
range on the events' ids, nothing decoded), drops their rows, folds again **from scratch**
each incident it needs that has no row (one indexed read of that incident's journal; the
whole journal in one pass when many are missing, as on the first run), keeps the ones that
are resolved and moves the marker. Folding an incident again from its start whenever it has
a new event covers backfilled events (``--at``: an event taking its place before others), a
change of severity, a reopening and anything else, with no special case: a resolved
incident gets few events after its resolution (the close, the review's records).

Who writes it: the reader, in one short write transaction after its read, and only if
nobody moved the marker meanwhile (then its rows are still right; it just does not keep
them). A read-only database, or a busy one, is read all the same: the figures are folded
and nothing is kept. The table is derived, never the journal: emptying or dropping it loses
nothing (:func:`forget`), and ``warroom verify`` checks every kept row against a fresh fold
(:func:`differences`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta

from warroom.db import derived as table
from warroom.errors import WarroomError
from warroom.reports.figures import IncidentMetrics
from warroom.reports.measures import AUDIENCES, FORMAT, MEASURES, Figures
from warroom.reports.metrics import fold, paused_gc

# above this many incidents to fold, one pass over the whole journal beats one read each
ONE_PASS_FROM = 200
# incidents are picked by their row's opening time before the fold checks the journal's
SLACK = timedelta(days=1)


def current(store, now: datetime, *, opened_from: datetime | None = None,
            keep: bool = True) -> list[Figures]:
    """The figures of every incident opened from ``opened_from`` (drills included): kept
    rows still up to date, and a fold of the others; the resolved ones among those are kept
    (unless ``keep`` is false, or the database refuses the write)."""
    floor = None if opened_from is None else opened_from.timestamp()
    with paused_gc(), store.read():
        conn = store.conn
        marker = table.mark(conn)
        top = store.last_event_id()
        valid = marker is not None and marker[0] == FORMAT and marker[1] <= top
        touched: set[int] | None = None
        kept: dict[int, str] = {}
        picked = None if floor is None else floor - SLACK.total_seconds()
        if valid:
            touched = table.touched_since(conn, marker[1]) if marker[1] < top else set()
            kept = {iid: text for iid, _, text in table.rows(conn, picked)
                    if iid not in touched}
        wanted = {iid for iid, opened_at in table.openings(conn)
                  if iid not in kept and (picked is None or _ts(opened_at) >= picked)}
        stream = (store.journal_stream() if len(wanted) > ONE_PASS_FROM
                  else table.journal_of(conn, sorted(wanted)))
        folded = fold(stream, now, drills=True, opened_from=opened_from, only=wanted)
        out, unreadable = [], set()
        for iid, text in kept.items():
            try:
                f = Figures.decode(iid, text)
            except (ValueError, TypeError, StopIteration):  # unreadable: fold it instead
                unreadable.add(iid)
                folded.update(fold(table.journal_of(conn, [iid]), now,
                                   opened_from=opened_from, only={iid}))
                continue
            if floor is None or f.opened >= floor:  # as the fold leaves them out
                out.append(f)
        fresh = {iid: Figures.of(m) for iid, m in folded.items()}
    out += fresh.values()
    rows = [(iid, f.opened, top, f.encode()) for iid, f in fresh.items() if f.resolved]
    if keep and (rows or unreadable or not valid or marker[1] != top):
        _keep(store, marker, (FORMAT, top), rows,
              (touched | unreadable) if touched is not None else None)
    return out


def _ts(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except (TypeError, ValueError):
        return float("inf")  # unreadable: always folded (the fold reads the journal's time)


def _keep(store, expected, marker, rows, drop) -> bool:
    """Keep the fresh rows and move the marker, if the database lets us; never fails."""
    try:
        with store.write():
            return table.save(store.conn, expected, marker, rows, drop)
    except (WarroomError, sqlite3.Error):  # read-only, busy, full: the figures stand
        return False


def forget(store) -> None:
    """Empty the derived table (the next reader folds everything again)."""
    with store.write():
        table.clear(store.conn)


def differences(store, folded: Mapping[int, IncidentMetrics], keys: Mapping[int, str]
                ) -> list[str]:
    """Every kept row that disagrees with ``folded`` (the whole journal folded again, in
    the same read), one line each: a row the journal does not support, a row kept for an
    incident still open, a figure that differs. Rows of incidents with events after the
    marker are stale by design (the next reader folds them again) and are not checked.
    Call inside ``store.read()``."""
    conn = store.conn
    marker = table.mark(conn)
    if marker is None:
        return []
    if marker[0] != FORMAT:
        return []  # made by another version: the next reader makes them again
    top = store.last_event_id()
    out: list[str] = []
    if marker[1] > top:
        out.append(f"derived figures: marked up to event {marker[1]}, the journal ends at "
                   f"{top}")
        return out
    stale = table.touched_since(conn, marker[1])
    for iid, folded_to, text in table.rows(conn):
        key = keys.get(iid, f"incident #{iid}")
        if iid in stale:
            continue
        if folded_to > marker[1]:
            out.append(f"{key}: derived figures folded to event {folded_to}, after the "
                       f"marker {marker[1]}")
        m = folded.get(iid)
        if m is None:
            out.append(f"{key}: derived figures kept, but the journal never opened it")
            continue
        if m.resolved is None:
            out.append(f"{key}: derived figures kept, but the journal says it is still open")
            continue
        try:
            kept = Figures.decode(iid, text)
        except (ValueError, TypeError, StopIteration):
            out.append(f"{key}: derived figures unreadable")
            continue
        out += [f"{key}: derived {what}" for what in compare(kept, Figures.of(m))]
    return out


def compare(kept: Figures, fresh: Figures) -> list[str]:
    """What differs between kept figures and a fresh fold's, one phrase each."""
    out = []
    for name in ("key", "title", "severity", "customer", "playbook", "opened", "drill",
                 "resolved"):
        a, b = getattr(kept, name), getattr(fresh, name)
        if a != b:
            out.append(f"{name} is {a!r}, the journal says {b!r}")
    for measure, a, b in zip(MEASURES, kept.values, fresh.values):
        if a != b:
            out.append(f"{measure.name} is {a}, the journal says {b}")
    for audience, a, b in zip(AUDIENCES, kept.updates, fresh.updates):
        if a != b:
            out.append(f"{audience} updates on time are {a}, the journal says {b}")
    return out


__all__ = ["current", "differences", "compare", "forget", "ONE_PASS_FROM"]
