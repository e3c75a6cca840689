"""The command line's one error path for what is not a :class:`~warroom.errors.WarroomError`.

Input a shell can hand over that Python cannot use (bytes that are not UTF-8, a NUL), a
failure of the file or the disk met outside an action, a number too large for the database:
each is one line naming the problem, exit 2, nothing written. Anything else is a bug: one
line pointing to a crash report the user can attach, and a non-zero exit (70, EX_SOFTWARE).
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

EXIT_CRASH = 70


def bad_argument(argv: list[str]) -> str | None:
    """Why an argument cannot be used, or None: bytes that are not UTF-8 reach Python as
    lone surrogates, and a NUL can't be stored."""
    from warroom.text import cut

    for position, arg in enumerate(argv, 1):
        shown = cut(arg.encode("utf-8", "replace").decode("utf-8"), 40)
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return (f"argument {position} ({shown!r}) is not valid UTF-8 text: check the "
                    "terminal's encoding (LANG=C.UTF-8)")
        if "\x00" in arg:
            return f"argument {position} holds a NUL character"
    return None


def explained(exc: BaseException, db: str | None) -> str | None:
    """The one line for a failure a user can meet, or None for a bug."""
    from warroom.db.failures import worded

    from warroom.db.store import is_url

    if isinstance(exc, sqlite3.Error) and is_url(db or ""):
        return f"the PostgreSQL server refused: {exc}"
    if isinstance(exc, (OSError, sqlite3.Error)):
        error = worded(exc, Path(db or "warroom.db"))
        if error is not None:
            return str(error)
        if isinstance(exc, OSError):
            where = f" {exc.filename}" if exc.filename else ""
            return f"cannot use{where}: {exc.strerror or exc}"
    if isinstance(exc, OverflowError):
        return "a number or a time is out of range: use a smaller one"
    if isinstance(exc, UnicodeError):
        return "some text is not valid UTF-8: check the terminal's encoding (LANG=C.UTF-8)"
    if isinstance(exc, MemoryError):
        return "out of memory: the input is too large"
    return None


def crash_report(exc: BaseException, argv: list[str]) -> Path:
    """Write what a maintainer needs (versions, the command, the traceback) to a private
    file in the temporary folder; returns its path."""
    from warroom.text import cut

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = Path(tempfile.gettempdir()) / f"warroom-crash-{stamp}-{os.getpid()}.txt"
    from warroom import __version__

    text = "".join([
        f"warroom {__version__}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.platform()}\n",
        f"command: warroom {' '.join(cut(a) for a in argv)}\n\n",
        *traceback.format_exception(exc),
    ])
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
        handle.write(text)
    return path


def crash_line(exc: BaseException, argv: list[str], who: str = "warroom") -> str:
    """The one line a crash leaves on the terminal, after writing its report."""
    from warroom.text import cut, shown

    try:
        where = f"; the report to attach: {crash_report(exc, argv)}"
    except OSError:
        where = ""
    return (f"{who}: crashed ({type(exc).__name__}: {cut(shown(str(exc)))}): a bug in "
            f"warroom, not your input{where}")


def crashed(exc: BaseException, argv: list[str], verb: str) -> int:
    print(crash_line(exc, argv, f"warroom {verb}"), file=sys.stderr)
    return EXIT_CRASH
