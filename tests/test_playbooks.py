"""Playbooks: the shipped ones validate, broken ones say where, matching picks the right one,
and applying one creates roles, milestones and cadence by severity."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import START, last_event

from warroom import actions
from warroom.db import queries
from warroom.errors import UserError
from warroom.records import Risk, Severity
from warroom.rules import matching, playbooks

MINIMAL = """
name = "mini"
description = "a small playbook"
owner = "Head of Ops"
last_reviewed = 2026-11-01

[match]
keywords = ["widget"]

[roles.lead]
team = "ops on-call"
contingency = "ops manager"
[roles.comms]
holder = "alex"
contingency = "support lead"
[roles.decider]
team = "duty director"
contingency = "CTO"
[roles.scribe]
team = "support engineer"
contingency = "ops on-call"

[cadence.SEV1]
customer = 20
internal = 10
[cadence.SEV2]
customer = 60
internal = 30
[cadence.SEV3]
customer = 240
internal = 60
[cadence.SEV4]
customer = 1440
internal = 240

[stages]
triage = "t"
investigating = "i"
mitigating = "m"
monitoring = "o"
resolved = "r"

[[milestones]]
name = "Acknowledge the customer"
role = "comms"
due = { SEV1 = "15m", SEV2 = 30, SEV3 = "2h" }

[[milestones]]
name = "Evidence kept"
role = "scribe"
due = { SEV1 = "1h30m", SEV4 = "2d" }

[approvals.rollback.low]
needed = 1
eligible_roles = ["lead", "decider"]
expires_minutes = 20
"""


def parse(text: str, source: str = "mini.toml"):
    return playbooks.parse(text, source, playbooks.load().templates)


@pytest.fixture(scope="module")
def catalog():
    return playbooks.load()


def test_every_shipped_playbook_validates_and_covers_the_four_patterns(catalog):
    names = set(catalog.playbooks)
    assert {"customer-outage", "data-integrity", "security-incident", "degraded-performance",
            "billing-error"} <= names
    for pb in catalog.playbooks.values():
        assert set(pb.cadence) == set(Severity), pb.name
        assert {"lead", "comms", "decider"} <= set(pb.roles), pb.name
        assert pb.milestones and pb.templates and pb.owner, pb.name
        assert catalog.sources[pb.name] == f"data/playbooks/{pb.name}.toml"
    assert catalog.skipped == []


def test_every_shipped_rule_can_be_granted_when_the_lead_asks(catalog):
    """The requester never approves their own request, so a rule whose only eligible roles
    are the lead's would leave the lead unable to get anything approved."""
    for pb in catalog.playbooks.values():
        for kind, rules in pb.approvals.items():
            for risk, rule in rules.items():
                others = set(rule.eligible_roles) - {"lead"}
                assert len(others) >= rule.needed, f"{pb.name} {kind}/{risk.value}"


def test_security_statements_need_the_decider_and_legal(catalog):
    policy = catalog.get("security-incident").policy(catalog.templates)
    rule, source = policy.rule_and_source(Risk.LOW, "customer-statement")
    assert source == "customer-statement/low"
    assert (rule.needed, set(rule.eligible_roles), rule.decider_required) == (
        2, {"decider", "legal"}, True)
    sev1 = policy.cadence_for(Severity.SEV1)
    outage = catalog.get("customer-outage").policy(catalog.templates).cadence_for(Severity.SEV1)
    assert sev1.customer > outage.customer and outage.customer <= 20


def test_minimal_playbook_parses_and_defaults_apply():
    pb = parse(MINIMAL)
    assert pb.review_every_days == 90 and pb.review_due() == date(2027, 1, 30)
    assert list(pb.roles) == ["lead", "comms", "decider", "scribe"]
    assert pb.milestones[0].due[Severity.SEV2] == timedelta(minutes=30)
    assert pb.holders() == {"comms": "alex"}


