"""Live dashboard benchmark: commit-to-screen latency, idle CPU, time to first paint.

Prints, in one run:
- median and p95 from a commit in one process to the change painted by dashboards in other
  processes, with 1, 10 and 30 viewer processes, events missed, and the CPU milliseconds
  one viewer spends per event (less its idle CPU), against a reference: a bare Textual app
  of the dashboard's shape repainting one pane per event (``_reference.py``);
- idle CPU % of one viewer over 30 s;
- time to first paint (process start to painted screen) of a bare Textual app with Header
  and Footer (``_bare.py``), and of the warroom dashboard with a journal of 0 and of
  1,000,000 events: ``--runs`` rounds, the three interleaved in a rotating order, after
  discarded warm-up rounds and with every database file read into the page cache before
  each round, so that all three start alike (the same warm caches, the same drift of the
  machine); each variant's median, quartiles and range of wall time, its CPU time (user +
  system of the process at its paint, sampled at the kernel's tick), and the ratios to the
  bare app: of the medians (the budget's figure) and, paired round by round, their spread;
and PASS/FAIL against the budgets of issues 3 and 16. Viewers run headless (full layout and render,
output discarded) and write "EVENT_ID TIME" to a trace file after each paint
(WARROOM_TRACE). Always exits 0.

    .venv/bin/python bench/live.py [--writes 60] [--idle 30] [--runs 15] [--only paint]
                                   [--pg | --db postgresql://...]

``--pg`` adds PostgreSQL beside SQLite, in one run: a throwaway server (tests/pg_server.py)
restarted with fsync, synchronous_commit and full_page_writes on (as bench/store.py does),
a fresh database per measurement, built with the same content as the SQLite room, stopped
at the end (also on Ctrl-C). The latency (1, 10, 30 viewers) and the idle CPU are measured
on both and printed side by side, each column against the same budgets and the same
reference app (``_reference.py``, on SQLite's feed: the yardstick of a bare app's cost per
event); first paint adds the dashboard on PostgreSQL (0 events) to the rounds, against the
same bare app. Half of the PostgreSQL viewers connect through a libpq multi-host URL whose
first host is unreachable (``postgresql://warroom@127.0.0.1:1,127.0.0.1:PORT/DB?
target_session_attrs=read-write``: a second host, a failover-aware URL), the other half
through the plain URL; the p95 of each half is shown too ("two hosts" / "plain"). The
writer writes through ``open_store(url)``; viewers act as their database user.
``--db URL`` uses an initialised database that holds no incident yet instead of a server
(refused otherwise): one room is built in it and every measurement reuses it.

The million-event file takes some 20 s to build: it is kept in a cache folder
(WARROOM_BENCH_CACHE, else warroom-bench-cache in the temporary folder), under a name that
changes with the code that writes it, and copied afresh for each run of the bench.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import inspect
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warroom import actions  # noqa: E402
from warroom.db.store import is_url, open_store  # noqa: E402
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


def make_db(target: Path | str, events: int = 0) -> str:
    """An incident with its trio held, plus ``events`` more realistic journal events; the
    incident's key. ``target``: an SQLite path, or the URL of an initialised PostgreSQL
    database (the same actions, through ``open_store``).

    An SQLite database gets a folder of its own: viewers watch that folder, and the bench's
    trace files written beside it would wake every viewer and distort what is measured.
    """
    if not is_url(target):
        Path(target).parent.mkdir(exist_ok=True)
    with open_store(target, create=True) as store:
        sam = Actor(os_user="bench", display="sam")
        key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                    severity="SEV1").key
        for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
            actions.claim_role(store, Actor(os_user="bench", display=name), key, role)
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
    return key


def start_viewer(db: Path | str, trace: Path, name: str, script: Path = VIEWER
                 ) -> subprocess.Popen:
    env = os.environ | {"WARROOM_TRACE": str(trace), "TZ": "UTC"}
    if is_url(db):  # a URL through the environment: no password in the process list
        env["WARROOM_DB"], db = str(db), ""
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


@dataclass
class Room:
    """One measurement's database: where the writer writes and the viewers look (an SQLite
    path, or a PostgreSQL URL), the incident's key, the URL half of the PostgreSQL viewers
    use (a second, unreachable host first), and how to clean up."""

    target: str
    key: str
    second: str | None = None
    cleanup: Callable[[], None] = lambda: None

    def for_viewer(self, i: int) -> str:
        """Viewer ``i``'s database: on PostgreSQL the odd ones go through the two-host URL
        (a single viewer, the plain one)."""
        return self.second if self.second is not None and i % 2 else self.target


def two_hosts(url: str) -> str:
    """``url`` as a libpq multi-host URL whose first host is unreachable (port 1 of the
    loopback: refused), asking for a read-write session: what a failover-aware URL to a
    primary and a standby looks like."""
    parts = urlsplit(url)
    user, at, hosts = parts.netloc.rpartition("@")
    query = "&".join(q for q in (parts.query, "target_session_attrs=read-write") if q)
    return urlunsplit(parts._replace(netloc=f"{user}{at}127.0.0.1:1,{hosts}", query=query))


@dataclass
class Pg:
    """The PostgreSQL side: a throwaway server (a fresh database per room) or the one
    database ``--db`` named (one room built once, then reused)."""

    note: str
    server: object = None
    url: str | None = None
    room_key: str | None = None
    made: list[str] = field(default_factory=list)

    def room(self) -> Room:
        if self.server is not None:
            url = self.server.fresh()
            key = make_db(url)
            return Room(url, key, two_hosts(url), lambda: self.server.drop(url))
        if self.room_key is None:
            self.room_key = make_db(self.url)
            self.made.append(self.room_key)
        return Room(self.url, self.room_key, two_hosts(self.url))


def sqlite_room(tmp: str, name: str) -> Room:
    db = Path(tmp) / "db" / f"{name}.db"
    return Room(str(db), make_db(db))


def latency(viewers: int, writes: int, script: Path = VIEWER, pg: Pg | None = None
            ) -> tuple[list[float], float, int, list[list[float]]]:
    """Commit (writer process) to paint (each viewer process), in seconds; the viewers' CPU
    milliseconds per event (median over viewers, less their idle CPU over the same time);
    how many (event, viewer) paints were missed; and each viewer's lags. On SQLite, or
    (``pg``) in a PostgreSQL room."""
    with tempfile.TemporaryDirectory(prefix="warroom-live-") as tmp:
        room = pg.room() if pg is not None else sqlite_room(tmp, "live")
        traces = [Path(tmp) / f"trace{i}" for i in range(viewers)]
        procs = []
        try:
            procs += [start_viewer(room.for_viewer(i), t, f"viewer{i}", script)
                      for i, t in enumerate(traces)]
            wait_painted(traces, timeout=30 + viewers)
            time.sleep(2.0)
            idle0 = [cpu_seconds(p.pid) for p in procs]
            time.sleep(2.0)
            idle_rate = [(cpu_seconds(p.pid) - c) / 2.0 for p, c in zip(procs, idle0)]
            before, t0 = [cpu_seconds(p.pid) for p in procs], time.time()
            committed: dict[int, float] = {}
            with open_store(room.target) as store:
                actor = Actor(os_user="bench", display="writer")
                raised = None
                for n in range(writes):
                    if n % 2 == 0:
                        done = actions.raise_blocker(store, actor, room.key, what=f"b{n}",
                                                     waiting_on="vendor", owner="writer")
                        raised = done.ref
                    else:
                        done = actions.clear_blocker(store, actor, room.key, raised)
                    committed[done.event_id] = time.time()
                    time.sleep(0.15)
            time.sleep(1.0)
            spent = [cpu_seconds(p.pid) - b - rate * (time.time() - t0)
                     for p, b, rate in zip(procs, before, idle_rate)]
        finally:
            stop(procs)
            room.cleanup()
        lags, missed, each = [], 0, []
        for trace in traces:
            seen = {e: at for e, at in read_trace(trace) if e in committed}
            missed += len(set(committed) - set(seen))
            each.append([seen[e] - committed[e] for e in seen])
            lags += each[-1]
        return lags, 1000 * statistics.median(spent) / len(committed), missed, each


def idle_cpu(seconds: float, pg: Pg | None = None) -> float:
    with tempfile.TemporaryDirectory(prefix="warroom-idle-") as tmp:
        room = pg.room() if pg is not None else sqlite_room(tmp, "idle")
        trace = Path(tmp) / "trace"
        proc = None
        try:
            proc = start_viewer(room.target, trace, "idle")
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
            if proc is not None:
                stop([proc])
            room.cleanup()
    return 100 * used / wall


PAINTED = ("bare", "empty", "full")


def cached_full_db(events: int = 1_000_000) -> Path:
    """The room of ``events`` events, built once per version of the code that writes it
    (warroom's db and actions packages, bench/metrics.py, :func:`make_db`)."""
    digest = hashlib.sha256(inspect.getsource(make_db).encode() + str(events).encode())
    for path in sorted([*(ROOT / "warroom" / "db").glob("*.py"),
                        *(ROOT / "warroom" / "actions").rglob("*.py"),
                        ROOT / "bench" / "metrics.py", ROOT / "warroom" / "records.py"]):
        digest.update(path.name.encode() + path.read_bytes())
    folder = Path(os.environ.get("WARROOM_BENCH_CACHE")
                  or Path(tempfile.gettempdir()) / "warroom-bench-cache")
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / f"paint-{events}-{digest.hexdigest()[:16]}.db"
    if not cached.exists():
        for old in folder.glob(f"paint-{events}-*.db"):
            old.unlink()
        print(f"   (building the {events:,}-event file once, for {cached})", flush=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            built = Path(tmp) / "db" / "paint.db"
            make_db(built, events)  # closed: checkpointed into the one file
            built.rename(cached)
    return cached


def read_through(paths: list[Path]) -> None:
    """Read files whole, so that they sit in the page cache (for every variant alike)."""
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass


def first_paint(script: Path, db: Path, trace: Path) -> tuple[float, float]:
    """One process start to its first paint: wall seconds (from just before the fork to the
    time the process wrote in its trace) and CPU seconds of the process at its paint: the
    last of its CPU times sampled every 2 ms at or before the time in its trace (so neither
    the work right after the paint nor the delay in seeing it is counted; the kernel counts
    in ticks of 10 ms)."""
    t0 = time.time()
    proc = start_viewer(db, trace, "paint", script)
    samples: list[tuple[float, float]] = []
    try:
        deadline = t0 + 30
        while not trace.exists() or not read_trace(trace):
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"{script.name} did not paint")
            samples.append((time.time(), cpu_seconds(proc.pid)))
            time.sleep(0.002)
    finally:
        stop([proc])
    painted = read_trace(trace)[0][1]
    cpu = max((c for at, c in samples if at <= painted), default=0.0)
    return painted - t0, cpu


def interleaved_paints(runs: int, warmup: int = 2, pg: Pg | None = None
                       ) -> dict[str, list[tuple[float, float]]]:
    """First paint (wall, CPU) of the bare app, the dashboard on an empty room and on a room
    of a million events (and, ``pg``, on a PostgreSQL room of 0 events), run in turns whose
    order rotates (bare, empty, full; empty, full, bare; ...) so that the machine's drift
    and the position in a round fall on all alike. ``warmup`` rounds are run first and
    discarded; before each round every database file is read through, so all start with
    warm caches (the server's are warm from the rounds before)."""
    room = pg.room() if pg is not None else None
    try:
        return _paints(runs, warmup, room)
    finally:
        if room is not None:
            room.cleanup()


def _paints(runs: int, warmup: int, room: Room | None) -> dict[str, list[tuple[float, float]]]:
    with tempfile.TemporaryDirectory(prefix="warroom-paint-") as tmp:
        empty_db, full_db = Path(tmp) / "e" / "paint.db", Path(tmp) / "f" / "paint.db"
        make_db(empty_db, 0)
        full_db.parent.mkdir()
        shutil.copyfile(cached_full_db(), full_db)
        os.sync()  # the copy's writeback must not fall on the first rounds
        time.sleep(1.0)
        dbs = {"bare": empty_db, "empty": empty_db, "full": full_db}
        scripts = {"bare": BARE, "empty": VIEWER, "full": VIEWER, "pg": VIEWER}
        painted = PAINTED
        if room is not None:
            dbs["pg"], painted = room.target, PAINTED + ("pg",)
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in painted}
        for n in range(-warmup, runs):
            read_through([p for p in (Path(tmp) / "e").iterdir()]
                         + [p for p in (Path(tmp) / "f").iterdir()])
            turn = n % len(painted)
            for name in painted[turn:] + painted[:turn]:
                time.sleep(0.2)  # the previous process's exit settled
                got = first_paint(scripts[name], dbs[name], Path(tmp) / f"trace-{name}-{n}")
                if n >= 0:
                    times[name].append(got)
    return times


