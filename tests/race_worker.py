"""One contender in the race test: claim ``lead`` on every incident, expecting it vacant.

Prints one JSON line: the event ids it won, how many Conflicts it got, and any other error.
"""

import json
import sys

from warroom import actions
from warroom.db.store import Store
from warroom.errors import Conflict
from warroom.records import Actor

db, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
won, conflicts, other = [], 0, []
with Store(db) as store:
    for number in range(1001, 1001 + count):
        try:
            done = actions.claim_role(store, Actor(os_user="racer", display=name), str(number),
                                      "lead", expect_holder=actions.VACANT)
            won.append(done.event_id)
        except Conflict:
            conflicts += 1
        except Exception as exc:  # anything else reaching a user is a failure of the test
            other.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"won": won, "conflicts": conflicts, "other": other}))