@pytest.mark.parametrize(
    "change, where",
    [
        # wrong type
        (("customer = 20\ninternal = 10", 'customer = "often"\ninternal = 10'),
         "mini.toml: cadence.SEV1.customer: must be a whole number"),
        (("customer = 20\ninternal = 10", "customer = 0\ninternal = 10"),
         "mini.toml: cadence.SEV1.customer: must be greater than 0"),
        # unknown role
        (('role = "scribe"', 'role = "scrib"'),
         'mini.toml: milestones["Evidence kept"].role: unknown role \'scrib\' (roles: lead, '
         "comms, decider, scribe)"),
        (('eligible_roles = ["lead", "decider"]', 'eligible_roles = ["lead", "cfo"]'),
         "mini.toml: approvals.rollback.low.eligible_roles: unknown role 'cfo'"),
        # negative offset
        (('SEV1 = "1h30m"', 'SEV1 = "-5m"'),
         'mini.toml: milestones["Evidence kept"].due.SEV1: must not be negative'),
        (("SEV2 = 30", "SEV2 = -30"),
         'mini.toml: milestones["Acknowledge the customer"].due.SEV2: must not be negative'),
        (('SEV3 = "2h"', 'SEV3 = "soon"'),
         'mini.toml: milestones["Acknowledge the customer"].due.SEV3: cannot read \'soon\''),
        (("SEV2 = 30", "SEV2 = 0"),
         'mini.toml: milestones["Acknowledge the customer"].due.SEV2: must be greater than 0'),
        (("SEV2 = 30", "SEV2 = true"),
         'mini.toml: milestones["Acknowledge the customer"].due.SEV2: must be a duration'),
        (("SEV2 = 30", "SEV2 = 1e20"),
         'mini.toml: milestones["Acknowledge the customer"].due.SEV2: is too long a duration'),
        (('due = { SEV1 = "1h30m", SEV4 = "2d" }', "due = {}"),
         'mini.toml: milestones["Evidence kept"].due: must have at least one entry'),
        (('name = "Evidence kept"\n', ""), "mini.toml: milestones[#2].name: is required"),
        (('keywords = ["widget"]', 'keywords = ["widget", 3]'),
         "mini.toml: match.keywords[#2]: must be text"),
        # missing field
        (('owner = "Head of Ops"\n', ""), "mini.toml: owner: is required"),
        (('contingency = "CTO"\n', ""), "mini.toml: roles.decider.contingency: is required"),
        (("[cadence.SEV4]\ncustomer = 1440\ninternal = 240\n", ""),
         "mini.toml: cadence: SEV4 is missing"),
        (('resolved = "r"\n', ""), "mini.toml: stages: resolved is missing"),
        (("[roles.comms]\nholder = \"alex\"\ncontingency = \"support lead\"\n", ""),
         "mini.toml: roles: must include lead, comms and decider (missing: comms)"),
        # other mistakes a person makes
        (('team = "ops on-call"\n', ""), "mini.toml: roles.lead: needs a default holder or a team"),
        (('name = "mini"', 'name = "Mini Playbook"'), "mini.toml: name: must be lowercase letters, digits and -"),
        (("[cadence.SEV1]", "[cadence.SEV9]"), "mini.toml: cadence.SEV9: must be 'SEV1'"),
        (('last_reviewed = 2026-11-01', 'last_reviewed = "last week"'),
         "mini.toml: last_reviewed: must be a date such as 2026-11-01"),
        (("needed = 1", "needed = 3"),
         "mini.toml: approvals.rollback.low.needed: 3 approvals from 2 eligible roles can never"),
        (("[approvals.rollback.low]", "[approvals.Roll_Back.low]"),
         "mini.toml: approvals.Roll_Back: a change kind is lowercase words joined by - "
         "(write 'roll-back')"),
        (('[match]\nkeywords = ["widget"]', '[match]\nkeywords = ["widget"]\ncolour = "red"'),
         "mini.toml: match.colour: is not a known key"),
    ],
)
def test_broken_playbooks_name_the_place(change, where):
    old, new = change
    assert old in MINIMAL, old
    with pytest.raises(UserError) as err:
        parse(MINIMAL.replace(old, new, 1))
    assert str(err.value).startswith(where), str(err.value)


def test_the_decider_must_be_eligible_when_required():
    text = MINIMAL.replace("expires_minutes = 20", "expires_minutes = 20\ndecider_required = true")
    with pytest.raises(UserError, match="approvals.rollback.low.decider_required: the decider "
                                        "is not in eligible_roles"):
        parse(text.replace('["lead", "decider"]', '["lead", "comms"]'))


def test_bad_toml_names_file_and_line():
    with pytest.raises(UserError, match=r"^mini.toml: not valid TOML: .*line 3"):
        parse('name = "x"\ndescription = "y"\nowner = = 1\n')


def test_a_playbook_must_name_existing_templates():
    with pytest.raises(UserError, match=r"mini.toml: templates: no template 'thanks' "
                                        r"\(templates: acknowledge, "):
        parse('templates = ["acknowledge", "thanks"]\n' + MINIMAL)


# -- matching ------------------------------------------------------------------------------