def report_paints(times: dict[str, list[tuple[float, float]]],
                  pg_events: str = "fresh") -> None:
    runs = len(times["bare"])
    walls = {k: [w for w, _ in v] for k, v in times.items()}
    cpus = {k: [c for _, c in v] for k, v in times.items()}
    labels = {"bare": "bare Textual app (Header, Footer)",
              "empty": "dashboard, 0 events", "full": "dashboard, 1,000,000 events",
              "pg": "dashboard, PostgreSQL, 0 events"}
    bare, bare_cpu = statistics.median(walls["bare"]), statistics.median(cpus["bare"])
    print(f"first paint ({runs} rounds, the {'three' if len(times) == 3 else len(times)} "
          f"interleaved, rotating order; load average "
          f"{os.getloadavg()[0]:.2f}): wall ms median [p25-p75] (min-max); CPU ms median")
    for name in times:
        w = [1000 * x for x in walls[name]]
        line = (f"   {labels[name]:33} {statistics.median(w):5.0f} [{pct(w, 0.25):.0f}-"
                f"{pct(w, 0.75):.0f}] ({min(w):.0f}-{max(w):.0f});"
                f" CPU {1000 * statistics.median(cpus[name]):.0f}")
        if name != "bare":
            paired = sorted(a / b for a, b in zip(walls[name], walls["bare"]))
            line += (f"   {statistics.median(walls[name]) / bare:.2f}x bare (paired by round:"
                     f" median {statistics.median(paired):.2f}x, p25-p75 {pct(paired, 0.25):.2f}"
                     f"-{pct(paired, 0.75):.2f}x, range {paired[0]:.2f}-{paired[-1]:.2f}x);"
                     f" CPU {statistics.median(cpus[name]) / bare_cpu:.2f}x")
        print(line)
    empty, full = statistics.median(walls["empty"]), statistics.median(walls["full"])
    print(f"   budget <= 1.3x bare (medians): 0 events {empty / bare:.2f}x "
          f"{verdict(empty <= 1.3 * bare)}, 1,000,000 events {full / bare:.2f}x "
          f"{verdict(full <= 1.3 * bare)}")
    if "pg" in walls:
        on_pg = statistics.median(walls["pg"])
        print(f"   PostgreSQL, 0 events ({pg_events}, plain URL; connecting to the server "
              f"included): {on_pg / bare:.2f}x bare {verdict(on_pg <= 1.3 * bare)}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def compile_package() -> None:
    """Write warroom's bytecode first, as installing a wheel does for every package: with
    PYTHONDONTWRITEBYTECODE set (as on this machine) an editable checkout would otherwise be
    compiled from source at every start, while the bare app's textual never is."""
    compileall.compile_dir(ROOT / "warroom", quiet=1)


def start_pg(args, say) -> tuple[Pg | None, object, str | None]:
    """The PostgreSQL side ``--pg`` / ``--db`` ask for: (side, server to stop, None), or
    (None, server to stop, why it cannot be had) to print before exiting 2."""
    from store import durable, pg_settings  # bench/store.py: the same honest server

    if args.db:
        from warroom.db import pg_conn
        from warroom.errors import WarroomError

        shown = pg_conn.shown(args.db)
        try:
            with open_store(args.db) as store, store.read():
                held = store.conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
        except WarroomError as exc:
            return None, None, f"bench/live.py: {exc}"
        if held:
            return None, None, (f"bench/live.py: {shown} holds {held} incident(s): the bench "
                                "needs an initialised database with no incident yet ('warroom "
                                "db init' on a new one)")
        import psycopg

        with psycopg.connect(args.db, autocommit=True) as conn:
            settings = pg_settings(conn)
        return Pg(f"{shown}, {settings}; one room built in it, reused by every "
                  "measurement", url=args.db), None, None
    sys.path.insert(0, str(ROOT / "tests"))
    import pg_server

    say("starting a throwaway PostgreSQL server")
    server = pg_server.start()
    if isinstance(server, str):
        return None, None, f"bench/live.py: no PostgreSQL server: {server}"
    why = durable(server)
    if why is not None:
        return None, server, f"bench/live.py: could not restart the server with fsync on: {why}"
    with server.admin() as conn:
        settings = pg_settings(conn)
    return Pg(f"throwaway server on 127.0.0.1, {settings} (restarted with them on); a fresh "
              "database per measurement", server=server), server, None


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=15,
                        help="first paint: measured rounds of the three (default 15)")
    parser.add_argument("--only", choices=("latency", "idle", "paint"), action="append",
                        help="run only this part (repeatable); default: all three")
    parser.add_argument("--pg", action="store_true",
                        help="also measure PostgreSQL, on a throwaway server "
                             "(tests/pg_server.py) restarted with fsync on")
    parser.add_argument("--db", metavar="URL",
                        help="also measure PostgreSQL, in this initialised database that "
                             "holds no incident yet")
    args = parser.parse_args()
    parts = set(args.only or ("latency", "idle", "paint"))
    if args.db and not is_url(args.db):
        print("bench/live.py: --db takes a postgresql:// URL (SQLite is always measured, in "
              "a temporary file)")
        sys.exit(2)
    if args.db and args.pg:
        print("bench/live.py: --db and --pg are two ways to name the PostgreSQL side: give one")
        sys.exit(2)

    def say(text: str) -> None:
        print(f"  ... {text}", file=sys.stderr, flush=True)

    server = pg = None
    try:
        if args.pg or args.db:
            pg, server, why = start_pg(args, say)
            if why is not None:
                print(why)
                sys.exit(2)
        print(f"warroom bench/live.py on {os.cpu_count()} cores (viewers headless, traced)")
        if pg is not None:
            print(f"PostgreSQL: {pg.note}; half the viewers through a two-host URL whose "
                  "first host is unreachable (postgresql://USER@127.0.0.1:1,HOST:PORT/DB?"
                  "target_session_attrs=read-write), half through the plain URL; the writer "
                  "and the viewers connect as the database's user")
        if "latency" in parts:
            if pg is None:
                latencies(args.writes)
            else:
                side_by_side(args.writes, pg, say)
        if "idle" in parts:
            cpu = idle_cpu(args.idle)
            if pg is None:
                print(f"idle CPU of one viewer over {args.idle:.0f} s: {cpu:.2f} %"
                      f"   budget <= 0.5 %  {verdict(cpu <= 0.5)}")
            else:
                say("PostgreSQL: idle viewer")
                on_pg = idle_cpu(args.idle, pg)
                if "latency" not in parts:
                    print(f"{'':44}{'SQLite':{COL}}PostgreSQL")
                print(f"{f'idle CPU of one viewer over {args.idle:.0f} s (<= 0.5 %)':44}"
                      f"{f'{cpu:.2f} %  {verdict(cpu <= 0.5)}':{COL}}"
                      f"{on_pg:.2f} %  {verdict(on_pg <= 0.5)}")
        if "paint" in parts:
            if pg is not None:
                say("first paint, with PostgreSQL")
            report_paints(interleaved_paints(args.runs, pg=pg),
                          "a fresh database" if pg is None or pg.server is not None
                          else "the --db database's room, reused")
        if pg is not None and pg.made:
            print(f"  PostgreSQL: the database now holds the bench's incident "
                  f"({', '.join(pg.made)}): it cannot be used for another run")
    finally:
        if server is not None:
            server.stop()


