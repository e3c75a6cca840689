"""Whether the stored state agrees with the journal (``warroom verify``).

The state tables (who holds each role, the stage, which blockers are cleared and which
milestones done) are written by the same transaction as the journal event that says so. A
table edited with another tool no longer matches what the journal says happened; this folds
the journal and names every difference. The derived figures kept for the snapshot
(:mod:`warroom.reports.derived`) are checked against the same fold.
"""

from __future__ import annotations

from datetime import datetime

from warroom.reports import derived, metrics


def differences(store, now: datetime) -> list[str]:
    """One line per stored fact the journal does not support, in incident order."""
    with metrics.paused_gc(), store.read():
        folded = metrics.fold(store.journal_stream(), now)
        out: list[str] = []
        keys: dict[int, str] = {}
        for incident in store.incidents():
            keys[incident["id"]] = incident["key"]
            m = folded.get(incident["id"])
            key = incident["key"]
            if m is None:
                out.append(f"{key}: stored, but the journal never opened it")
                continue
            if m.stage and incident["stage"] != m.stage:
                out.append(f"{key}: stage is {incident['stage']}, the journal says {m.stage}")
            for role in store.rows("roles", order="rowid", incident_id=incident["id"]):
                tenures = m.tenures.get(role["role"])
                said = tenures[-1].holder if tenures else None
                if tenures and role["holder"] != said:
                    out.append(f"{key}: {role['role']} is held by "
                               f"{role['holder'] or 'nobody'}, the journal says "
                               f"{said or 'vacant'}")
            for row in store.rows("blockers", incident_id=incident["id"]):
                b = m.blockers.get(row["id"])
                if b is None:
                    out.append(f"{key}: blocker #{row['number']} is not in the journal")
                elif (row["cleared_at"] is None) != (b.cleared is None):
                    state = "open" if row["cleared_at"] is None else "cleared"
                    out.append(f"{key}: blocker #{row['number']} is {state}, the journal "
                               "says otherwise")
            done = {rec.id: rec.done for rec in m.milestones if rec.id is not None}
            for row in store.rows("milestones", incident_id=incident["id"]):
                if row["id"] in done and (row["done_at"] is None) != (done[row["id"]] is None):
                    state = "open" if row["done_at"] is None else "done"
                    out.append(f"{key}: milestone #{row['number']} is {state}, the journal "
                               "says otherwise")
        out += derived.differences(store, folded, keys)
    return out
