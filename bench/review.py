"""Post-incident review benchmark: the review of a 13-day incident of about 1,800 events,
and of the same incident grown to 10,000 events.

Plays the incident of tests/long_incident.py through the real actions into a temporary
database (SEV1 to SEV4 over 13 days: customer updates on the cadence in force, internal
updates every 12-20 minutes, notes, handovers, blockers, approvals, then the review's
records), builds its review (``warroom review INC``: the fold, the journal read and the
document) and prints the events, the review's lines, the timeline's entries (all dated?)
and the median build time, with PASS/FAIL against issue 12's budget (under 300 lines, every
timeline entry dated, built in under 2 s). Then adds notes spread over its 13 days (written
to the journal in one transaction, chained like any event) until the incident holds
``--events`` events, and times its review again against issue 16's target (a 10,000-event
incident's review in at most 0.5 s). Always exits 0: it measures, it does not judge CI.

    .venv/bin/python bench/review.py [--runs 5] [--events 10000]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from long_incident import play  # noqa: E402

from datetime import timedelta  # noqa: E402

from long_incident import LENGTH, START  # noqa: E402

from warroom.db import store as store_module  # noqa: E402
from warroom.journal import Kind  # noqa: E402
from warroom.records import Actor  # noqa: E402
from warroom.db.store import Store  # noqa: E402
from warroom.reports import review  # noqa: E402

MAX_LINES, MAX_SECONDS, BIG_SECONDS = 300, 2.0, 0.5
DATED = re.compile(r"^- \d{4}-\d\d-\d\d \d\d:\d\d\b")


def build_times(store, key: str, clock, runs: int) -> tuple[list[float], str]:
    times, doc = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        doc = review.review(store, key, clock())
        times.append(time.perf_counter() - started)
    return times, doc


def grow(store, key: str, events: int) -> int:
    """Notes spread evenly over the incident's 13 days until it holds ``events`` events."""
    row = store.find_incident(key)
    have = store.conn.execute("SELECT count(*) FROM events WHERE incident_id = ?",
                              (row["id"],)).fetchone()[0]
    more = max(0, events - have)
    who = Actor(os_user="lee", display="lee")
    with store.write():
        for n in range(more):
            at = START + timedelta(minutes=1 + (LENGTH - 2) * (n + 0.5) / more)
            store.journal(who, at, Kind.NOTE_POSTED, row["id"],
                          text=f"checked shard {n % 97}: replication lag {n % 13} s")
    return have + more


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    store_module.recording_time = lambda: None  # played now, as it happened: not backfilled
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "review.db",
                                                        create=True) as store:
        started = time.perf_counter()
        key, clock = play(store)
        played = time.perf_counter() - started
        events = store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        times, doc = build_times(store, key, clock, args.runs)
        big = grow(store, key, args.events)
        big_times, big_doc = build_times(store, key, clock, args.runs)
    lines = doc.splitlines()
    timeline = doc.split("## Timeline\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    dated = sum(1 for entry in timeline if DATED.match(entry))
    median = statistics.median(times)
    print(f"incident: {events} events over 13 days, played in {played:.1f} s")
    print(f"review: {len(lines)} lines (budget < {MAX_LINES}); timeline {len(timeline)} "
          f"entries, {dated} dated")
    print(f"build: median {median * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over "
          f"{args.runs} runs (budget < {MAX_SECONDS:g} s)")
    ok = len(lines) < MAX_LINES and dated == len(timeline) and median < MAX_SECONDS
    print("PASS" if ok else "FAIL")
    big_median = statistics.median(big_times)
    big_lines = big_doc.splitlines()
    print()
    print(f"the same incident grown to {big:,} events (notes over its 13 days): review "
          f"{len(big_lines)} lines; build median {big_median * 1000:.0f} ms, max "
          f"{max(big_times) * 1000:.0f} ms over {args.runs} runs "
          f"(target <= {BIG_SECONDS:g} s)   {'PASS' if big_median <= BIG_SECONDS else 'FAIL'}")


if __name__ == "__main__":
    main()