BUDGETS = {1: 0.050, 10: 0.040, 30: 0.120}
COL = 40  # a column of the side-by-side table


def latencies(writes: int) -> None:
    _lags, reference, _missed, _each = latency(1, writes, REFERENCE)
    print(f"reference (a bare Textual app of the dashboard's shape repainting one pane per "
          f"event): {reference:.2f} ms CPU per event")
    budgets = BUDGETS
    for viewers in (1, 10, 30):
        lags, per_event, missed, _each = latency(viewers, writes)
        p95 = pct(lags, 0.95)
        print(f"commit -> paint, {viewers:2} viewer(s): median {statistics.median(lags)*1000:6.1f} ms"
              f"  p95 {p95*1000:6.1f} ms  max {max(lags)*1000:6.1f} ms  ({len(lags)} paints,"
              f" {missed} missed)   budget p95 <= {budgets[viewers]*1000:.0f} ms  "
              f"{verdict(p95 <= budgets[viewers] and not missed)}")
        print(f"   CPU per event per viewer {per_event:.2f} ms = {per_event / reference:.2f}x "
              f"the reference   budget <= 1.5x  {verdict(per_event <= 1.5 * reference)}")


def ms(values: list[float], q: float | None = None) -> str:
    if not values:
        return "-"
    value = statistics.median(values) if q is None else pct(values, q)
    return f"{value * 1000:.1f}"


