"""Metrics snapshot benchmark: the leadership snapshot from the derived table, cold and warm.

Builds, in temporary folders, two databases whose journals hold realistic incidents (one
incident played through the real actions, then copied with shifted times, keys, severities,
customers and playbooks; a few are drills, the newest still open): 10,000 incidents and
1,000,000 events, and a tenth of that. On each it times the snapshot
(``warroom metrics --since 90d``, previous period included) four ways, median of ``--runs``:

- ``full fold``: the whole journal folded and summarised, as before the derived table;
- ``cold``: the derived table emptied first (what the first snapshot does: fold, then keep);
- ``warm``: the table up to date (the snapshot reads one row per incident);
- ``warm+50``: after one new event in each of 50 kept incidents (those 50 folded again).

It checks that all four give the same snapshot, and prints PASS/FAIL against issue 16's
targets (warm <= 0.5 s at full size; cold no slower than the full fold, within 10 % for
noise) and issue 6's (full size under 5 s, linear growth). Always exits 0: it measures, it
does not judge CI.

    .venv/bin/python bench/metrics.py [--incidents 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom import actions  # noqa: E402
from warroom.clock import FrozenClock  # noqa: E402
from warroom.db import chain  # noqa: E402
from warroom.db.store import Store  # noqa: E402
from warroom.records import Actor  # noqa: E402
from warroom.reports import derived, metrics, rollup  # noqa: E402

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
SPREAD_DAYS = 180  # incidents opened over the last 180 days: both periods of --since 90d
TIME_KEYS = {"was_due", "next_due", "due_at", "expires_at", "opened_at", "requested_at",
             "raised_at", "offered_at", "vacant_since", "next_update_at"}
CUSTOMERS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"]
PLAYBOOKS = [None, "checkout", "billing", "data-repair"]


def who(name: str) -> Actor:
    return Actor(os_user="bench", display=name)


def template(folder: Path) -> list[tuple[float, str | None, str, str, dict]]:
    """One incident of about 100 events through the real actions: (offset s, display,
    os_user, kind, payload)."""
    clock = FrozenClock(NOW)
    with Store(folder / "template.db", create=True) as s:
        key = actions.open_incident(s, who("sam"), title="Checkout failing", customer="Acme",
                                    severity="SEV1", clock=clock).key
        step = lambda minutes: clock.advance(minutes=minutes)  # noqa: E731
        step(2)
        actions.claim_role(s, who("sam"), key, "lead", clock=clock)
        step(1)
        actions.claim_role(s, who("alex"), key, "comms", clock=clock)
        step(3)
        actions.claim_role(s, who("dana"), key, "lead", dispute="payments", clock=clock)
        step(2)
        actions.claim_role(s, who("pat"), key, "decider", clock=clock)
        step(4)
        actions.settle_dispute(s, who("pat"), key, "lead", winner="dana", clock=clock)
        actions.add_milestone(s, who("dana"), key, name="Rollback ready", owner="dana",
                              due_at=clock() + timedelta(minutes=40), clock=clock)
        actions.raise_blocker(s, who("dana"), key, what="Gateway logs", waiting_on="vendor",
                              owner="dana", clock=clock)
        actions.request_approval(s, who("dana"), key, change="Roll back deploy 412",
                                 risk="high", rationale="errors began after it",
                                 fallback="roll forward", clock=clock)
        step(5)
        actions.approve(s, who("pat"), key, 1, clock=clock)
        actions.approve(s, who("alex"), key, 1, clock=clock)
        for n in range(39):  # two hours of updates and notes
            step(3)
            audience = "customer" if n % 4 == 0 else "internal"
            actions.post_update(s, who("alex" if audience == "customer" else "dana"), key,
                                audience=audience, known=f"fact {n}", unknown="cause",
                                next_steps="keep going",
                                next_update_at=clock() + timedelta(minutes=20), clock=clock)
            actions.add_note(s, who("sam"), key, text=f"observation {n}: error rate falling",
                             clock=clock)
        actions.clear_blocker(s, who("dana"), key, 1, clock=clock)
        actions.complete_milestone(s, who("dana"), key, 1, clock=clock)
        actions.release_role(s, who("alex"), key, "comms", note="end of shift", clock=clock)
        step(9)
        actions.claim_role(s, who("kim"), key, "comms", clock=clock)
        actions.offer_handover(s, who("dana"), key, "lead", to="sam", done="rolled back",
                               remaining="watch", dependencies="none", risks="none",
                               clock=clock)
        step(2)
        actions.accept_handover(s, who("sam"), key, "lead", clock=clock)
        for stage in ("investigating", "mitigating", "monitoring"):
            step(5)
            actions.advance_stage(s, who("sam"), key, to=stage, confirm=True, clock=clock)
        step(10)
        actions.resolve(s, who("sam"), key, summary="rolled back", confirm=True,
                        open_items="carry", no_customer_update="benchmark history",
                        clock=clock)
        step(60)
        actions.close(s, who("sam"), key, csat=4, clock=clock)
        rows = s.conn.execute(
            "SELECT at, display_name, os_user, kind, payload FROM events ORDER BY id").fetchall()
    base = NOW.timestamp()
    return [(datetime.fromisoformat(r[0]).timestamp() - base, r[1], r[2], r[3],
             json.loads(r[4])) for r in rows]


def shifted(value, delta: timedelta):
    """A payload with every time in it moved by ``delta``."""
    if isinstance(value, dict):
        return {k: (_shift(v, delta) if k in TIME_KEYS else shifted(v, delta))
                for k, v in value.items()}
    if isinstance(value, list):
        return [shifted(v, delta) for v in value]
    return value


def _shift(value, delta: timedelta):
    if not isinstance(value, str):
        return value
    return (datetime.fromisoformat(value) + delta).isoformat(timespec="microseconds")


def fit(plan: list, per: int) -> list:
    """The template with notes dropped or repeated to make ``per`` events."""
    notes = [i for i, e in enumerate(plan) if e[3] == "note.posted"]
    if len(plan) > per:
        drop = set(notes[len(notes) - (len(plan) - per):])
        return [e for i, e in enumerate(plan) if i not in drop]
    last = notes[-1]
    return plan[:last + 1] + [plan[last]] * (per - len(plan)) + plan[last + 1:]


def build(path: Path, incidents: int, events: int, plan: list) -> int:
    """Write ``incidents`` copies of the template (trimmed or padded with notes to make
    ``events`` in all) straight into a fresh warroom database; returns the event count."""
    Store(path, create=True).close()
    rng = random.Random(6)
    chosen = fit(plan, events // incidents)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    incident_rows, event_rows = [], []
    for n in range(incidents):
        opened = NOW - timedelta(days=SPREAD_DAYS) + timedelta(
            seconds=SPREAD_DAYS * 86400 * n / incidents)
        scale = rng.uniform(0.6, 1.6)
        severity = f"SEV{rng.choice((1, 1, 2, 2, 2, 3, 4))}"
        customer, playbook = rng.choice(CUSTOMERS), rng.choice(PLAYBOOKS)
        drill = n % 50 == 7
        iid, key = n + 1, f"INC-{1001 + n}"
        incident_rows.append((iid, key, "bench", customer, severity, "closed",
                              opened.isoformat(), int(drill), "{}"))
        for offset, display, os_user, kind, payload in chosen:
            at = opened + timedelta(seconds=offset * scale)
            if at > NOW:
                break
            delta = at - (NOW + timedelta(seconds=offset))
            p = shifted(payload, delta)
            if kind == "incident.opened":
                p.update(key=key, severity=severity, customer=customer, playbook=playbook,
                         drill=drill)
            event_rows.append((iid, at.isoformat(timespec="microseconds"), os_user, display,
                               kind, json.dumps(p, sort_keys=True)))
    with conn:
        conn.executemany(
            "INSERT INTO incidents (id, key, title, customer, severity, stage, opened_at, "
            "drill, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", incident_rows)
        append(conn, event_rows)
    conn.close()
    return len(event_rows)


def append(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Journal rows (incident id, at, os_user, display name, kind, payload text) written
    straight in, recorded as they happened and chained by hash as the store chains them."""
    prev = chain.head(conn)
    chained = []
    for incident_id, at, os_user, display, kind, payload in rows:
        values = {"incident_id": incident_id, "at": at, "recorded_at": at,
                  "os_user": os_user, "display_name": display, "kind": kind,
                  "payload": payload}
        digest = chain.digest(prev, values)
        chained.append((incident_id, at, at, os_user, display, kind, payload, prev, digest))
        prev = digest
    conn.executemany(
        "INSERT INTO events (incident_id, at, recorded_at, os_user, display_name, kind, "
        "payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", chained)


