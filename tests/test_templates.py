"""Message templates: standard phrases composed into one customer message, from the CLI,
the actions and the update form."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from app_helpers import app_for, fill, form_error, open_incident
from conftest import START, last_event, refused
from textual.widgets import Static, TextArea

from warroom import actions
from warroom.cli import main
from warroom.db import queries
from warroom.db.store import Store
from warroom.errors import UserError
from warroom.records import Severity
from warroom.rules import matching, playbooks, templates
from warroom.screens.form import FormModal

FIELDS = {"key": "INC-1001", "title": "Checkout failing", "customer": "Acme",
          "service": "checkout", "severity": "SEV1", "opened": "14:00 UTC"}


def test_every_shipped_template_validates_and_tells_the_whole_story():
    shipped = templates.shipped()
    assert {"acknowledge", "progress", "mitigated", "resolved", "security-holding",
            "data-scope", "sitrep"} <= set(shipped)
    for t in shipped.values():
        for part in ("{known}", "{unknown}", "{next_steps}", "{next_update}"):
            assert part in t.message, (t.name, part)


def test_a_template_name_defined_twice_is_refused():
    source, text = templates.shipped_files()[0]
    with pytest.raises(UserError, match=r"^again.toml: name: '[a-z-]+' is also defined in "
                                        r"data/templates/"):
        templates.load_all([(source, text), ("again.toml", text)])


def test_compose_makes_one_message_with_the_next_update_time():
    t = templates.shipped()["acknowledge"]
    parts = templates.phrases(t, FIELDS)
    assert parts["known"] == ("We are aware of a problem affecting checkout, which began "
                              "around 14:00 UTC.")
    text = templates.compose(t, FIELDS, known="20% of EU checkouts fail", unknown="root cause",
                             next_steps="rolling back deploy 412",
                             next_update_at=START + timedelta(minutes=20), now=START)
    assert text.splitlines() == [
        "Hello Acme team,", "",
        "This is about INC-1001, a problem affecting checkout.", "",
        "What we know: 20% of EU checkouts fail.",
        "What we don't know yet: root cause.",
        "What happens next: rolling back deploy 412.", "",
        "We will update you again by 14:20 UTC, or sooner if anything changes.",
    ]
    later = templates.compose(t, FIELDS, known="k.", unknown="u?", next_steps="n!",
                              next_update_at=START + timedelta(days=1, hours=2), now=START)
    assert "What we know: k.\n" in later and "by Wed 25 Nov 16:00 UTC," in later


def test_user_text_is_inserted_once_never_read_as_placeholders():
    t = templates.shipped()["acknowledge"]
    text = templates.compose(t, FIELDS, known="{customer} {next_update} [bold]x[/]",
                             unknown="u", next_steps="n", next_update_at=None, now=START)
    assert "What we know: {customer} {next_update} [bold]x[/]." in text


@pytest.mark.parametrize("change, where", [
    (("{next_update}", "soon"), "t.toml: message: must say when the next update comes"),
    (("{unknown}", ""), "t.toml: message: must say what we don't know ({unknown})"),
    (("began", "began {when}"), "t.toml: known: unknown placeholder {when} (use {key},"),
    (('audience = "customer"', 'audience = "press"'), "t.toml: audience: must be 'internal'"),
    (('stages = ["triage"]', 'stages = ["done"]'), 't.toml: stages["done"]: must be \'triage\''),
    (('name = "acknowledge"', ""), "t.toml: name: is required"),
])
def test_broken_templates_name_the_place(change, where):
    text = templates.shipped_files()[0][1]
    assert 'name = "acknowledge"' in text
    old, new = change
    with pytest.raises(UserError) as err:
        templates.parse(text.replace(old, new, 1), "t.toml")
    assert str(err.value).startswith(where), str(err.value)


# -- posting with a template --------------------------------------------------------------


@pytest.fixture
def outage(store, sam, alex, clock):
    """A customer-outage incident whose comms owner, alex, posts the updates."""
    catalog = playbooks.load()
    chosen = matching.plan(catalog, title="Checkout failing", severity=Severity.SEV1)
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", service="checkout", policy=chosen.policy,
                                playbook=chosen.playbook, clock=clock).key
    actions.claim_role(store, alex, key, "comms", clock=clock)
    return key


def test_a_template_fills_the_parts_left_out_and_the_message_is_journaled(store, outage,
                                                                          alex, clock):
    done = actions.post_update(store, alex, outage, audience="customer", template="acknowledge",
                               known="20% of EU checkouts fail", next_update_at=clock() +
                               timedelta(minutes=20), clock=clock)
    last = queries.incident_view(store, outage).last_customer_update
    assert last.known == "20% of EU checkouts fail"
    assert last.unknown == "We do not yet know the cause or how long it will last."
    event = last_event(store)
    assert event.payload["template"] == "acknowledge"
    assert "What we know: 20% of EU checkouts fail.\n" in event.payload["message"]
    assert "by 14:20 UTC" in event.payload["message"]
    assert done.composed == event.payload["message"]  # what 'warroom update' prints


def test_template_refusals(store, outage, alex, clock):
    soon = clock() + timedelta(minutes=20)
    refused(store, lambda: actions.post_update(store, alex, outage, audience="customer",
                                               template="acknowledge", clock=clock),
            "a customer update must say when the next update comes")
    refused(store, lambda: actions.post_update(store, alex, outage, audience="customer",
                                               template="progress", next_update_at=soon,
                                               clock=clock),
            r"what we know still has a blank to fill in: \[\[what changed since")
    refused(store, lambda: actions.post_update(store, alex, outage, audience="internal",
                                               template="acknowledge", clock=clock),
            "template 'acknowledge' is for customer updates, not internal")
    refused(store, lambda: actions.post_update(store, alex, outage, audience="customer",
                                               template="security-holding",
                                               next_update_at=soon, clock=clock),
            r"no template 'security-holding' here \(templates: acknowledge, progress, "
            r"mitigated, resolved, sitrep\)")


def test_an_incident_without_a_playbook_offers_the_shipped_templates(store, staffed, alex,
                                                                     clock):
    actions.post_update(store, alex, staffed, audience="customer", template="security-holding",
                        next_update_at=clock() + timedelta(minutes=30), clock=clock)
    assert last_event(store).payload["template"] == "security-holding"


# -- the command line ---------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_update_template_from_the_cli(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "t.db"))
    run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1",
        "--service", "checkout")
    code, out, _ = run(capsys, "update", "1001", "customer", "--template", "acknowledge",
                       "--next", "20m", "--preview")
    assert code == 0 and out.startswith("Hello Acme team,\n")
    assert "This is about INC-1001, a problem affecting checkout." in out
    assert json.loads(run(capsys, "log", "--json")[1])[-1]["kind"] == "incident.opened"
    run(capsys, "claim", "1001", "comms", "--as", "alex")
    code, _, err = run(capsys, "update", "1001", "customer", "--template", "progress",
                       "--next", "20m", "--as", "alex")
    assert code == 2 and "what we know still has a blank to fill in" in err
    code, out, _ = run(capsys, "update", "1001", "customer", "--template", "progress",
                       "--known", "the error rate fell to 2%", "--next-steps", "rolling back",
                       "--next", "20m", "--as", "alex")
    assert code == 0 and "posted customer update" in out
    assert "What we know: the error rate fell to 2%." in out
    code, _, err = run(capsys, "update", "1001", "internal", "--known", "k")
    assert code == 2 and "--unknown is required (or start from a template: --template)" in err
    code, _, err = run(capsys, "update", "1001", "internal", "--known", "k", "--unknown", "u",
                       "--next-steps", "n", "--preview")
    assert code == 2 and "--preview shows a template's message" in err


# -- the update form ----------------------------------------------------------------------


def form_text(app, name: str) -> str:
    return app.screen.query_one(f"#field-{name}", TextArea).text


@pytest.mark.anyio
async def test_the_update_form_prefills_from_the_template_for_the_stage(tmp_path, clock):
    db = tmp_path / "f.db"
    open_incident(db, clock)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        assert isinstance(app.screen, FormModal)
        assert form_text(app, "known").startswith("We are aware of a problem")  # acknowledge
        preview = str(app.screen.query_one("#form-preview", Static).render())
        assert "Hello Acme team," in preview and "by 14:30 UTC" in preview
        await fill(pilot, submit=False, template="mitigated")
        assert form_text(app, "known").startswith("We have put a fix in place")
        await fill(pilot, submit=False, audience="internal")  # a customer template is dropped
        assert app.screen.values()["template"] == ""
        await fill(pilot, template="sitrep", known="12 merchants affected",
                   next_steps="sam rolls back", next="+15m")
    with Store(db) as store:
        event = last_event(store)
    assert event.payload["template"] == "sitrep" and event.payload["audience"] == "internal"
    assert event.payload["message"].startswith("INC-1001 (SEV1) Checkout failing for EU users")


# -- untrusted text: a template file is user input ------------------------------------------

ESC = r"\u001b]0;pwned\u0007\u001b[31m"


def test_text_from_a_template_is_cleaned_like_user_input():
    text = templates.shipped_files()[0][1]
    text = (text.replace("First message:", f"First{ESC} message:")
            .replace("We do not yet know", f"We do not{ESC} yet\\u0008 know")
            .replace("Hello {customer} team,", f"Hello {{customer}}{ESC} team,\\u009b2J"))
    t = templates.parse(text, "t.toml")
    assert t.description.startswith("First message:")
    assert t.unknown.startswith("We do not yet know")
    assert t.message.startswith("Hello {customer} team,\n\nThis is about")
    message = templates.compose(t, FIELDS, known="k", unknown=t.unknown, next_steps="n",
                                next_update_at=None, now=START)
    assert not any(c in message for c in ("\x1b", "\x07", "\x08", "\x9b"))


# -- blanks in the message itself ----------------------------------------------------------


def test_a_blank_in_the_message_no_part_fills_is_invalid(capsys, tmp_path, monkeypatch):
    text = templates.shipped_files()[0][1].replace("Hello {customer} team,",
                                                   "Dear [[contact name]],")
    with pytest.raises(UserError, match=r"^t.toml: message: has a blank no part fills: "
                                        r"\[\[contact name\]\]"):
        templates.parse(text, "t.toml")
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "dear.toml").write_text(text.replace('"acknowledge"', '"dear"'))
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "t.db"))
    code, _, err = run(capsys, "playbook", "check", str(folder))
    assert code == 1 and "INVALID " in err and "has a blank no part fills" in err


def test_an_update_whose_message_still_holds_a_blank_is_refused(store, alex, clock):
    """A template copied into an incident's policy before files were checked for this."""
    from warroom.rules.policy import DEFAULT_POLICY

    good = templates.shipped()["acknowledge"]
    dear = good.model_construct(**(dict(good) | {"message": good.message.replace(
        "Hello {customer} team,", "Dear [[contact name]],")}))
    policy = DEFAULT_POLICY.model_copy(update={"templates": {"acknowledge": dear}})
    key = actions.open_incident(store, alex, title="Checkout failing", customer="Acme",
                                severity="SEV1", policy=policy, clock=clock).key
    actions.claim_role(store, alex, key, "comms", clock=clock)
    refused(store, lambda: actions.post_update(
        store, alex, key, audience="customer", template="acknowledge",
        next_update_at=clock() + timedelta(minutes=20), clock=clock),
        r"template 'acknowledge' has a blank in its message that no part fills: "
        r"\[\[contact name\]\]; post without the template")
    # a blank can also come from the incident's own fields: refused all the same
    odd = actions.open_incident(store, alex, title="Checkout failing", customer="Acme",
                                service="[[which service]]", severity="SEV1", clock=clock).key
    actions.claim_role(store, alex, odd, "comms", clock=clock)
    refused(store, lambda: actions.post_update(
        store, alex, odd, audience="customer", template="acknowledge", known="k",
        next_update_at=clock() + timedelta(minutes=20), clock=clock),
        r"the message still has a blank: \[\[which service\]\] \(from the incident's title, "
        r"customer or service\)")


