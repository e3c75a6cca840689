"""Live dashboard benchmark: commit-to-screen latency, idle CPU, time to first paint.

Prints, in one run:
- median and p95 from a commit in one process to the change painted by dashboards in other
  processes, with 1 and with 10 viewer processes;
- idle CPU % of one viewer over 30 s;
- time to first paint (process start to painted screen, median of 5) of a bare Textual app
  with Header and Footer, and of the warroom dashboard with a journal of 0 and of 100,000
  events;
and PASS/FAIL against the budgets of issue 3. Viewers run headless (full layout and render,
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
        if events:
            from warroom.clock import utcnow

            with store.write():
                now = utcnow()
                for n in range(events):
                    store.journal(sam, now, "note.posted", 1, text=f"observation {n}: p99 "
                                  "latency of the checkout API is still above 2 s")


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


def latency(viewers: int, writes: int) -> list[float]:
    """Commit (writer process) to paint (each viewer process), in seconds."""
    with tempfile.TemporaryDirectory(prefix="warroom-live-") as tmp:
        db = Path(tmp) / "db" / "live.db"
        make_db(db)
        traces = [Path(tmp) / f"trace{i}" for i in range(viewers)]
        procs = [start_viewer(db, t, f"viewer{i}") for i, t in enumerate(traces)]
        try:
            wait_painted(traces)
            time.sleep(1.0)
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
        finally:
            stop(procs)
        lags = []
        for trace in traces:
            seen = {e: at for e, at in read_trace(trace) if e in committed}
            missing = set(committed) - set(seen)
            if missing:
                print(f"  warning: {len(missing)} events never painted in {trace.name}")
            lags += [seen[e] - committed[e] for e in seen]
        return lags


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


def first_paint(script: Path, events: int | None, runs: int = 5) -> float:
    times = []
    with tempfile.TemporaryDirectory(prefix="warroom-paint-") as tmp:
        db = Path(tmp) / "db" / "paint.db"
        if events is not None:
            make_db(db, events)
        for n in range(runs):
            trace = Path(tmp) / f"trace{n}"
            t0 = time.time()
            proc = start_viewer(db, trace, "paint", script)
            try:
                wait_painted([trace])
            finally:
                stop([proc])
            times.append(read_trace(trace)[0][1] - t0)
    return statistics.median(times)


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
    worst = 0.0
    for viewers in (1, 10):
        lags = latency(viewers, args.writes)
        p95 = pct(lags, 0.95)
        worst = max(worst, p95)
        print(f"commit -> paint, {viewers:2} viewer(s): median {statistics.median(lags)*1000:6.1f} ms"
              f"  p95 {p95*1000:6.1f} ms  max {max(lags)*1000:6.1f} ms  ({len(lags)} paints)"
              f"   budget p95 <= 50 ms  {verdict(p95 <= 0.050)}")

    cpu = idle_cpu(args.idle)
    print(f"idle CPU of one viewer over {args.idle:.0f} s: {cpu:.2f} %"
          f"   budget <= 0.5 %  {verdict(cpu <= 0.5)}")

    bare = first_paint(BARE, None)
    empty = first_paint(VIEWER, 0)
    full = first_paint(VIEWER, 100_000)
    print(f"first paint: bare Textual app {bare*1000:.0f} ms; dashboard with 0 events "
          f"{empty*1000:.0f} ms ({empty/bare:.2f}x); with 100,000 events {full*1000:.0f} ms "
          f"({full/empty:.2f}x of 0 events)")
    print(f"   budget dashboard <= 1.5x bare  {verdict(empty <= 1.5 * bare)};"
          f"  100,000 events within 10 % of 0  {verdict(full <= 1.10 * empty)}")


if __name__ == "__main__":
    main()
