"""A backfilled event takes its place in time only where it changes nothing that happened
after it: the stored state it leaves is the one the same events typed in order leave, and an
event that would precede a later change to the same role, item, audience or stage is refused,
naming that change, with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import START, person, refused, snapshot

from warroom import actions
from warroom.clock import FrozenClock
from warroom.db.store import Store
from warroom.reports import metrics

sam, dana, alex, pat = (person(n) for n in ("sam", "dana", "alex", "pat"))


def at(minutes: int) -> FrozenClock:
    return FrozenClock(START + timedelta(minutes=minutes))


def _open(store: Store) -> str:
    return actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                 severity="SEV1", clock=at(0)).key


def _state(store: Store) -> dict:
    """Every table but the journal's ids; the journal as (when, kind, who, payload)."""
    tables = snapshot(store)
    events = sorted((r[2], r[5], r[4], r[6]) for r in store.conn.execute(
        "SELECT id, incident_id, at, os_user, display_name, kind, payload FROM events"))
    tables.pop("events")
    return {**tables, "events": events}


def test_a_claim_backfilled_before_a_dispute_leaves_the_state_typed_in_order(tmp_path):
    now = START + timedelta(hours=1)
    with Store(tmp_path / "typed.db", create=True) as typed:
        key = _open(typed)
        actions.claim_role(typed, sam, key, "lead", clock=at(10))
        actions.claim_role(typed, alex, key, "comms", clock=at(20))
        actions.claim_role(typed, pat, key, "decider", clock=at(25))
        actions.claim_role(typed, dana, key, "lead", dispute="I have the context",
                           clock=at(30))
        in_order, typed_figures = _state(typed), metrics.for_incident(typed, key, now)
    with Store(tmp_path / "late.db", create=True) as late:
        key = _open(late)
        actions.claim_role(late, sam, key, "lead", clock=at(10))
        actions.claim_role(late, dana, key, "lead", dispute="I have the context",
                           clock=at(30))
        # remembered afterwards: alex took comms at 14:20 and pat decider at 14:25
        actions.claim_role(late, alex, key, "comms", clock=at(20))
        actions.claim_role(late, pat, key, "decider", clock=at(25))
        backfilled, late_figures = _state(late), metrics.for_incident(late, key, now)
    assert backfilled == in_order
    assert late_figures.time_to_ownership == typed_figures.time_to_ownership == 25 * 60
    assert ([(d.claimant, d.holder, d.opened) for d in late_figures.disputes.values()]
            == [(d.claimant, d.holder, d.opened) for d in typed_figures.disputes.values()]
            == [("dana", "sam", (START + timedelta(minutes=30)).timestamp())])


def test_a_claim_before_a_later_change_to_that_role_is_refused(store):
    key = _open(store)
    actions.claim_role(store, dana, key, "lead", clock=at(30))
    refused(store, lambda: actions.claim_role(store, sam, key, "lead", clock=at(10)),
            "INC-1001: cannot record this as happening at 2026-11-24 14:10: after that, at "
            "2026-11-24 14:30, dana took lead")
    # after the role's last change it goes in: a dispute of dana's lead at 14:35
    actions.claim_role(store, sam, key, "lead", dispute="I was on it first", clock=at(35))


def test_a_decider_backfilled_before_a_settlement_kept_by_its_holder_is_refused(store):
    key = _open(store)
    actions.claim_role(store, sam, key, "lead", clock=at(5))
    actions.claim_role(store, dana, key, "lead", dispute="mine", clock=at(10))
    actions.settle_dispute(store, sam, key, "lead", winner="sam", reason="no decider here",
                           clock=at(20))
    # had pat held decider since 14:15, sam could not have kept lead over the dispute
    refused(store, lambda: actions.claim_role(store, pat, key, "decider", clock=at(15)),
            "after that, at 2026-11-24 14:20, sam KEPT lead")
    actions.claim_role(store, pat, key, "decider", clock=at(21))


def test_an_item_cannot_change_before_it_existed(store):
    key = _open(store)
    number = actions.raise_blocker(store, sam, key, what="DB access", waiting_on="DBA",
                                   owner="sam", clock=at(20)).ref
    assert number is not None
    refused(store, lambda: actions.clear_blocker(store, sam, key, 1, clock=at(10)),
            "at 2026-11-24 14:20, sam raised blocker #1 DB access")
    actions.clear_blocker(store, sam, key, 1, clock=at(25))


