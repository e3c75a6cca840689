"""What the screens look like: SVG snapshots at a fixed size and a frozen clock (UTC).

Regenerate with `pytest tests/test_snapshots.py --snapshot-update` only for a change you
meant, and look at the SVGs before committing them.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from app_helpers import act, app_for, open_incident, who
from conftest import START

from warroom import actions
from warroom.clock import FrozenClock
from warroom.screens.dashboard import ACTIONS

NOTE = dict(done="found bad deploy 412", remaining="roll back, confirm error rate",
            dependencies="release team", risks="cache warm-up spike")


@pytest.fixture
def clock():
    return FrozenClock(START)


def all_held(db, clock):
    open_incident(db, clock)
    clock.advance(minutes=12)
    act(db, actions.post_update, who("alex"), "INC-1001", audience="customer",
        known="20% of EU card payments fail at checkout", unknown="root cause",
        next_steps="rolling back deploy 412", next_update_at=clock() + timedelta(minutes=20),
        clock=clock)
    act(db, actions.add_milestone, who("sam"), "INC-1001", name="Rollback ready", owner="sam",
        due_at=clock() + timedelta(minutes=25), clock=clock)
    act(db, actions.raise_blocker, who("sam"), "INC-1001", what="Prod DB read access",
        waiting_on="DBA on-call", owner="sam", clock=clock)
    clock.advance(minutes=3)


def alarms(db, clock):
    """A vacant role, a dispute, an overdue milestone and an overdue customer update."""
    open_incident(db, clock, staff=False)
    act(db, actions.claim_role, who("sam"), "INC-1001", "lead", clock=clock)
    act(db, actions.claim_role, who("pat"), "INC-1001", "decider", clock=clock)
    clock.advance(minutes=4)
    act(db, actions.claim_role, who("dana"), "INC-1001", "lead",
        dispute="payments owns checkout", clock=clock)
    act(db, actions.add_milestone, who("sam"), "INC-1001", name="Acknowledge the customer",
        owner="sam", due_at=clock() + timedelta(minutes=10), clock=clock)
    clock.advance(minutes=38)


def approval(db, clock):
    all_held(db, clock)
    act(db, actions.request_approval, who("sam"), "INC-1001", change="Roll back deploy 412",
        risk="high", rationale="errors began 7 minutes after the deploy",
        fallback="roll forward with the flag off", clock=clock)
    act(db, actions.approve, who("alex"), "INC-1001", 1, clock=clock)
    act(db, actions.offer_handover, who("sam"), "INC-1001", "lead", to="dana", clock=clock,
        **NOTE)
    clock.advance(minutes=2)


def test_all_roles_held(snap_compare, tmp_path, clock):
    all_held(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=(120, 35))


def test_vacancy_dispute_and_overdue_alarms(snap_compare, tmp_path, clock):
    alarms(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=(120, 35))


def test_pending_approval_and_handover(snap_compare, tmp_path, clock):
    approval(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=(120, 35))


def test_picker(snap_compare, tmp_path, clock):
    db = tmp_path / "s.db"
    open_incident(db, clock)
    clock.advance(minutes=30)
    open_incident(db, clock, title="Invoices emailed twice", severity="SEV3", customer="Globex",
                  staff=False)
    clock.advance(minutes=5)
    assert snap_compare(app_for(db, clock), terminal_size=(120, 35))


def test_small_terminal(snap_compare, tmp_path, clock):
    alarms(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=(80, 24))


def test_wall(snap_compare, tmp_path, clock):
    alarms(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock, wall=True), terminal_size=(120, 35))


# Each form, opened by its key on a board where it has something to act on.
FORM_USER = {"settle": "pat", "accept": "dana", "decline": "dana", "approve": "pat",
             "reject": "pat"}
AFTER_RESOLVING = {"close", "reopen"}  # forms with something to act on once resolved


@pytest.mark.parametrize("key, form", [(a[0], a[1]) for a in ACTIONS])
def test_each_form(snap_compare, tmp_path, clock, key, form):
    db = tmp_path / "s.db"
    approval(db, clock)
    if form in AFTER_RESOLVING:
        act(db, actions.resolve, who("sam"), "INC-1001", summary="rolled back deploy 412",
            confirm=True, skip=True, open_items="carry", clock=clock)
    act(db, actions.claim_role, who("kim"), "INC-1001", "comms", dispute="on call",
        clock=clock)
    app = app_for(db, clock, name=FORM_USER.get(form, "sam"))
    if form == "settle":
        app = app_for(db, clock, name="pat")
    assert snap_compare(app, press=[key], terminal_size=(120, 35))


def test_a_form_with_an_error_beside_its_field(snap_compare, tmp_path, clock):
    """The error under the field it names, the focus moved there (its cursor shows)."""
    db = tmp_path / "s.db"
    all_held(db, clock)

    async def refuse(pilot):
        await pilot.press("b", *"Prod DB write access", "tab", "tab", "enter")

    assert snap_compare(app_for(db, clock, name="sam"), run_before=refuse,
                        terminal_size=(120, 35))


def test_wall_with_three_incidents(snap_compare, tmp_path, clock):
    """One card each; the incident with a vacancy and a dispute stands out."""
    db = tmp_path / "s.db"
    all_held(db, clock)
    open_incident(db, clock, title="Invoices emailed twice to every customer in the "
                  "enterprise tier since the billing run", severity="SEV3",
                  customer="Globex", staff=False)
    act(db, actions.claim_role, who("kim"), "INC-1002", "lead", clock=clock)
    act(db, actions.claim_role, who("lee"), "INC-1002", "lead", dispute="billing is mine",
        clock=clock)
    clock.advance(minutes=7)
    open_incident(db, clock, title="Search results slow", severity="SEV2",
                  customer="Initech")
    clock.advance(minutes=2)
    assert snap_compare(app_for(db, clock, wall=True), terminal_size=(120, 35))


def test_across_a_dst_change_in_berlin(snap_compare, tmp_path, monkeypatch):
    """Opened Saturday 24 Oct 2026 10:00 CEST, seen Monday 26 Oct 10:00 CET (summer time
    ended on Sunday 25 Oct at 03:00 CEST): the header says "times CET"; times on other days
    carry their date, and those before the change say CEST."""
    monkeypatch.setenv("TZ", "Europe/Berlin")  # put back by conftest's utc_local_time
    time.tzset()
    clock = FrozenClock(datetime(2026, 10, 24, 8, 0, tzinfo=timezone.utc))  # 10:00 CEST
    db = tmp_path / "s.db"
    open_incident(db, clock, severity="SEV3")
    clock.advance(hours=15, minutes=30)  # Sun 25 Oct 01:30 CEST
    act(db, actions.post_update, who("alex"), "INC-1001", audience="customer",
        known="card payments fail at checkout", unknown="root cause",
        next_steps="rolling back deploy 412", next_update_at=clock() + timedelta(hours=31),
        agreed=True, clock=clock)
    clock.advance(hours=2)  # Sun 25 Oct 02:30 CET: after the change
    act(db, actions.add_milestone, who("sam"), "INC-1001", name="RCA to customer",
        owner="sam", due_at=clock() + timedelta(days=3), clock=clock)
    clock.advance(hours=31, minutes=30)  # Mon 26 Oct 10:00 CET
    act(db, actions.add_note, who("pat"), "INC-1001", text="vendor fix confirmed",
        clock=clock)
    assert snap_compare(app_for(db, clock), terminal_size=(120, 35))


# A busy room at every size: twelve milestones, six blockers, a decided and a pending
# approval, a playbook role beyond the trio (tests/busy_incident.py).
@pytest.mark.parametrize("size", [(80, 24), (120, 35), (200, 60)])
def test_busy_room_at_every_size(snap_compare, tmp_path, clock, size):
    from busy_incident import busy

    busy(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), terminal_size=size)


def test_a_timeline_entry_opened_in_full(snap_compare, tmp_path, clock):
    """6, then f (customer updates), then Enter: the message exactly as it went out."""
    from busy_incident import busy

    busy(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), press=["6", "f", "enter"],
                        terminal_size=(120, 35))


def test_the_approvals_pane_in_full(snap_compare, tmp_path, clock):
    """5, then Enter: every request, decided ones too, with rationale and votes."""
    from busy_incident import busy

    busy(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock), press=["5", "enter"],
                        terminal_size=(120, 35))


def test_high_contrast_at_80x24(snap_compare, tmp_path, clock):
    alarms(tmp_path / "s.db", clock)
    assert snap_compare(app_for(tmp_path / "s.db", clock, theme="warroom-high-contrast"),
                        terminal_size=(80, 24))
