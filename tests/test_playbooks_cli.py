"""``warroom playbook list|show|check`` and ``warroom open`` under a playbook, as a user would."""

from __future__ import annotations

import json

import pytest
from test_playbooks import MINIMAL

from warroom.cli import main


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "cli.db"))
    monkeypatch.delenv("WARROOM_PLAYBOOKS", raising=False)
    return tmp_path / "cli.db"


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "playbooks"
    path.mkdir()
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_on_the_shipped_playbooks(capsys, db):
    code, out, err = run(capsys, "playbook", "check")
    assert code == 0 and err == ""
    assert "ok      data/playbooks/customer-outage.toml: playbook customer-outage" in out
    assert "0 invalid, 0 past their review date" in out


def test_check_exits_non_zero_on_an_invalid_file(capsys, db, folder):
    bad = folder / "bad.toml"
    bad.write_text(MINIMAL.replace("customer = 20", "customer = -20"))
    code, out, err = run(capsys, "playbook", "check", str(bad))
    assert code == 1
    assert err == f"INVALID {bad}: cadence.SEV1.customer: must be greater than 0\n"
    assert "1 file(s) checked: 1 invalid" in out
    (folder / "good.toml").write_text(MINIMAL.replace('name = "mini"', 'name = "good"'))
    code, out, err = run(capsys, "playbook", "check", str(folder))
    assert code == 1 and "ok      " in out and "good" in out and "INVALID" in err
    code, _, err = run(capsys, "playbook", "check", str(folder / "missing.toml"))
    assert code == 2 and "no such file or folder" in err


def test_check_warns_about_a_stale_playbook(capsys, db, folder):
    stale = folder / "old.toml"
    stale.write_text(MINIMAL.replace("last_reviewed = 2026-11-01", "last_reviewed = 2025-01-06"))
    code, out, err = run(capsys, "playbook", "check", str(stale))
    assert code == 0
    assert err == (f"STALE   {stale}: mini was due for review on 2025-04-06 (last reviewed "
                   "2025-01-06, every 90 days); ask Head of Ops\n")
    assert "1 past their review date" in out
    assert run(capsys, "playbook", "check", str(stale), "--strict")[0] == 1


def test_check_covers_the_user_folder_and_its_templates(capsys, db, folder, monkeypatch):
    (folder / "templates").mkdir()
    (folder / "templates" / "short.toml").write_text(
        'name = "short"\ndescription = "d"\nknown = "k"\nunknown = "u"\nnext_steps = "n"\n'
        'message = "{known} {unknown} {next_steps} Next: {next_update}"\n')
    (folder / "mini.toml").write_text('templates = ["short"]\n' + MINIMAL)
    monkeypatch.setenv("WARROOM_PLAYBOOKS", str(folder))
    code, out, _ = run(capsys, "playbook", "check")
    assert code == 0
    assert f"ok      {folder / 'templates' / 'short.toml'}: template short" in out
    assert f"ok      {folder / 'mini.toml'}: playbook mini" in out
    assert run(capsys, "playbook", "check", str(folder / "mini.toml"))[0] == 0


def test_list_and_show(capsys, db, folder):
    (folder / "mini.toml").write_text(MINIMAL)
    code, out, _ = run(capsys, "playbook", "list", "--playbooks", str(folder))
    assert code == 0 and "mini" in out and str(folder / "mini.toml") in out
    assert "security-incident" in out
    code, out, _ = run(capsys, "playbook", "list", "--json")
    assert {p["name"] for p in json.loads(out)} >= {"customer-outage", "billing-error"}
    code, out, _ = run(capsys, "playbook", "show", "customer-outage")
    assert code == 0
    for text in ("governance: owner Head of Incident Management", "internal_liaison",
                 "SEV1  every 20m / 15m", "Acknowledge the customer (comms): SEV1 15m, SEV2 "
                 "30m, SEV3 2h, SEV4 1d", "rollback/low: 1 of lead, decider; expires 20m",
                 "Templates: acknowledge, progress, mitigated, resolved, sitrep",
                 "  (kind change, or a listed kind at a risk not listed: the default rule for "
                 "that risk; any other kind is refused)"):
        assert text in out, text
    code, _, err = run(capsys, "playbook", "show", "nope")
    assert code == 2 and "no playbook 'nope'" in err
    code, _, err = run(capsys, "playbook")
    assert code == 2 and "say which" in err


