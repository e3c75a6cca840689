"""Fault injection: writers killed with SIGKILL at random points of their writes (a bounded,
seeded loop). Whatever moment the kill lands on, the file stays a consistent warroom
database: SQLite's integrity check passes, the journal's hash chain is whole, the stored
state agrees with the journal, and every event a writer saw committed is there.

The other classes of fault (a full disk, a read-only file or folder, foreign and newer
files, bad input) are in tests/test_failures.py and tests/test_store.py."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from warroom import actions
from warroom.db import chain
from warroom.db.store import Store
from warroom.reports import agreement

from conftest import START, person

WORKER = Path(__file__).with_name("fault_worker.py")
KILLS = int(os.environ.get("WARROOM_FAULT_KILLS", "12"))  # more by hand: the closing note


def test_writers_killed_mid_write_leave_a_consistent_journal(tmp_path):
    db = tmp_path / "faults.db"
    with Store(db, create=True) as store:
        actions.open_incident(store, person("sam"), title="Checkout failing", customer="Acme",
                              severity="SEV2")
    rng = random.Random(20261203)
    acknowledged: list[int] = []
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent))
    for kill in range(KILLS):
        worker = subprocess.Popen([sys.executable, str(WORKER), str(db), f"writer{kill}"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env)
        first = worker.stdout.readline()  # writing has begun
        assert first.strip().isdigit(), worker.stderr.read()
        time.sleep(rng.uniform(0.0, 0.15))
        worker.send_signal(signal.SIGKILL)
        out, _err = worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        acknowledged += [int(first)] + [int(line) for line in out.split()]
    with Store(db) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, broken = chain.check(store.conn)
        assert broken is None, broken
        assert agreement.differences(store, START) == []
        ids = {r[0] for r in store.conn.execute("SELECT id FROM events")}
    assert set(acknowledged) <= ids, "an event a writer saw committed was lost"
    assert count == len(ids) > KILLS  # the kills landed among many writes
    print(f"{KILLS} kills: {count} events, chain whole, state agrees, "
          f"{len(set(acknowledged))} acknowledged, 0 lost")
