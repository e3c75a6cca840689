"""Write path benchmark: one warroom action against a raw INSERT transaction, on SQLite and
(``--pg`` or ``--db postgresql://...``) on PostgreSQL, side by side in one run.

Prints, in one run and per backend: median, p95, p99 and max latency of one action and of
one raw INSERT transaction on the same backend (SQLite: BEGIN IMMEDIATE, WAL,
synchronous=FULL; PostgreSQL: BEGIN, the transaction-scoped advisory lock every warroom
writer takes, INSERT into a scratch table, COMMIT, over psycopg); actions and raw
transactions per second with 1, 8 and 20 concurrent writer processes at full speed; 20
writers in realistic bursts (20 people acting in the same second, each at a random moment of
it, ``--bursts`` times, one second apart); a loss check (every acknowledged action is in the
journal); and the budgets of issues 2 and 16 applied to each backend (action within 3x of
raw; p99 <= 50 ms with 8 writers; burst p99 <= 50 ms; nothing lost, no error). Always exits
0 (but 2 on a refused --db): it measures, it does not judge CI.

    .venv/bin/python bench/store.py [--quick] [--per-process 300] [--bursts 50]
                                    [--pg [--pg-test-settings] | --db postgresql://...]

Without ``--pg`` / ``--db`` only SQLite (a temporary file) is measured. ``--pg`` starts a
throwaway PostgreSQL server (tests/pg_server.py), restarts it with fsync, synchronous_commit
and full_page_writes on (pg_server's test settings turn them off; ``--pg-test-settings``
keeps those), gives each measurement a fresh database and stops the server at the end.
``--db URL`` uses an existing initialised database that holds no incident yet (each
measurement opens its own incident in it; the raw reference needs a role that may create a
table, else it is reported as unavailable).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warroom import actions  # noqa: E402
from warroom.db.store import is_url, open_store  # noqa: E402
from warroom.errors import WarroomError  # noqa: E402
from warroom.records import Actor  # noqa: E402

RAW_LOCK = 0x62656E6368  # the raw reference's advisory lock ("bench"), not warroom's own
RAW_TABLE = "warroom_bench_raw"
WORKER_TIMEOUT_S = 600.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- writer processes (spawned: they get the target as text and open it themselves) ----------

def warroom_writer(target: str, key: str, name: str, count: int, ready, start, out,
                   base=None) -> None:
    """Raise ``count`` blockers on incident ``key`` (one action each) and report every
    latency: at full speed, or (``base`` set) one per second, at a random moment of second n
    after ``base``."""
    latencies, errors = [], []
    actor = Actor(os_user="bench", display=name)
    rng = random.Random(name)
    try:
        store = open_store(target)
    except BaseException as exc:  # report it rather than leave the parent waiting
        ready.put(name)
        out.put(([], [f"open: {exc!r}"]))
        return
    with store:
        ready.put(name)
        start.wait()
        for n in range(count):
            if base is not None:
                delay = base.value + n + rng.random() - time.time()
                if delay > 0:
                    time.sleep(delay)
            t0 = time.perf_counter()
            try:
                actions.raise_blocker(store, actor, key, what=f"{name} {n}",
                                      waiting_on="vendor", owner=name)
            except (WarroomError, sqlite3.Error) as exc:
                errors.append(repr(exc))
                continue
            latencies.append(time.perf_counter() - t0)
    out.put((latencies, errors))


def raw_writer(target: str, table: str, name: str, count: int, ready, start, out) -> None:
    """The same number of raw transactions: SQLite BEGIN IMMEDIATE; INSERT; COMMIT, or on
    PostgreSQL (psycopg) BEGIN; advisory xact lock; INSERT; COMMIT."""
    latencies, errors = [], []
    if is_url(target):
        import psycopg

        try:
            conn = psycopg.connect(target, autocommit=True)
        except psycopg.Error as exc:
            ready.put(name)
            out.put(([], [f"connect: {exc!r}"]))
            return
        ready.put(name)
        start.wait()
        insert = f"INSERT INTO {table} (writer, n, at) VALUES (%s, %s, %s)"
        for n in range(count):
            t0 = time.perf_counter()
            try:
                conn.execute("BEGIN")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (RAW_LOCK,))
                conn.execute(insert, (name, n, time.time()))
                conn.execute("COMMIT")
            except psycopg.Error as exc:
                errors.append(repr(exc))
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    pass
                continue
            latencies.append(time.perf_counter() - t0)
        conn.close()
    else:
        conn = sqlite3.connect(target, isolation_level=None, timeout=5.0)
        conn.execute("PRAGMA synchronous=FULL")
        ready.put(name)
        start.wait()
        for n in range(count):
            t0 = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(f"INSERT INTO {table} (writer, n, at) VALUES (?, ?, ?)",
                             (name, n, time.time()))
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                errors.append(repr(exc))
                continue
            latencies.append(time.perf_counter() - t0)
        conn.close()
    out.put((latencies, errors))


# -- backends: where each measurement runs, and how what it wrote is counted ----------------

@dataclass
class Place:
    """One measurement's database: the target the writers open, what they write to (the
    incident key, or the raw table), how to count what was stored, and how to clean up."""

    target: str
    what: str
    count: Callable[[], int]
    cleanup: Callable[[], None] = lambda: None


@dataclass
class Backend:
    name: str
    note: str
    warroom: Callable[[], Place]
    raw: Callable[[], Place] | None
    raw_missing: str = ""
    closing: list[str] = field(default_factory=list)


def count_blockers(target: str, key: str) -> int:
    with open_store(target) as store, store.read():
        return store.conn.execute(
            "SELECT count(*) FROM events e JOIN incidents i ON i.id = e.incident_id "
            "WHERE e.kind = 'blocker.raised' AND i.key = ?", (key,)).fetchone()[0]


def open_bench_incident(target: str, create: bool = False) -> str:
    with open_store(target, create=create) as store:
        done = actions.open_incident(store, Actor(os_user="bench"), title="bench",
                                     customer="Acme", severity="SEV2")
    return done.key


def remove_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def sqlite_backend(tmp: Path) -> Backend:
    serial = iter(range(1, 10**6))

    def warroom_place() -> Place:
        path = str(tmp / f"action{next(serial)}.db")
        key = open_bench_incident(path, create=True)
        return Place(path, key, lambda: count_blockers(path, key),
                     lambda: remove_sqlite(path))

    def raw_place() -> Place:
        path = str(tmp / f"raw{next(serial)}.db")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"CREATE TABLE {RAW_TABLE} (id INTEGER PRIMARY KEY, writer TEXT, "
                     "n INTEGER, at REAL)")
        conn.close()

        def count() -> int:
            with sqlite3.connect(path) as c:
                return c.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchone()[0]

        return Place(path, RAW_TABLE, count,
                     lambda: remove_sqlite(path))

    return Backend("SQLite", "temporary file, WAL, synchronous=FULL", warroom_place, raw_place)


def pg_settings(conn) -> str:
    got = {name: conn.execute(f"SHOW {name}").fetchone()[0]
           for name in ("fsync", "synchronous_commit", "full_page_writes")}
    version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    return f"PostgreSQL {version}, " + ", ".join(f"{k}={v}" for k, v in got.items())


def raw_table_sql(table: str) -> str:
    return (f"CREATE TABLE {table} (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "writer TEXT, n INTEGER, at DOUBLE PRECISION)")


def throwaway_backend(server, honest: bool) -> Backend:
    """Fresh databases on the throwaway server, one per measurement."""
    def warroom_place() -> Place:
        url = server.fresh()
        key = open_bench_incident(url)
        return Place(url, key, lambda: count_blockers(url, key), lambda: server.drop(url))

    def raw_place() -> Place:
        url = server.fresh()
        name = url.rsplit("/", 1)[1]
        with server.admin(name) as conn:
            conn.execute(raw_table_sql(f"public.{RAW_TABLE}"))
            conn.execute(f"ALTER TABLE public.{RAW_TABLE} OWNER TO warroom")

        def count() -> int:
            with server.admin(name) as conn:
                return conn.execute(f"SELECT count(*) FROM public.{RAW_TABLE}").fetchone()[0]

        return Place(url, f"public.{RAW_TABLE}", count, lambda: server.drop(url))

    with server.admin() as conn:
        settings = pg_settings(conn)
    why = ("restarted with them on" if honest
           else "tests/pg_server.py test settings, NOT durable: no fsync")
    return Backend("PostgreSQL", f"throwaway server on 127.0.0.1, {settings} ({why}); "
                   "a fresh database per measurement", warroom_place, raw_place)


def url_backend(url: str) -> Backend | str:
    """Measurements in the database ``url`` names; a string: why it is refused."""
    import psycopg

    from warroom.db import pg_conn

    shown = pg_conn.shown(url)
    try:
        with open_store(url) as store, store.read():
            incidents = store.conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    except WarroomError as exc:
        return f"bench/store.py: {exc}"
    if incidents:
        return (f"bench/store.py: {shown} holds {incidents} incident(s): the bench needs an "
                "initialised database with no incident yet ('warroom db init' on a new one)")
    with psycopg.connect(url, autocommit=True) as conn:
        settings = pg_settings(conn)
    serial = iter(range(1, 10**6))
    backend = Backend("PostgreSQL", f"{shown}, {settings}; one incident per measurement, "
                      "in that database", None, None)

    def warroom_place() -> Place:
        key = open_bench_incident(url)
        backend.closing.append(key)
        return Place(url, key, lambda: count_blockers(url, key))

    def raw_place() -> Place:
        table = f"{RAW_TABLE}_{os.getpid()}_{next(serial)}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(raw_table_sql(table))

        def count() -> int:
            with psycopg.connect(url, autocommit=True) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        def drop() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS {table}")

        return Place(url, table, count, drop)

    backend.warroom = warroom_place
    try:  # can this role make the scratch table the raw reference writes to?
        with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
            conn.execute(raw_table_sql(f"{RAW_TABLE}_probe"))
            raise _Probe
    except _Probe:
        backend.raw = raw_place
    except psycopg.Error as exc:
        backend.raw_missing = (f"no raw reference: this role may not create a scratch table "
                               f"({str(exc).strip().splitlines()[0]}); pass the owner's URL")
    return backend


class _Probe(Exception):
    """Rolls the probe's CREATE TABLE back."""