def test_open_under_a_user_playbook_and_see_it_in_show(capsys, db, folder, monkeypatch):
    (folder / "mini.toml").write_text(MINIMAL)
    monkeypatch.setenv("WARROOM_PLAYBOOKS", str(folder))
    code, out, _ = run(capsys, "open", "Widget misbehaves for Acme", "--customer", "Acme",
                       "--severity", "SEV1", "--tier", "Enterprise", "--as", "sam")
    assert code == 0
    assert "  playbook: mini: matched title words 'widget' (score 2)" in out
    assert "  roles: lead, comms, decider, scribe; updates: customer every 20m, internal " \
           "every 10m" in out
    assert "  milestone: Acknowledge the customer (comms, due " in out
    code, out, _ = run(capsys, "show", "INC-1001")
    assert "customer Acme (enterprise tier); stage triage" in out and "playbook mini" in out
    assert "  scribe     VACANT for 0s  suggested: support engineer  (contingency ops on-call)" \
        in out
    assert "  comms      alex (since" in out  # the playbook's default holder
    assert "every 20m" in out and "every 10m" in out
    assert "Acknowledge the customer (owner comms, due" in out
    assert "Evidence kept (owner scribe, due" in out
    code, out, _ = run(capsys, "log", "--json")
    opened = json.loads(out)[0]["payload"]
    assert (opened["playbook"], opened["tier"]) == ("mini", "enterprise")


def test_open_by_name_warns_about_stale_and_skipped_files(capsys, db, folder):
    (folder / "old.toml").write_text(
        MINIMAL.replace("last_reviewed = 2026-11-01", "last_reviewed = 2020-01-01"))
    (folder / "bad.toml").write_text("name = = 1")
    code, out, err = run(capsys, "open", "Something odd", "--customer", "Acme", "--severity",
                         "SEV3", "--playbook", "mini", "--playbooks", str(folder))
    assert code == 0 and "playbook: mini: chosen by name (--playbook); 1 invalid playbook " \
                          "file(s) skipped" in out
    assert f"warning: skipped {folder / 'bad.toml'}: not valid TOML" in err
    assert "warning: playbook mini was due for review on 2020-03-31 (owner Head of Ops)" in err
    code, _, err = run(capsys, "open", "x", "--customer", "A", "--severity", "SEV3",
                       "--playbook", "nope")
    assert code == 2 and "no playbook 'nope'" in err


def test_a_file_that_is_not_utf8_is_skipped_by_open_and_invalid_for_check(capsys, db, folder):
    (folder / "mini.toml").write_text(MINIMAL)
    (folder / "bad.toml").write_bytes(b'name = "x"\n\xff\xfe')
    (folder / "templates").mkdir()
    (folder / "templates" / "latin.toml").write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    code, out, err = run(capsys, "open", "Widget misbehaves", "--customer", "Acme",
                         "--severity", "SEV2", "--playbooks", str(folder))
    assert code == 0 and "playbook: mini:" in out
    assert err.splitlines() == [
        f"warroom open: warning: skipped {folder / 'templates' / 'latin.toml'}: not UTF-8 "
        "text (byte 0xe9 on line 1); save it as UTF-8",
        f"warroom open: warning: skipped {folder / 'bad.toml'}: not UTF-8 text (byte 0xff "
        "on line 2); save it as UTF-8",
    ]
    code, out, err = run(capsys, "playbook", "check", str(folder))
    assert code == 1
    assert f"INVALID {folder / 'bad.toml'}: not UTF-8 text (byte 0xff on line 2); save it " \
           "as UTF-8\n" in err
    assert f"INVALID {folder / 'templates' / 'latin.toml'}: not UTF-8" in err
    assert f"ok      {folder / 'mini.toml'}: playbook mini" in out
    code, out, err = run(capsys, "playbook", "check", str(folder / "bad.toml"))
    assert code == 1 and err.startswith(f"INVALID {folder / 'bad.toml'}: not UTF-8 text")


def test_check_prints_every_problem_on_its_own_line(capsys, db, folder):
    bad = folder / "bad.toml"
    bad.write_text(MINIMAL.replace("customer = 20", "customer = -20")
                   .replace('role = "scribe"', "role = 7"))
    code, out, err = run(capsys, "playbook", "check", str(bad))
    assert code == 1
    assert err == (f"INVALID {bad}: cadence.SEV1.customer: must be greater than 0\n"
                   f'INVALID {bad}: milestones["Evidence kept"].role: is not a role name '
                   "(lowercase letters, digits, - or _)\n")
    assert "1 file(s) checked: 1 invalid (2 problems)" in out
