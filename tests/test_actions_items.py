"""Giving a milestone or a blocker another owner, and withdrawing a request with or without
a reason: the actions, their refusals (nothing written), their wording, the backfill
order, and the verbs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import last_event, person, refused

from warroom import actions
from warroom.actions.work import change_blocker_owner, reassign_milestone
from warroom.db import queries
from warroom.journal import describe


def test_reassign_a_milestone(store, incident, sam, clock):
    due = clock() + timedelta(minutes=30)
    number = actions.add_milestone(store, sam, incident, name="Rollback ready", owner="sam",
                                   due_at=due, clock=clock).ref
    done = reassign_milestone(store, sam, incident, number, owner="dana",
                              reason="sam is on the bridge", clock=clock)
    assert done.message == "milestone #1 'Rollback ready' now owned by dana (was sam)"
    event = last_event(store)
    assert event.kind == "milestone.reassigned"
    assert describe(event) == ("sam gave milestone #1 Rollback ready to dana (was sam): "
                               "sam is on the bridge")
    [m] = queries.incident_view(store, incident).milestones
    assert (m.owner, m.due_at) == ("dana", due)  # the due time stays


def test_reassign_refusals_write_nothing(store, incident, sam, clock):
    due = clock() + timedelta(minutes=30)
    number = actions.add_milestone(store, sam, incident, name="x", owner="sam", due_at=due,
                                   clock=clock).ref
    refused(store, lambda: reassign_milestone(store, sam, incident, number, owner=" ",
                                              clock=clock), "owner must not be empty")
    refused(store, lambda: reassign_milestone(store, sam, incident, number, owner="sam",
                                              clock=clock), "already owned by sam")
    refused(store, lambda: reassign_milestone(store, sam, incident, 9, owner="dana",
                                              clock=clock), "has no milestone #9")
    actions.complete_milestone(store, sam, incident, number, clock=clock)
    refused(store, lambda: reassign_milestone(store, sam, incident, number, owner="dana",
                                              clock=clock), "already done")


def test_change_a_blockers_owner(store, incident, sam, clock):
    number = actions.raise_blocker(store, sam, incident, what="DB access", waiting_on="DBA",
                                   owner="sam", clock=clock).ref
    change_blocker_owner(store, sam, incident, number, owner="pat", clock=clock)
    event = last_event(store)
    assert describe(event) == "sam gave blocker #1 DB access to pat to chase (was sam)"
    assert queries.incident_view(store, incident).blockers[0].owner == "pat"
    refused(store, lambda: change_blocker_owner(store, sam, incident, number, owner="pat",
                                                clock=clock), "already owned by pat")
    actions.clear_blocker(store, sam, incident, number, clock=clock)
    refused(store, lambda: change_blocker_owner(store, sam, incident, number, owner="dana",
                                                clock=clock), "already cleared")


def test_a_backfilled_change_of_owner_may_not_precede_a_later_change_to_the_item(
        store, incident, sam, clock):
    start = clock()
    clock.advance(minutes=10)
    number = actions.raise_blocker(store, sam, incident, what="DB access", waiting_on="DBA",
                                   owner="sam", clock=clock).ref
    clock.advance(minutes=10)
    actions.clear_blocker(store, sam, incident, number, clock=clock)
    from warroom.clock import FrozenClock

    refused(store, lambda: change_blocker_owner(
        store, sam, incident, number, owner="pat",
        clock=FrozenClock(start + timedelta(minutes=15))), "cannot record this as happening")


@pytest.mark.parametrize("reason", [None, "", "no longer needed"])
def test_withdraw_with_or_without_a_reason(store, staffed, sam, clock, reason):
    actions.request_approval(store, sam, staffed, change="Roll back", risk="low",
                             rationale="bad deploy", fallback="roll forward", clock=clock)
    actions.withdraw(store, sam, staffed, 1, reason=reason, clock=clock)
    event = last_event(store)
    assert event.kind == "approval.withdrawn"
    assert event.payload.get("reason") == (reason or None)
    assert describe(event).endswith(f": {reason}" if reason else "Roll back")


def test_the_verbs(tmp_path, capsys, monkeypatch):
    from warroom.cli import main

    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "cli.db"))
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--as", "sam"]) == 0
    assert main(["milestone", "add", "INC-1001", "Rollback ready", "--owner", "sam", "--due",
                 "+30m", "--as", "sam"]) == 0
    assert main(["milestone", "owner", "INC-1001", "1", "--owner", "dana", "--as", "sam"]) == 0
    assert main(["milestone", "owner", "INC-1001", "1", "--owner", "dana", "--as", "sam"]) == 2
    assert main(["block", "INC-1001", "DB access", "--waiting-on", "DBA", "--owner", "sam",
                 "--as", "sam"]) == 0
    assert main(["block-owner", "INC-1001", "1", "--owner", "pat", "--reason", "knows the DBA",
                 "--as", "sam"]) == 0
    out, err = capsys.readouterr()
    assert "now owned by dana (was comms)" in out  # #1: the playbook's first milestone
    assert "milestone #1 is already owned by dana" in err
    assert "blocker #1 now chased by pat (was sam)" in out
    assert main(["block-owner", "INC-1001", "1", "--owner", "pat", "--as", "sam"]) == 2
    assert "already owned by pat" in capsys.readouterr().err


def test_the_fold_follows_a_reassignment(store, clock):
    """The review holds a milestone's new owner to it, and a blocker's new chaser."""
    from warroom.reports import metrics

    key = actions.open_incident(store, person("sam"), title="t", customer="Acme",
                                severity="SEV2", clock=clock).key
    actions.add_milestone(store, person("sam"), key, name="Rollback ready", owner="sam",
                          due_at=clock() + timedelta(minutes=30), clock=clock)
    actions.raise_blocker(store, person("sam"), key, what="DB access", waiting_on="DBA",
                          owner="sam", clock=clock)
    actions.reassign_milestone(store, person("sam"), key, 1, owner="dana", clock=clock)
    actions.change_blocker_owner(store, person("sam"), key, 1, owner="pat", clock=clock)
    m = metrics.for_incident(store, key, clock())
    assert [ms.owner for ms in m.milestones if ms.name == "Rollback ready"] == ["dana"]
    assert [b.owner for b in m.blockers.values()] == ["pat"]
