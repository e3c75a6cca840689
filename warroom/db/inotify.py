"""A folder watch straight from Linux's inotify, read on the asyncio event loop.

Measured on the war-room host (bench/live.py): a raw inotify reader hands a change
over in well under a millisecond and costs nothing while idle, where watchfiles, which
polls its event queue every ``step``, trades one for the other (step 10: 16 ms and about a
third of a percent of a core). :class:`FolderWatch` is that reader: no thread, no polling,
one file descriptor the event loop waits on. Where inotify is missing (not Linux, or the
per-user limit of instances is reached) :meth:`FolderWatch.open` returns None and the
change feed falls back to watchfiles.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import struct
from collections.abc import Callable

# <sys/inotify.h>
IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_Q_OVERFLOW = 0x4000
MASK = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name


def parse(data: bytes) -> list[tuple[int, str]]:
    """The (mask, file name) of each event in one read of an inotify descriptor."""
    events, offset = [], 0
    while offset + _HEADER.size <= len(data):
        _wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
        start = offset + _HEADER.size
        name = data[start:start + length].split(b"\0", 1)[0]
        events.append((mask, os.fsdecode(name)))
        offset = start + length
    return events


class FolderWatch:
    """Calls ``on_change(name)`` for each change to a file in one folder (not below it);
    ``name`` is empty when the kernel's queue overflowed and anything may have changed."""

    def __init__(self, fd: int, on_change: Callable[[str], None],
                 loop: asyncio.AbstractEventLoop) -> None:
        self._fd = fd
        self._on_change = on_change
        self._loop = loop
        loop.add_reader(fd, self._read)

    @classmethod
    def open(cls, folder: str | os.PathLike[str],
             on_change: Callable[[str], None]) -> FolderWatch | None:
        """Watch ``folder`` from the running event loop, or None where inotify is missing."""
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            init, add = libc.inotify_init1, libc.inotify_add_watch
        except (OSError, AttributeError):
            return None
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        if add(fd, os.fsencode(os.fspath(folder)), MASK) < 0:
            os.close(fd)
            return None
        try:
            return cls(fd, on_change, asyncio.get_running_loop())
        except (RuntimeError, NotImplementedError):  # no loop, or one without add_reader
            os.close(fd)
            return None

    def _read(self) -> None:
        try:
            data = os.read(self._fd, 64 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        for mask, name in parse(data):
            self._on_change("" if mask & IN_Q_OVERFLOW else name)

    def close(self) -> None:
        if self._fd >= 0:
            self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1