TITLES = [
    ("Checkout failing for EU users", "customer-outage"),
    ("API returns 503 for all requests", "customer-outage"),
    ("Login page down in APAC", "customer-outage"),
    ("Dashboard slow to load, p99 latency 4s", "degraded-performance"),
    ("Intermittent timeouts on search", "degraded-performance"),
    ("Checkout slow and failing", "customer-outage"),  # a tie: outage has priority
    ("Customers charged twice for November invoices", "billing-error"),
    ("Invoices failing to generate", "billing-error"),
    ("Orders corrupted after migration", "data-integrity"),
    ("Data loss in EU shard", "data-integrity"),
    ("Duplicated orders since 09:00", "data-integrity"),
    ("Credential leak in public repo", "security-incident"),
    ("Data breach: customer records exposed", "security-incident"),
    ("Unauthorized access to admin console", "security-incident"),
    ("Something odd with the mobile app", None),
    ("Downloads page has a typo", None),  # 'down' is a whole word, 'fail*' a stem
]


@pytest.mark.parametrize("title, expected", TITLES)
def test_matching_picks_the_right_playbook(catalog, title, expected):
    chosen = matching.plan(catalog, title=title, severity=Severity.SEV2)
    assert chosen.playbook == expected, chosen.why


def test_services_tiers_and_severities_match_too(tmp_path, catalog):
    folder = tmp_path / "mine"
    folder.mkdir()
    text = MINIMAL.replace('keywords = ["widget"]', 'services = ["payments"]\n'
                           'tiers = ["enterprise"]\nseverities = ["SEV1", "SEV2"]')
    (folder / "mini.toml").write_text(text)
    cat = playbooks.load(folder)
    pick = lambda **kw: matching.plan(cat, **({"title": "Checkout failing"} | kw))  # noqa: E731
    chosen = pick(severity=Severity.SEV1, service="Payments", tier="Enterprise")
    assert chosen.playbook == "mini"  # service 3 + tier 1 beat the outage keyword's 2
    assert "service 'payments'" in chosen.why and "also matched customer-outage (2)" in chosen.why
    assert pick(severity=Severity.SEV3, service="payments", tier="enterprise").playbook == (
        "customer-outage")  # SEV3 is not among its severities
    assert pick(severity=Severity.SEV1, service="payments", tier="standard").playbook == (
        "customer-outage")
    assert pick(severity=Severity.SEV1, service="payments").playbook == "customer-outage"


def test_choosing_by_name_and_unknown_names(catalog):
    chosen = matching.plan(catalog, title="Something odd", severity=Severity.SEV3,
                           name="billing-error")
    assert chosen.playbook == "billing-error" and chosen.why == "chosen by name (--playbook)"
    with pytest.raises(UserError, match="no playbook 'nope' .*customer-outage"):
        matching.plan(catalog, title="x", severity=Severity.SEV3, name="nope")


# -- applying ------------------------------------------------------------------------------


def open_under(store, who, clock, catalog, title, severity, **kw):
    chosen = matching.plan(catalog, title=title, severity=Severity(severity), **kw)
    done = actions.open_incident(
        store, who, title=title, customer="Acme", severity=severity, policy=chosen.policy,
        playbook=chosen.playbook, why=chosen.why, assign=chosen.assign,
        milestones=chosen.milestones, clock=clock)
    return done.key


EXPECTED_MILESTONES = {
    "SEV1": [("Acknowledge the customer", "comms", 15), ("Brief sales, support and executives",
             "internal_liaison", 30), ("Rollback or mitigation path ready", "lead", 30),
             ("Mitigation in place", "lead", 60), ("RCA to customer", "comms", 5 * 1440)],
    "SEV2": [("Acknowledge the customer", "comms", 30), ("Brief sales, support and executives",
             "internal_liaison", 60), ("Rollback or mitigation path ready", "lead", 60),
             ("Mitigation in place", "lead", 240), ("RCA to customer", "comms", 5 * 1440)],
    "SEV3": [("Acknowledge the customer", "comms", 120),
             ("Rollback or mitigation path ready", "lead", 240),
             ("Mitigation in place", "lead", 1440), ("RCA to customer", "comms", 10 * 1440)],
    "SEV4": [("Acknowledge the customer", "comms", 1440), ("Mitigation in place", "lead",
                                                          3 * 1440)],
}
EXPECTED_CADENCE = {"SEV1": (20, 15), "SEV2": (60, 30), "SEV3": (240, 60), "SEV4": (1440, 240)}


