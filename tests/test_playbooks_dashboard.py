"""A playbook on the dashboard: its extra roles, milestones, cadence and approval rule.

Snapshots at 120x35 and 80x24 (regenerate with --snapshot-update only for a change you
meant, and look at the SVGs before committing them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_helpers import act, app_for, who
from conftest import START

from warroom import actions
from warroom.clock import FrozenClock
from warroom.db.store import Store
from warroom.records import Severity
from warroom.rules import matching, playbooks
from warroom.widgets.pane import LinesPane


@pytest.fixture
def clock():
    return FrozenClock(START)


def security_incident(db, clock):
    """A SEV1 security incident: three roles held, legal and scribe vacant, a statement
    waiting for the decider and legal."""
    chosen = matching.plan(playbooks.load(), title="Credential leak in public repo",
                           severity=Severity.SEV1)
    with Store(db, create=True) as store:
        actions.open_incident(store, who("sam"), title="Credential leak in public repo",
                              customer="Acme", severity="SEV1", policy=chosen.policy,
                              playbook=chosen.playbook, why=chosen.why, assign=chosen.assign,
                              milestones=chosen.milestones, clock=clock)
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        act(db, actions.claim_role, who(name), "INC-1001", role, clock=clock)
    clock.advance(minutes=40)
    act(db, actions.request_approval, who("alex"), "INC-1001", change="Holding statement v1",
        kind="customer-statement", risk="medium", rationale="first customer message",
        template="security-holding", clock=clock)
    clock.advance(minutes=5)


def test_extra_roles_milestones_and_cadence(snap_compare, tmp_path, clock):
    security_incident(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=(120, 35))


def test_extra_roles_at_80x24(snap_compare, tmp_path, clock):
    security_incident(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=(80, 24))


@pytest.mark.anyio
async def test_the_panes_say_it_in_words(tmp_path, clock):
    security_incident(tmp_path / "s.db", clock)
    app = app_for(tmp_path / "s.db", clock)
    async with app.run_test(size=(120, 35)):
        panes = {p.id: p.plain for p in app.screen.query(LinesPane)}
    assert "Legal counsel        VACANT 45m  call legal on call" in panes["roles"]
    assert "Scribe               VACANT 45m" in panes["roles"]
    assert "#1 OVERDUE by 15m  14:30 Scribe  Evidence preserved" in panes["milestones"]
    assert "rule customer-statement/medium of security-incident" in panes["approvals"]
    assert "may approve: pat (Decision-maker), Legal counsel (vacant)" in panes["approvals"]
    assert START + timedelta(minutes=60) > clock()  # the customer update is not yet due


@pytest.mark.anyio
async def test_the_request_form_offers_the_kinds_the_policy_knows(tmp_path, clock):
    security_incident(tmp_path / "s.db", clock)
    app = app_for(tmp_path / "s.db", clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("r")
        kind = next(f for f in app.screen.fields if f.name == "kind")
        offered = [value for _, value in kind.choices]
        await pilot.press("escape")
    assert offered == ["change", "customer-statement", "containment"]
    for each in offered:  # and the action takes every one of them (a statement, its text)
        draft = {"template": "security-holding"} if each == "customer-statement" else {}
        act(tmp_path / "s.db", actions.request_approval, who("sam"), "INC-1001",
            change=f"a {each}", kind=each, risk="low", rationale="r", fallback="f",
            clock=clock, **draft)


def test_a_playbook_names_its_roles_for_people(tmp_path, monkeypatch, capsys):
    """billing-error's billing_ops is "Billing operations" (its title) in the journal's
    wording, in log and the review (show lists role ids: what the verbs take)."""
    from warroom.cli import main

    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "t.db"))
    assert main(["open", "Invoices charged twice", "--customer", "Acme", "--severity",
                 "SEV2", "--playbook", "billing-error", "--as", "sam"]) == 0
    assert main(["claim", "INC-1001", "billing_ops", "--as", "kim"]) == 0
    capsys.readouterr()
    for argv in (["log", "INC-1001"], ["review", "INC-1001"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "Billing operations" in out, argv
        if argv[0] == "log":
            assert "kim took Billing operations (was vacant)" in out
