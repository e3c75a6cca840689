"""Resolving as real escalations do: what is still open is closed or carried, the customer
hears a final update (or a reason is journaled), and a resolved incident can be reopened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from app_helpers import app_for, fill, form_error, pane
from conftest import journal_count, last_event, refused, snapshot

from warroom import actions
from warroom.cli import main
from warroom.db import queries
from warroom.db.store import Store
from warroom.journal import line
from warroom.reports import metrics
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal

UPDATE = {"known": "rolled back", "unknown": "nothing material",
          "next_steps": "root cause review"}


def customer_update(store, alex, key, clock):
    actions.post_update(store, alex, key, audience="customer", **UPDATE,
                        next_update_at=clock() + timedelta(minutes=30), clock=clock)


def busy(store, staffed, sam, alex, dana, clock) -> str:
    """The staffed incident with one of everything open: blocker #1, milestone #1, approval
    #1, a handover of lead offered to dana, and dana's dispute over comms."""
    key = staffed
    actions.raise_blocker(store, sam, key, what="Prod DB access", waiting_on="DBA",
                          owner="sam", clock=clock)
    actions.add_milestone(store, sam, key, name="RCA to customer", owner="alex",
                          due_at=clock() + timedelta(days=5), clock=clock)
    actions.request_approval(store, sam, key, change="Flush the cache", risk="low",
                             rationale="stale prices", fallback="none", clock=clock)
    actions.offer_handover(store, sam, key, "lead", to="dana", done="rolled back",
                           remaining="watch", dependencies="none", risks="none", clock=clock)
    actions.claim_role(store, dana, key, "comms", dispute="payments owns comms", clock=clock)
    return key


OPEN = ("1 blocker (#1), 1 milestone (#1), 1 approval (#1), 1 handover (lead), "
        "1 dispute (comms)")


def test_open_items_refuse_the_resolution_naming_them_and_both_options(
        store, staffed, sam, alex, dana, clock):
    key = busy(store, staffed, sam, alex, dana, clock)
    customer_update(store, alex, key, clock)
    refused(store, lambda: actions.resolve(store, sam, key, summary="fixed", confirm=True,
                                           skip=True, clock=clock),
            f"{key} still has open: {OPEN.replace('(', '.').replace(')', '.')}; close them "
            r"\(--close-open\) or carry them into the review as open \(--carry\)")
    # moving the stage to resolved is no way round it: resolving has its own verb and form
    refused(store, lambda: actions.advance_stage(store, sam, key, to="resolved", confirm=True,
                                                 skip=True, clock=clock),
            "resolving needs a summary and says what becomes of what is still open: "
            f"warroom resolve {key} --summary TEXT")
    refused(store, lambda: actions.resolve(store, sam, key, summary="fixed", confirm=True,
                                           skip=True, open_items="forget", clock=clock),
            "close or carry")


def test_close_open_closes_each_item_with_its_own_event(store, staffed, sam, alex, dana, clock):
    key = busy(store, staffed, sam, alex, dana, clock)
    customer_update(store, alex, key, clock)
    before = journal_count(store)
    actions.resolve(store, sam, key, summary="fixed", confirm=True, skip=True,
                    open_items="close", clock=clock)
    events = queries.events_after(store, 0)[before:]
    assert [e.kind for e in events] == [
        "blocker.cleared", "approval.withdrawn", "handover.declined", "dispute.settled",
        "incident.resolved"]
    assert [line(e)[6:] for e in events[:4]] == [
        "sam cleared blocker #1 Prod DB access",
        "sam withdrew approval request #1 Flush the cache: closed at resolution",
        "sam withdrew the offer of lead to dana: closed at resolution",
        # closed, not decided: nobody wins a dispute at resolution
        "sam closed the dispute over comms unsettled at resolution (dana vs alex): closed at "
        "resolution"]
    assert line(events[-1]).endswith(
        "; closed: blocker #1, approval #1, handover lead, dispute comms; left not met: "
        "milestone #1")
    assert events[3].payload["winner"] is None
    view = queries.incident_view(store, key)
    assert (view.blockers, view.handovers, view.disputes) == ([], [], [])
    assert view.approvals[0].status.value == "withdrawn"
    assert view.role("lead").holder == "sam" and view.role("comms").holder == "alex"
    assert view.milestones[-1].done_at is None  # a milestone has no closed state: not met