@pytest.mark.parametrize("severity", ["SEV1", "SEV2", "SEV3", "SEV4"])
def test_applying_a_playbook_creates_milestones_due_by_severity(store, sam, clock, catalog,
                                                                 severity):
    key = open_under(store, sam, clock, catalog, "Checkout failing", severity)
    view = queries.incident_view(store, key)
    got = sorted((m.name, m.owner, m.due_at) for m in view.milestones)
    want = sorted((n, o, START + timedelta(minutes=m)) for n, o, m in EXPECTED_MILESTONES[severity])
    assert got == want
    customer, internal = EXPECTED_CADENCE[severity]
    assert view.cadence_minutes == {"customer": customer, "internal": internal}
    assert view.incident.next_customer_due == START + timedelta(minutes=customer)
    assert view.incident.playbook == "customer-outage"
    liaison = view.role("internal_liaison")
    assert (liaison.title, liaison.holder, liaison.team, liaison.contingency) == (
        "Internal liaison", None, "eng manager on call", "support duty manager")


def test_the_journal_says_which_playbook_and_why(store, sam, clock, catalog):
    open_under(store, sam, clock, catalog, "Checkout failing with errors", "SEV1",
               service="checkout")
    event = last_event(store)
    assert event.payload["playbook"] == "customer-outage"
    assert event.payload["why"] == "matched title words 'fail*', 'error*' (score 4)"
    assert event.payload["policy"] == "customer-outage"
    assert event.payload["roles"] == ["lead", "comms", "decider", "internal_liaison"]
    assert len(event.payload["milestones"]) == 5