def durable(server) -> str | None:
    """Restart the throwaway server with fsync, synchronous_commit and full_page_writes on
    (pg_server passes them off on its command line, which outranks ALTER SYSTEM, so the
    restart passes the same options with them on); None, or why it could not."""
    folder = server.folder
    options = (f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=on "
               "-c synchronous_commit=on -c full_page_writes=on -c max_connections=200")
    done = server.ctl("-o", options, "-l", str(folder / "log"), "-m", "fast", "-w", "restart")
    if done.returncode:
        return (done.stderr or done.stdout).strip()[-200:]
    return None


# -- one measurement -------------------------------------------------------------------

def run(place: Place, kind: str, writers: int, per_process: int,
        bursts: bool = False) -> dict:
    ctx = mp.get_context("spawn")
    ready, start, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    base = ctx.Value("d", 0.0) if bursts else None
    target = warroom_writer if kind == "action" else raw_writer
    extra = (base,) if bursts else ()
    procs = [ctx.Process(target=target, args=(place.target, place.what, f"w{i}", per_process,
                                              ready, start, out) + extra, daemon=True)
             for i in range(writers)]
    try:
        for p in procs:
            p.start()
        for _ in procs:  # every process has imported and connected
            ready.get(timeout=WORKER_TIMEOUT_S)
        if base is not None:
            base.value = time.time() + 0.5
        t0 = time.perf_counter()
        start.set()
        results = [out.get(timeout=WORKER_TIMEOUT_S) for _ in procs]
        wall = time.perf_counter() - t0
        for p in procs:
            p.join()
        latencies = [x for r, _ in results for x in r]
        errors = [e for _, r in results for e in r]
        stored = place.count()
    except queue.Empty:
        raise SystemExit(f"bench/store.py: a {kind} writer went silent for "
                         f"{WORKER_TIMEOUT_S:.0f} s") from None
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        place.cleanup()
    later = [x for r, e in results if not e for x in r[1:]]  # bursts after the first
    return {"lat": latencies or [float("nan")], "errors": errors,
            "rate": len(latencies) / wall, "acked": len(latencies), "stored": stored,
            "later": later or [float("nan")]}


