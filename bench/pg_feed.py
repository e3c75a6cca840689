"""The PostgreSQL change feed (warroom/db/pg_feed.py): commit-to-callback latency and idle CPU.

Prints, in one run, on a throwaway local PostgreSQL server (tests/pg_server.py):
- median, p95 and max from a commit in another process (its ``add_note`` returning) to the
  reader's ``on_change`` having read that event, over ``--writes`` commits made one at a time
  ``--gap`` ms apart, and the events missed (read other than exactly once);
- idle CPU % of this process over ``--idle`` s with a feed listening and nothing written (its
  safety poll every 1.5 s included), then with the poll put off (the socket alone), and for
  reference with psycopg's own ``AsyncConnection.notifies()`` generator listening (no poll);
and PASS/FAIL against the budgets the SQLite feed has (bench/live.py: p95 <= 50 ms for one
viewer, 0 missed, idle <= 0.5 %). Times are ``time.monotonic()``, one clock for every process
on Linux. Always exits 0.

    .venv/bin/python bench/pg_feed.py [--writes 200] [--gap 20] [--idle 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pg_server  # noqa: E402

from warroom import actions  # noqa: E402
from warroom.db.pg_feed import PgChangeFeed  # noqa: E402
from warroom.db.store import open_store  # noqa: E402
from warroom.records import Actor  # noqa: E402

WRITER = textwrap.dedent("""
    import sys, time
    from warroom import actions
    from warroom.db.store import open_store
    from warroom.records import Actor

    url, key, count, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    with open_store(url) as store:
        for n in range(count):
            done = actions.add_note(store, Actor(os_user="oncall", display="dana"), key,
                                    text=f"note {n}")
            print(done.event_id, time.monotonic(), flush=True)
            time.sleep(gap)
""")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


async def latency(url: str, writes: int, gap_ms: float) -> tuple[list[float], int]:
    with open_store(url) as writer:
        key = actions.open_incident(writer, Actor(os_user="oncall", display="sam"),
                                    title="Bench", customer="Acme", severity="SEV2").key
    reader = open_store(url)
    seen = reader.data_version()
    read_at: dict[int, list[float]] = {}

    def changed() -> None:
        nonlocal seen
        rows = reader.events_after(seen)
        now = time.monotonic()
        for row in rows:
            read_at.setdefault(row["id"], []).append(now)
            seen = max(seen, row["id"])

    feed = PgChangeFeed(url, reader.data_version, changed)
    task = asyncio.create_task(feed.run())
    await asyncio.sleep(0.5)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, url, key, str(writes), str(gap_ms / 1000),
        stdout=subprocess.PIPE, cwd=ROOT)
    out, _ = await proc.communicate()
    await asyncio.sleep(2 * 1.5)  # a safety poll or two for any straggler
    feed.stop()
    await task
    reader.close()
    committed = {int(i): float(t) for i, t in (line.split() for line in out.decode().split("\n")
                                                if line.strip())}
    missed = sum(1 for i in committed if len(read_at.get(i, [])) != 1)
    lat = [(read_at[i][0] - t) * 1000 for i, t in committed.items() if i in read_at]
    return lat, missed


async def idle_cpu(url: str, seconds: float, psycopg_generator: bool,
                   poll_s: float = 1.5) -> float:
    reader = open_store(url)
    if psycopg_generator:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
        await conn.execute("LISTEN warroom")

        async def listen() -> None:
            async for _ in conn.notifies():
                pass

        task = asyncio.create_task(listen())
        stop = task.cancel
    else:
        feed = PgChangeFeed(url, reader.data_version, lambda: None, poll_s=poll_s)
        task = asyncio.create_task(feed.run())
        stop = feed.stop
    await asyncio.sleep(1)
    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    share = (time.process_time() - cpu) / (time.monotonic() - wall) * 100
    stop()
    try:
        await task
    except asyncio.CancelledError:
        pass
    if psycopg_generator:
        await conn.close()
    reader.close()
    return share


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--gap", type=float, default=20.0, help="ms between commits")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measured")
    args = parser.parse_args()
    server = pg_server.start()
    if isinstance(server, str):
        print(f"no PostgreSQL server: {server}")
        return
    try:
        url = server.fresh()
        lat, missed = await latency(url, args.writes, args.gap)
        p50, p95 = statistics.median(lat), pct(lat, 95)
        print(f"commit -> on_change read it, {len(lat)} of {args.writes} commits "
              f"{args.gap:g} ms apart: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
              f"max {max(lat):.2f} ms; missed {missed}")
        print(f"  p95 <= 50 ms: {verdict(p95 <= 50)}; 0 missed: {verdict(missed == 0)}")
        ours = await idle_cpu(url, args.idle, psycopg_generator=False)
        quiet = await idle_cpu(url, args.idle, psycopg_generator=False, poll_s=3600)
        theirs = await idle_cpu(url, args.idle, psycopg_generator=True)
        print(f"idle CPU over {args.idle:g} s: PgChangeFeed {ours:.3f} % of a core "
              f"(poll every 1.5 s included), {quiet:.3f} % without the poll; "
              f"psycopg notifies() generator {theirs:.3f} %")
        print(f"  idle <= 0.5 %: {verdict(ours <= 0.5)}")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
