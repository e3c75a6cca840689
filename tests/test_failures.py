"""Every failure a user can cause or meet is one line naming the problem and the fix, exit 2,
nothing written; a bug is one line pointing to a crash report, exit 70. The permission and
disk cases run warroom in a child process."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from warroom import actions
from warroom.cli import main
from warroom.db.store import Store

from conftest import person


@pytest.fixture
def room(tmp_path, monkeypatch, clock):
    path = tmp_path / "room.db"
    monkeypatch.setenv("WARROOM_DB", str(path))
    with Store(path, create=True) as store:
        actions.open_incident(store, person("sam"), title="Checkout failing",
                              customer="Acme", severity="SEV2", clock=clock)
    return path


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def events(path) -> int:
    with Store(path) as store:
        return store.last_event_id()


@pytest.mark.parametrize("argv, said", [
    (["note", "INC-1001", "bad \udcff bytes"], "argument 3 ('bad ? bytes') is not valid "
                                               "UTF-8 text"),
    (["note", "INC-1001", "a\x00b"], "argument 3 holds a NUL character"),
    (["milestone", "done", "INC-1001", "1" * 30], "is not a number like 3"),
    (["milestone", "done", "INC-1001", "\u0663"], "is not a number like 3"),
    (["block", "INC-1001", "x", "--waiting-on", "y", "--owner", "z", "--at", "-99999999d"],
     "'-99999999d' is out of range for a time"),
    (["show", "INC-" + "9" * 100_000], "no incident"),
    (["block", "INC-1001", "x", "--waiting-on", "y", "--owner", "z" * 100_000], "owner"),
    (["metrics", "--format", "x" * 100_000], "invalid choice: 'xxxxxxxx"),
    (["stage", "INC-1001", "--to", "S" * 100_000], "unrecognized arguments: --to SSS"),
])
def test_bad_input_is_one_line_and_writes_nothing(room, capsys, argv, said):
    before = events(room)
    assert main(argv) == 2
    err = one_line(capsys)
    assert said in err and len(err) < 400
    assert events(room) == before


def test_a_bug_is_one_line_and_a_crash_report(room, capsys, monkeypatch):
    from warroom.cli import timeline

    def broken(args, ctx):
        raise KeyError("not-a-user-mistake")

    monkeypatch.setattr(timeline, "cmd_note", broken)
    assert main(["note", "INC-1001", "hello"]) == 70
    err = one_line(capsys)
    assert err.startswith("warroom note: crashed (KeyError: 'not-a-user-mistake'): a bug in "
                          "warroom, not your input; the report to attach: ")
    report = Path(err.rsplit(": ", 1)[1].strip())
    text = report.read_text()
    assert "command: warroom note INC-1001 hello" in text and "Traceback" in text
    assert oct(report.stat().st_mode & 0o777) == "0o600"
    report.unlink()


def _run(folder: Path, *args: str, limit: int | None = None):
    """Run ``warroom ARGS`` in a child process (with a file-size limit: a full disk)."""
    def limited():
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, WARROOM_DB=str(folder / "room.db"), TZ="UTC")
    return subprocess.run([sys.executable, "-m", "warroom", *args], env=env, cwd=folder,
                          capture_output=True, text=True, preexec_fn=limited, timeout=60)


@contextmanager
def read_only(path: Path):
    """``path`` unwritable for this process: by its mode, or for root (who may write any
    mode) by the immutable attribute, where the file system allows it."""
    if os.getuid() != 0:
        mode = path.stat().st_mode
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            os.chmod(path, mode)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is not allowed: nothing is read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_database_nobody_may_write_is_one_line_and_left_as_it_was(room):
    folder = room.parent
    for leftover in ("room.db-wal", "room.db-shm"):
        (folder / leftover).unlink(missing_ok=True)
    before = room.read_bytes()
    with read_only(room):
        run = _run(folder, "note", "INC-1001", "hello")
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "cannot write" in run.stderr and "; you are " in run.stderr
    assert room.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["room.db"]  # no -wal/-shm left


def test_a_folder_nobody_may_write_is_named_as_the_folder(room):
    folder = room.parent
    for leftover in ("room.db-wal", "room.db-shm"):
        (folder / leftover).unlink(missing_ok=True)
    with read_only(folder):
        run = _run(folder, "note", "INC-1001", "hello")
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "not a warroom database" not in run.stderr
    assert f"cannot write in {folder}" in run.stderr


def test_a_full_disk_is_one_line_and_loses_nothing(room):
    before = events(room)
    run = _run(room.parent, "note", "INC-1001", "x" * 3000, limit=4096)
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "full" in run.stderr and "Traceback" not in run.stderr
    assert events(room) == before


HOSTILE = "sam\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\u202e\u200d\x1b[2J"


def test_text_stored_by_another_program_reaches_no_terminal_raw(room, capsys):
    """An OSC title, an OSC 52 clipboard write, a screen clear and bidi/zero-width
    characters written straight into the database never reach the output."""
    tamper = __import__("sqlite3").connect(room)
    tamper.execute("UPDATE roles SET holder = ?, since = '2026-11-24T14:00:00.000000+00:00' "
                   "WHERE role = 'lead'", (HOSTILE,))
    tamper.execute("UPDATE incidents SET title = ?", ("Checkout " + HOSTILE,))
    tamper.execute("DROP TRIGGER events_no_update")
    tamper.execute("UPDATE events SET display_name = ?", (HOSTILE,))
    tamper.commit()
    tamper.close()
    for argv in (["show", "INC-1001"], ["log", "INC-1001"], ["ls"], ["review", "INC-1001"]):
        main(argv)
        out = capsys.readouterr().out
        assert "sam" in out, argv
        for raw in ("\x1b", "\x07", "\u202e", "\u200d"):
            assert raw not in out, (argv, raw)
    assert main(["show", "INC-1001", "--json"]) == 0  # JSON keeps the exact text, escaped
    out = capsys.readouterr().out
    assert "\\u001b]0;owned\\u0007" in out and "\x1b" not in out


def test_look_alike_names_are_one_person(room, capsys):
    assert main(["claim", "INC-1001", "lead", "--as", "sam"]) == 0
    for alike in ("sa\u200dm", "\uff53\uff41\uff4d", "sam\u202e", "Sam", "SAM", "sam\ufe0f",
                  "s\u034fam", "sam\U000e0100"):
        assert main(["claim", "INC-1001", "lead", "--as", alike]) == 2
        assert "you already hold lead" in one_line(capsys)


def test_a_handover_to_a_look_alike_goes_to_the_person_in_the_room(room, capsys):
    assert main(["claim", "INC-1001", "lead", "--as", "sam"]) == 0
    assert main(["claim", "INC-1001", "comms", "--as", "dana"]) == 0
    assert main(["handover", "INC-1001", "lead", "--to", "DANA", "--as", "sam",
                 "--done", "checked the gateway", "--remaining", "vendor call",
                 "--dependencies", "vendor", "--risks", "none"]) == 0
    assert main(["accept", "INC-1001", "lead", "--as", "Dana"]) == 0
    capsys.readouterr()
    assert main(["show", "INC-1001", "--json"]) == 0
    import json

    roles = {r["role"]: r["holder"] for r in json.loads(capsys.readouterr().out)["roles"]}
    assert roles["lead"] == roles["comms"] == "dana"


@pytest.mark.anyio
async def test_the_dashboard_shows_stored_escape_codes_as_nothing(room, clock):
    """An OSC title written into a holder's name by another program retitled the terminal
    through the dashboard; the view the dashboard reads is cleaned."""
    from app_helpers import app_for, pane

    tamper = __import__("sqlite3").connect(room)
    tamper.execute("UPDATE roles SET holder = ?, since = '2026-11-24T14:00:00.000000+00:00' "
                   "WHERE role = 'lead'", (HOSTILE,))
    tamper.execute("UPDATE incidents SET title = ?", ("Checkout " + HOSTILE,))
    tamper.commit()
    tamper.close()
    app = app_for(room, clock, name="alex")
    async with app.run_test(size=(120, 35)):
        for name in ("header", "roles"):
            text = pane(app, name)
            assert "sam" in text
            for raw in ("\x1b", "\x07", "\u202e", "\u200d"):
                assert raw not in text, (name, raw)


def test_an_error_quoting_a_stored_name_carries_no_escape_codes(room, capsys):
    tamper = __import__("sqlite3").connect(room)
    tamper.execute("UPDATE roles SET holder = ?, since = '2026-11-24T14:00:00.000000+00:00' "
                   "WHERE role = 'decider'", (HOSTILE,))
    tamper.commit()
    tamper.close()
    assert main(["claim", "INC-1001", "decider", "--as", "bob"]) == 2
    err = one_line(capsys)
    assert "held by sam" in err and "\x1b" not in err and "\x07" not in err


@pytest.mark.anyio
async def test_a_database_failure_in_the_dashboard_is_a_notification(room, clock,
                                                                     monkeypatch):
    from app_helpers import app_for, until

    from warroom.db import queries
    from warroom.errors import DatabaseError

    app = app_for(room, clock, name="alex")
    async with app.run_test(size=(120, 35)) as pilot:
        def locked(*args, **kw):
            raise DatabaseError(f"{room} is locked by another program; close it and try again")

        monkeypatch.setattr(queries, "events_checked", locked)  # what db_changed reads
        app.call_later(app.db_changed)
        assert await until(pilot, lambda: any("is locked by another program" in n.message
                                              for n in app._notifications))
        assert app.is_running and app.crash is None


def test_a_crash_in_the_dashboard_is_one_line_and_a_report(room, clock, tmp_path,
                                                           monkeypatch):
    """What the app does with an unexpected error (Textual calls _handle_exception, then
    _fatal_error): a crash report written, one line kept for the terminal instead of a
    full-screen traceback, and run_app's exit code 70."""
    from app_helpers import app_for

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    app = app_for(room, clock, name="alex")
    monkeypatch.setattr(app, "_close_messages_no_wait", lambda: None)  # (not running)
    monkeypatch.setattr(app, "bell", lambda: None)
    try:
        {}["not-a-user-mistake"]
    except KeyError as exc:
        app._handle_exception(exc)
    assert isinstance(app.crash, KeyError) and app.return_code == 1
    reports = list(tmp_path.glob("warroom-crash-*.txt"))
    assert len(reports) == 1 and "Traceback" in reports[0].read_text()
    assert [str(r) for r in app._exit_renderables] == [
        f"warroom: crashed (KeyError: 'not-a-user-mistake'): a bug in warroom, not your "
        f"input; the report to attach: {reports[0]}"]
    app.store.close()


def test_the_dashboard_acts_under_the_spelling_the_room_knows(room, clock):
    from app_helpers import app_for

    assert main(["claim", "INC-1001", "lead", "--as", "sam"]) == 0
    app = app_for(room, clock, name="SAM")
    assert app.actor.name == "sam"
    app.store.close()


def test_a_database_another_program_holds_locked_is_one_line(room):
    """An sqlite3 shell holding an exclusive lock: reads wait their busy timeout, then one
    line names the lock (never "not a warroom database")."""
    import sqlite3

    holder = sqlite3.connect(room, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE scratch (x)")
    try:
        run = _run(room.parent, "show", "INC-1001")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "locked by another program" in run.stderr
