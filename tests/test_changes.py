"""Changes during the incident: severity (and the cadence that follows it), title, tier and
affected customers; their refusals write nothing; the CLI verbs; and the metrics fold holding
each stretch of the incident to the cadence in force then."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import last_event, refused
from journal_helpers import Journal, at, rows_of

from warroom import actions
from warroom.cli import main
from warroom.db import queries
from warroom.errors import NotFound
from warroom.journal import describe
from warroom.reports import metrics
from warroom.reports.metrics import fold


def opened(store, who, clock, severity="SEV2") -> str:
    return actions.open_incident(store, who, title="Checkout failing", customer="Acme",
                                 severity=severity, clock=clock).key


def test_escalation_brings_the_next_updates_closer(store, sam, clock):
    key = opened(store, sam, clock, "SEV2")  # 14:00: customer due 15:00, internal 14:30
    clock.advance(minutes=10)
    done = actions.change_severity(store, sam, key, severity="sev1", reason="all regions",
                                   clock=clock)
    assert done.message == ("INC-1001 is now SEV1 (was SEV2); next internal update due 14:25;"
                            " next customer update due 14:40")
    view = queries.incident_view(store, key)
    assert view.incident.severity.value == "SEV1"
    assert view.incident.next_customer_due == clock() + timedelta(minutes=30)
    assert view.incident.next_internal_due == clock() + timedelta(minutes=15)
    assert view.cadence_minutes == {"customer": 30, "internal": 15}
    event = last_event(store)
    assert event.kind == "incident.changed"
    assert event.payload["field"] == "severity"
    assert (event.payload["from"], event.payload["to"]) == ("SEV2", "SEV1")
    assert event.payload["reason"] == "all regions"
    assert event.payload["cadence"] == {"customer": 30, "internal": 15}
    assert describe(event) == "sam changed the severity from SEV2 to SEV1: all regions"


def test_de_escalation_keeps_the_update_owed_and_slows_down_after_it(store, sam, clock):
    key = opened(store, sam, clock, "SEV1")  # customer due 14:30, internal 14:15
    clock.advance(minutes=20)  # internal is overdue
    actions.change_severity(store, sam, key, severity="SEV3", reason="workaround", clock=clock)
    inc = queries.incident_view(store, key).incident
    assert inc.next_customer_due == at(30)
    assert inc.next_internal_due == at(15)  # still owed, still overdue
    clock.advance(minutes=5)
    actions.claim_role(store, sam, key, "lead", clock=clock)
    actions.post_update(store, sam, key, audience="internal", known="k", unknown="u",
                        next_steps="n", clock=clock)
    inc = queries.incident_view(store, key).incident
    assert inc.next_internal_due == at(25 + 60)  # SEV3's internal cadence from here on


def test_a_resolved_incident_owes_no_updates_after_a_change(store, sam, clock):
    key = opened(store, sam, clock, "SEV1")
    actions.claim_role(store, sam, key, "comms", clock=clock)
    actions.post_update(store, sam, key, audience="customer", known="fixed", unknown="none",
                        next_steps="watch", next_update_at=at(20), clock=clock)
    actions.resolve(store, sam, key, summary="fixed", confirm=True, skip=True, clock=clock)
    actions.change_severity(store, sam, key, severity="SEV2", reason="smaller", clock=clock)
    inc = queries.incident_view(store, key).incident
    assert inc.severity.value == "SEV2" and inc.next_customer_due is None


def test_severity_refusals_write_nothing(store, sam, clock):
    key = opened(store, sam, clock, "SEV2")
    refused(store, lambda: actions.change_severity(store, sam, key, severity="SEV2",
                                                   reason="x", clock=clock), "already SEV2")
    refused(store, lambda: actions.change_severity(store, sam, key, severity="SEV9",
                                                   reason="x", clock=clock), "unknown severity")
    refused(store, lambda: actions.change_severity(store, sam, key, severity="SEV1",
                                                   reason=" ", clock=clock),
            "reason must not be empty")


def test_retitle(store, sam, clock):
    key = opened(store, sam, clock)
    actions.retitle(store, sam, key, title="Card payments failing in EU", reason="clearer",
                    clock=clock)
    assert queries.incident_view(store, key).incident.title == "Card payments failing in EU"
    assert describe(last_event(store)) == ("sam changed the title from Checkout failing to "
                                           "Card payments failing in EU: clearer")
    refused(store, lambda: actions.retitle(store, sam, key, title="Card payments failing in EU",
                                           reason="x", clock=clock), "already has that title")
    refused(store, lambda: actions.retitle(store, sam, key, title="", reason="x", clock=clock),
            "title must not be empty")


def test_customers_and_tier(store, sam, clock):
    key = opened(store, sam, clock)
    actions.change_customers(store, sam, key, add=["Globex", "Initech"], clock=clock)
    assert queries.incident_view(store, key).incident.customers == ("Globex", "Initech")
    assert describe(last_event(store)) == ("sam changed the affected customers (added Globex, "
                                           "added Initech)")
    done = actions.change_customers(store, sam, key, remove=["initech"], reason="not hit",
                                    clock=clock)
    assert done.message == "INC-1001: customers Acme, Globex"
    actions.change_customers(store, sam, key, tier="Enterprise", clock=clock)
    inc = queries.incident_view(store, key).incident
    assert (inc.customer, inc.customers, inc.tier) == ("Acme", ("Globex",), "enterprise")
    def change(**kw):
        return lambda: actions.change_customers(store, sam, key, clock=clock, **kw)

    refused(store, change(remove=["ACME"]), "Acme is the main customer of INC-1001; it stays")
    refused(store, change(remove=["Nobody"]), "Nobody is not among", NotFound)
    refused(store, change(add=["globex"]), "globex is already a customer")
    refused(store, change(add=["acme"]), "acme is already a customer")
    refused(store, change(add=["X"], tier="standard"), "change the tier on its own")
    refused(store, change(), "say what changes")
    refused(store, change(tier="enterprise"), "already enterprise tier")


# -- the fold: hand-built journals, due times counted by hand ------------------------------


def test_a_sev1_that_became_sev2_on_day_one_is_held_to_sev2_from_then_on():
    """Opened as SEV1 (customer every 60m, internal every 30m here), changed on day one, at
    minute 1450, to customer every 240m and internal every 120m, no update ever, resolved
    after 13 days (minute 18720).

    Customer: the SEV1 due times before the change, 60, 120, ..., 1440, are 24 missed; the
    old cadence's next due time is 1500, earlier than 1450 + 240, so it stays; from 1500 the
    new cadence: 1500, 1740, ..., 18540 (before 18720) are 72 more. 96 in all.
    Internal: 30, ..., 1440 are 48; next 1470 (before 1450 + 120); 1470, 1590, ..., 18630
    are 144 more. 192 in all. (Held to SEV1's cadence throughout it would be 311 and 623.)
    """
    j = Journal().open(severity="SEV1", cadence=(60, 30))
    j.add(1450, "incident.changed", field="severity", reason="contained",
          cadence={"customer": 240, "internal": 120}, **{"from": "SEV1", "to": "SEV2"})
    j.add(18720, "incident.resolved", **{"from": "triage", "to": "resolved"})
    m = fold(rows_of(j.events), at(20000))[1]
    customer, internal = m.cadence["customer"], m.cadence["internal"]
    assert (customer.due, customer.on_time, customer.minutes) == (96, 0, 240)
    assert (internal.due, internal.on_time, internal.minutes) == (192, 0, 120)
    times, total = customer.missed_times(30)
    assert total == 96
    assert times[23:26] == [at(1440).timestamp(), at(1500).timestamp(),
                            at(1740).timestamp()]
    assert m.severity == "SEV1"  # grouping keeps the opening severity


def test_an_escalation_counts_updates_against_the_faster_cadence():
    """Opened as SEV2 (customer 60m, internal 30m); at minute 10 escalated to 20m and 10m.

    Customer: the first due time becomes min(60, 10 + 20) = 30. An update at 25 (before it)
    meets nothing and promises 45; one at 40 meets 45 (after 30 passed) and sets 60; then
    silence until resolution at 100 misses 60 and 80. 3 due, 1 met.
    Internal: due min(30, 10 + 10) = 20, no update: 20, 30, ..., 90 missed, 8 due.
    """
    j = Journal().open(severity="SEV2", cadence=(60, 30))
    j.add(10, "incident.changed", field="severity", reason="all regions",
          cadence={"customer": 20, "internal": 10}, **{"from": "SEV2", "to": "SEV1"})
    j.update(25, "customer", was_due=30, next_due=45)
    j.update(40, "customer", was_due=45, next_due=60)
    j.add(100, "incident.resolved", **{"from": "triage", "to": "resolved"})
    m = fold(rows_of(j.events), at(200))[1]
    assert (m.cadence["customer"].due, m.cadence["customer"].on_time) == (3, 1)
    assert (m.cadence["internal"].due, m.cadence["internal"].on_time) == (8, 0)
    assert m.updates_due == 11 and m.updates_on_time == 1


def test_the_fold_carries_the_new_title():
    j = Journal().open()
    j.add(5, "incident.changed", field="title", reason="r",
          **{"from": "Checkout failing", "to": "EU card payments"})
    j.add(6, "incident.changed", field="customers", **{"from": [], "to": ["Globex"]})
    assert fold(rows_of(j.events), at(10))[1].title == "EU card payments"


def test_the_fold_of_real_actions_switches_the_cadence(store, sam, clock):
    key = opened(store, sam, clock, "SEV1")  # customer 30m, internal 15m
    clock.advance(minutes=20)  # internal 14:15 missed
    actions.change_severity(store, sam, key, severity="SEV3", reason="contained",
                            clock=clock)  # customer 240m, internal 60m
    m = metrics.for_incident(store, key, at(20 + 300))
    # customer: 30 stays due; 30, 270 missed before 320. internal: 15 missed before the
    # change; next 30 (before 20 + 60); 30, 90, 150, 210, 270 missed before 320.
    assert m.cadence["customer"].due == 2
    assert m.cadence["internal"].due == 6


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def db(db_target, monkeypatch):
    path = db_target
    monkeypatch.setenv("WARROOM_DB", str(path))
    return path


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def journal(capsys):
    return json.loads(run(capsys, "log", "--json")[1])


def test_cli_verbs(capsys, db):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity",
               "SEV1")[0] == 0
    code, out, _ = run(capsys, "severity", "INC-1001", "SEV2", "--reason", "EU only")
    assert code == 0 and out.startswith("INC-1001 is now SEV2 (was SEV1)")
    assert run(capsys, "retitle", "INC-1001", "EU card payments", "--reason", "clearer")[1] \
        == "INC-1001 retitled: EU card payments\n"
    assert run(capsys, "customers", "INC-1001", "--add", "Globex", "--add", "Initech")[1] \
        == "INC-1001: customers Acme, Globex, Initech\n"
    assert run(capsys, "customers", "INC-1001", "--tier", "enterprise")[1] \
        == "INC-1001: customer tier now enterprise\n"
    shown = run(capsys, "show", "INC-1001")[1]
    assert "customer Acme (enterprise tier), also affecting Globex, Initech" in shown
    kinds = [e["kind"] for e in journal(capsys)]
    assert kinds.count("incident.changed") == 4


def test_cli_errors_are_one_line_exit_2_and_write_nothing(capsys, db):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity",
               "SEV1")[0] == 0
    before = journal(capsys)
    for argv, message in [
        (["severity", "INC-1001", "SEV1", "--reason", "x"], "already SEV1"),
        (["severity", "INC-1001", "SEV7", "--reason", "x"], "unknown severity 'SEV7'"),
        (["severity", "INC-1001", "SEV2"], "required: --reason"),
        (["severity", "INC-9999", "SEV2", "--reason", "x"], "no incident 'INC-9999'"),
        (["retitle", "INC-1001", "new"], "required: --reason"),
        (["retitle", "INC-1001", "", "--reason", "x"], "title must not be empty"),
        (["customers", "INC-1001"], "say what changes"),
        (["customers", "INC-1001", "--remove", "Acme"], "main customer"),
        (["customers", "INC-1001", "--remove", "Nobody"], "not among the customers"),
        (["customers", "INC-1001", "--add", "X", "--tier", "gold"], "tier on its own"),
    ]:
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert out == ""
        assert err.count("\n") == 1 and message in err, (argv, err)
    assert journal(capsys) == before


# -- the dashboard's severity form (key v) ----------------------------------------------------


@pytest.mark.anyio
async def test_v_changes_the_severity_from_the_dashboard(tmp_path, clock):
    from app_helpers import app_for, fill, open_incident, until

    from warroom.db.store import Store
    from warroom.screens.dashboard import DashboardScreen
    from warroom.screens.form import FormModal

    db = tmp_path / "v.db"
    open_incident(db, clock)  # SEV1
    app = app_for(db, clock, name="dana")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("v")
        assert isinstance(app.screen, FormModal)
        await pilot.press("escape")  # cancel: nothing written
        assert await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("v")
        await fill(pilot, severity="SEV1", reason="unchanged")  # refused in place
        assert isinstance(app.screen, FormModal)
        await fill(pilot, severity="SEV3", reason="workaround holds")
        assert await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
    with Store(db) as store:
        view = queries.incident_view(store, "INC-1001")
        assert view.incident.severity.value == "SEV3"
        kinds = [e.kind for e in queries.events_after(store, 0, "INC-1001")]
        assert kinds.count("incident.changed") == 1