def full_fold(store: Store, period: rollup.Period) -> rollup.Snapshot:
    """The snapshot as it was made before the derived table: the whole journal folded."""
    opened_from = min(period.previous().start, rollup.week_start(period.start))
    customers = rollup.customers_of(store)
    incidents = metrics.all_incidents(store, NOW, drills=True, opened_from=opened_from)
    with metrics.paused_gc():
        return rollup.summarise(incidents, NOW, period=period, customers=customers)


def touch(path: Path, how_many: int, seq: int) -> None:
    """One new note, backfilled 100 days back, in each of ``how_many`` closed incidents
    spread over the journal (written straight in, chained)."""
    conn = sqlite3.connect(path)
    incidents = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    at = (NOW - timedelta(days=100)).isoformat(timespec="microseconds")
    with conn:
        append(conn, [(iid, at, "bench", "sam", "note.posted",
                       json.dumps({"text": f"late note {seq}"}))
                      for iid in range(1, incidents + 1,
                                       max(1, incidents // how_many))][:how_many])
    conn.close()


def timed(path: Path, runs: int, how: str) -> tuple[float, rollup.Snapshot]:
    """Median wall time of opening the store and computing the 90-day snapshot ``how``."""
    period = rollup.Period.last(NOW, timedelta(days=90))
    times, snap = [], None
    for n in range(runs):
        if how in ("cold", "warm+50"):
            with Store(path) as store:
                if how == "cold":
                    derived.forget(store)
                else:
                    rollup.snapshot(store, NOW, period=period)  # up to date first
            if how == "warm+50":
                touch(path, 50, n)
        t0 = time.perf_counter()
        with Store(path) as store:
            snap = (full_fold(store, period) if how == "full fold"
                    else rollup.snapshot(store, NOW, period=period))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), snap


WAYS = ("full fold", "cold", "warm", "warm+50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    full_incidents, full_events = args.incidents, args.incidents * 100
    results = []
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        folder = Path(tmp)
        plan = template(folder)
        for incidents, events in ((full_incidents // 10, full_events // 10),
                                  (full_incidents, full_events)):
            path = folder / f"m{incidents}.db"
            t0 = time.perf_counter()
            written = build(path, incidents, events, plan)
            built = time.perf_counter() - t0
            got = {how: timed(path, args.runs, how) for how in WAYS}
            with Store(path) as store:
                kept = store.conn.execute("SELECT count(*) FROM incident_figures").fetchone()[0]
            same = all(snap == got["full fold"][1] for _, snap in got.values()
                       if snap is not got["full fold"][1]) and _same_but_touched(got)
            results.append((incidents, written, got, built, kept, same))

    print(f"warroom bench/metrics.py: snapshot --since 90d (and the 90 days before), "
          f"median of {args.runs} runs; template incident of {len(plan)} events")
    print(f"{'incidents':>10}{'events':>11}" + "".join(f"{how:>11}" for how in WAYS)
          + f"{'in period':>11}{'kept rows':>10}{'same':>6}{'build':>8}")
    for incidents, written, got, built, kept, same in results:
        top = got["warm"][1].groups[0]
        print(f"{incidents:>10,}{written:>11,}"
              + "".join(f"{got[how][0]:>10.3f}s" for how in WAYS)
              + f"{top.current.count:>11,}{kept:>10,}{'yes' if same else 'NO':>6}"
              f"{built:>7.1f}s")
    small, full = results
    print()
    for how in WAYS:
        ratio = full[2][how][0] / small[2][how][0]
        print(f"{how:>10}: full size / a tenth = {ratio:5.1f}x for "
              f"{full[1] / small[1]:.1f}x the events")
    fold_s, cold_s = full[2]["full fold"][0], full[2]["cold"][0]
    warm_s, touched_s = full[2]["warm"][0], full[2]["warm+50"][0]
    print()
    print(f"warm snapshot at {full[1]:,} events: {warm_s:.3f} s   target <= 0.5 s   "
          f"{'PASS' if warm_s <= 0.5 else 'FAIL'}")
    print(f"cold snapshot / full fold: {cold_s:.2f} s / {fold_s:.2f} s = "
          f"{cold_s / fold_s:.2f}x   target no slower (<= 1.10x, noise)   "
          f"{'PASS' if cold_s <= fold_s * 1.10 else 'FAIL'}")
    print(f"warm after 50 incidents touched: {touched_s:.3f} s   target <= 0.5 s   "
          f"{'PASS' if touched_s <= 0.5 else 'FAIL'}")
    ratio = full[2]["cold"][0] / small[2]["cold"][0]
    linear = ratio <= full[1] / small[1] * 1.3
    print(f"cold: {ratio:.1f}x the time for {full[1] / small[1]:.1f}x the events   linear   "
          f"{'PASS' if linear else 'FAIL'};   cold under 5 s   "
          f"{'PASS' if cold_s < 5 else 'FAIL'}")
    print(f"every way gives the same snapshot: "
          f"{'PASS' if all(r[5] for r in results) else 'FAIL'}")


def _same_but_touched(got: dict) -> bool:
    """The touched run added notes (not folded into any figure): same snapshot still."""
    return got["warm+50"][1] == got["full fold"][1]


if __name__ == "__main__":
    main()
