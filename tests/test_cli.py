"""The command line: every verb's help, one-line errors with exit 2, nothing written on error."""

from __future__ import annotations

import json

import pytest

from warroom.cli import build_parser, main


@pytest.fixture
def db(db_target, monkeypatch):
    path = db_target
    monkeypatch.setenv("WARROOM_DB", str(path))
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def journal(capsys):
    code, out, _ = run(capsys, "log", "--json")
    return json.loads(out)


def verbs():
    parser = build_parser()
    sub = parser._subparsers._group_actions[0]
    names = []
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        names += [[name, n] for n in nested[0].choices] if nested else [[name]]
    return names


@pytest.mark.parametrize("verb", verbs(), ids=" ".join)
def test_every_verb_has_help_with_an_example(capsys, verb):
    code, out, _ = run(capsys, *verb, "--help")
    assert code == 0
    assert "Example:" in out and "--db" in out and "--as" in out


def test_errors_are_one_line_exit_2_and_write_nothing(capsys, db):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1")[0] == 0
    before = journal(capsys)
    for argv, message in [
        (["claim", "INC-1001", "lead", "--bogus"], "unrecognized arguments: --bogus"),
        (["claim", "INC-9999", "lead"], "no incident 'INC-9999'"),
        (["claim", "INC-1001", "lead", "--as", "  "], "--as must not be empty"),
        (["open", "", "--customer", "A", "--severity", "SEV1"], "title must not be empty"),
        (["update", "INC-1001", "customer", "--known", "k", "--unknown", "u", "--next-steps",
          "n"], "must say when the next update comes"),
        (["update", "INC-1001", "internal", "--known", "k", "--unknown", "u", "--next-steps",
          "n", "--next", "soonish"], "cannot read 'soonish' as a time"),
        (["close", "INC-1001", "--csat", "9"], "CSAT must be a whole number from 1 to 5"),
        (["approve", "INC-1001", "x"], "is not a number"),
        (["stage", "INC-1001"], "confirm the customer-resolution definition"),
    ]:
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert out == ""
        assert err.count("\n") == 1 and message in err, (argv, err)
    assert journal(capsys) == before


def test_global_options_before_the_verb(capsys, tmp_path):
    db = tmp_path / "g.db"
    assert run(capsys, "--db", str(db), "--as", "dana", "open", "x", "--customer", "A",
               "--severity", "SEV3")[0] == 0
    code, out, _ = run(capsys, "--db", str(db), "log", "--json")
    assert json.loads(out)[0]["display_name"] == "dana"


def test_markup_and_escapes_in_user_text(capsys, db):
    run(capsys, "open", "[bold]x[/] \x1b[31mred", "--customer", "[@click=app.quit]",
        "--severity", "SEV2")
    code, out, _ = run(capsys, "show", "1001", "--json")
    incident = json.loads(out)["incident"]
    assert (incident["title"], incident["customer"]) == ("[bold]x[/] red", "[@click=app.quit]")
    assert "\x1b" not in run(capsys, "log", "1001")[1]


def test_reading_verbs_do_not_create_a_database(capsys, tmp_path):
    code, _, err = run(capsys, "ls", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no warroom database" in err
    assert not (tmp_path / "none.db").exists()


def test_ls_and_if_vacant(capsys, db):
    run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1")
    code, out, _ = run(capsys, "ls")
    # 'failing' picks the customer-outage playbook, which adds an internal liaison
    assert "INC-1001" in out and "VACANT: lead, comms, decider, internal_liaison" in out
    run(capsys, "claim", "1001", "lead", "--as", "sam")
    code, _, err = run(capsys, "claim", "1001", "lead", "--as", "dana", "--if-vacant")
    assert code == 2 and "lead is held by sam" in err
    code, out, _ = run(capsys, "ls", "--json")
    assert json.loads(out)[0]["vacant_roles"] == ["comms", "decider", "internal_liaison"]
