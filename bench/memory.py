"""Memory benchmark: the resident memory of one dashboard viewer over a large journal.

Starts one real viewer process (``bench/_viewer.py``: ``warroom run INC`` headless on the
newest incident, full layout and rendering, output discarded) on each of three databases
built in a temporary folder:

- an empty room (one incident, its trio held): the yardstick;
- one incident whose journal holds ``--events`` events (notes; the timeline's worst case);
- ``--events`` events over 10,000 incidents (the realistic journal of bench/metrics.py).

After its first paint and ``--settle`` seconds more, it reads the viewer's resident set
(VmRSS) and its peak (VmHWM) from /proc, and prints them with PASS/FAIL against issue 16's
target (at most 80 MB with 1,000,000 events in the file). Always exits 0: it measures, it
does not judge CI.

    .venv/bin/python bench/memory.py [--events 1000000] [--settle 3]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from live import VIEWER, compile_package, make_db, stop, wait_painted  # noqa: E402
from metrics import build, template  # noqa: E402

TARGET_MB = 80


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def viewer_memory(db: Path, folder: Path, settle: float) -> tuple[float, float, float]:
    """(seconds to first paint, VmRSS MB, VmHWM MB) of one viewer on ``db``'s newest
    incident."""
    trace = folder / f"trace-{db.parent.name}"
    with sqlite3.connect(db) as conn:
        key = conn.execute("SELECT key FROM incidents ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    env = os.environ | {"WARROOM_TRACE": str(trace), "TZ": "UTC"}
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, str(VIEWER), str(db), "memory", key], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        wait_painted([trace], timeout=300)
        painted = time.time() - t0
        time.sleep(settle)
        rss, peak = status_kb(proc.pid, "VmRSS"), status_kb(proc.pid, "VmHWM")
    finally:
        stop([proc])
    return painted, rss / 1024, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--settle", type=float, default=3.0)
    args = parser.parse_args()
    compile_package()
    rows = []
    with tempfile.TemporaryDirectory(prefix="warroom-memory-") as tmp:
        folder = Path(tmp)
        for name, make in (
            ("empty room", lambda p: make_db(p)),
            ("1 incident", lambda p: make_db(p, args.events)),
            ("10,000 incidents", lambda p: build(p, 10_000, args.events, template(p.parent))),
        ):
            db = folder / name.replace(" ", "_").replace(",", "") / "room.db"
            db.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            make(db)
            built = time.perf_counter() - t0
            with sqlite3.connect(db) as conn:
                events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
            conn.close()
            label = f"{name}, {events:,} events"
            size = db.stat().st_size / 2**20
            rows.append((label, size, built, *viewer_memory(db, folder, args.settle)))

    print(f"warroom bench/memory.py: one viewer (headless dashboard), RSS after first paint "
          f"+ {args.settle:g} s")
    print(f"{'database':38}{'file':>9}{'paint':>9}{'RSS':>10}{'peak':>10}{'built':>8}")
    for label, size, built, painted, rss, peak in rows:
        print(f"{label:38}{size:>6.0f} MB{painted:>8.2f}s{rss:>7.1f} MB{peak:>7.1f} MB"
              f"{built:>7.0f}s")
    print()
    base = rows[0][4]
    for label, _, _, _, rss, peak in rows:
        ok = rss <= TARGET_MB and peak <= TARGET_MB
        print(f"{label}: RSS {rss:.1f} MB (peak {peak:.1f} MB, {rss - base:+.1f} MB over the "
              f"empty room)   target <= {TARGET_MB} MB   {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
