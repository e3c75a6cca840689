"""The change feed: tells a reader, within milliseconds, that another process wrote.

How it works, and why (figures measured on the 2-core war-room host with bench/live.py):
- The database's *folder* is watched, never the ``-wal`` path: SQLite deletes the ``-wal``
  file when the last connection closes and a watch on that path would go blind.
- On Linux the watch is inotify read on the event loop (:mod:`warroom.db.inotify`): a change is
  handed over at once and an idle watch costs nothing. Elsewhere, or where inotify cannot
  be had, watchfiles watches instead. Its ``step`` sets both latency and idle cost: it wakes
  every step and hands a change over one to two steps later (step 50: 75 ms at 0.18 % CPU;
  step 10: 16 ms at 0.7 %). :data:`STEP_MS` = 10 keeps the ten-viewer p95 inside the
  50 ms budget (bench/live.py: 34 ms), at about 0.35 % of a core for the watcher alone, which
  with the dashboard's tick came to 0.35-0.55 % of a 0.5 % budget: hence inotify first.
- A file event can arrive before the commit is visible (the WAL index lives in shared
  memory, which makes no file event). So each wake-up is confirmed with
  ``PRAGMA data_version``; if it has not moved, it is checked again after 2, 10 and 50 ms.
- A safety net checks ``data_version`` every :data:`POLL_S` seconds anyway, for missed
  events and file systems without inotify.

No textual here: the app runs :meth:`ChangeFeed.run` as a worker and gets a callback.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

STEP_MS = 10
POLL_S = 1.5
RECHECKS_S = (0.002, 0.010, 0.050)


async def kicked(kick: asyncio.Event, timeout: float) -> bool:
    """Wait for ``kick`` (True, and it is cleared) or ``timeout`` seconds (False: time for
    the safety poll). Every feed's loop, and presence's heartbeat, wait this way."""
    try:
        await asyncio.wait_for(kick.wait(), timeout=timeout)
    except TimeoutError:
        return False
    kick.clear()
    return True


async def call(on_change: Callable[[], Awaitable[None] | None]) -> None:
    """Call a reader that may be a plain function or a coroutine function."""
    result = on_change()
    if asyncio.iscoroutine(result):
        await result


class ChangeFeed:
    """Calls ``on_change`` whenever another connection commits to the database."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        data_version: Callable[[], int],
        on_change: Callable[[], Awaitable[None] | None],
        *,
        step_ms: int = STEP_MS,
        poll_s: float = POLL_S,
        inotify: bool = True,
    ) -> None:
        self.path = Path(path).resolve()
        self._data_version = data_version
        self._on_change = on_change
        self._step_ms = step_ms
        self._poll_s = poll_s
        self._inotify = inotify
        self._kick = asyncio.Event()
        self._stop = asyncio.Event()
        self._seen = data_version()

    def stop(self) -> None:
        """End :meth:`run` now (the kick wakes it rather than the next safety poll)."""
        self._stop.set()
        self._kick.set()

    def _ours(self, _change: object, changed: str) -> bool:
        """watchfiles' filter: the database, its -wal and its -shm."""
        return os.path.basename(changed).startswith(self.path.name)

    def _file_changed(self, name: str) -> None:
        """inotify's callback; an empty name (the kernel's queue overflowed) counts too."""
        if not name or self._ours(None, name):
            self._kick.set()

    async def _watch(self) -> None:
        from warroom.db.inotify import FolderWatch

        watch = FolderWatch.open(self.path.parent, self._file_changed) if self._inotify \
            else None
        if watch is not None:
            try:
                await self._stop.wait()
            finally:
                watch.close()
            return
        from watchfiles import awatch

        async for _ in awatch(
            self.path.parent, watch_filter=self._ours, step=self._step_ms,
            stop_event=self._stop, recursive=False, debounce=self._step_ms * 4,
        ):
            self._kick.set()

    async def _moved(self, woken: bool) -> bool:
        """Whether data_version moved; after a file event, look again a few times."""
        if self._data_version() != self._seen:
            return True
        if woken:
            for delay in RECHECKS_S:
                await asyncio.sleep(delay)
                if self._data_version() != self._seen:
                    return True
        return False

    async def run(self) -> None:
        """Watch until :meth:`stop`; call ``on_change`` once per burst of commits."""
        watcher = asyncio.create_task(self._watch())
        try:
            while not self._stop.is_set():
                woken = await kicked(self._kick, self._poll_s)
                if self._stop.is_set():
                    break
                if await self._moved(woken):
                    self._seen = self._data_version()
                    await call(self._on_change)
        finally:
            self._stop.set()
            watcher.cancel()
            try:
                await watcher
            except (asyncio.CancelledError, Exception):
                pass
