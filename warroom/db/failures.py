"""What went wrong with the file, in one line that names the fix.

SQLite and the operating system report a read-only file, a folder warroom cannot write its
``-wal`` file into, a full disk or a corrupt file as exceptions with terse texts ("attempt
to write a readonly database", "unable to open database file"). :func:`worded` turns each
into a :class:`~warroom.errors.DatabaseError` that says which file, what is wrong and what
to do: for permissions, its owner, group and mode, and who you are.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warroom.errors import DatabaseError


def _name(table, ident: int, fallback: str) -> str:
    try:
        return getattr(table(ident), "pw_name" if table is pwd.getpwuid else "gr_name")
    except KeyError:
        return f"{fallback}{ident}"


def access(path: Path) -> str:
    """``owned by sam:warroom, mode 0640; you are alex (groups: alex, ops)``: what decides
    whether this process may read and write ``path``."""
    try:
        info = os.stat(path)
    except OSError:
        return "it cannot be read"
    me = _name(pwd.getpwuid, os.getuid(), "uid")
    groups = ", ".join(_name(grp.getgrgid, g, "gid")
                       for g in sorted(set(os.getgroups()) | {os.getgid()}))
    return (f"owned by {_name(pwd.getpwuid, info.st_uid, 'uid')}:"
            f"{_name(grp.getgrgid, info.st_gid, 'gid')}, mode "
            f"{stat.S_IMODE(info.st_mode):04o}; you are {me} (groups: {groups})")


def _permission(path: Path) -> DatabaseError:
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        return DatabaseError(f"cannot write {path}: {access(path)}; the room's group needs "
                             "read and write (chmod g+rw), and you need to be in it")
    if not os.access(folder, os.W_OK | os.X_OK):
        return DatabaseError(f"cannot write in {folder} (SQLite keeps its -wal and -shm files "
                             f"beside the database): {access(folder)}; give the room's group "
                             "write access to the folder (chmod g+rwx)")
    return DatabaseError(f"cannot write {path}: permission denied ({access(path)})")


def worded(exc: BaseException, path: Path) -> DatabaseError | None:
    """The one-line error for ``exc`` met while using the database at ``path``; None for an
    exception that is not about the file (a bug: let it surface)."""
    text = str(exc).lower()
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _permission(path)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return DatabaseError(f"the disk holding {path} is full: nothing was written; "
                                 "free some space and try again")
        return DatabaseError(f"cannot use {path}: {exc.strerror or exc}")
    if not isinstance(exc, sqlite3.Error):
        return None
    if "readonly" in text or "read-only" in text:
        return _permission(path)
    if "unable to open" in text:
        return _permission(path) if path.exists() else DatabaseError(
            f"cannot open {path}: its folder is missing or cannot be read")
    if "disk i/o" in text:
        return DatabaseError(f"SQLite met a disk I/O error on {path}: the disk may be full "
                             f"or failing, or the folder not writable ({access(path.parent)})")
    if "full" in text:
        return DatabaseError(f"the disk holding {path} is full: nothing was written; free "
                             "some space and try again")
    if "locked" in text or "busy" in text:
        return DatabaseError(f"{path} is locked by another program (an open sqlite3 shell, "
                             "a backup tool?); close it and try again")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return DatabaseError(f"{path} is damaged ({exc}); restore it from a backup: "
                             "warroom restore BACKUP")
    return None


@contextmanager
def plainly(path: Path) -> Iterator[None]:
    """Turn a failure of the file into its one-line :class:`DatabaseError`."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        error = worded(exc, path)
        if error is None:
            raise
        raise error from None


def refuse_unwritable(path: Path) -> None:
    """Before a writing verb opens an existing database: refuse, in one line, a file this
    process may not write. Opened first, SQLite would make -wal and -shm files beside it to
    read it, and could not remove them after the write was refused."""
    if path.exists() and not os.access(path, os.W_OK):
        raise _permission(path)
