"""What waits on you: the dashboard's second line, its bell, and ``warroom mine``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from app_helpers import act, app_for, open_incident, who
from rich.cells import cell_len

from warroom import actions
from warroom.cli import main
from warroom.clock import utcnow
from warroom.db import queries
from warroom.db.store import Store
from warroom.render.waiting import Waiting, for_person, summary
from warroom.widgets.pane import LinesPane

NOTE = dict(done="found bad deploy", remaining="roll back", dependencies="release team",
            risks="cache warm-up")


def texts(db, name, now):
    with Store(db) as store:
        return [i.text for i in for_person(queries.incident_view(store, "INC-1001"), name, now)]


def request(db, clock, by="sam"):
    return act(db, actions.request_approval, who(by), "INC-1001", change="Roll back deploy 412",
               risk="low", rationale="bad deploy", fallback="roll forward", clock=clock).ref


def test_an_approval_waits_on_whoever_may_still_give_it(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock)
    number = request(db, clock)
    assert texts(db, "pat", clock()) == [f"approve or reject #{number} Roll back deploy 412 "
                                         "(as Decision-maker)"]
    assert texts(db, "sam", clock()) == []  # the requester
    assert texts(db, "zoe", clock()) == []  # holds no role
    act(db, actions.approve, who("pat"), "INC-1001", number, clock=clock)
    assert texts(db, "pat", clock()) == []


def test_a_handover_waits_on_the_person_it_is_offered_to(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock)
    act(db, actions.offer_handover, who("sam"), "INC-1001", "lead", to="dana", clock=clock,
        **NOTE)
    assert texts(db, "dana", clock()) == ["accept or decline Investigation lead offered by sam"]
    # names as the actions compare them: "DANA" could not accept it, so nothing waits on her
    assert texts(db, "DANA", clock()) == []


def test_an_update_waits_on_its_role_from_ten_minutes_before_it_is_due(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock)  # SEV1: customer every 30m, internal every 15m
    assert texts(db, "alex", clock()) == []
    assert texts(db, "alex", clock() + timedelta(minutes=6)) == [
        "post the internal update (due in 9m)"]
    later = clock() + timedelta(minutes=21)
    assert texts(db, "alex", later) == ["post the customer update (due in 9m)",
                                        "post the internal update (OVERDUE by 6m)"]
    assert texts(db, "sam", later) == ["post the internal update (OVERDUE by 6m)"]
    assert texts(db, "pat", later) == []  # the decider posts neither


def test_the_lead_stands_in_for_a_vacant_comms(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock, staff=False)
    act(db, actions.claim_role, who("sam"), "INC-1001", "lead", clock=clock)
    assert "post the customer update (due in 5m)" in texts(
        db, "sam", clock() + timedelta(minutes=25))


def test_a_dispute_waits_on_the_decider_unless_they_are_a_party(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock)
    with Store(db) as store:
        view = queries.incident_view(store, "INC-1001")
    dispute = _disputed(view, "dana", "lead", "sam")
    assert [i.text for i in for_person(dispute, "pat", clock())] == [
        "settle the dispute over Investigation lead (dana vs sam)"]
    assert for_person(dispute, "sam", clock()) == []  # the decider is held: not the holder's
    assert for_person(_disputed(view, "pat", "lead", "sam"), "pat", clock()) == []


def test_with_no_decider_the_holder_must_yield_or_keep_with_a_reason(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock, staff=False)
    act(db, actions.claim_role, who("sam"), "INC-1001", "lead", clock=clock)
    with Store(db) as store:
        view = _disputed(queries.incident_view(store, "INC-1001"), "dana", "lead", "sam")
    (item,) = for_person(view, "sam", clock())
    assert item.urgent and "dana disputes your Investigation lead" in item.text
    assert item.text.endswith("(no decider is held)")


def test_when_the_decider_is_a_party_the_holder_must_yield_or_keep(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock)  # pat holds decider
    with Store(db) as store:
        view = _disputed(queries.incident_view(store, "INC-1001"), "pat", "lead", "sam")
    (item,) = for_person(view, "sam", clock())
    assert item.text.endswith("(the decider is a party to it)")
    assert for_person(view, "pat", clock()) == []


def test_nothing_waits_once_resolved_and_the_summary_counts_the_rest(tmp_path, clock):
    db = tmp_path / "w.db"
    open_incident(db, clock)
    request(db, clock)
    request(db, clock)
    request(db, clock)
    with Store(db) as store:
        items = for_person(queries.incident_view(store, "INC-1001"), "pat", clock())
    assert summary(items).count("approve or reject") == 3  # all fit in 200 columns
    assert summary([]) == "nothing waits on you"
    # one line at any width: as many items as fit, the first cropped if need be, the count
    assert summary(items, 60) == "approve or reject #1 Roll back depl…; +2 more (warroom mine)"
    assert summary(items, 30) == "appro…; +2 more (warroom mine)"
    wide = [Waiting("approval:9", "approve or reject #9 回滚部署四一二回滚部署四一二 (as decider)"),
            *items]
    assert cell_len(summary(wide, 60)) <= 60  # terminal cells, not characters


def _disputed(view, claimant, role, holder):
    from dataclasses import replace

    from warroom.records import Dispute
    return replace(view, disputes=[Dispute(id=1, role=role, claimant=claimant, holder=holder,
                                           opened_at=view.incident.opened_at)])


def test_mine_lists_it_from_the_shell(tmp_path, capsys, monkeypatch):
    db = tmp_path / "w.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    open_incident(db, utcnow)  # the verb reads the real clock
    number = request(db, utcnow)
    assert main(["mine", "--as", "pat"]) == 0
    assert capsys.readouterr().out == (f"INC-1001  approve or reject #{number} Roll back "
                                       "deploy 412 (as Decision-maker)\n")
    assert main(["mine", "INC-1001", "--as", "zoe"]) == 0
    assert capsys.readouterr().out == "nothing waits on zoe in INC-1001\n"
    assert main(["mine", "--as", "pat", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["key"] == f"approval:{number}"
    assert main(["mine", "INC-9999", "--as", "pat"]) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("bell", [True, False])
async def test_the_dashboard_shows_it_and_rings_once_for_a_new_item(tmp_path, clock, bell):
    db = tmp_path / "w.db"
    open_incident(db, clock)
    request(db, clock)  # already waiting when the dashboard opens: no bell for it
    app = app_for(db, clock, name="pat", bell=bell)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(120, 35)) as pilot:
        header = app.screen.query_one("#header", LinesPane)
        assert "Waiting on you: approve or reject #1 Roll back deploy 412" in header.plain
        assert rings == []
        request(db, clock)
        app.db_changed()
        await pilot.pause()
        assert header.plain.endswith("(as Decision-maker); +1 more (warroom mine)")  # one line
        app.screen.tick()
        app.db_changed()
        await pilot.pause()
        assert rings == ([1] if bell else [])
