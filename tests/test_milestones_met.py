"""Milestones met by what happens (a playbook's ``met_by``), and a demo that ends resolved
with nothing alarming."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import START

from warroom import actions
from warroom.clock import FrozenClock
from warroom.db import queries
from warroom.db.store import Store
from warroom.drills import scenarios
from warroom.drills.player import Player
from warroom.journal import line
from warroom.render import board
from warroom.rules import triggers
from warroom.rules.policy import DEFAULT_POLICY

TRIGGERED = {"Acknowledge": "customer-update", "Brief": "internal-update",
             "Mitigated": "stage:monitoring", "Rollback approved": "approval-granted:rollback",
             "Owned": "trio-held"}


def opened(store, sam, clock):
    policy = DEFAULT_POLICY.model_copy(update={"milestone_triggers": TRIGGERED,
                                               "kinds": {"rollback": DEFAULT_POLICY.approvals}})
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV2", policy=policy, clock=clock,
                          milestones=[(name, "sam", timedelta(minutes=30))
                                      for name in [*TRIGGERED, "By hand"]])


def done(store) -> dict[str, str]:
    view = queries.incident_view(store, "INC-1001")
    return {m.name: m.done_by for m in view.milestones if m.done_at}


def test_each_trigger_completes_its_milestone_and_says_what_met_it(store, clock, sam, alex,
                                                                   pat):
    opened(store, sam, clock)
    actions.claim_role(store, sam, "INC-1001", "lead", clock=clock)
    actions.claim_role(store, alex, "INC-1001", "comms", clock=clock)
    assert done(store) == {}
    actions.claim_role(store, pat, "INC-1001", "decider", clock=clock)
    assert done(store) == {"Owned": "pat"}
    actions.post_update(store, sam, "INC-1001", audience="internal", known="k", unknown="u",
                        next_steps="n", clock=clock)
    actions.post_update(store, alex, "INC-1001", audience="customer", known="k", unknown="u",
                        next_steps="n", next_update_at=clock() + timedelta(minutes=30),
                        clock=clock)
    request = actions.request_approval(store, sam, "INC-1001", change="Roll back",
                                       kind="rollback", risk="low", rationale="bad deploy",
                                       fallback="roll forward", clock=clock)
    actions.approve(store, pat, "INC-1001", request.ref, clock=clock)
    # a stage passed over is not reached: "Mitigated" waits for monitoring itself
    actions.advance_stage(store, sam, "INC-1001", to="mitigating", confirm=True, skip=True,
                          clock=clock)
    assert "Mitigated" not in done(store)
    actions.advance_stage(store, sam, "INC-1001", to="monitoring", confirm=True, clock=clock)
    assert done(store) == {"Owned": "pat", "Brief": "sam", "Acknowledge": "alex",
                           "Rollback approved": "pat", "Mitigated": "sam"}
    words = [line(e) for e in queries.events_after(store, 0, "INC-1001")]
    assert "14:00 alex completed milestone #1 Acknowledge (met by a customer update)" in words
    assert ("14:00 sam completed milestone #3 Mitigated (met by the incident reaching "
            "monitoring)") in words


def test_a_playbook_names_only_known_triggers():
    assert triggers.check("stage:mitigating") == "stage:mitigating"
    for bad in ("stage:done", "customer_update", "approval-granted:"):
        with pytest.raises(ValueError, match="unknown trigger"):
            triggers.check(bad)


def test_the_shipped_playbooks_meet_acknowledge_the_customer_by_the_first_update():
    from warroom.rules import playbooks

    catalog = playbooks.load()
    for pb in catalog.playbooks.values():
        policy = pb.policy(catalog.templates)
        if any(m.name == "Acknowledge the customer" for m in pb.milestones):
            assert policy.milestone_triggers["Acknowledge the customer"] == "customer-update"


@pytest.mark.parametrize("speed", [1, 10, 60])
def test_the_demo_ends_resolved_with_nothing_alarming(tmp_path, speed):
    clock = FrozenClock(START)
    with Store(tmp_path / "demo.db", create=True) as store:
        player = Player(store, scenarios.load("two-leads"), os_user="demo", clock=clock,
                        speed=speed, demo=True)
        key = player.start()
        while not player.finished:
            clock.now = max(clock.now, player.next_due())
            player.step()
        assert all(o.ok for o in player.outcomes), [o.message for o in player.outcomes]
        for later in (timedelta(0), timedelta(days=3)):  # and it stays so
            view = queries.incident_view(store, key)
            now = clock() + later
            assert view.incident.stage.value == "resolved"
            assert board.alarm_count(view, now) == 0
            lines = [board.header_line(view, now)]
            for pane in (board.role_lines, board.cadence_lines, board.milestone_lines,
                         board.blocker_lines, board.approval_lines):
                lines += pane(view, now)
            assert [c.text for line_ in lines for c in line_ if c.tone == "alarm"] == [
                "SEV1"]  # the severity keeps its colour; nothing else alarms


def test_an_incident_opened_with_the_trio_held_meets_trio_held(store, sam, clock):
    policy = DEFAULT_POLICY.model_copy(update={"milestone_triggers": {"Owned": "trio-held"}})
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV2", policy=policy, clock=clock,
                          assign={"lead": "sam", "comms": "alex", "decider": "pat"},
                          milestones=[("Owned", "sam", timedelta(minutes=15))])
    assert done(store) == {"Owned": "sam"}


def test_a_playbook_milestone_met_by_an_approval_kind_it_has_no_rules_for_is_refused():
    from warroom.rules import playbooks
    from warroom.rules.tomlfiles import Invalid

    shipped = (playbooks.bundled.shipped("playbooks") / "customer-outage.toml").read_text()
    broken = shipped.replace('met_by = "stage:monitoring"', 'met_by = "approval-granted:rolback"')
    assert broken != shipped
    with pytest.raises(Invalid, match="no approval rules for 'rolback'"):
        playbooks.parse(broken, "outage.toml", playbooks.load().templates)
