"""The authority matrix: approval rules by change kind and risk, enforced and journaled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import last_event, person, refused

from warroom import actions
from warroom.db import queries
from warroom.records import Severity
from warroom.rules import matching, playbooks


@pytest.fixture(scope="module")
def catalog():
    return playbooks.load()


def open_staffed(store, clock, catalog, name, extra=()):
    """An incident under playbook ``name``: lead sam, comms alex, decider pat (+ extras)."""
    chosen = matching.plan(catalog, title="anything", severity=Severity.SEV1, name=name)
    key = actions.open_incident(store, person("sam"), title="anything", customer="Acme",
                                severity="SEV1", policy=chosen.policy, playbook=name,
                                why=chosen.why, clock=clock).key
    for who, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider"), *extra):
        actions.claim_role(store, person(who), key, role, clock=clock)
    return key


def ask(store, who, key, clock, **kw):
    args = dict(change="Roll back deploy 412", risk="low", rationale="bad deploy",
                fallback="roll forward") | kw
    return actions.request_approval(store, person(who), key, clock=clock, **args).ref


def state(store, key, clock, index=0):
    return queries.incident_view(store, key).approvals[index].effective_status(clock())


def test_the_kind_rule_applies_and_is_journaled(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage")
    rid = ask(store, "sam", key, clock, kind="Rollback")
    event = last_event(store)
    assert event.payload["rule"] == "rollback/low" and event.payload["kind"] == "rollback"
    assert event.payload["policy"] == "customer-outage"
    assert event.payload["rule_terms"]["eligible_roles"] == ["lead", "decider"]
    request = queries.incident_view(store, key).approvals[0]
    assert request.expires_at == clock() + timedelta(minutes=20)
    # a kind without a rule for this risk falls back to the default rule for it
    ask(store, "sam", key, clock, kind="rollback", risk="high")
    assert last_event(store).payload["rule"] == "default/high"
    ask(store, "sam", key, clock, kind="Change", risk="medium")  # the generic kind
    assert last_event(store).payload["rule"] == "default/medium"
    assert last_event(store).payload["kind"] == "change"
    assert rid == 1


def test_a_kind_the_policy_does_not_know_is_refused(store, clock, catalog):
    """Falling back to the default rule would get around the matrix: customer-outage needs
    the decider for every hotfix, and 'Hot_Fix' must not be a way round it."""
    key = open_staffed(store, clock, catalog, "customer-outage")
    refused(store, lambda: ask(store, "sam", key, clock, kind="Hot_Fix", risk="medium"),
            r"^no approval rule for kind 'hot-fix' under customer-outage \(did you mean "
            r"hotfix\?\); kinds: change, rollback, hotfix$")
    refused(store, lambda: ask(store, "sam", key, clock, kind="config change"),
            r"no approval rule for kind 'config-change' under customer-outage \(did you mean "
            r"change\?\); kinds: change, rollback, hotfix$")
    policy = catalog.get("customer-outage").policy(catalog.templates)
    assert policy.known_kinds() == ["change", "rollback", "hotfix"]
    # without a playbook there are no kinds of change, only the generic one
    plain = actions.open_incident(store, person("sam"), title="x", customer="Acme",
                                  severity="SEV2", clock=clock).key
    refused(store, lambda: ask(store, "sam", plain, clock, kind="rollback"),
            r"^no approval rule for kind 'rollback' under built-in defaults; kinds: change$")
    ask(store, "sam", plain, clock, kind="change")


def test_too_few_approvals_leave_it_pending(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "data-integrity", extra=[("kim", "scribe")])
    rid = ask(store, "kim", key, clock, kind="data-repair", change="Re-run order import")
    done = actions.approve(store, person("sam"), key, rid, clock=clock)
    assert done.message == "approval #1: 1 of 2 approvals"
    assert state(store, key, clock) == "pending"
    done = actions.approve(store, person("pat"), key, rid, clock=clock)
    assert done.message == "approval #1 granted (2 of 2)"


def test_an_ineligible_approver_is_refused(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage")
    rid = ask(store, "sam", key, clock, kind="rollback")
    # comms is eligible by default, but not for a rollback under this playbook
    refused(store, lambda: actions.approve(store, person("alex"), key, rid, clock=clock),
            r"you are not eligible to decide approval #1 \(eligible: the lead, the decider\)")
    refused(store, lambda: actions.reject(store, person("alex"), key, rid, reason="no",
                                          clock=clock), "you are not eligible")
    actions.approve(store, person("pat"), key, rid, clock=clock)
    assert state(store, key, clock) == "approved"


def test_the_decider_is_required(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "security-incident", extra=[("lee", "legal")])
    rid = ask(store, "alex", key, clock, kind="customer-statement", fallback=None,
              change="Holding statement v1", known="k", unknown="u", next_steps="n")
    done = actions.approve(store, person("lee"), key, rid, clock=clock)
    assert done.message == "approval #1: 1 of 2 approvals"
    refused(store, lambda: actions.approve(store, person("sam"), key, rid, clock=clock),
            r"eligible: the decider, the legal")
    actions.approve(store, person("pat"), key, rid, clock=clock)
    assert state(store, key, clock) == "approved"
    votes = queries.incident_view(store, key).approvals[0].votes
    assert [(v.voter, v.roles) for v in votes] == [("lee", ["legal"]), ("pat", ["decider"])]


def test_counting_is_not_enough_without_the_decider(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage", extra=[("dana", "internal_liaison")])
    rid = ask(store, "dana", key, clock, kind="hotfix", risk="high", change="Ship fix 413")
    actions.approve(store, person("sam"), key, rid, clock=clock)
    done = actions.approve(store, person("alex"), key, rid, clock=clock)
    assert done.message == "approval #1: 2 of 2, still needs the decider"
    assert state(store, key, clock) == "pending"
    actions.approve(store, person("pat"), key, rid, clock=clock)
    assert state(store, key, clock) == "approved"


def test_expiry_comes_from_the_rule_and_cannot_be_stretched(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage")
    refused(store, lambda: ask(store, "sam", key, clock, kind="rollback",
                               expires_at=clock() + timedelta(minutes=45)),
            r"the expiry can be at most 20m away \(rule rollback/low of customer-outage\)")
    rid = ask(store, "sam", key, clock, kind="rollback")
    clock.advance(minutes=20)
    assert state(store, key, clock) == "expired"
    refused(store, lambda: actions.approve(store, person("pat"), key, rid, clock=clock),
            "expired 0s ago; request it again")
    rid = ask(store, "sam", key, clock, kind="rollback", expires_at=clock() + timedelta(minutes=5))
    clock.advance(minutes=4)
    actions.approve(store, person("pat"), key, rid, clock=clock)
    assert state(store, key, clock, 1) == "approved"


def test_a_request_may_narrow_but_never_widen_eligibility(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage")
    refused(store, lambda: ask(store, "sam", key, clock, kind="rollback", eligible=["comms"]),
            "'comms' may not approve this change: rule rollback/low of customer-outage allows "
            "lead, decider")
    refused(store, lambda: ask(store, "sam", key, clock, eligible=["dana"]),
            r"^'dana' is neither a role of INC-1001 \(lead, comms, decider, internal_liaison\) "
            r"nor someone holding one$")
    ask(store, "alex", key, clock, kind="rollback", eligible=["Decider"], needed=1)
    assert queries.incident_view(store, key).approvals[0].eligible_roles == ["decider"]
    refused(store, lambda: ask(store, "sam", key, clock, needed=0), "from 1 to 10")
    ask(store, "sam", key, clock, risk="medium", decider_required=True)
    assert queries.incident_view(store, key).approvals[1].decider_required is True


def test_a_request_that_could_never_be_granted_is_refused(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage")
    refused(store, lambda: ask(store, "sam", key, clock, kind="rollback", needed=3),
            r"^this could never be granted: it needs 3 approvals and only 1 person other than "
            r"you could give one \(eligible: lead, decider; a vacant role counts\)$")
    refused(store, lambda: ask(store, "sam", key, clock, kind="rollback", eligible=["lead"]),
            r"^this could never be granted: it needs 1 approval and nobody but you could give "
            r"one \(eligible: lead; a vacant role counts\)$")
    # a vacant eligible role still counts: someone may claim it
    actions.release_role(store, person("pat"), key, "decider", clock=clock)
    ask(store, "sam", key, clock, kind="hotfix", risk="medium")
    assert last_event(store).payload["eligible_roles"] == ["decider"]


def test_fallbacks_follow_the_rule(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "security-incident", extra=[("lee", "legal")])
    refused(store, lambda: ask(store, "sam", key, clock, fallback=None, risk="high"),
            r"a high-risk change needs a fallback plan \(rule default/high of "
            r"security-incident\)")
    ask(store, "sam", key, clock, fallback=None, kind="containment", change="Revoke key K")
    assert queries.incident_view(store, key).approvals[0].fallback == ""


def test_the_decider_cannot_ask_for_what_only_they_could_grant(store, clock, catalog):
    """Every hotfix under customer-outage needs the decider; the decider never approves
    their own request, so theirs could never be granted: refused when asked, not left to
    expire."""
    key = open_staffed(store, clock, catalog, "customer-outage")
    for risk in ("low", "high"):
        refused(store, lambda: ask(store, "pat", key, clock, kind="hotfix", risk=risk),
                r"^you hold decider and cannot approve your own request; ask someone else to "
                r"request it, or hand decider over first$")
    refused(store, lambda: ask(store, "pat", key, clock, risk="low", decider_required=True),
            "you hold decider and cannot approve your own request")
    ask(store, "pat", key, clock, kind="rollback")  # the lead may grant this one
    ask(store, "sam", key, clock, kind="hotfix")


def test_a_request_may_name_the_people_who_may_approve_it(store, clock, catalog):
    """``--eligible pat``: only pat may approve, through a role the rule allows; naming a
    person narrows the rule like naming a role, never widens it."""
    key = open_staffed(store, clock, catalog, "customer-outage", extra=[("dana",
                                                                         "internal_liaison")])
    rid = ask(store, "sam", key, clock, kind="hotfix", risk="high", change="Ship fix 413",
              eligible=["alex", "pat"])
    request = queries.incident_view(store, key).approvals[0]
    assert (request.eligible_roles, request.eligible_people) == ([], ["alex", "pat"])
    assert last_event(store).payload["eligible_people"] == ["alex", "pat"]
    refused(store, lambda: actions.approve(store, person("dana"), key, rid, clock=clock),
            r"you are not eligible to decide approval #1 \(eligible: alex, pat\)")
    actions.approve(store, person("alex"), key, rid, clock=clock)
    actions.approve(store, person("pat"), key, rid, clock=clock)
    assert state(store, key, clock) == "approved"
    votes = queries.incident_view(store, key).approvals[0].votes
    assert [(v.voter, v.roles) for v in votes] == [("alex", ["comms"]), ("pat", ["decider"])]
    # a role and a person together
    ask(store, "dana", key, clock, kind="rollback", eligible=["lead", "pat"])
    assert last_event(store).payload["eligible_roles"] == ["lead"]
    assert last_event(store).payload["eligible_people"] == ["pat"]


def test_naming_a_person_never_widens_the_rule(store, clock, catalog):
    key = open_staffed(store, clock, catalog, "customer-outage", extra=[("dana",
                                                                         "internal_liaison")])
    refused(store, lambda: ask(store, "sam", key, clock, kind="rollback", eligible=["alex"]),
            r"^alex may not approve this change: they hold comms, and rule rollback/low of "
            r"customer-outage allows lead, decider$")
    refused(store, lambda: ask(store, "sam", key, clock, kind="rollback", eligible=["sam"]),
            r"^you cannot approve your own request: name someone else$")
    refused(store, lambda: ask(store, "dana", key, clock, kind="hotfix", risk="high",
                               eligible=["sam", "alex"]),
            r"^the decider must approve but is not among the eligible \(sam, alex\)$")
    rid = ask(store, "sam", key, clock, kind="rollback", eligible=["pat"])
    # pat hands the decider role over: named as the decider, pat no longer may approve
    actions.release_role(store, person("pat"), key, "decider", clock=clock)
    refused(store, lambda: actions.approve(store, person("pat"), key, rid, clock=clock),
            r"^you were named on approval #1 but no longer hold a role that may approve it "
            r"\(lead, decider\)$")


def test_the_approvals_pane_names_the_rule_that_was_applied(store, clock, catalog):
    """A kind with no rule at this risk falls back to the default rule: the pane says so,
    as the request's message and the journal do."""
    from warroom.render import board

    key = open_staffed(store, clock, catalog, "customer-outage")
    ask(store, "sam", key, clock, kind="rollback", risk="high")
    assert last_event(store).payload["rule"] == "default/high"
    view = queries.incident_view(store, key)
    assert view.approvals[0].rule == "default/high"
    text = ["".join(c.text for c in line) for line in board.approval_lines(view, clock())]
    assert text[1] == "    rule default/high of customer-outage"
