"""Presence: who has the room open now. One row per running dashboard, kept alive by a
heartbeat; never journaled (opening a dashboard changes no incident).

- Each dashboard process writes its row (host, pid, OS user, display name, the incident on
  its screen or none, since when, ``last_seen``) when it starts, every :data:`HEARTBEAT_S`
  seconds and when it switches incident, and deletes it on a clean exit.
- A row is stale, and never shown, when its heartbeat is older than :data:`STALE_S` (three
  beats: a process that died on another host, or a frozen one) or, on this host, at once when
  its pid is gone (``os.kill(pid, 0)``). Beats delete rows older than :data:`FORGET_S`.
- A :class:`Beacon` writes on its own connection, off the event loop, with a short busy
  timeout (a beat that finds the database busy is skipped, never waited for) and
  ``synchronous=NORMAL`` (presence need not survive a power cut; the journal's connection
  keeps ``FULL``). A database this process cannot write (a read-only viewer) turns the
  beacon off quietly: the viewer still sees who else is here.

The cost for other viewers: a beat is a commit, so it wakes every other dashboard's change
feed (:mod:`warroom.db.feed`), which then asks for journal events after the last one it saw,
finds none and stops there (no incident is re-read). With N viewers that is N-1 wake-ups per
beat, each one indexed query: at 15 s and 10 viewers, under one wake-up a second per viewer.
Keeping presence in a side file would avoid the wake-ups, at the price of a second file whose
owner, group and mode a shared host must get right too; one table in the database was chosen.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.db.feed import kicked
from warroom.errors import DatabaseError
from warroom.text import clean_line, cut

HEARTBEAT_S = 15.0
STALE_S = 3 * HEARTBEAT_S
FORGET_S = 3600.0
BUSY_S = 0.25


def now_utc() -> datetime:
    """Presence runs on the real time, whatever clock the app shows (a frozen one in tests,
    ``--at``): heartbeats from several processes must compare."""
    return datetime.now(timezone.utc)


def _stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Here:
    """One process that has warroom open: who, in which incident (None: the picker)."""

    os_user: str
    display_name: str | None
    incident_key: str | None
    host: str
    pid: int
    since: datetime
    last_seen: datetime

    @property
    def name(self) -> str:
        return self.display_name or self.os_user

    @property
    def who(self) -> str:
        """``dana (dkim)`` when the display name is not the OS user, else ``dkim``."""
        if self.display_name and self.display_name != self.os_user:
            return f"{self.display_name} ({self.os_user})"
        return self.os_user


def alive(host: str, pid: int, here: str | None = None) -> bool:
    """Whether the process ``pid`` on ``host`` may still run: on another host we cannot
    tell (the heartbeat decides); on this one, whether the pid exists."""
    if host != (here or socket.gethostname()):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process: it exists
    return True


def _text(value: object) -> str | None:
    return None if value is None else cut(clean_line(str(value)), 40) or None


def _time(value: object) -> datetime:
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def present(conn: sqlite3.Connection, now: datetime, key: str | None = None, *,
            everywhere: bool = True) -> list[Here]:
    """Who has warroom open now, earliest first; only ``key``'s room unless
    ``everywhere``. Stale rows are left out; a file without the table (older, opened
    read-only) has nobody."""
    cutoff = _stamp(now - timedelta(seconds=STALE_S))
    try:
        rows = conn.execute(
            "SELECT os_user, display_name, incident_key, host, pid, since, last_seen "
            "FROM presence WHERE last_seen >= ? ORDER BY since, host, pid", (cutoff,)
        ).fetchall()
    except sqlite3.Error:
        return []
    host = socket.gethostname()
    found = []
    for r in rows:  # another program may have written the file: every text cleaned
        try:
            found.append(Here(_text(r[0]) or "?", _text(r[1]), _text(r[2]), _text(r[3]) or "?",
                              int(r[4]), _time(r[5]), _time(r[6])))
        except (TypeError, ValueError):
            continue
    server = getattr(conn, "dialect", "sqlite") == "postgresql"  # laptops may share a name
    return [h for h in found if (server or alive(h.host, h.pid, host))
            and (everywhere or h.incident_key == key)]


def others(found: list[Here], host: str, pid: int, key: str | None) -> list[str]:
    """The names of the other people in ``key``'s room, each once, in arrival order (this
    process left out: the same person in a second terminal is shown)."""
    names: list[str] = []
    for h in found if key is not None else []:
        if h.incident_key == key and (h.host, h.pid) != (host, pid) and h.name not in names:
            names.append(h.name)
    return names


class Beacon:
    """This process's presence row, written on its own connection (see the module)."""

    def __init__(self, path: str | os.PathLike[str], os_user: str, display: str | None, *,
                 host: str | None = None, pid: int | None = None) -> None:
        self.path = Path(path)
        self.url = str(path) if str(path).startswith(("postgresql://", "postgres://")) else None
        """A room on a PostgreSQL server: its URL (the row is written there, the same way)."""
        self.os_user = os_user
        self.display = display
        self.host = host or socket.gethostname()
        self.pid = os.getpid() if pid is None else pid
        self.writable = True
        """False once a write was refused (a read-only file or folder): no more tries."""
        self._key: str | None = None
        self._since: datetime | None = None
        self._swept = False
        self._left = False
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._stop = asyncio.Event()
        self._kick = asyncio.Event()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self.url is not None and self._conn.raw.broken:
            self._conn.close()  # the server restarted or failed over: connect again
            self._conn = None
        if self._conn is None and self.url is not None:
            from warroom.db.pg_conn import Connection

            self._conn = Connection(self.url)  # type: ignore[assignment]
        elif self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_S,
                                         check_same_thread=False)
            self._conn.execute("PRAGMA synchronous=NORMAL")
        return self._conn

    def beat(self, key: str | None, now: datetime) -> bool:
        """Write this process's row (``key``: the incident on screen, None: the picker);
        False when it was not written (busy this time, or never writable)."""
        with self._lock:
            if not self.writable or self._left:
                return False
            if self._since is None or key != self._key:
                self._key, self._since = key, now
            try:
                conn = self._connection()
                conn.execute("BEGIN" if self.url else "BEGIN IMMEDIATE")
                try:
                    conn.execute(
                        "INSERT INTO presence (host, pid, os_user, display_name, incident_key,"
                        " since, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (host, pid)"
                        " DO UPDATE SET os_user = excluded.os_user, display_name ="
                        " excluded.display_name, incident_key = excluded.incident_key, since ="
                        " excluded.since, last_seen = excluded.last_seen",
                        (self.host, self.pid, self.os_user, self.display, key,
                         _stamp(self._since), _stamp(now)))
                    if not self._swept:
                        self._sweep(conn, now)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                text = str(exc).lower()
                if "locked" not in text and "busy" not in text:
                    self.writable = False  # read-only, no table, no folder access: stop
                return False
            except DatabaseError:  # a server away: try again at the next beat
                return False
            return True

    def _sweep(self, conn: sqlite3.Connection, now: datetime) -> None:
        """Once per process: forget old rows and this host's rows whose process died."""
        conn.execute("DELETE FROM presence WHERE last_seen < ?",
                     (_stamp(now - timedelta(seconds=FORGET_S)),))
        here = socket.gethostname()
        if self.url is not None:  # on a server, laptops may share a host name: by age only
            self._swept = True
            return
        for pid, in conn.execute("SELECT pid FROM presence WHERE host = ? AND pid != ?",
                                 (here, self.pid)).fetchall():
            if not alive(here, pid, here):
                conn.execute("DELETE FROM presence WHERE host = ? AND pid = ?", (here, pid))
        self._swept = True

    def look(self, key: str | None, now: datetime) -> list[str]:
        """The other people in ``key``'s room now (none once this process left)."""
        with self._lock:
            if self._left:
                return []
            try:
                found = present(self._connection(), now)
            except (sqlite3.Error, DatabaseError):
                return []
        return others(found, self.host, self.pid, key)

    def leave(self) -> None:
        """Delete this process's row (a clean exit) and close the connection."""
        with self._lock:
            self._left = True
            if self._conn is None:
                return
            try:
                if self.writable and self._since is not None:
                    self._conn.execute("DELETE FROM presence WHERE host = ? AND pid = ?",
                                       (self.host, self.pid))
            except (sqlite3.Error, DatabaseError):
                pass
            finally:
                self._conn.close()
                self._conn = None

    def kick(self) -> None:
        """Beat now rather than at the next interval (the incident on screen changed)."""
        self._kick.set()

    def stop(self) -> None:
        self._stop.set()
        self._kick.set()

    async def run(self, key: Callable[[], str | None],
                  show: Callable[[list[str]], None], *, interval: float = HEARTBEAT_S,
                  now: Callable[[], datetime] = now_utc) -> None:
        """Beat and look every ``interval`` seconds (or when kicked) until :meth:`stop`;
        ``show`` gets the other people in the room each time (on the event loop)."""
        shown: list[str] | None = None
        while not self._stop.is_set():
            self._kick.clear()
            room = key()
            moment = now()
            await asyncio.to_thread(self.beat, room, moment)
            names = await asyncio.to_thread(self.look, room, moment)
            if self._stop.is_set():
                break
            if names != shown:
                shown = names
                show(names)
            await kicked(self._kick, interval)
