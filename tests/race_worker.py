"""One contender in the race test: a plain claim of ``lead`` on every incident.

Prints one JSON line: the event ids it won, the Conflicts it got as (incident number,
message), and any other error.
"""

import json
import sys

from warroom import actions
from warroom.db.store import open_store
from warroom.errors import Conflict
from warroom.records import Actor

db, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
won, conflicts, other = [], [], []
with open_store(db) as store:
    for number in range(1001, 1001 + count):
        try:
            done = actions.claim_role(store, Actor(os_user="racer", display=name), str(number),
                                      "lead")
            won.append(done.event_id)
        except Conflict as exc:
            conflicts.append((number, str(exc)))
        except Exception as exc:  # anything else reaching a user is a failure of the test
            other.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"won": won, "conflicts": conflicts, "other": other}))
