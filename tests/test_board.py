"""What the panes say, as plain words: the header's alarm count."""

from __future__ import annotations

from datetime import timedelta

from warroom import actions, board, views
from conftest import person


def header(store, clock) -> str:
    return "".join(c.text for c in board.header_line(views.incident_view(store, "INC-1001"),
                                                      clock()))


def test_the_header_counts_what_needs_someone_now(store, clock):
    sam, dana = person("sam"), person("dana")
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    assert header(store, clock).endswith(" 3 ALARMS ")  # three vacant roles
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        actions.claim_role(store, person(name), "INC-1001", role, clock=clock)
    assert "ALARM" not in header(store, clock)
    actions.claim_role(store, dana, "INC-1001", "lead", clock=clock)  # a dispute
    assert header(store, clock).endswith(" 1 ALARM ")
    actions.add_milestone(store, sam, "INC-1001", name="Rollback ready", owner="sam",
                          due_at=clock() + timedelta(minutes=10), clock=clock)
    clock.advance(minutes=11)  # the milestone is late
    assert header(store, clock).endswith(" 2 ALARMS ")
    clock.advance(minutes=5)  # and the internal update (every 15m)
    assert header(store, clock).endswith(" 3 ALARMS ")
    clock.advance(minutes=15)  # and the customer update (30m)
    assert header(store, clock).endswith(" 4 ALARMS ")
