"""Live dashboard benchmark: commit-to-screen latency, idle CPU, time to first paint.

Prints, in one run:
- median and p95 from a commit in one process to the change painted by dashboards in other
  processes, with 1, 10 and 30 viewer processes, events missed, and the CPU milliseconds
  one viewer spends per event (less its idle CPU), against a reference: a bare Textual app
  of the dashboard's shape repainting one pane per event (``_reference.py``);
- idle CPU % of one viewer over 30 s;
- time to first paint (process start to painted screen, median of 5) of a bare Textual app
  with Header and Footer, and of the warroom dashboard with a journal of 0 and of 100,000
  events;
and PASS/FAIL against the budgets of issues 3 and 16. Viewers run headless (full layout and render,
output discarded) and write "EVENT_ID TIME" to a trace file after each paint
(WARROOM_TRACE). Always exits 0.

    .venv/bin/python bench/live.py [--writes 60] [--idle 30]
"""

from __future__ import annotations

import argparse
import compileall
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warroom import actions  # noqa: E402
from warroom.db.store import Store  # noqa: E402
from warroom.records import Actor  # noqa: E402

VIEWER = ROOT / "bench" / "_viewer.py"
BARE = ROOT / "bench" / "_bare.py"
REFERENCE = ROOT / "bench" / "_reference.py"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_db(path: Path, events: int = 0) -> None:
    """An incident with its trio held, plus ``events`` more realistic journal events.

    The database gets a folder of its own: viewers watch that folder, and the bench's
    trace files written beside it would wake every viewer and distort what is measured.
    """
    path.parent.mkdir(exist_ok=True)
    with Store(path, create=True) as store:
        sam = Actor(os_user="bench", display="sam")
        actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                              severity="SEV1")
        for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
            actions.claim_role(store, Actor(os_user="bench", display=name), "INC-1001", role)
        if events:  # written straight in, chained as the store chains them (fast)
            import json

            from metrics import append  # bench/metrics.py

            from warroom.clock import utcnow
            from warroom.db.store import to_db

            at = to_db(utcnow())
            for start in range(0, events, 100_000):
                with store.write():
                    append(store.conn, [
                        (1, at, "bench", "sam", "note.posted", json.dumps(
                            {"text": f"observation {n}: p99 latency of the checkout API is "
                                     "still above 2 s"}))
                        for n in range(start, min(events, start + 100_000))])


def start_viewer(db: Path, trace: Path, name: str, script: Path = VIEWER) -> subprocess.Popen:
    env = os.environ | {"WARROOM_TRACE": str(trace), "TZ": "UTC"}
    return subprocess.Popen([sys.executable, str(script), str(db), name], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)


def read_trace(trace: Path) -> list[tuple[int, float]]:
    if not trace.exists():
        return []
    rows = []
    for line in trace.read_text().splitlines():
        event, at = line.split()
        rows.append((int(event), float(at)))
    return rows


