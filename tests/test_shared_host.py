"""Two real Unix users sharing one room, set up as the README's "Running on a shared host"
says, and broken in the ways the issue met: a folder the group cannot write, a restored 0644
file, a folder without setgid. The users and their group are made for this module and
removed after it; it is skipped (with the reason) where that cannot be done.

They run warroom with a Python every user may run (the system's, of the same version, with
this environment's packages): a virtual environment made from a Python under /root, as this
one may be, cannot be run by anyone else (the README says how to install for all users).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PYTHON = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
TAG = f"wr{os.getpid() % 100000}"
GROUP, ALICE, BOB = TAG, f"{TAG}a", f"{TAG}b"
CODE = ("import site, sys; site.addsitedir(sys.argv[1]); from warroom.cli import main; "
        "sys.exit(main(sys.argv[2:]))")


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create Unix users (useradd)"
    for tool in ("useradd", "groupadd", "userdel", "groupdel"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not PYTHON.exists():
        return f"no {PYTHON} that other users could run"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


class Person:
    def __init__(self, name: str, packages: str) -> None:
        entry = pwd.getpwnam(name)
        self.name, self.uid, self.gid = name, entry.pw_uid, entry.pw_gid
        self.groups = os.getgrouplist(name, entry.pw_gid)
        self.packages = packages

    def warroom(self, *argv: str) -> subprocess.CompletedProcess:
        """``warroom ARGV`` as this person, logged in (their groups), with umask 007."""
        return subprocess.run(
            [str(PYTHON), "-c", CODE, self.packages, *argv], capture_output=True, text=True,
            user=self.uid, group=self.gid, extra_groups=self.groups, umask=0o007,
            cwd="/", stdin=subprocess.DEVNULL, timeout=120,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
                 "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.fixture(scope="module")
def people():
    made: list[tuple[str, str]] = []
    try:
        subprocess.run(["groupadd", GROUP], check=True, capture_output=True)
        made.append(("groupdel", GROUP))
        for name in (ALICE, BOB):
            subprocess.run(["useradd", "-M", "-U", "-G", GROUP, "-s", "/usr/sbin/nologin",
                            name], check=True, capture_output=True)
            made.insert(0, ("userdel", name))
        packages = site.getsitepackages()[0]
        alice, bob = Person(ALICE, packages), Person(BOB, packages)
        probe = alice.warroom("--help")
        if probe.returncode != 0:
            pytest.skip(f"another user cannot run this checkout's warroom: "
                        f"{probe.stderr.strip().splitlines()[-1:]}")
        yield alice, bob
    finally:
        for tool, name in made:
            subprocess.run([tool, name], capture_output=True)


@pytest.fixture
def base():
    where = Path(tempfile.mkdtemp(prefix="warroom-shared-", dir="/tmp"))
    where.chmod(0o711)
    yield where
    shutil.rmtree(where, ignore_errors=True)


def shared_folder(base: Path, mode: int, owner: int = 0, name: str = "room") -> Path:
    """The README's set-up: ``install -d -m 2770 -g GROUP``."""
    room = base / name
    room.mkdir()
    os.chown(room, owner, grp.getgrnam(GROUP).gr_gid)
    room.chmod(mode)
    return room


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "not a warroom database" not in lines[0]
    return lines[0]


def test_two_users_read_and_write_one_room_and_doctor_is_green(people, base):
    alice, bob = people
    db = shared_folder(base, 0o2770) / "acme.db"
    ok(alice.warroom("open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1",
                     "--db", str(db)))
    ok(bob.warroom("claim", "INC-1001", "lead", "--db", str(db)))
    ok(alice.warroom("note", "INC-1001", "bob leads", "--db", str(db)))
    ok(bob.warroom("note", "INC-1001", "on it", "--db", str(db)))
    log = ok(alice.warroom("log", "INC-1001", "--db", str(db)))
    assert f"{BOB} took Investigation lead" in log and f"{ALICE} " in log
    assert grp.getgrgid(db.stat().st_gid).gr_name == GROUP and db.stat().st_mode & 0o777 == 0o660
    for person in (alice, bob):
        out = ok(person.warroom("doctor", "--db", str(db), "--no-terminal"))
        assert "FAIL" not in out and f"you ({person.name}) are in group {GROUP}" in out


def test_a_folder_the_group_cannot_write_fails_the_second_user_in_one_line(people, base):
    alice, bob = people
    room = shared_folder(base, 0o2750, owner=alice.uid)  # alice's mkdir, group set, no g+w
    db = room / "acme.db"
    ok(alice.warroom("open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1",
                     "--db", str(db)))
    line = one_line_error(bob.warroom("note", "INC-1001", "hello", "--db", str(db)))
    assert f"owned by {ALICE}:{GROUP}, mode 2750" in line, line
    out = bob.warroom("doctor", "--db", str(db), "--no-terminal")
    assert out.returncode == 1 and f"fix: sudo chmod g+rwx {room}" in out.stdout, out.stdout


def test_a_restored_0644_file_fails_the_second_user_in_one_line(people, base):
    alice, bob = people
    db = shared_folder(base, 0o2770) / "acme.db"
    ok(alice.warroom("open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1",
                     "--db", str(db)))
    db.chmod(0o644)  # as `cp` or a restore by hand leaves it
    line = one_line_error(bob.warroom("note", "INC-1001", "hello", "--db", str(db)))
    assert f"owned by {ALICE}:{GROUP}, mode 0644" in line, line
    out = bob.warroom("doctor", "--db", str(db), "--no-terminal")
    assert out.returncode == 1 and f"fix: sudo chmod g+rw {db}" in out.stdout, out.stdout
    db.chmod(0o660)  # the fix, done: bob writes
    ok(bob.warroom("note", "INC-1001", "hello", "--db", str(db)))


def test_without_setgid_the_file_joins_the_wrong_group_and_doctor_names_chgrp(people, base):
    alice, bob = people
    room = shared_folder(base, 0o770)
    db = room / "acme.db"
    ok(alice.warroom("open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1",
                     "--db", str(db)))
    one_line_error(bob.warroom("note", "INC-1001", "hello", "--db", str(db)))
    out = alice.warroom("doctor", "--db", str(db), "--no-terminal").stdout
    assert f"fix: sudo chmod g+s {room}" in out and f"fix: sudo chgrp {GROUP} {db}" in out


def test_open_warns_when_the_groups_folder_would_keep_the_others_out(people, base):
    alice, _ = people
    room = shared_folder(base, 0o2750, owner=alice.uid)
    result = alice.warroom("open", "Checkout failing", "--customer", "Acme", "--severity",
                           "SEV1", "--db", str(room / "acme.db"))
    assert result.returncode == 0
    assert f"to share it: chmod 2770 {room}" in result.stderr, result.stderr
    good = shared_folder(base, 0o2770, name="good")
    result = alice.warroom("open", "Checkout failing", "--customer", "Acme", "--severity",
                           "SEV1", "--db", str(good / "acme.db"))
    assert result.returncode == 0 and "warning: the group" not in result.stderr