def test_default_holders_are_assigned_at_opening(store, sam, clock, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mini.toml").write_text(MINIMAL)
    key = open_under(store, sam, clock, playbooks.load(folder), "Widget misbehaves", "SEV1")
    view = queries.incident_view(store, key)
    assert view.role("comms").holder == "alex" and view.role("lead").holder is None
    assert view.role("scribe").team == "support engineer"
    assert last_event(store).payload["assigned"] == {"comms": "alex"}


def test_no_match_keeps_the_built_in_defaults(store, sam, clock, catalog):
    key = open_under(store, sam, clock, catalog, "Something odd", "SEV1")
    view = queries.incident_view(store, key)
    assert view.incident.playbook is None and view.milestones == []
    assert [r.role for r in view.roles] == ["lead", "comms", "decider"]
    assert last_event(store).payload["why"].startswith("no playbook matched")


def test_a_running_incident_keeps_its_copy_of_the_policy(store, sam, clock, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mini.toml").write_text(MINIMAL)
    key = open_under(store, sam, clock, playbooks.load(folder), "Widget misbehaves", "SEV1")
    (folder / "mini.toml").write_text(MINIMAL.replace("customer = 20", "customer = 5"))
    assert queries.incident_view(store, key).cadence_minutes["customer"] == 20


# -- the user folder and governance ---------------------------------------------------------


def test_a_user_folder_adds_and_overrides(tmp_path):
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "mini.toml").write_text(MINIMAL)
    override = MINIMAL.replace('name = "mini"', 'name = "billing-error"')
    (folder / "billing.toml").write_text(override)
    cat = playbooks.load(folder)
    assert cat.sources["mini"] == str(folder / "mini.toml")
    assert cat.sources["billing-error"] == str(folder / "billing.toml")
    assert "scribe" in cat.get("billing-error").roles
    assert cat.sources["customer-outage"] == "data/playbooks/customer-outage.toml"


def test_an_invalid_user_file_is_skipped_when_opening_but_not_when_checking(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.toml").write_text(MINIMAL.replace('role = "scribe"', 'role = "nobody"'))
    cat = playbooks.load(folder, strict=False)
    assert "mini" not in cat.playbooks and "customer-outage" in cat.playbooks
    assert cat.skipped == [f"{folder / 'broken.toml'}: milestones[\"Evidence kept\"].role: "
                           "unknown role 'nobody' (roles: lead, comms, decider, scribe)"]
    with pytest.raises(UserError, match=r"broken.toml: milestones\[\"Evidence kept\"\].role"):
        playbooks.load(folder)
    findings = playbooks.check(folder)
    assert [bool(f.errors) for f in findings] == [True]


def test_two_files_with_one_name_are_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.toml").write_text(MINIMAL)
    (folder / "b.toml").write_text(MINIMAL)
    with pytest.raises(UserError, match=r"b.toml: name: 'mini' is also defined in .*a.toml"):
        playbooks.load(folder)


def test_review_dates(catalog):
    pb = parse(MINIMAL.replace("last_reviewed = 2026-11-01",
                               "last_reviewed = 2026-01-01\nreview_every_days = 30"))
    assert pb.review_due() == date(2026, 1, 31)
    assert pb.is_stale(date(2026, 2, 1)) and not pb.is_stale(date(2026, 1, 31))
    assert not any(p.is_stale(START.date()) for p in catalog.playbooks.values())


def test_the_folder_must_exist(tmp_path, monkeypatch):
    with pytest.raises(UserError, match="--playbooks: .*nope is not a folder"):
        playbooks.user_folder(str(tmp_path / "nope"))
    monkeypatch.setenv("WARROOM_PLAYBOOKS", str(tmp_path))
    assert playbooks.user_folder(None) == tmp_path
    monkeypatch.setenv("WARROOM_PLAYBOOKS", "")
    assert playbooks.user_folder(None) is None


# -- untrusted text: a TOML file is user input ----------------------------------------------

ESC = r"\u001b]0;pwned\u0007\u001b[31m"  # TOML escapes: retitle the terminal, turn it red


def test_text_from_a_playbook_is_cleaned_like_user_input():
    text = (MINIMAL
            .replace('description = "a small playbook"',
                     f'description = "a small{ESC} playbook\\u009b2J"')
            .replace('triage = "t"', f'triage = "first line\\nsecond{ESC}\\u0000"')
            .replace('keywords = ["widget"]', f'keywords = ["wid{ESC}get"]\n'
                                              f'services = ["pay{ESC}ments"]')
            .replace('team = "ops on-call"', f'team = "ops{ESC} on-call"'))
    pb = parse(text)
    assert pb.description == "a small playbook"
    assert pb.stages["triage"] == "first line second"  # one line: quoted in refusals
    assert pb.match.keywords == ["widget"] and pb.match.services == ["payments"]
    assert pb.roles["lead"].team == "ops on-call"
    assert not any(c in pb.model_dump_json() for c in ("\\u001b", "\\u0007", "\\u009b"))


def test_errors_about_a_playbook_never_carry_its_control_characters():
    bad = MINIMAL.replace("[cadence.SEV4]", '[cadence."SEV9\\u001b[2J"]')
    with pytest.raises(UserError) as err:
        parse(bad, source="mini\x1b[2J.toml")
    assert "\x1b" not in str(err.value)
    assert str(err.value).startswith("mini.toml: cadence.SEV9: must be")
    kind = MINIMAL.replace("[approvals.rollback.low]", '[approvals."roll\\u001b[2Jback".low]')
    with pytest.raises(UserError, match="a change kind is lowercase words") as err:
        parse(kind)
    assert "\x1b" not in str(err.value)


# -- checking: every problem of a file, in plain words --------------------------------------


def test_a_check_reports_every_problem_of_a_file():
    broken = (MINIMAL.replace("customer = 20", 'customer = "often"')
              .replace('due = { SEV1 = "1h30m", SEV4 = "2d" }', "due = {}")
              .replace('[match]', '[match]\ncolour = "red"'))
    with pytest.raises(playbooks.Invalid) as err:
        parse(broken)
    assert err.value.problems == [
        "mini.toml: match.colour: is not a known key",
        "mini.toml: cadence.SEV1.customer: must be a whole number",
        'mini.toml: milestones["Evidence kept"].due: must have at least one entry',
    ]
    assert str(err.value) == ("mini.toml: match.colour: is not a known key (and 2 more "
                              "problems)")
    # once the shape is right, every reference between parts is checked too
    refs = (MINIMAL.replace('role = "scribe"', 'role = "scrib"')
            .replace('eligible_roles = ["lead", "decider"]', 'eligible_roles = ["lead", "cfo"]'))
    with pytest.raises(playbooks.Invalid) as err:
        parse('templates = ["thanks"]\n' + refs)
    assert [p.split(": ")[1] for p in err.value.problems] == [
        'milestones["Evidence kept"].role', "approvals.rollback.low.eligible_roles",
        "templates"]


def test_a_tie_broken_by_priority_says_so(catalog):
    chosen = matching.plan(catalog, title="Checkout slow and failing", severity=Severity.SEV2)
    assert chosen.playbook == "customer-outage"
    assert chosen.why == ("matched title words 'fail*' (score 2); also matched "
                          "degraded-performance (2); the tie went to customer-outage on "
                          "priority (10 against 0)")
    chosen = matching.plan(catalog, title="Checkout failing with errors", severity=Severity.SEV2)
    assert "tie" not in chosen.why


def test_a_tie_at_equal_priority_goes_by_name_and_says_so(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ("zeta", "alpha"):
        (folder / f"{name}.toml").write_text(MINIMAL.replace('name = "mini"', f'name = "{name}"'))
    chosen = matching.plan(playbooks.load(folder), title="Widget misbehaves",
                           severity=Severity.SEV2)
    assert chosen.playbook == "alpha"
    assert chosen.why.endswith("also matched zeta (2); the tie at priority 0 went to alpha by "
                               "name")
