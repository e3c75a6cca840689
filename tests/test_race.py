"""Eight processes claim the same vacant role on 200 incidents at once: on each, one wins and
every other claim is refused naming the winner, never turned into a dispute."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from warroom import actions
from warroom.db import queries
from warroom.db.store import open_store
from warroom.records import Actor

WORKER = Path(__file__).with_name("race_worker.py")
PROCESSES, INCIDENTS = 8, 200


def test_exactly_one_holder_per_incident_and_nothing_lost(db_target):
    db = db_target
    with open_store(db, create=True) as store:
        for i in range(INCIDENTS):
            actions.open_incident(store, Actor(os_user="setup"), title=f"incident {i}",
                                  customer="Acme", severity="SEV2")
    racers = [subprocess.Popen([sys.executable, str(WORKER), str(db), f"racer{n}",
                                str(INCIDENTS)], stdout=subprocess.PIPE, text=True)
              for n in range(PROCESSES)]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in racers]
    assert all(p.returncode == 0 for p in racers)
    assert [r["other"] for r in results] == [[]] * PROCESSES  # no "database is locked"
    won = [e for r in results for e in r["won"]]
    assert len(won) == INCIDENTS
    lost = [c for r in results for c in r["conflicts"]]
    assert len(lost) == (PROCESSES - 1) * INCIDENTS
    with open_store(db) as store:
        views = [queries.incident_view(store, str(1001 + i)) for i in range(INCIDENTS)]
        events = queries.events_after(store, 0)
    holders = {v.incident.key: v.role("lead").holder for v in views}
    assert all(h and h.startswith("racer") for h in holders.values())
    for number, message in lost:  # each loser is told who won, and how to dispute it
        key = f"INC-{number}"
        assert message.startswith(f"lead on {key} is held by {holders[key]} since "), message
        assert message.endswith(f"to dispute it: warroom claim {key} lead --dispute REASON")
    assert all(v.disputes == [] for v in views)
    assert not any(e.kind == "role.disputed" for e in events)
    claims = [e for e in events if e.kind == "role.claimed"]
    assert sorted(e.id for e in claims) == sorted(won)  # every acknowledged claim is there
    assert len({e.incident_id for e in claims}) == INCIDENTS
