"""Write path benchmark: one warroom action against a raw SQLite INSERT transaction.

Prints, in one run: median and p95 latency of one action and of one raw INSERT transaction
(both BEGIN IMMEDIATE, WAL, synchronous=FULL); actions and raw transactions per second with
1, 8 and 20 concurrent writer processes at full speed; 20 writers in realistic bursts (20
people acting in the same second, each at a random moment of it, ``--bursts`` times, one
second apart); latency percentiles; a loss check (every acknowledged action is in the
journal); and the ratios against the budgets of issues 2 and 16 (action within 3x of raw;
p99 <= 50 ms with 8 writers; burst p99 <= 50 ms; nothing lost, no error). Always exits 0: it
measures, it does not judge CI.

    .venv/bin/python bench/store.py [--per-process 300] [--bursts 50]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom import actions  # noqa: E402
from warroom.db.store import Store  # noqa: E402
from warroom.errors import WarroomError  # noqa: E402
from warroom.records import Actor  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def setup_warroom(path: Path) -> None:
    with Store(path, create=True) as store:
        actions.open_incident(store, Actor(os_user="bench"), title="bench", customer="Acme",
                              severity="SEV2")


def setup_raw(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, writer TEXT, n INTEGER, at REAL)")
    conn.close()


def warroom_writer(path: str, name: str, count: int, start, out, base=None) -> None:
    """Raise ``count`` blockers (one action each) and report every latency: at full speed,
    or (``base`` set) one per second, at a random moment of second n after ``base``."""
    latencies, errors = [], []
    actor = Actor(os_user="bench", display=name)
    rng = random.Random(name)
    with Store(path) as store:
        start.wait()
        for n in range(count):
            if base is not None:
                delay = base.value + n + rng.random() - time.time()
                if delay > 0:
                    time.sleep(delay)
            t0 = time.perf_counter()
            try:
                actions.raise_blocker(store, actor, "INC-1001", what=f"{name} {n}",
                                      waiting_on="vendor", owner=name)
            except (WarroomError, sqlite3.Error) as exc:
                errors.append(repr(exc))
                continue
            latencies.append(time.perf_counter() - t0)
    out.put((latencies, errors))


def raw_writer(path: str, name: str, count: int, start, out) -> None:
    """The same number of raw BEGIN IMMEDIATE; INSERT; COMMIT transactions."""
    latencies, errors = [], []
    conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    conn.execute("PRAGMA synchronous=FULL")
    start.wait()
    for n in range(count):
        t0 = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (writer, n, at) VALUES (?, ?, ?)", (name, n, time.time()))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            errors.append(repr(exc))
            continue
        latencies.append(time.perf_counter() - t0)
    conn.close()
    out.put((latencies, errors))


def run(kind: str, writers: int, per_process: int, bursts: bool = False) -> dict:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        path = Path(tmp) / f"{kind}.db"
        (setup_warroom if kind == "action" else setup_raw)(path)
        start, out = ctx.Event(), ctx.Queue()
        base = ctx.Value("d", 0.0) if bursts else None
        target = warroom_writer if kind == "action" else raw_writer
        extra = (base,) if bursts else ()
        procs = [ctx.Process(target=target,
                             args=(str(path), f"w{i}", per_process, start, out) + extra)
                 for i in range(writers)]
        for p in procs:
            p.start()
        time.sleep(1.0 + writers * 0.1)  # let every process import and connect first
        if base is not None:
            base.value = time.time() + 0.5
        t0 = time.perf_counter()
        start.set()
        results = [out.get() for _ in procs]
        wall = time.perf_counter() - t0
        for p in procs:
            p.join()
        latencies = [x for r, _ in results for x in r]
        errors = [e for _, r in results for e in r]
        conn = sqlite3.connect(path)
        if kind == "action":
            stored = conn.execute(
                "SELECT count(*) FROM events WHERE kind = 'blocker.raised'").fetchone()[0]
        else:
            stored = conn.execute("SELECT count(*) FROM t").fetchone()[0]
        conn.close()
    return {"lat": latencies, "errors": errors, "rate": len(latencies) / wall,
            "acked": len(latencies), "stored": stored}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-process", type=int, default=300)
    parser.add_argument("--bursts", type=int, default=50)
    args = parser.parse_args()
    n = args.per_process
    results = {(k, w, False): run(k, w, n) for k in ("raw", "action") for w in (1, 8, 20)}
    results[("action", 20, True)] = run("action", 20, args.bursts, bursts=True)

    print(f"warroom bench/store.py: {n} transactions per writer process at full speed; "
          f"{args.bursts} bursts of 20; WAL, synchronous=FULL")
    print(f"{'':34}{'median':>11}{'p95':>11}{'p99':>11}{'max':>11}{'per second':>12}"
          f"{'lost':>6}{'errors':>8}")
    for (kind, writers, bursts), r in results.items():
        label = f"{'raw INSERT txn' if kind == 'raw' else 'warroom action'}, {writers} writer" \
                + ("s" if writers > 1 else "") + (", bursts" if bursts else "")
        print(f"{label:34}{ms(statistics.median(r['lat'])):>11}{ms(pct(r['lat'], .95)):>11}"
              f"{ms(pct(r['lat'], .99)):>11}{ms(max(r['lat'])):>11}{r['rate']:>12.0f}"
              f"{r['acked'] - r['stored']:>6}{len(r['errors']):>8}")

    one, raw1 = results[("action", 1, False)], results[("raw", 1, False)]
    eight, twenty = results[("action", 8, False)], results[("action", 20, False)]
    burst = results[("action", 20, True)]
    ratio = statistics.median(one["lat"]) / statistics.median(raw1["lat"])
    p99, p99_20, p99_burst = (pct(r["lat"], 0.99) for r in (eight, twenty, burst))
    lost = sum(r["acked"] - r["stored"] for r in results.values())
    errors = sum(len(r["errors"]) for r in results.values())
    print()
    print(f"action / raw median latency (1 writer): {ratio:.2f}x   budget <= 3x   "
          f"{'PASS' if ratio <= 3 else 'FAIL'}")
    print(f"action p99 with 8 writers: {ms(p99).strip()}   budget <= 50 ms   "
          f"{'PASS' if p99 <= 0.050 else 'FAIL'}")
    print(f"action p99 with 20 writers at full speed: {ms(p99_20).strip()} (reported; "
          f"throughput {twenty['rate']:.0f}/s)")
    print(f"action p99 in {args.bursts} bursts of 20 writers: {ms(p99_burst).strip()}   "
          f"budget <= 50 ms   {'PASS' if p99_burst <= 0.050 else 'FAIL'}")
    print(f"throughput vs 1 writer: actions 8: {eight['rate'] / one['rate']:.2f}x, 20: "
          f"{twenty['rate'] / one['rate']:.2f}x; raw 8: "
          f"{results[('raw', 8, False)]['rate'] / raw1['rate']:.2f}x, 20: "
          f"{results[('raw', 20, False)]['rate'] / raw1['rate']:.2f}x")
    print(f"lost acknowledged writes: {lost}; errors reaching a caller: {errors}   "
          f"budget 0   {'PASS' if lost == 0 and errors == 0 else 'FAIL'}")
    for r in results.values():
        for e in r["errors"][:3]:
            print("  error:", e)


if __name__ == "__main__":
    main()