def test_updates_keep_their_order_per_audience(store, clock):
    key = _open(store)
    actions.claim_role(store, sam, key, "lead", clock=at(1))
    actions.claim_role(store, alex, key, "comms", clock=at(2))
    body = dict(known="EU checkout fails", unknown="the cause", next_steps="roll back")
    customer = dict(body, audience="customer", next_update_at=START + timedelta(minutes=35))
    actions.post_update(store, alex, key, clock=at(20), **customer)
    # a customer update before the one at 14:20 would change what that one was judged by
    refused(store, lambda: actions.post_update(store, alex, key, clock=at(10), **customer),
            "after that, at 2026-11-24 14:20, alex posted")
    # an internal one, and a note, take their place before it
    actions.post_update(store, sam, key, audience="internal", clock=at(10), **body)
    actions.add_note(store, sam, key, text="paged the DBA", clock=at(5))
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM events ORDER BY at, id")]
    assert kinds[-3:] == ["note.posted", "update.posted", "update.posted"]


@pytest.mark.parametrize("later", ["stage", "severity"])
def test_updates_cannot_precede_a_later_stage_or_severity_change(store, later):
    key = _open(store)
    actions.claim_role(store, sam, key, "lead", clock=at(1))
    if later == "stage":
        actions.advance_stage(store, sam, key, to="investigating", confirm=True, clock=at(20))
        refused(store, lambda: actions.advance_stage(store, sam, key, to="mitigating",
                                                     confirm=True, clock=at(10)),
                "at 2026-11-24 14:20, sam moved the incident from triage to investigating")
    else:
        actions.change_severity(store, sam, key, severity="SEV2", reason="contained", clock=at(20))
        refused(store, lambda: actions.post_update(
            store, sam, key, audience="internal", known="k", unknown="u", next_steps="n",
            clock=at(10)), "at 2026-11-24 14:20, sam")


@pytest.mark.anyio
async def test_every_form_backfills_through_its_when_line(tmp_path, clock):
    from app_helpers import app_for, count, fill, form_error, open_incident, until

    from warroom.db import queries
    from warroom.screens.dashboard import DashboardScreen

    db = tmp_path / "f.db"
    clock.advance(minutes=30)
    key = open_incident(db, FrozenClock(START), staff=False)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n")
        before = count(db)
        await fill(pilot, text="paged the DBA", when="in an hour")
        assert "cannot read 'in an hour' as a past time" in form_error(app)
        await fill(pilot, when="13:00")  # before the opening at 14:00
        assert "INC-1001 opened at 2026-11-24 14:00" in form_error(app)
        assert count(db) == before
        await fill(pilot, when="-20m")
        assert isinstance(app.screen, DashboardScreen)
        assert await until(pilot, lambda: any(
            "recorded as happening 2026-11-24 14:10" in n.message
            for n in app._notifications))
        await pilot.press("c")  # the claim form has the same line
        await fill(pilot, role="lead", when="14:05")
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        events = queries.events_after(store, 0, key)
        assert [(e.kind, e.at) for e in events[-2:]] == [
            ("note.posted", START + timedelta(minutes=10)),
            ("role.claimed", START + timedelta(minutes=5))]
        assert queries.incident_view(store, key).role("lead").since == START + timedelta(
            minutes=5)


def test_an_update_may_precede_a_later_change_of_a_role_that_does_not_decide_it(store):
    """A customer update is decided by comms (and its stand-in): the decider taking office
    later does not stop it being recorded in its place; comms changing hands later does."""
    key = _open(store)
    actions.claim_role(store, alex, key, "comms", clock=at(1))
    actions.claim_role(store, pat, key, "decider", clock=at(30))
    body = dict(known="k", unknown="u", next_steps="n",
                next_update_at=START + timedelta(minutes=40))
    actions.post_update(store, alex, key, audience="customer", clock=at(20), **body)
    actions.release_role(store, alex, key, "comms", clock=at(35))
    refused(store, lambda: actions.post_update(store, alex, key, audience="customer",
                                               clock=at(25), **body),
            "at 2026-11-24 14:35, alex released comms")