def wait_painted(traces: list[Path], timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(any(e == 0 for e, _ in read_trace(t)) for t in traces):
            return
        time.sleep(0.05)
    raise RuntimeError("a viewer did not paint within 30 s")


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()


def latency(viewers: int, writes: int, script: Path = VIEWER
            ) -> tuple[list[float], float, int]:
    """Commit (writer process) to paint (each viewer process), in seconds; the viewers' CPU
    milliseconds per event (median over viewers, less their idle CPU over the same time);
    and how many (event, viewer) paints were missed."""
    with tempfile.TemporaryDirectory(prefix="warroom-live-") as tmp:
        db = Path(tmp) / "db" / "live.db"
        make_db(db)
        traces = [Path(tmp) / f"trace{i}" for i in range(viewers)]
        procs = [start_viewer(db, t, f"viewer{i}", script) for i, t in enumerate(traces)]
        try:
            wait_painted(traces, timeout=30 + viewers)
            time.sleep(2.0)
            idle0 = [cpu_seconds(p.pid) for p in procs]
            time.sleep(2.0)
            idle_rate = [(cpu_seconds(p.pid) - c) / 2.0 for p, c in zip(procs, idle0)]
            before, t0 = [cpu_seconds(p.pid) for p in procs], time.time()
            committed: dict[int, float] = {}
            with Store(db) as store:
                actor = Actor(os_user="bench", display="writer")
                for n in range(writes):
                    if n % 2 == 0:
                        done = actions.raise_blocker(store, actor, "INC-1001", what=f"b{n}",
                                                     waiting_on="vendor", owner="writer")
                    else:
                        done = actions.clear_blocker(store, actor, "INC-1001", n // 2 + 1)
                    committed[done.event_id] = time.time()
                    time.sleep(0.15)
            time.sleep(1.0)
            spent = [cpu_seconds(p.pid) - b - rate * (time.time() - t0)
                     for p, b, rate in zip(procs, before, idle_rate)]
        finally:
            stop(procs)
        lags, missed = [], 0
        for trace in traces:
            seen = {e: at for e, at in read_trace(trace) if e in committed}
            missed += len(set(committed) - set(seen))
            lags += [seen[e] - committed[e] for e in seen]
        return lags, 1000 * statistics.median(spent) / len(committed), missed


def idle_cpu(seconds: float) -> float:
    with tempfile.TemporaryDirectory(prefix="warroom-idle-") as tmp:
        db = Path(tmp) / "db" / "idle.db"
        make_db(db)
        trace = Path(tmp) / "trace"
        proc = start_viewer(db, trace, "idle")
        try:
            wait_painted([trace])
            time.sleep(3.0)
            ticks = os.sysconf("SC_CLK_TCK")

            def cpu() -> float:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / ticks

            before, t0 = cpu(), time.time()
            time.sleep(seconds)
            used, wall = cpu() - before, time.time() - t0
        finally:
            stop([proc])
    return 100 * used / wall


def interleaved_paints(runs: int) -> tuple[float, float, float]:
    """First paint of the bare app, the dashboard on an empty room and on a room of a
    million events, run in turns (bare, empty, full, bare, ...) so that the machine's drift
    falls on all three alike; medians."""
    with tempfile.TemporaryDirectory(prefix="warroom-paint-") as tmp:
        empty_db, full_db = Path(tmp) / "e" / "paint.db", Path(tmp) / "f" / "paint.db"
        make_db(empty_db, 0)
        make_db(full_db, 1_000_000)
        times: dict[str, list[float]] = {"bare": [], "empty": [], "full": []}
        for n in range(runs):
            for name, script, db in (("bare", BARE, empty_db), ("empty", VIEWER, empty_db),
                                     ("full", VIEWER, full_db)):
                trace = Path(tmp) / f"trace-{name}-{n}"
                t0 = time.time()
                proc = start_viewer(db, trace, "paint", script)
                try:
                    wait_painted([trace])
                finally:
                    stop([proc])
                times[name].append(read_trace(trace)[0][1] - t0)
    return tuple(statistics.median(times[k]) for k in ("bare", "empty", "full"))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def compile_package() -> None:
    """Write warroom's bytecode first, as installing a wheel does for every package: with
    PYTHONDONTWRITEBYTECODE set (as on this machine) an editable checkout would otherwise be
    compiled from source at every start, while the bare app's textual never is."""
    compileall.compile_dir(ROOT / "warroom", quiet=1)


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args()

    print(f"warroom bench/live.py on {os.cpu_count()} cores (viewers headless, traced)")
    _lags, reference, _missed = latency(1, args.writes, REFERENCE)
    print(f"reference (a bare Textual app of the dashboard's shape repainting one pane per "
          f"event): {reference:.2f} ms CPU per event")
    budgets = {1: 0.050, 10: 0.040, 30: 0.120}
    for viewers in (1, 10, 30):
        lags, per_event, missed = latency(viewers, args.writes)
        p95 = pct(lags, 0.95)
        print(f"commit -> paint, {viewers:2} viewer(s): median {statistics.median(lags)*1000:6.1f} ms"
              f"  p95 {p95*1000:6.1f} ms  max {max(lags)*1000:6.1f} ms  ({len(lags)} paints,"
              f" {missed} missed)   budget p95 <= {budgets[viewers]*1000:.0f} ms  "
              f"{verdict(p95 <= budgets[viewers] and not missed)}")
        print(f"   CPU per event per viewer {per_event:.2f} ms = {per_event / reference:.2f}x "
              f"the reference   budget <= 1.5x  {verdict(per_event <= 1.5 * reference)}")

    cpu = idle_cpu(args.idle)
    print(f"idle CPU of one viewer over {args.idle:.0f} s: {cpu:.2f} %"
          f"   budget <= 0.5 %  {verdict(cpu <= 0.5)}")

    bare, empty, full = interleaved_paints(runs=7)
    print(f"first paint (median of 7, the three interleaved): bare Textual app "
          f"{bare*1000:.0f} ms; dashboard with 0 events {empty*1000:.0f} ms "
          f"({empty/bare:.2f}x); with 1,000,000 events {full*1000:.0f} ms ({full/bare:.2f}x)")
    print(f"   budget <= 1.3x bare: 0 events {verdict(empty <= 1.3 * bare)}, "
          f"1,000,000 events {verdict(full <= 1.3 * bare)}")


if __name__ == "__main__":
    main()