def test_carry_leaves_them_open_and_lists_them(store, staffed, sam, alex, dana, clock):
    key = busy(store, staffed, sam, alex, dana, clock)
    customer_update(store, alex, key, clock)
    before = journal_count(store)
    actions.resolve(store, sam, key, summary="fixed", confirm=True, skip=True,
                    open_items="carry", clock=clock)
    assert journal_count(store) == before + 1
    event = last_event(store)
    assert event.payload["open_items"] == "carry"
    assert [(i["sort"], i["name"]) for i in event.payload["carried"]] == [
        ("blocker", "#1"), ("milestone", "#1"), ("approval", "#1"), ("handover", "lead"),
        ("dispute", "comms")]
    assert line(event).endswith(
        "carried OPEN AT RESOLUTION: blocker #1, milestone #1, approval #1, handover lead, "
        "dispute comms")
    view = queries.incident_view(store, key)
    assert len(view.blockers) == len(view.handovers) == len(view.disputes) == 1


def test_an_expired_request_and_a_milestone_met_by_the_resolution_are_not_open(
        store, staffed, sam, alex, clock):
    actions.request_approval(store, sam, staffed, change="Flush the cache", risk="low",
                             rationale="stale prices", fallback="none",
                             expires_at=clock() + timedelta(minutes=5), clock=clock)
    clock.advance(minutes=10)
    customer_update(store, alex, staffed, clock)
    actions.resolve(store, sam, staffed, summary="fixed", confirm=True, skip=True, clock=clock)
    assert "open_items" not in last_event(store).payload


def test_a_final_customer_update_is_required_or_a_reason(store, staffed, sam, alex, clock):
    refused(store, lambda: actions.resolve(store, sam, staffed, summary="fixed", confirm=True,
                                           skip=True, clock=clock),
            r"no customer update was posted; post a final customer update, or say why not "
            r"\(--no-customer-update REASON\)")
    customer_update(store, alex, staffed, clock)
    clock.advance(minutes=31)  # SEV1: the customer cadence is 30m
    refused(store, lambda: actions.resolve(store, sam, staffed, summary="fixed", confirm=True,
                                           skip=True, clock=clock),
            r"the last customer update is older than the customer cadence \(30m\)")
    refused(store, lambda: actions.resolve(store, sam, staffed, summary="fixed", confirm=True,
                                           skip=True, no_customer_update="  ", clock=clock),
            "customer update")
    actions.resolve(store, sam, staffed, summary="fixed", confirm=True, skip=True,
                    no_customer_update="the customer was on the bridge", clock=clock)
    assert last_event(store).payload["no_customer_update"] == "the customer was on the bridge"
    assert line(last_event(store)).endswith(
        "; no final customer update: the customer was on the bridge")


def test_an_update_within_the_cadence_is_the_final_one(store, staffed, sam, alex, clock):
    customer_update(store, alex, staffed, clock)
    clock.advance(minutes=30)  # exactly the cadence: still recent enough
    actions.resolve(store, sam, staffed, summary="fixed", confirm=True, skip=True, clock=clock)
    assert queries.incident_view(store, staffed).incident.stage.value == "resolved"


def test_reopen_runs_it_again_and_the_final_resolution_counts(store, staffed, sam, alex, clock):
    customer_update(store, alex, staffed, clock)
    refused(store, lambda: actions.reopen(store, sam, staffed, reason="again", clock=clock),
            "only a resolved incident can be reopened")
    clock.advance(minutes=10)
    actions.resolve(store, sam, staffed, summary="fixed", confirm=True, skip=True, clock=clock)
    refused(store, lambda: actions.reopen(store, sam, staffed, reason=" ", clock=clock),
            "reason")
    clock.advance(minutes=5)
    done = actions.reopen(store, sam, staffed, reason="errors are back", clock=clock)
    assert done.message == f"reopened {staffed} (investigating)"
    assert line(last_event(store)).endswith(
        "sam REOPENED the incident (investigating): errors are back")
    inc = queries.incident_view(store, staffed).incident
    assert (inc.stage.value, inc.resolved_at) == ("investigating", None)
    assert inc.next_customer_due == clock() + timedelta(minutes=30)
    m = metrics.for_incident(store, staffed, clock())
    assert m.resolved is None and m.stage == "investigating"
    clock.advance(minutes=20)
    customer_update(store, alex, staffed, clock)
    actions.resolve(store, sam, staffed, summary="fixed for good", confirm=True, skip=True,
                    clock=clock)
    m = metrics.for_incident(store, staffed, clock())
    assert m.time_to_resolution == 35 * 60  # to the final resolution
    assert m.resolution == "fixed for good"
    actions.close(store, sam, staffed, csat=3, clock=clock)
    refused(store, lambda: actions.reopen(store, sam, staffed, reason="again", clock=clock),
            "is closed")


