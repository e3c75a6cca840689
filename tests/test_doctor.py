"""`warroom doctor`: each broken setting is named with the command that fixes it, and a
sound room is green. (Real second users: tests/test_shared_host.py.)"""

from __future__ import annotations

import grp
import os
import pwd
from pathlib import Path

import pytest

from warroom.cli import main
from warroom.cli.doctor import (
    FAIL,
    OK,
    WARN,
    file_checks,
    folder_checks,
    folder_warning,
    terminal_checks,
)


def fixes(checks) -> list[str]:
    return [c.fix for c in checks if c.status != OK and c.fix]


def my_group() -> str:
    return grp.getgrgid(os.getgid()).gr_name


def test_a_shared_folder_is_group_writable_and_setgid(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    room.chmod(0o2770)
    assert [c.status for c in folder_checks(room, None)] == [OK]


def test_a_folder_the_group_cannot_write_names_chmod(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    room.chmod(0o755)
    checks = folder_checks(room, None)
    assert f"sudo chmod g+rwx {room}" in fixes(checks)
    assert f"sudo chmod g+s {room}" in fixes(checks)
    assert f"sudo chmod o-rwx {room}" in fixes(checks)
    assert [c.status for c in checks] == [FAIL, FAIL, WARN]


def test_a_missing_folder_and_a_wrong_group_name_their_commands(tmp_path):
    missing = tmp_path / "nowhere"
    assert fixes(folder_checks(missing, "ops")) == [f"sudo install -d -m 2770 -g ops {missing}"]
    room = tmp_path / "room"
    room.mkdir()
    room.chmod(0o2770)
    other = "nosuchgroup-for-this-test"
    assert fixes(folder_checks(room, other)) == [f"sudo chgrp {other} {room}"]


def test_a_restored_0644_file_and_its_wal_name_chmod_and_chgrp(tmp_path):
    db = tmp_path / "room.db"
    db.write_bytes(b"")
    db.chmod(0o644)
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o660)
    checks = file_checks(db, my_group())
    assert fixes(checks) == [f"sudo chmod g+rw {db}"]
    assert [c.status for c in checks] == [FAIL, OK]
    assert fixes(file_checks(db, "ops")) == [
        f"sudo chgrp ops {db}", f"sudo chmod g+rw {db}", f"sudo chgrp ops {wal}"]


def test_the_terminal_over_plain_ssh_is_named_with_its_fixes():
    checks = terminal_checks({"TERM": "xterm"}, tty=False, size=None,
                             encoding="ANSI_X3.4-1968")
    assert {c.status for c in checks} == {WARN}
    assert fixes(checks) == ["ssh -t HOST warroom",
                             "export COLORTERM=truecolor   # or SetEnv in sshd_config",
                             "export LANG=C.UTF-8"]
    small = terminal_checks({"TERM": "dumb"}, tty=True, size=(80, 24), encoding="utf-8")
    assert "export TERM=xterm-256color" in fixes(small) and "resize the window" in fixes(small)


def test_a_good_terminal_over_ssh_t_is_green():
    checks = terminal_checks({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, tty=True,
                             size=(160, 48), encoding="UTF-8")
    assert [c.status for c in checks] == [OK]


def test_open_says_nothing_about_a_folder_nobody_else_shares(tmp_path):
    tmp_path.chmod(0o700)
    me = pwd.getpwuid(os.getuid()).pw_name
    if set(grp.getgrgid(tmp_path.stat().st_gid).gr_mem) - {me}:
        pytest.skip("the test folder's group has members on this machine")
    assert folder_warning(tmp_path) is None


def test_doctor_is_green_on_a_sound_room_and_exits_1_naming_each_fix(tmp_path, capsys):
    room = tmp_path / "room"
    room.mkdir()
    room.chmod(0o2770)
    db = room / "acme.db"
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["doctor", "--db", str(db), "--no-terminal"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and out.splitlines()[-1].startswith("all good")
    assert "a trial write succeeded" in out and "hash chain holds (1 events)" in out

    db.chmod(0o644)
    room.chmod(0o755)
    assert main(["doctor", "--db", str(db), "--no-terminal"]) == 1
    out = capsys.readouterr().out
    for fix in (f"sudo chmod g+rw {db}", f"sudo chmod g+rwx {room}", f"sudo chmod g+s {room}"):
        assert f"fix: {fix}" in out, out
    assert out.splitlines()[-1].startswith("3 problem(s)")


def test_doctor_on_a_damaged_file_names_restore(tmp_path, capsys):
    room = tmp_path / "room"
    room.mkdir()
    room.chmod(0o2770)
    db = room / "acme.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    db.chmod(0o660)
    assert main(["doctor", "--db", str(db), "--no-terminal"]) == 1
    out = capsys.readouterr().out
    assert "damaged" in out and f"fix: warroom restore BACKUP --db {db}" in out


def test_doctor_reads_a_file_whose_name_holds_a_hash(tmp_path, capsys):
    room = tmp_path / "room"
    room.mkdir()
    room.chmod(0o2770)
    db = room / "acme#2.db"
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV2",
                 "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["doctor", "--db", str(db), "--no-terminal"]) == 0
    assert "hash chain holds (1 events)" in capsys.readouterr().out
    assert not (room / "acme").exists()  # no stray file made from a cut name
