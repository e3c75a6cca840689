"""Who acted: the OS user in the journal is the process's real user, never the environment."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys


def test_a_spoofed_logname_or_user_does_not_change_the_recorded_os_user(tmp_path):
    real = pwd.getpwuid(os.getuid()).pw_name
    spoofed = "alice" if real != "alice" else "mallory"
    env = os.environ | {"WARROOM_DB": str(tmp_path / "room.db"), "TZ": "UTC",
                        "LOGNAME": spoofed, "USER": spoofed, "LNAME": spoofed,
                        "USERNAME": spoofed}

    def warroom(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-m", "warroom", *argv], capture_output=True,
                              text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    warroom("open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
            "--as", spoofed)
    warroom("claim", "INC-1001", "lead", "--as", "sam")
    log = json.loads(warroom("log", "INC-1001", "--json"))
    assert [e["os_user"] for e in log] == [real, real]
    assert [e["display_name"] for e in log] == [spoofed, "sam"]


# -- a strict room: the people file ------------------------------------------------------

import pytest  # noqa: E402

from warroom import actions  # noqa: E402
from warroom.cli import main  # noqa: E402
from warroom.db.store import Store  # noqa: E402
from warroom.errors import UserError  # noqa: E402
from warroom.records import Actor  # noqa: E402
from warroom.rules.people import unusual, usual_names  # noqa: E402

ME = pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture
def room(tmp_path, monkeypatch):
    db = tmp_path / "acme.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    monkeypatch.delenv("WARROOM_PEOPLE", raising=False)
    return db


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def people_file(room, text):
    path = room.with_name("acme.people.toml")
    path.write_text(text)
    return path


def test_without_a_people_file_anyone_goes_by_any_name(capsys, room):
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2", "--as", "whoever")[0] == 0


def test_in_a_strict_room_as_must_be_one_of_your_names(capsys, room):
    people_file(room, f'[{ME}]\nnames = ["Sam Okafor", "sam"]\nphone = "+44 1"\n')
    code, _, err = run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2", "--as", "pat")
    assert code == 2 and len(err.splitlines()) == 1
    assert "--as 'pat' is not one of your names" in err and "Sam Okafor, sam" in err
    assert not room.exists() or "INC-1001" not in run(capsys, "ls")[1]
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2", "--as", "SAM")[0] == 0
    assert run(capsys, "claim", "INC-1001", "lead")[0] == 0  # no --as: the first name
    code, out, _ = run(capsys, "log", "INC-1001", "--json")
    assert [e["display_name"] for e in json.loads(out)] == ["sam", "Sam Okafor"]


def test_a_name_belongs_to_one_os_user(capsys, room):
    people_file(room, f'[{ME}]\nnames = ["me", "Pat"]\n[pat]\nnames = ["pat"]\n')
    code, _, err = run(capsys, "ls")
    assert code == 2 and "the name 'pat' is listed for both" in err.lower()


def test_in_a_strict_room_someone_not_listed_is_refused(capsys, room):
    people_file(room, '[somebody-else]\nnames = ["pat"]\n')
    code, _, err = run(capsys, "ls")
    assert code == 2 and f"you (OS user {ME}) are not in the room's people file" in err


def test_the_people_file_may_be_named_by_the_environment(capsys, room, tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_PEOPLE", str(tmp_path / "missing.toml"))
    code, _, err = run(capsys, "ls")
    assert code == 2 and "which does not exist" in err
    named = tmp_path / "team.toml"
    named.write_text(f'[{ME}]\nnames = ["dana"]\n')
    monkeypatch.setenv("WARROOM_PEOPLE", str(named))
    assert run(capsys, "open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2")[0] == 0
    assert json.loads(run(capsys, "log", "--json")[1])[0]["display_name"] == "dana"


@pytest.mark.parametrize("content, words", [
    (b"[sam]\nnames = [\"s\xe9\"]\n", "not UTF-8"),
    (b"[sam\n", "not valid TOML"),
    (b"[sam]\nphone = \"1\"\n", "names must be a list"),
    (b"[sam]\nnames = [\"sam\"]\nfax = \"1\"\n", "unknown key 'fax'"),
    (b"", "lists nobody"),
])
def test_a_broken_people_file_is_one_line(capsys, room, content, words):
    room.with_name("acme.people.toml").write_bytes(content)
    code, _, err = run(capsys, "ls")
    assert code == 2 and words in err and len(err.splitlines()) == 1


def test_in_a_strict_room_one_os_account_approves_once(store, clock):
    actions.open_incident(store, Actor("lee", "lee"), title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    for os_user, name, role in (("pat", "pat", "decider"), ("sam", "sam", "lead"),
                                ("alex", "alex", "comms")):
        actions.claim_role(store, Actor(os_user, name), "INC-1001", role, clock=clock)
    sam = Actor("sam", "sam", strict=True)
    done = actions.request_approval(store, Actor("alex", "alex", strict=True), "INC-1001",
                                    change="Roll back", risk="high", rationale="bad deploy", fallback="fix forward",
                                    needed=2, clock=clock)
    actions.approve(store, sam, "INC-1001", done.ref, clock=clock)
    # sam's account, now going by the decider's name, may not approve a second time
    with pytest.raises(UserError, match=r"your OS account \(sam\) already approved it as sam"):
        actions.approve(store, Actor("sam", "pat", strict=True), "INC-1001", done.ref,
                        clock=clock)
    # nor may the requester's account, under another name
    with pytest.raises(UserError, match=r"your OS account \(alex\) requested it as alex"):
        actions.approve(store, Actor("alex", "pat", strict=True), "INC-1001", done.ref,
                        clock=clock)
    # nor reject it under another name: the requester's account withdraws, sam's votes once
    with pytest.raises(UserError, match=r"your OS account \(sam\) already approved it"):
        actions.reject(store, Actor("sam", "pat", strict=True), "INC-1001", done.ref,
                       reason="changed my mind", clock=clock)
    granted = actions.approve(store, Actor("pat", "pat", strict=True), "INC-1001",
                              done.ref, clock=clock)
    assert "granted (2 of 2)" in granted.message


def test_in_a_strict_room_the_requesters_account_rejecting_withdraws(store, clock, sam, pat):
    actions.open_incident(store, Actor("lee", "lee"), title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    actions.claim_role(store, Actor("sam", "sam"), "INC-1001", "lead", clock=clock)
    actions.claim_role(store, Actor("alex", "pat"), "INC-1001", "decider", clock=clock)
    done = actions.request_approval(store, Actor("alex", "alex", strict=True), "INC-1001",
                                    change="Roll back", risk="low", rationale="bad deploy",
                                    fallback="fix forward", clock=clock)
    out = actions.reject(store, Actor("alex", "pat", strict=True), "INC-1001", done.ref,
                         reason="not needed", clock=clock)
    assert "withdrawn" in out.message


def test_log_and_review_mark_an_act_under_a_name_its_os_user_does_not_usually_use(
        capsys, room):
    with Store(room, create=True) as store:
        actions.open_incident(store, Actor("sam", "sam"), title="Checkout failing",
                              customer="Acme", severity="SEV2")
        actions.claim_role(store, Actor("sam", "sam"), "INC-1001", "lead")
        actions.claim_role(store, Actor("sam", "pat"), "INC-1001", "decider")
    code, out, _ = run(capsys, "log", "INC-1001")
    lines = out.splitlines()
    assert "[OS user sam, usually sam]" in lines[2] and "usually" not in lines[1]
    code, out, _ = run(capsys, "review", "INC-1001")
    assert "pat took Decision-maker (was vacant) (OS user sam, usually sam)" in out


def test_a_shared_account_has_no_usual_name():
    acts = [("oncall", "sam"), ("oncall", "pat"), ("oncall", "alex"), ("lee", None)]
    usual = usual_names(acts)
    assert usual == {"lee": "lee"}
    assert unusual("oncall", "sam", usual) is None
    assert unusual("lee", "le\u200be", usual) is None  # a zero-width look-alike is the same