# -- the command line: one-line errors, exit 2, nothing written ------------------------------

@pytest.fixture
def cli_db(tmp_path, monkeypatch, clock):
    path = tmp_path / "cli.db"
    monkeypatch.setenv("WARROOM_DB", str(path))
    with Store(path, create=True) as store:
        key = actions.open_incident(store, actions_actor("sam"), title="Checkout failing",
                                    customer="Acme", severity="SEV1").key
        actions.raise_blocker(store, actions_actor("sam"), key, what="Prod DB access",
                              waiting_on="DBA", owner="sam")
    return path


def actions_actor(name):
    from conftest import person

    return person(name)


def test_cli_resolve_refusals_and_success(cli_db, capsys):
    def run(*argv):
        code = main([*argv, "--as", "sam"])
        out, err = capsys.readouterr()
        return code, out, err

    with Store(cli_db) as store:
        before = snapshot(store)
    base = ["resolve", "INC-1001", "--summary", "rolled back", "--confirm", "--skip"]
    code, out, err = run(*base)
    assert (code, out) == (2, "")
    assert err == ("warroom resolve: error: INC-1001 still has open: 1 blocker (#1); close "
                   "them (--close-open) or carry them into the review as open (--carry)\n")
    code, out, err = run(*base, "--carry")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "post a final customer update, or say why not (--no-customer-update REASON)" in err
    code, _, err = run(*base, "--carry", "--close-open")
    assert code == 2 and "not allowed with" in err
    code, _, err = run("reopen", "INC-1001", "--reason", "again")
    assert (code, err) == (2, "warroom reopen: error: INC-1001 is triage: only a resolved "
                              "incident can be reopened\n")
    with Store(cli_db) as store:
        assert snapshot(store) == before
    code, out, _ = run(*base, "--close-open", "--no-customer-update", "on the bridge")
    assert code == 0 and "moved to resolved" in out
    code, out, _ = run("reopen", "INC-1001", "--reason", "errors are back")
    assert (code, out.strip()) == (0, "reopened INC-1001 (investigating)")


# -- the dashboard --------------------------------------------------------------------------

@pytest.fixture
def db(tmp_path):
    return tmp_path / "app.db"


@pytest.mark.anyio
async def test_the_resolve_form_shows_what_is_open_and_carries_it(db, clock):
    from app_helpers import act, open_incident, who

    key = open_incident(db, clock)
    act(db, actions.raise_blocker, who("sam"), key, what="Prod DB access", waiting_on="DBA",
        owner="sam", clock=clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        modal = app.screen
        assert isinstance(modal, FormModal)
        intro = str(modal.query_one(".intro").render())
        assert "Still open: 1 blocker (#1)." in intro
        assert "No customer update within the customer cadence (30m)" in intro
        await fill(pilot, summary="rolled back", confirm=True)
        assert "What is still open is required" in form_error(app)  # a choice, never a default
        await fill(pilot, open_items="carry")
        assert "post a final customer update" in form_error(app)
        await fill(pilot, no_update="the customer is on the bridge")
        assert isinstance(app.screen, DashboardScreen)
        assert "RESOLVED" in pane(app, "header")
    with Store(db) as store:
        assert last_event(store).payload["carried"][0]["name"] == "#1"


@pytest.mark.anyio
async def test_a_closed_incident_opens_for_reading(db, clock):
    from app_helpers import act, open_incident, who

    key = open_incident(db, clock)
    act(db, actions.resolve, who("sam"), key, summary="fixed", confirm=True, skip=True,
        no_customer_update="told by phone", clock=clock)
    act(db, actions.close, who("sam"), key, csat=4, clock=clock)
    app = app_for(db, clock, name="sam", incident=key)
    async with app.run_test(size=(120, 35)) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        assert "CLOSED" in pane(app, "header")
        await pilot.press("R")
        assert isinstance(app.screen, DashboardScreen)  # no form: it is read-only