# -- a refusal speaks the language of where it was asked ------------------------------------


def test_the_next_update_time_is_asked_for_by_its_flag_or_its_field(capsys, tmp_path,
                                                                    monkeypatch, store, alex,
                                                                    outage, clock):
    with pytest.raises(UserError) as err:
        actions.post_update(store, alex, outage, audience="customer", known="k", unknown="u",
                            next_steps="n", clock=clock)
    assert str(err.value) == "a customer update must say when the next update comes"
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "t.db"))
    run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1")
    code, _, err = run(capsys, "update", "1001", "customer", "--known", "k", "--unknown", "u",
                       "--next-steps", "n")
    assert code == 2 and err.endswith("when the next update comes (--next)\n")
    code, _, err = run(capsys, "update", "1001", "customer", "--template", "acknowledge",
                       "--preview")
    assert code == 2 and err.endswith("when the next update comes (--next)\n")


@pytest.mark.anyio
async def test_the_update_form_names_its_own_field_not_a_flag(tmp_path, clock):
    db = tmp_path / "f.db"
    open_incident(db, clock)
    app = app_for(db, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("u")
        modal = await fill(pilot, next="")
        error = form_error(app)
        preview = str(modal.query_one("#form-preview", Static).render())
        assert app.screen is modal
    for text in (error, preview):
        assert "--next" not in text
        assert "a customer update must say when the next update comes: fill in 'Next update " \
               "at'" in text, text


def test_shipped_files_are_found_in_one_place():
    """rules/shipped.py alone knows where the shipped files live; every loader asks it."""
    from pathlib import Path

    import warroom
    from warroom.rules.shipped import KINDS, shipped, shipped_files

    root = Path(warroom.__file__).parent
    knowing = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")
                     if any(w in p.read_text() for w in ("warroom.data", "import resources",
                                                         "importlib.resources")))
    assert knowing == ["rules/shipped.py"]
    for kind in KINDS:
        files = shipped_files(kind)
        assert files and all(source.startswith(f"data/{kind}/") for source, _ in files)
        assert {e.name for e in shipped(kind).iterdir() if e.name.endswith(".toml")} == {
            source.rsplit("/", 1)[1] for source, _ in files}
    assert templates.shipped_files() == shipped_files("templates")
    with pytest.raises(ValueError):
        shipped("nothing")