def measure(backend: Backend, per_process: int, bursts: int, say) -> dict:
    results = {}
    for kind in ("raw", "action"):
        if kind == "raw" and backend.raw is None:
            continue
        for writers in (1, 8, 20):
            say(f"{backend.name}: {kind}, {writers} writer(s)")
            results[(kind, writers, False)] = run(
                (backend.raw if kind == "raw" else backend.warroom)(), kind, writers,
                per_process)
    say(f"{backend.name}: action, {bursts} bursts of 20")
    results[("action", 20, True)] = run(backend.warroom(), "action", 20, bursts, bursts=True)
    return results


# -- the report --------------------------------------------------------------------------

def num(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


LABELS = [(("raw", 1, False), "raw INSERT txn, 1 writer"),
          (("raw", 8, False), "raw INSERT txn, 8 writers"),
          (("raw", 20, False), "raw INSERT txn, 20 writers"),
          (("action", 1, False), "warroom action, 1 writer"),
          (("action", 8, False), "warroom action, 8 writers"),
          (("action", 20, False), "warroom action, 20 writers"),
          (("action", 20, True), "warroom action, 20, bursts")]
CELL = (8, 8, 8, 8, 7, 5, 5)  # median p95 p99 max /s lost errors


def cells(r: dict | None) -> str:
    if r is None:
        return "".join(f"{'-':>{w}}" for w in CELL)
    values = (num(statistics.median(r["lat"])), num(pct(r["lat"], .95)),
              num(pct(r["lat"], .99)), num(max(r["lat"])), f"{r['rate']:.0f}",
              str(r["acked"] - r["stored"]), str(len(r["errors"])))
    return "".join(f"{v:>{w}}" for v, w in zip(values, CELL))


def targets(results: dict) -> list[tuple[str, str]]:
    """The budgets, for one backend: (figure, PASS/FAIL or 'reported')."""
    one, eight = results[("action", 1, False)], results[("action", 8, False)]
    twenty, burst = results[("action", 20, False)], results[("action", 20, True)]
    raw1 = results.get(("raw", 1, False))
    rows = []
    if raw1 is None:
        rows.append(("n/a (no raw reference)", ""))
    else:
        ratio = statistics.median(one["lat"]) / statistics.median(raw1["lat"])
        rows.append((f"{ratio:.2f}x", "PASS" if ratio <= 3 else "FAIL"))
    for r in (eight,):
        p = pct(r["lat"], .99)
        rows.append((f"{num(p)} ms", "PASS" if p <= 0.050 else "FAIL"))
    rows.append((f"{num(pct(twenty['lat'], .99))} ms", "reported"))
    rows.append((f"{twenty['rate']:.0f}/s", "reported"))
    p = pct(burst["lat"], .99)
    rows.append((f"{num(p)} ms", "PASS" if p <= 0.050 else "FAIL"))
    rows.append((f"{num(pct(burst['later'], .99))} ms", "reported"))
    lost = sum(r["acked"] - r["stored"] for r in results.values())
    errors = sum(len(r["errors"]) for r in results.values())
    rows.append((f"{lost} lost, {errors} err", "PASS" if lost == 0 and errors == 0
                 else "FAIL"))
    scale = [f"action {eight['rate'] / one['rate']:.2f}x/{twenty['rate'] / one['rate']:.2f}x"]
    if raw1 is not None:
        scale.append(f"raw {results[('raw', 8, False)]['rate'] / raw1['rate']:.2f}x/"
                     f"{results[('raw', 20, False)]['rate'] / raw1['rate']:.2f}x")
    rows.append((", ".join(scale), ""))
    return rows


def report(all_results: dict[str, dict], backends: list[Backend], n: int, bursts: int,
           load: tuple[float, ...]) -> None:
    names = [b.name for b in backends]
    print(f"warroom bench/store.py: {n} transactions per writer process at full speed; "
          f"{bursts} bursts of 20 writers; {os.cpu_count()} CPU(s); load average "
          f"{load[0]:.2f} before, {os.getloadavg()[0]:.2f} after (other work on the machine "
          "skews every figure)")
    for b in backends:
        print(f"  {b.name}: {b.note}")
        if b.raw_missing:
            print(f"  {b.name}: {b.raw_missing}")
    print("  raw reference: SQLite BEGIN IMMEDIATE; INSERT; COMMIT. PostgreSQL (psycopg): "
          "BEGIN; pg_advisory_xact_lock; INSERT; COMMIT")
    print("  latencies in ms; '/s' = transactions per second; writers are processes, "
          "each with its own connection made before the clock starts")
    print()
    width = sum(CELL)
    head = "".join(f"{h:>{w}}" for h, w in zip(
        ("median", "p95", "p99", "max", "/s", "lost", "err"), CELL))
    print(f"{'':28}" + " | ".join(f"{name:^{width}}" for name in names))
    print(f"{'':28}" + " | ".join(head for _ in names))
    for key, label in LABELS:
        print(f"{label:28}" + " | ".join(cells(all_results[name].get(key)) for name in names))

    print()
    what = ["action / raw median, 1 writer (<= 3x)",
            "action p99, 8 writers (<= 50 ms)",
            "action p99, 20 writers full speed",
            "action throughput, 20 writers",
            f"action p99, {bursts} bursts of 20 (<= 50 ms)",
            "  same, without the first burst",
            "lost acked writes, errors (0)",
            "throughput vs 1 writer: 8 / 20"]
    columns = {name: targets(all_results[name]) for name in names}
    col = 42 if len(names) > 1 else 0
    print(f"{'target':45}" + "".join(f"{name:{col}}" for name in names))
    for i, label in enumerate(what):
        row = [f"{figure}  {verdict}".strip() for figure, verdict in
               (columns[name][i] for name in names)]
        print(f"{label:45}" + "".join(f"{cell:{col}}" for cell in row))
    labels = dict(LABELS)
    for name in names:
        for key, r in all_results[name].items():
            for e in r["errors"][:3]:
                print(f"  {name}, {labels[key]}: error: {e}")
            if len(r["errors"]) > 3:
                print(f"  {name}, {labels[key]}: ... {len(r['errors']) - 3} more")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-process", type=int, default=None,
                        help="transactions per writer at full speed (default 300; --quick 40)")
    parser.add_argument("--bursts", type=int, default=None,
                        help="bursts of 20 writers, one second apart (default 50; --quick 8)")
    parser.add_argument("--quick", action="store_true", help="a short run, to try the bench")
    parser.add_argument("--pg", action="store_true",
                        help="also measure PostgreSQL on a throwaway server (tests/pg_server.py)")
    parser.add_argument("--pg-test-settings", action="store_true",
                        help="with --pg: keep the test server's fsync=off, "
                             "synchronous_commit=off (not durable)")
    parser.add_argument("--db", metavar="URL",
                        help="also measure PostgreSQL in this initialised, empty database")
    args = parser.parse_args()
    n = args.per_process or (40 if args.quick else 300)
    bursts = args.bursts or (8 if args.quick else 50)
    if args.db and not is_url(args.db):
        print("bench/store.py: --db takes a postgresql:// URL (SQLite is always measured, "
              "in a temporary file)")
        sys.exit(2)
    if args.db and args.pg:
        print("bench/store.py: --db and --pg are two ways to name the PostgreSQL side: "
              "give one")
        sys.exit(2)

    def say(text: str) -> None:
        print(f"  ... {text}", file=sys.stderr, flush=True)

    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
            backends = [sqlite_backend(Path(tmp))]
            if args.db:
                got = url_backend(args.db)
                if isinstance(got, str):
                    print(got)
                    sys.exit(2)
                backends.append(got)
            elif args.pg:
                sys.path.insert(0, str(ROOT / "tests"))
                import pg_server

                say("starting a throwaway PostgreSQL server")
                server = pg_server.start()
                if isinstance(server, str):
                    print(f"bench/store.py: no PostgreSQL server: {server}")
                    server = None
                    sys.exit(2)
                honest = not args.pg_test_settings
                if honest:
                    why = durable(server)
                    if why is not None:
                        print(f"bench/store.py: could not restart the server with fsync on: "
                              f"{why}")
                        sys.exit(2)
                backends.append(throwaway_backend(server, honest))
            load = os.getloadavg()
            all_results = {b.name: measure(b, n, bursts, say) for b in backends}
            report(all_results, backends, n, bursts, load)
            for b in backends:
                if b.closing:
                    print(f"  {b.name}: the database now holds the bench's incidents "
                          f"({', '.join(b.closing)}): it cannot be used for another run")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench/store.py: interrupted (the throwaway server, if any, was stopped)",
              file=sys.stderr)
        sys.exit(130)