def side_by_side(writes: int, pg: Pg, say) -> None:
    """The latency on SQLite and PostgreSQL, measured in turns, printed as one table."""
    say("reference app")
    _lags, reference, _missed, _each = latency(1, writes, REFERENCE)
    print(f"reference (a bare Textual app of the dashboard's shape repainting one pane per "
          f"event, on SQLite's feed; the yardstick of both columns): {reference:.2f} ms CPU "
          "per event")
    print(f"{'commit -> paint, ms':44}{'SQLite':{COL}}PostgreSQL")
    for viewers in (1, 10, 30):
        got = {}
        for name, side in (("SQLite", None), ("PostgreSQL", pg)):
            say(f"{name}: {viewers} viewer(s)")
            got[name] = latency(viewers, writes, pg=side)
        rows: list[tuple[str, list[str]]] = [
            (f"{viewers:2} viewer(s): median / p95 / max", []),
            ("   paints, missed", []),
            (f"   p95 <= {BUDGETS[viewers] * 1000:.0f} ms and 0 missed", []),
            ("   p95 two hosts / plain URL (viewers)", []),
            ("   CPU ms per event per viewer (<= 1.5x)", []),
        ]
        for name in ("SQLite", "PostgreSQL"):
            lags, per_event, missed, each = got[name]
            p95 = pct(lags, 0.95)
            rows[0][1].append(f"{ms(lags)} / {ms(lags, .95)} / {max(lags) * 1000:.1f}")
            rows[1][1].append(f"{len(lags)}, {missed} missed")
            rows[2][1].append(f"{p95 * 1000:.1f} ms  "
                              f"{verdict(p95 <= BUDGETS[viewers] and not missed)}")
            if name == "PostgreSQL" and viewers > 1:
                second = [x for i, e in enumerate(each) if i % 2 for x in e]
                plain = [x for i, e in enumerate(each) if not i % 2 for x in e]
                rows[3][1].append(f"{ms(second, .95)} / {ms(plain, .95)} "
                                  f"({viewers // 2} / {viewers - viewers // 2})")
            elif name == "PostgreSQL":
                rows[3][1].append("- (one viewer: plain URL)")
            else:
                rows[3][1].append("-")
            rows[4][1].append(f"{per_event:.2f} = {per_event / reference:.2f}x  "
                              f"{verdict(per_event <= 1.5 * reference)}")
        for label, (a, b) in rows:
            print(f"{label:44}{a:{COL}}{b}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench/live.py: interrupted (the throwaway server, if any, was stopped)",
              file=sys.stderr)
        sys.exit(130)
