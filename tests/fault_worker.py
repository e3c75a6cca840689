"""A writer to be killed: raises and clears blockers, posts notes and moves roles on one
incident as fast as it can, printing the id of each event as soon as its transaction has
committed (a line the test reads after the kill: what was acknowledged must be there)."""

import sys

from warroom import actions
from warroom.db.store import Store
from warroom.errors import WarroomError
from warroom.records import Actor

db, name = sys.argv[1], sys.argv[2]
me = Actor(os_user="writer", display=name)
with Store(db) as store:
    n = 0
    while True:
        n += 1
        if n % 4 == 0:
            done = actions.raise_blocker(store, me, "INC-1001", what=f"blocker {n}",
                                         waiting_on="vendor", owner=name)
            print(done.event_id, flush=True)
            done = actions.clear_blocker(store, me, "INC-1001", done.ref)
        elif n % 4 == 1:
            try:  # a writer killed between these two left lead held: take it over
                done = actions.claim_role(store, me, "INC-1001", "lead")
            except WarroomError:
                done = actions.release_role(store, Actor(os_user="writer", display=store.row(
                    "roles", incident_id=1, role="lead")["holder"]), "INC-1001", "lead")
                print(done.event_id, flush=True)
                continue
            print(done.event_id, flush=True)
            done = actions.release_role(store, me, "INC-1001", "lead")
        else:
            done = actions.add_note(store, me, "INC-1001", text=f"note {n} " + "x" * (n % 300))
        print(done.event_id, flush=True)
