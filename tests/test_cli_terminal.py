"""``warroom`` without a terminal (``ssh host warroom`` without -t) refuses in one line
instead of drawing into a pipe and waiting for keys; ``--theme`` picks the colours."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from app_helpers import open_incident

from warroom.cli import main
from warroom.cli.dashboard import require_terminal
from warroom.errors import UserError


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_is_not_a_terminal():
    with pytest.raises(UserError, match="use 'ssh -t HOST warroom'"):
        require_terminal(io.StringIO(), Tty())
    with pytest.raises(UserError, match="needs a terminal"):
        require_terminal(Tty(), io.StringIO())  # it draws on stderr: that must be one too
    require_terminal(Tty(), Tty())


def test_warroom_over_ssh_without_t_says_so_in_one_line_and_exits_2(tmp_path, clock):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    done = subprocess.run([sys.executable, "-m", "warroom", "--db", str(db)],
                          stdin=subprocess.PIPE, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "use 'ssh -t HOST warroom'" in done.stderr
    assert "\x1b" not in done.stderr  # nothing drawn


def test_a_missing_database_is_said_before_the_terminal(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.db")]) == 2
    assert "no warroom database" in capsys.readouterr().err


def test_an_unknown_theme_is_one_line_naming_the_high_contrast_one(tmp_path, clock, capsys):
    db = tmp_path / "t.db"
    open_incident(db, clock)
    assert main(["--db", str(db), "--theme=neon"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown theme 'neon'" in err and "warroom-high-contrast" in err


def test_rotate_goes_with_the_wall_and_a_readable_period(tmp_path, monkeypatch, capsys):
    from warroom.cli import main

    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "r.db"))
    assert main(["open", "t", "--customer", "Acme", "--severity", "SEV2", "--as", "sam"]) == 0
    capsys.readouterr()
    assert main(["--rotate", "30s"]) == 2
    assert "--rotate goes with --wall" in capsys.readouterr().err
    assert main(["--wall", "--rotate", "2s"]) == 2
    assert "at least 5s" in capsys.readouterr().err
    assert main(["--wall", "--rotate", "soon"]) == 2
    assert "cannot read 'soon' as a duration" in capsys.readouterr().err
