"""Who may post a status update: comms for the customer (its stand-in while comms is
vacant), lead, comms or the internal liaison for the room, the decider's override with a
reason; every refusal in one line that names who holds the role and how to take it, and
writes nothing. In the core, the playbooks, the CLI and the dashboard."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from app_helpers import act, app_for, count, fill, form_error, open_incident, who
from conftest import last_event, person, refused

from warroom import actions
from warroom.cli import main
from warroom.db import queries
from warroom.db.store import Store
from warroom.journal import line
from warroom.records import Severity
from warroom.reports import review
from warroom.rules import matching, playbooks
from warroom.rules.policy import DEFAULT_POLICY
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal

PARTS = dict(known="k", unknown="u", next_steps="n")
kim, dana = person("kim"), person("dana")


def customer(store, actor, key, clock, **kw):
    return actions.post_update(store, actor, key, audience="customer", **PARTS,
                               next_update_at=clock() + timedelta(minutes=20), clock=clock, **kw)


def internal(store, actor, key, clock, **kw):
    return actions.post_update(store, actor, key, audience="internal", **PARTS, clock=clock,
                               **kw)


@pytest.fixture
def outage(store, sam, alex, pat, clock) -> str:
    """A customer-outage incident (it has an internal liaison): lead sam, comms alex,
    decider pat, the liaison vacant."""
    chosen = matching.plan(playbooks.load(), title="Checkout failing", severity=Severity.SEV1)
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", clock=clock, **chosen.applied()).key
    for actor, role in ((sam, "lead"), (alex, "comms"), (pat, "decider")):
        actions.claim_role(store, actor, key, role, clock=clock)
    return key


# -- customer updates ------------------------------------------------------------------------


def test_the_comms_owner_posts_customer_updates(store, staffed, alex, clock):
    done = customer(store, alex, staffed, clock)
    event = last_event(store)
    assert done.message.startswith("posted customer update; next due")
    assert "acting_for" not in event.payload and "override" not in event.payload


def test_nobody_else_posts_a_customer_update_while_comms_is_held(store, staffed, sam, clock):
    for actor in (sam, kim):  # the lead, and someone with no role at all
        refused(store, lambda: customer(store, actor, staffed, clock),
                rf"^only the communications owner \(alex\) posts customer updates on "
                rf"INC-1001; to take it over: alex hands it to you \(warroom handover INC-1001 "
                rf"comms --to {actor.name} \.\.\.\), or dispute it \(warroom claim INC-1001 "
                r"comms --dispute WHY\)$")


def test_while_comms_is_vacant_the_lead_stands_in_and_the_journal_says_so(store, staffed,
                                                                           alex, sam, clock):
    actions.release_role(store, alex, staffed, "comms", clock=clock)
    done = customer(store, sam, staffed, clock)
    event = last_event(store)
    assert event.payload["acting_for"] == "comms"
    assert done.message.startswith("posted customer update, acting for comms; next due")
    assert line(event) == "14:00 sam posted a customer update, acting for comms (vacant): k"
    assert queries.incident_view(store, staffed).last_customer_update.author == "sam"
    # nobody else: not the decider, not a bystander
    for actor in (person("pat"), kim):
        refused(store, lambda: customer(store, actor, staffed, clock),
                r"^comms is vacant on INC-1001, so only the investigation lead \(sam\) posts "
                r"customer updates, standing in for comms; to take comms: warroom claim "
                r"INC-1001 comms")
    # once comms is claimed again, the stand-in no longer posts
    actions.claim_role(store, kim, staffed, "comms", clock=clock)
    refused(store, lambda: customer(store, sam, staffed, clock),
            r"^only the communications owner \(kim\) posts")


def test_with_comms_and_its_stand_in_vacant_nobody_posts_to_the_customer(store, incident,
                                                                         sam, clock):
    refused(store, lambda: customer(store, sam, incident, clock),
            r"^comms is vacant on INC-1001 and so is its stand-in, the investigation lead: "
            r"nobody may post customer updates; to take comms: warroom claim INC-1001 comms$")


def test_a_playbook_may_name_another_stand_in(store, sam, pat, clock):
    policy = DEFAULT_POLICY.model_copy(update={"comms_stand_in": "decider"})
    key = actions.open_incident(store, sam, title="t", customer="c", severity="SEV1",
                                policy=policy, assign={"lead": "sam", "decider": "pat"},
                                clock=clock).key
    refused(store, lambda: customer(store, sam, key, clock),
            r"only the decision-maker \(pat\) posts customer updates, standing in for comms")
    customer(store, pat, key, clock)
    assert last_event(store).payload["acting_for"] == "comms"


def test_what_waits_on_you_follows_the_playbooks_stand_in(store, sam, pat, clock):
    from warroom.render import waiting

    policy = DEFAULT_POLICY.model_copy(update={"comms_stand_in": "decider"})
    key = actions.open_incident(store, sam, title="t", customer="c", severity="SEV1",
                                policy=policy, assign={"lead": "sam", "decider": "pat"},
                                clock=clock).key
    view = queries.incident_view(store, key)
    assert (view.comms_stand_in, view.internal_updates) == (
        "decider", ("lead", "comms", "internal_liaison"))
    soon = clock() + timedelta(minutes=25)  # the customer update is due at 14:30
    texts = lambda name: [w.text for w in waiting.for_person(view, name, soon)]  # noqa: E731
    assert any(t.startswith("post the customer update") for t in texts("pat"))
    assert not any(t.startswith("post the customer update") for t in texts("sam"))


# -- internal updates ------------------------------------------------------------------------


def test_lead_comms_and_the_internal_liaison_post_internal_updates(store, outage, sam, alex,
                                                                   clock):
    actions.claim_role(store, dana, outage, "internal_liaison", clock=clock)
    for actor in (sam, alex, dana):
        internal(store, actor, outage, clock)
        assert last_event(store).who == actor.name
        assert "acting_for" not in last_event(store).payload


def test_anyone_else_is_refused_an_internal_update(store, outage, pat, clock):
    for actor in (pat, kim):  # the decider is not on the list either
        refused(store, lambda: internal(store, actor, outage, clock),
                r"^only the investigation lead \(sam\), the communications owner \(alex\) or "
                r"the internal liaison \(vacant\) post internal updates on INC-1001; to take "
                r"one: warroom claim INC-1001 internal_liaison")
    actions.claim_role(store, dana, outage, "internal_liaison", clock=clock)
    refused(store, lambda: internal(store, kim, outage, clock),
            r"the internal liaison \(dana\) post internal updates on INC-1001; to take one "
            r"over: its holder hands it to you \(warroom handover INC-1001 ROLE --to kim "
            r"\.\.\.\), or dispute it \(warroom claim INC-1001 ROLE --dispute WHY\)$")


def test_without_an_internal_liaison_role_lead_and_comms_post(store, incident, sam, clock):
    refused(store, lambda: internal(store, sam, incident, clock),
            r"^only the investigation lead \(vacant\) or the communications owner \(vacant\) "
            r"post internal updates on INC-1001; to take one: warroom claim INC-1001 lead$")
    actions.claim_role(store, sam, incident, "lead", clock=clock)
    internal(store, sam, incident, clock)


def test_a_playbook_may_widen_who_posts_internal_updates(store, sam, clock):
    policy = DEFAULT_POLICY.model_copy(update={
        "roles": ["lead", "comms", "decider", "billing_ops"],
        "internal_updates": ["lead", "comms", "billing_ops"]})
    key = actions.open_incident(store, sam, title="t", customer="c", severity="SEV2",
                                policy=policy, assign={"billing_ops": "dana"}, clock=clock).key
    internal(store, dana, key, clock)
    assert last_event(store).who == "dana"


def test_an_incident_opened_before_the_rules_uses_the_defaults(store, staffed, alex, sam,
                                                               clock):
    row = store.incident_row(staffed)
    old = json.loads(row["policy"])
    old.pop("comms_stand_in"), old.pop("internal_updates")
    with store.write():
        store.update("incidents", {"id": row["id"]}, policy=json.dumps(old))
    actions.release_role(store, alex, staffed, "comms", clock=clock)
    customer(store, sam, staffed, clock)  # the lead stands in, by default
    assert last_event(store).payload["acting_for"] == "comms"
    internal(store, sam, staffed, clock)
    refused(store, lambda: internal(store, kim, staffed, clock),
            r"^only the investigation lead \(sam\) or the communications owner \(vacant\) post")


# -- the decider's override ------------------------------------------------------------------


def test_the_decider_may_override_with_a_reason_and_the_review_lists_it(store, staffed, pat,
                                                                        clock):
    refused(store, lambda: customer(store, pat, staffed, clock),
            r"^only the communications owner \(alex\) posts customer updates on INC-1001; .*; "
            r"as the decider you may post anyway with an override reason \(--override "
            r"REASON\)$")
    done = customer(store, pat, staffed, clock, override="alex unreachable, CTO waiting")
    event = last_event(store)
    assert event.payload["override"] == "alex unreachable, CTO waiting"
    assert done.message.startswith("posted customer update, overriding who may post (decider)")
    assert line(event) == ("14:00 pat posted a customer update, overriding who may post "
                           "(decider's reason: alex unreachable, CTO waiting): k")
    internal(store, pat, staffed, clock, override="lead busy with the rollback")
    text = review.review(store, staffed, clock() + timedelta(hours=1))
    escalation = text.split("### Was the escalation path followed?")[1].split("###")[0]
    assert ("- FLAGGED: the decider's override: #5 14:00 pat posted a customer update, "
            "overriding who may post (decider's reason: alex unreachable, CTO waiting): k"
            ) in escalation
    assert "(decider's reason: lead busy with the rollback)" in escalation
    earlier = text.split("### Was the escalation path followed?")[0]
    assert "FLAGGED: the decider's override" not in earlier


def test_an_override_is_the_deciders_alone_and_only_when_needed(store, staffed, alex, sam,
                                                                clock):
    refused(store, lambda: customer(store, sam, staffed, clock, override="faster"),
            r"^only the decider may override who posts updates on INC-1001 \(the decider role "
            r"is held by pat\)$")
    refused(store, lambda: customer(store, alex, staffed, clock, override="why not"),
            r"^you post customer updates on INC-1001 as the communications owner: leave out "
            r"the override$")
    refused(store, lambda: customer(store, person("pat"), staffed, clock, override="  \x1b[2J"),
            "the override reason must not be empty")


def test_no_override_while_the_decider_role_is_vacant(store, incident, sam, clock):
    refused(store, lambda: customer(store, sam, incident, clock, override="urgent"),
            r"\(the decider role is vacant\)$")


def test_the_review_lists_no_override_when_there_was_none(store, staffed, alex, clock):
    customer(store, alex, staffed, clock)
    assert "override" not in review.review(store, staffed, clock() + timedelta(hours=1))


# -- the playbook's [updates] ----------------------------------------------------------------


def billing(extra: str) -> str:
    text = dict(playbooks.shipped_files())["data/playbooks/billing-error.toml"]
    return text + "\n" + extra


def test_a_playbook_names_the_stand_in_and_widens_the_internal_list():
    library = playbooks.load().templates
    pb = playbooks.parse(billing('[updates]\ncomms_stand_in = "decider"\n'
                                 'internal = ["lead", "comms", "billing_ops"]\n'), "b.toml",
                         library)
    policy = pb.policy(library)
    assert (policy.comms_stand_in, policy.internal_updates) == (
        "decider", ["lead", "comms", "billing_ops"])
    plain = playbooks.load().get("customer-outage").policy(library)
    assert (plain.comms_stand_in, plain.internal_updates) == (
        "lead", ["lead", "comms", "internal_liaison"])
    assert playbooks.load().get("billing-error").policy(library).internal_updates == [
        "lead", "comms"]


@pytest.mark.parametrize("table, problem", [
    ('comms_stand_in = "cfo"', "updates.comms_stand_in: unknown role 'cfo' (roles: lead, "
                               "comms, decider, billing_ops)"),
    ('comms_stand_in = "comms"', "updates.comms_stand_in: comms cannot stand in for itself"),
    ('internal = ["lead", "comms", "cfo"]', "updates.internal: unknown role 'cfo'"),
    ('internal = ["lead", "billing_ops"]', "updates.internal: must include comms: a playbook "
                                           "may widen who posts internal updates, never "
                                           "narrow it"),
    ('who = "me"', "updates.who: is not a known key"),
])
def test_a_wrong_updates_table_is_refused_naming_the_key(table, problem):
    with pytest.raises(playbooks.Invalid) as err:
        playbooks.parse(billing(f"[updates]\n{table}\n"), "b.toml", playbooks.load().templates)
    assert any(p.startswith(f"b.toml: {problem}") for p in err.value.problems), \
        err.value.problems


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_playbook_show_says_who_posts_updates(capsys):
    code, out, _ = run(capsys, "playbook", "show", "customer-outage")
    assert code == 0
    assert ("Who posts status updates\n"
            "  customer: comms; while comms is vacant, lead (journaled as acting for comms)\n"
            "  internal: lead, comms, internal_liaison\n"
            "  the decider may post either anyway, with a reason the review lists\n") in out
    code, out, _ = run(capsys, "playbook", "show", "billing-error", "--json")
    assert json.loads(out)["updates"] == {"comms_stand_in": "lead",
                                          "internal": ["lead", "comms"]}


# -- the command line ------------------------------------------------------------------------


def test_the_cli_refuses_in_one_line_and_the_decider_overrides(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "c.db"))
    run(capsys, "open", "Checkout slow", "--customer", "Acme", "--severity", "SEV2")
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        run(capsys, "claim", "1001", role, "--as", name)
    log = lambda: json.loads(run(capsys, "log", "--json")[1])  # noqa: E731
    before = log()
    argv = ["update", "1001", "customer", "--known", "k", "--unknown", "u", "--next-steps",
            "n", "--next", "30m"]
    for who_, extra, message in [
            ("kim", [], "only the communications owner (alex) posts customer updates on "
                        "INC-1001; to take it over: alex hands it to you (warroom handover "
                        "INC-1001 comms --to kim ...), or dispute it (warroom claim INC-1001 "
                        "comms --dispute WHY)"),
            ("pat", [], "as the decider you may post anyway with an override reason "
                        "(--override REASON)"),
            ("sam", ["--override", "faster"], "only the decider may override"),
            ("alex", ["--override", "x"], "leave out the override")]:
        code, out, err = run(capsys, *argv, "--as", who_, *extra)
        assert (code, out, err.count("\n")) == (2, "", 1), err
        assert message in err
    assert log() == before
    code, out, _ = run(capsys, *argv, "--as", "pat", "--override", "alex is on a plane")
    assert code == 0
    assert out.startswith("INC-1001: posted customer update, overriding who may post "
                          "(decider); next due")
    posted = [e for e in log() if e["kind"] == "update.posted"]  # (a milestone follows it)
    assert posted[-1]["payload"]["override"] == "alex is on a plane"
    run(capsys, "release", "1001", "comms", "--as", "alex")
    code, out, _ = run(capsys, *argv, "--as", "sam")
    assert code == 0 and "posted customer update, acting for comms" in out
    code, out, _ = run(capsys, "log", "1001")
    assert "sam posted a customer update, acting for Communications owner (vacant): k" in out


# -- the dashboard ---------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    return tmp_path / "app.db"



@pytest.mark.anyio
async def test_u_by_someone_with_no_role_is_a_notification_and_writes_nothing(db, clock):
    open_incident(db, clock)
    before = count(db)
    app = app_for(db, clock, name="kim")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        assert isinstance(app.screen, DashboardScreen)  # a warning, not a form
        assert any(n.message.startswith("only the communications owner (alex) posts customer "
                                        "updates on INC-1001; to take it over")
                   for n in app._notifications), [n.message for n in app._notifications]
    assert count(db) == before


@pytest.mark.anyio
async def test_the_lead_starts_on_an_internal_update(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="sam")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        assert isinstance(app.screen, FormModal)
        assert app.screen.values()["audience"] == "internal"
        assert "override" not in app.screen.values()
        modal = await fill(pilot, audience="customer", next="+20m")
        assert app.screen is modal  # refused: the form stays open with the reason
        error = form_error(app)
        assert error.startswith("only the communications owner (alex) posts customer")
        await fill(pilot, audience="internal", known="rolling back", unknown="cause",
                   next_steps="watch errors")
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        event = last_event(store)
    assert (event.who, event.payload["audience"]) == ("sam", "internal")


@pytest.mark.anyio
async def test_the_decider_gets_an_override_field(db, clock):
    open_incident(db, clock)
    app = app_for(db, clock, name="pat")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        assert isinstance(app.screen, FormModal)
        assert app.screen.values()["override"] == ""
        before = count(db)
        modal = await fill(pilot, known="k", unknown="u", next_steps="n")
        assert app.screen is modal
        assert "you may post anyway with an override reason" in form_error(app)
        assert count(db) == before
        await fill(pilot, override="alex unreachable")
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        event = last_event(store)
    assert (event.who, event.payload["override"]) == ("pat", "alex unreachable")


@pytest.mark.anyio
async def test_comms_opens_the_form_as_before(db, clock):
    open_incident(db, clock)
    act(db, actions.release_role, who("alex"), "INC-1001", "comms", clock=clock)
    app = app_for(db, clock, name="sam")  # the lead, standing in for comms
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        assert app.screen.values()["audience"] == "customer"
        await fill(pilot, known="k", unknown="u", next_steps="n")
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        assert last_event(store).payload["acting_for"] == "comms"


# -- the shipped scenarios ----------------------------------------------------------------------


@pytest.mark.parametrize("demo", [False, True], ids=["drill", "demo"])
def test_every_shipped_scenario_posts_each_update_from_the_right_role(tmp_path, demo):
    from conftest import START

    from warroom.clock import FrozenClock
    from warroom.drills import scenarios
    from warroom.drills.player import Player

    for name, scenario in scenarios.shipped().items():
        clock = FrozenClock(START)
        with Store(tmp_path / f"{name}-{demo}.db", create=True) as store:
            player = Player(store, scenario, os_user="facilitator", clock=clock, demo=demo)
            key = player.start()
            while not player.finished:
                clock.now = max(clock.now, player.next_due())
                player.step()
            refused_ = [o.message for o in player.outcomes if not o.ok]
            assert refused_ == [], (name, refused_)
            updates = [e for e in queries.events_after(store, 0, key)
                       if e.kind == "update.posted"]
            assert updates and not any(e.payload.get("override") for e in updates), name
