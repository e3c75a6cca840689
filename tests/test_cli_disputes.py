"""Disputes from the command line: `claim --dispute`, `settle [--reason]`, and every refusal as
one line naming who may act, exit 2, nothing written."""

from __future__ import annotations

import json

import pytest

from warroom.cli import main


@pytest.fixture
def db(db_target, monkeypatch):
    path = db_target
    monkeypatch.setenv("WARROOM_DB", str(path))
    monkeypatch.setenv("TZ", "UTC")
    return path


def run(capsys, *argv, who):
    code = main([*argv, "--as", who])
    out, err = capsys.readouterr()
    return code, out, err


def journal(capsys):
    main(["log", "--json"])
    return json.loads(capsys.readouterr()[0])


def ok(capsys, *argv, who) -> str:
    code, out, err = run(capsys, *argv, who=who)
    assert code == 0 and err == "", (argv, err)
    return out


def refused(capsys, *argv, who) -> str:
    """The one-line error of a refused verb; the journal is unchanged."""
    before = journal(capsys)
    code, out, err = run(capsys, *argv, who=who)
    assert code == 2 and out == "", (argv, out)
    assert err.count("\n") == 1, err
    assert journal(capsys) == before
    return err.strip()


@pytest.fixture
def staffed(db, capsys):
    ok(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1", who="sam")
    for who, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        ok(capsys, "claim", "INC-1001", role, who=who)
    return "INC-1001"


def test_a_plain_claim_of_a_held_role_is_refused_and_dispute_opens_one(capsys, staffed):
    err = refused(capsys, "claim", staffed, "lead", who="dana")
    assert err.startswith("warroom claim: error: lead on INC-1001 is held by sam since ")
    assert err.endswith("; to dispute it: warroom claim INC-1001 lead --dispute REASON")
    assert "--dispute REASON" in refused(capsys, "claim", staffed, "lead", "--reason",
                                         "payments", who="dana")
    out = ok(capsys, "claim", staffed, "lead", "--dispute", "payments owns checkout", who="dana")
    assert "your dispute is open: pat (the decider) settles it" in out
    event = journal(capsys)[-1]
    assert (event["kind"], event["payload"]["reason"]) == ("role.disputed",
                                                           "payments owns checkout")
    assert "already disputed by dana" in refused(capsys, "claim", staffed, "lead", "--dispute",
                                                 "me too", who="kim")


def test_dispute_and_reason_cannot_be_given_together(capsys, staffed):
    code, out, err = run(capsys, "claim", staffed, "lead", "--reason", "a", "--dispute", "b",
                         who="dana")
    assert code == 2 and "not allowed with argument" in err and err.count("\n") == 1


def test_a_dispute_of_a_vacant_role_takes_it(capsys, db):
    ok(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1", who="sam")
    out = ok(capsys, "claim", "INC-1001", "lead", "--dispute", "payments", who="dana")
    assert "you hold lead on INC-1001 (it was vacant: nothing to dispute)" in out


def test_settle_refusals_name_who_may_act_then_the_decider_settles(capsys, staffed):
    ok(capsys, "claim", staffed, "lead", "--dispute", "payments", who="dana")
    settle = ("settle", staffed, "lead", "--winner")
    assert refused(capsys, *settle, "dana", who="kim") == (
        "warroom settle: error: only pat (the decider) can settle the dispute on lead on "
        "INC-1001; sam (the holder) may yield it, dana (the claimant) may withdraw")
    assert refused(capsys, *settle, "sam", "--reason", "mine", who="sam") == (
        "warroom settle: error: you cannot keep lead on INC-1001 in your own favour while pat "
        "holds decider: pat settles it, or you yield it to dana")
    assert refused(capsys, *settle, "dana", who="dana") == (
        "warroom settle: error: you cannot settle the dispute on lead on INC-1001 in your own "
        "favour: only pat (the decider) can; you may withdraw (settle for sam)")
    out = ok(capsys, *settle, "dana", "--reason", "gateway timeouts", who="pat")
    assert out.strip() == "lead on INC-1001 goes to dana"
    main(["log", "INC-1001"])
    assert "pat settled Investigation lead: dana took Investigation lead from sam: gateway timeouts" in capsys.readouterr()[0]


def test_with_no_decider_the_holder_keeps_with_a_reason_and_the_review_flags_it(capsys, staffed):
    ok(capsys, "release", staffed, "decider", who="pat")
    ok(capsys, "claim", staffed, "lead", "--dispute", "payments", who="dana")
    settle = ("settle", staffed, "lead", "--winner", "sam")
    assert refused(capsys, *settle, who="sam") == (
        "warroom settle: error: nobody holds decider: to keep lead on INC-1001, give a reason "
        "(the review flags it), or yield it to dana")
    assert refused(capsys, *settle, "--reason", "x", who="kim").startswith(
        "warroom settle: error: nobody holds decider to settle the dispute on lead on INC-1001: "
        "claim decider first, or sam (the holder) may keep it with a reason or yield it")
    out = ok(capsys, *settle, "--reason", "I found the bad deploy", who="sam")
    assert "you keep lead on INC-1001; with no decider to settle the dispute, the review flags" \
        in out
    payload = journal(capsys)[-1]["payload"]
    assert (payload["kept_by_holder"], payload["reason"]) == (True, "I found the bad deploy")
    main(["review", "INC-1001"])
    review = capsys.readouterr()[0]
    assert ("- FLAGGED: sam kept lead over dana's dispute at " in review
            and "no decider to settle it: I found the bad deploy" in review)
