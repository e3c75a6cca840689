"""Customer statements a playbook gates (the security playbook's ``customer-statement``
rule): a customer update is refused until a request carrying that text is granted; it then
posts exactly the approved text, once. In the core, the CLI and the dashboard."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from app_helpers import act, app_for, count, fill, form_error, until
from conftest import last_event, person, refused
from textual.widgets import Select, Static

from warroom import actions
from warroom.cli import main
from warroom.db import queries
from warroom.db.store import Store
from warroom.journal import line
from warroom.records import Severity
from warroom.render.show import render_show
from warroom.rules import matching, playbooks
from warroom.screens.dashboard import DashboardScreen
from warroom.screens.form import FormModal

DRAFT = dict(known="We are investigating unusual sign-ins to your admin console.",
             unknown="Whether any data was accessed.",
             next_steps="We are preserving evidence and rotating keys.")
lee = person("lee")


def open_security(store, clock, name="security-incident") -> str:
    """A SEV1 incident under ``name``: lead sam, comms alex, decider pat, legal lee."""
    chosen = matching.plan(playbooks.load(), title="Suspicious access", severity=Severity.SEV1,
                           name=name)
    key = actions.open_incident(store, person("sam"), title="Suspicious access",
                                customer="Acme", severity="SEV1", clock=clock,
                                **chosen.applied()).key
    staff = [("sam", "lead"), ("alex", "comms"), ("pat", "decider")]
    staff += [("lee", "legal")] if "legal" in chosen.policy.roles else []
    for name_, role in staff:
        actions.claim_role(store, person(name_), key, role, clock=clock)
    return key


def request(store, key, clock, who_="alex", **kw):
    args = dict(change="Holding statement v1", kind="customer-statement", risk="medium",
                rationale="first customer message") | DRAFT | kw
    return actions.request_approval(store, person(who_), key, clock=clock, **args)


def post(store, key, clock, who_="alex", **kw):
    return actions.post_update(store, person(who_), key, audience="customer",
                               next_update_at=clock() + timedelta(minutes=20), clock=clock,
                               **kw)


def posted(store):
    """The last update.posted event (a post may also meet a milestone, journaled after it)."""
    return [e for e in queries.events_after(store, 0) if e.kind == "update.posted"][-1]


def grant(store, key, number, clock):
    for voter in ("lee", "pat"):
        actions.approve(store, person(voter), key, number, clock=clock)


@pytest.fixture
def key(store, clock) -> str:
    return open_security(store, clock)


# -- the core ---------------------------------------------------------------------------------


def test_a_customer_update_is_refused_until_a_statement_is_granted(store, key, clock):
    refused(store, lambda: post(store, key, clock, **DRAFT),
            r"^customer statements on INC-1001 go out only as approved \(customer-statement "
            r"rules of security-incident\): request approval of this statement with warroom "
            r"request INC-1001 'Customer statement' --kind customer-statement --risk RISK "
            r"--rationale WHY and the same --known, --unknown and --next-steps \(or "
            r"--template\), then post it with warroom update INC-1001 customer --approved N "
            r"--next WHEN$")
    done = request(store, key, clock)
    assert done.ref == 1
    payload = last_event(store).payload
    assert payload["statement"] == DRAFT | {"template": None}
    refused(store, lambda: post(store, key, clock, **DRAFT), "#1 waits for approval; once it "
            "is granted, post it with warroom update INC-1001 customer --approved 1")
    refused(store, lambda: post(store, key, clock, approval=1),
            r"approval #1 is not granted yet \(0 of 2 approvals, decider required\)")
    actions.approve(store, lee, key, 1, clock=clock)
    refused(store, lambda: post(store, key, clock, approval=1), r"\(1 of 2 approvals")
    actions.approve(store, person("pat"), key, 1, clock=clock)
    refused(store, lambda: post(store, key, clock, **DRAFT),
            "#1 is granted; post it with warroom update INC-1001 customer --approved 1 --next")


def test_the_granted_statement_goes_out_exactly_once(store, key, clock):
    request(store, key, clock)
    grant(store, key, 1, clock)
    clock.advance(minutes=5)
    done = post(store, key, clock, approval=1)
    assert done.message.startswith("posted customer update, as approved in #1; next due")
    event = posted(store)
    assert {k: event.payload[k] for k in DRAFT} == DRAFT
    assert (event.payload["approval_number"], event.payload["approval_id"]) == (1, 1)
    assert line(event).endswith("alex posted a customer update, as approved in #1: "
                                + DRAFT["known"])
    view = queries.incident_view(store, key)
    assert view.last_customer_update.known == DRAFT["known"]
    request_ = view.approvals[0]
    assert (request_.posted_at, request_.posted_by) == (clock(), "alex")
    refused(store, lambda: post(store, key, clock, approval=1),
            "approval #1 was posted at 14:05 by alex; an approved statement goes out once: "
            "request approval of the next one")
    refused(store, lambda: post(store, key, clock, **DRAFT),
            "request approval of this statement")  # spent: back to square one


def test_the_text_cannot_change_after_approval(store, key, clock):
    request(store, key, clock)
    grant(store, key, 1, clock)
    refused(store, lambda: post(store, key, clock, approval=1, known="We found nothing."),
            "what we know differs from the statement approved in #1; it goes out as "
            "approved, and a changed text needs a new request")
    refused(store, lambda: post(store, key, clock, approval=1, template="security-holding"),
            "#1 was approved with no template")
    post(store, key, clock, approval=1, **DRAFT)  # the same text, given again, is fine
    assert posted(store).payload["approval_number"] == 1


def test_a_template_draft_is_stored_filled_and_posted_with_its_template(store, key, clock):
    request(store, key, clock, template="security-holding", known=None, unknown=None,
            next_steps=None)
    statement = queries.incident_view(store, key).approvals[0].statement
    assert statement.template == "security-holding"
    assert statement.known.startswith("We are investigating a security event that may "
                                      "affect our service. We detected it around 14:00 UTC")
    grant(store, key, 1, clock)
    clock.advance(minutes=30)
    done = post(store, key, clock, approval=1)
    assert "We are writing to tell you about a security event" in done.composed
    assert statement.known in done.composed
    assert posted(store).payload["template"] == "security-holding"


def test_only_a_usable_grant_of_a_statement_posts(store, key, clock):
    refused(store, lambda: post(store, key, clock, approval=7), "INC-1001 has no approval "
            "request #7")
    actions.request_approval(store, person("sam"), key, change="Revoke keys", risk="low",
                             kind="containment", rationale="leaked", clock=clock)
    refused(store, lambda: post(store, key, clock, approval=1),
            "approval #1 is a containment request with no statement to post")
    request(store, key, clock)
    actions.reject(store, lee, key, 2, reason="too vague", clock=clock)
    refused(store, lambda: post(store, key, clock, approval=2),
            "approval #2 was rejected; only a granted statement goes out")
    request(store, key, clock)
    clock.advance(minutes=121)
    refused(store, lambda: post(store, key, clock, approval=3),
            "approval #3 expired before it was granted; request it again")
    request(store, key, clock)
    grant(store, key, 4, clock)
    refused(store, lambda: actions.post_update(store, person("alex"), key, audience="internal",
                                               approval=4, **DRAFT, clock=clock),
            r"an approved statement \(#4\) goes to the customer")
    actions.post_update(store, person("alex"), key, audience="internal", **DRAFT,
                        clock=clock)  # internal updates are not gated


def test_the_deciders_override_does_not_lift_the_gate(store, key, clock):
    request(store, key, clock)
    grant(store, key, 1, clock)
    refused(store, lambda: post(store, key, clock, who_="pat", override="alex is away",
                                **DRAFT), "#1 is granted; post it with")
    post(store, key, clock, who_="pat", override="alex is away", approval=1)
    payload = posted(store).payload
    assert (payload["override"], payload["approval_number"]) == ("alex is away", 1)


def test_a_statement_request_carries_its_draft_and_only_it_does(store, key, clock):
    refused(store, lambda: request(store, key, clock, known=None, unknown=None,
                                   next_steps=None),
            "a customer-statement request carries the statement to approve")
    refused(store, lambda: request(store, key, clock, unknown=None), "what we don't know")
    refused(store, lambda: request(store, key, clock, kind="containment", fallback="f"),
            r"only a customer-statement request carries a statement to approve \(this one "
            r"is a containment\)")
    refused(store, lambda: request(store, key, clock, known="We know [[what]]."),
            "what we know still has a blank to fill in")
    refused(store, lambda: request(store, key, clock, template="sitrep"),
            "template 'sitrep' is for internal updates, not customer")


def test_approvers_see_the_draft(store, key, clock):
    request(store, key, clock, template="security-holding", known="Sign-ins from an unknown "
            "address.", unknown=None, next_steps=None)
    text = render_show(queries.incident_view(store, key), clock())
    assert ("  #1 Holding statement v1 (customer-statement, medium risk): PENDING, 0 of 2"
            in text)
    assert "      what we know: Sign-ins from an unknown address." in text
    assert "      what we don't know: We do not yet know whether any of your data" in text
    assert "      template: security-holding" in text
    grant(store, key, 1, clock)
    post(store, key, clock, approval=1)
    text = render_show(queries.incident_view(store, key), clock())
    assert "APPROVED, 2 of 2 [lee, pat], decider required; eligible decider, legal; posted " \
           "14:00 by alex" in text


def test_playbooks_without_the_rule_post_as_before(store, clock):
    key = open_security(store, clock, name="customer-outage")
    post(store, key, clock, **DRAFT)
    assert "approval_number" not in posted(store).payload
    refused(store, lambda: request(store, key, clock), "no approval rule for kind "
            "'customer-statement' under customer-outage")
    refused(store, lambda: actions.request_approval(
        store, person("sam"), key, change="Roll back", risk="low", rationale="r",
        fallback="f", clock=clock, **DRAFT), "only a customer-statement request carries")


# -- the command line ---------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_refuses_requests_grants_and_posts(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "c.db"))
    run(capsys, "open", "Suspicious access", "--customer", "Acme", "--severity", "SEV1",
        "--playbook", "security-incident")
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider"),
                       ("lee", "legal")):
        run(capsys, "claim", "1001", role, "--as", name)
    log = lambda: json.loads(run(capsys, "log", "--json")[1])  # noqa: E731
    parts = ["--known", DRAFT["known"], "--unknown", DRAFT["unknown"], "--next-steps",
             DRAFT["next_steps"]]
    update = ["update", "1001", "customer", "--next", "60m", "--as", "alex"]
    before = log()
    for argv, message in [
            (update + parts, "customer statements on INC-1001 go out only as approved"),
            (update + ["--approved", "1"], "INC-1001 has no approval request #1"),
            (["request", "1001", "Holding statement", "--kind", "customer-statement",
              "--risk", "medium", "--rationale", "first", "--as", "alex"],
             "a customer-statement request carries the statement to approve"),
            (["request", "1001", "Revoke keys", "--kind", "containment", "--risk", "low",
              "--rationale", "leaked", "--as", "sam", "--known", "k"],
             "only a customer-statement request carries a statement")]:
        code, out, err = run(capsys, *argv)
        assert (code, out, err.count("\n")) == (2, "", 1), err
        assert message in err, err
    assert log() == before
    code, out, _ = run(capsys, "request", "1001", "Holding statement v1", "--kind",
                       "customer-statement", "--risk", "medium", "--rationale", "first",
                       *parts, "--as", "alex")
    assert code == 0 and out.startswith("INC-1001: approval #1 requested: Holding statement v1")
    code, out, _ = run(capsys, "show", "1001")
    assert f"      what we know: {DRAFT['known']}" in out
    for name in ("lee", "pat"):
        assert run(capsys, "approve", "1001", "1", "--as", name)[0] == 0
    before = log()
    code, out, err = run(capsys, *update, "--approved", "1", "--known", "changed")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "what we know differs from the statement approved in #1" in err
    assert log() == before
    code, out, _ = run(capsys, *update, "--approved", "1")
    assert code == 0 and out.startswith("INC-1001: posted customer update, as approved in #1")
    assert [e for e in log() if e["kind"] == "update.posted"][-1]["payload"]["known"] == \
        DRAFT["known"]
    code, out, err = run(capsys, *update, "--approved", "1")
    assert code == 2 and "an approved statement goes out once" in err


def test_playbook_show_says_customer_statements_need_approval(capsys):
    code, out, _ = run(capsys, "playbook", "show", "security-incident")
    assert code == 0 and "  customer statements go out only as approved (customer-statement " \
        "rules below)" in out
    assert "customer statements" not in run(capsys, "playbook", "show", "customer-outage")[1]


# -- the dashboard ------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    return tmp_path / "app.db"


def setup_db(db, clock) -> None:
    with Store(db, create=True) as store:
        open_security(store, clock)



@pytest.mark.anyio
async def test_the_update_form_requests_approval_of_the_draft(db, clock):
    setup_db(db, clock)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        modal = app.screen
        assert isinstance(modal, FormModal)
        assert modal.values()["statement"] == "request"
        assert "need approval" in str(modal.query_one(".intro", Static).render())
        before = count(db)
        await fill(pilot, template=Select.NULL, **DRAFT, rationale="")
        assert app.screen is modal  # the request needs its rationale
        assert "rationale" in form_error(app)
        assert count(db) == before
        await fill(pilot, rationale="first customer message")
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        request_ = queries.incident_view(store, "INC-1001").approvals[0]
        assert (request_.kind, request_.change) == ("customer-statement", "Customer statement")
        assert request_.statement.known == DRAFT["known"]
        assert request_.statement.template is None
        assert store.last_update(1, "customer") is None  # nothing went to the customer


@pytest.mark.anyio
async def test_once_granted_the_form_posts_the_approved_text(db, clock):
    setup_db(db, clock)
    with Store(db) as store:
        request(store, "INC-1001", clock, template="security-holding", known=None,
                unknown=None, next_steps=None)
        grant(store, "INC-1001", 1, clock)
        approved = queries.incident_view(store, "INC-1001").approvals[0].statement
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        modal = app.screen
        values = modal.values()
        assert (values["statement"], values["template"]) == ("1", "security-holding")
        assert values["known"] == approved.known
        await fill(pilot, known="An edited text.")
        assert app.screen is modal
        assert "differs from the statement approved in #1" in form_error(app)
        await fill(pilot, known=approved.known)
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        event = posted(store)
        assert (event.payload["approval_number"], event.payload["known"]) == (1, approved.known)


@pytest.mark.anyio
async def test_another_template_makes_the_approved_text_a_new_request(db, clock):
    setup_db(db, clock)
    with Store(db) as store:
        request(store, "INC-1001", clock)
        grant(store, "INC-1001", 1, clock)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        modal = app.screen
        assert (modal.values()["statement"], modal.values()["known"]) == ("1", DRAFT["known"])
        await fill(pilot, submit=False, template="security-holding")
        assert await until(pilot, lambda: modal.values()["statement"] == "request")
        assert modal.values()["known"].startswith("We are investigating a security event")
        await pilot.press("escape")


@pytest.mark.anyio
async def test_the_approve_form_shows_the_draft(db, clock):
    setup_db(db, clock)
    act(db, request, "INC-1001", clock)
    app = app_for(db, clock, name="lee")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        modal = app.screen
        assert isinstance(modal, FormModal)
        intro = str(modal.query_one(".intro", Static).render())
        assert f"what we know: {DRAFT['known']}" in intro
        label = next(f for f in modal.fields if f.name == "request").choices[0][0]
        assert label == "#1 Holding statement v1 (customer statement: see above)"
        await pilot.press("escape")


@pytest.mark.anyio
async def test_a_playbook_without_the_rule_keeps_the_plain_form(db, clock):
    with Store(db, create=True) as store:
        open_security(store, clock, name="customer-outage")
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        assert "statement" not in app.screen.values()
        await fill(pilot, template=Select.NULL, **DRAFT)
        assert isinstance(app.screen, DashboardScreen)
    with Store(db) as store:
        assert posted(store).payload["known"] == DRAFT["known"]


def test_a_statement_cannot_be_backdated_to_before_its_grant(store, key, clock):
    """Posting the granted statement "as of" a moment before it was approved would tell the
    review that the customer heard an unapproved text: refused, naming the approval."""
    from warroom.clock import FrozenClock

    request(store, key, clock)
    clock.advance(minutes=20)
    actions.approve(store, lee, key, 1, clock=clock)
    clock.advance(minutes=10)
    actions.approve(store, person("pat"), key, 1, clock=clock)
    earlier = FrozenClock(clock() - timedelta(minutes=25))
    refused(store, lambda: post(store, key, earlier, approval=1),
            "cannot record this as happening at .*: after that, at .*, lee approved")
    post(store, key, clock, approval=1)
