"""The change feed over the network: another process's commit on a PostgreSQL server reaches
the reader, as :class:`~warroom.db.feed.ChangeFeed` does for an SQLite file.

How it works, and why:
- The nudge is LISTEN/NOTIFY: the journal's trigger NOTIFYs channel ``warroom`` with the new
  event id at each event (delivered at commit), and ``presence`` when who is watching moves
  (:mod:`warroom.db.pg_schema`). The listening connection is the feed's own, in autocommit,
  never the store's: the app's store may be inside a read when a nudge comes.
- The journal stays the truth: a nudge is sent at commit only, so it calls ``on_change`` at
  once, and the reader reads the journal from its own last id; a burst of notifications is
  one wake-up and one call. The payload is not trusted (any role that may connect can
  NOTIFY; ``db init`` lets only the client role connect): a false nudge costs one read.
  The journal counter, read on the listening connection, is what the first connection, a
  reconnection and the safety poll compare with.
- The socket is read on the event loop (``add_reader``, then libpq's ``consume_input`` and
  ``notifies``): an idle feed makes no system call at all. psycopg's ``notifies()``
  generator wakes every 0.1 s instead (0.43 % of a core idle, measured for the issue).
- A safety poll reads the counter every :data:`POLL_S` seconds anyway, for a nudge lost
  on the way; it also notices a server that went silent (the read fails or times out).
- Losing the server: ``on_state("lost the server at HOST: reconnecting…")`` once, then new
  connections after 0.2 s, doubling to 5 s; once back, ``on_state(None)`` and one
  ``on_change`` whatever the counter says (the reader re-reads from its last id: nothing
  committed while away is missed). The URL is given to libpq as it is, so a multi-host URL
  (``postgresql://h1:p1,h2:p2/db?target_session_attrs=read-write``) fails over.
- No error leaves :meth:`PgChangeFeed.run` but its cancellation; an error of ``on_change``
  is logged and the call made again at the next poll.

psycopg is imported only when a feed runs (or :func:`feed_for` is given a server's store).
No textual here: the app runs :meth:`PgChangeFeed.run` as a worker and gets callbacks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from warroom.db.feed import POLL_S, ChangeFeed, call, kicked

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from warroom.db.store import Store

CHANNEL = "warroom"  # as warroom.db.pg_schema.CHANNEL (not imported: it would bring no gain)
PRESENCE = "presence"
BACKOFF_S = (0.2, 5.0)  # the first wait before connecting again, and the longest
CONNECT_TIMEOUT_S = 5
QUERY_TIMEOUT_S = 10.0  # a counter read taking longer means the server is gone
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 3,
             "keepalives_count": 3, "tcp_user_timeout": 20_000}
COUNTER = "SELECT last_id FROM warroom.journal_counter"

log = logging.getLogger(__name__)
T = TypeVar("T")
OnChange = Callable[[], Awaitable[None] | None]
OnState = Callable[[str | None], None]


class _Lost(Exception):
    """The listening connection broke (or the server stopped answering)."""


def hosts(url: str) -> str:
    """The server(s) a URL names, as said in messages: ``host:port`` (never the password)."""
    netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
    return netloc or "localhost"


class PgChangeFeed:
    """Calls ``on_change`` whenever another connection commits an event to the database
    (or who is watching changes), and ``on_state`` when the server is lost and back."""

    def __init__(
        self,
        url: str,
        last_event_id: Callable[[], int],
        on_change: OnChange,
        *,
        poll_s: float = POLL_S,
        on_state: OnState | None = None,
    ) -> None:
        self.url = str(url)
        self._reader = last_event_id
        self._on_change = on_change
        self._on_state = on_state
        self._poll_s = poll_s
        self._kick = asyncio.Event()
        self._stop = asyncio.Event()
        self._broken: BaseException | None = None
        self._fd: int | None = None  # the listening socket, while the loop reads it
        self._owed = False  # on_change failed: call it again at the next poll
        self._lost = False  # the server was lost (and said so): catch up once back
        self.where = hosts(self.url)  # the server last connected to (or the URL's hosts)
        try:
            self._seen: int | None = last_event_id()  # where the reader stands now
        except Exception:  # the reader's store cannot say: catch up once connected
            self._seen = None

    def stop(self) -> None:
        """End :meth:`run` now, even in the middle of a connection attempt or a wait."""
        self._stop.set()
        self._kick.set()

    # -- the run ------------------------------------------------------------------------

    async def run(self) -> None:
        """Listen until :meth:`stop`; call ``on_change`` once per burst of commits."""
        delay = BACKOFF_S[0]
        while not self._stop.is_set():
            try:
                conn = await self._until_stopped(self._connect())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("cannot connect to %s: %s", hosts(self.url), exc)
                self._lose()
                await self._until_stopped(asyncio.sleep(delay))
                delay = min(delay * 2, BACKOFF_S[1])
                continue
            if conn is None:  # stopped while connecting
                break
            delay = BACKOFF_S[0]
            try:
                await self._listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # _Lost, or psycopg's error reading the counter
                if self._stop.is_set():
                    break
                log.debug("lost %s: %s", self.where, exc)
                self._lose()
                await self._until_stopped(asyncio.sleep(delay))
                delay = min(delay * 2, BACKOFF_S[1])
            finally:
                await self._close(conn)

    def _lose(self) -> None:
        """Say once that the server is lost (not again at each failed attempt)."""
        if not self._lost:
            self._lost = True
            self._state(f"lost the server at {self.where}: reconnecting…")

    async def _connect(self) -> "AsyncConnection":
        import psycopg

        conn = await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, **KEEPALIVE)
        try:
            conn.add_notify_handler(lambda n: self._nudged(n.payload))  # during a query
            await conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            await self._close(conn)
            raise
        host, port = conn.info.host, conn.info.port
        self.where = f"{host}:{port}" if host and not host.startswith("/") else hosts(self.url)
        return conn

    async def _listen(self, conn: "AsyncConnection") -> None:
        """Serve one connection until :meth:`stop` (returns) or its loss (raises)."""
        self._broken = None
        self._kick.clear()
        counter = await self._counter(conn)
        caught_up, self._lost = self._lost, False
        if caught_up:
            self._state(None)
        if caught_up or counter != self._seen:
            await self._changed(counter)
        while not self._stop.is_set():
            woken = await kicked(self._kick, self._poll_s)
            if self._stop.is_set():
                return
            if self._broken is not None:
                raise _Lost(str(self._broken))
            if woken:  # a nudge (sent at commit only), or who is watching moved: the
                # reader reads the journal from its own last id. A nudge's payload is not
                # trusted (any role that may connect can NOTIFY): a false one costs a read
                await self._changed(self._seen)
                try:  # where the reader stands now: the next poll compares with that
                    self._seen = self._reader()
                except Exception:  # (it cannot say: the poll calls it once more)
                    pass
                continue
            counter = await self._counter(conn)
            if self._owed or counter != self._seen:
                await self._changed(counter)

    # -- the socket ---------------------------------------------------------------------

    def _readable(self, conn: "AsyncConnection") -> None:
        """The listening socket has data: take in what arrived, note the nudges."""
        from psycopg import pq

        pgconn = conn.pgconn
        try:
            pgconn.consume_input()
            while (note := pgconn.notifies()) is not None:
                self._nudged(note.extra.decode(errors="replace"))
            if conn.broken or pgconn.status != pq.ConnStatus.OK:
                raise _Lost("the connection broke")
        except Exception as exc:
            self._broken = exc
            self._unwatch()
            self._kick.set()

    def _nudged(self, payload: str) -> None:  # noqa: ARG002  (the payload: see _listen)
        self._kick.set()

    async def _counter(self, conn: "AsyncConnection") -> int:
        """The journal counter, read on the listening connection (the socket is psycopg's
        while the query runs; nudges it takes in meanwhile reach :meth:`_nudged`)."""
        self._unwatch()
        try:
            cur = await asyncio.wait_for(conn.execute(COUNTER), timeout=QUERY_TIMEOUT_S)
            row = await cur.fetchone()
        except TimeoutError:
            raise _Lost("the server stopped answering") from None
        if row is None:
            raise _Lost("no journal counter")
        self._fd = conn.pgconn.socket
        asyncio.get_running_loop().add_reader(self._fd, self._readable, conn)
        self._readable(conn)  # anything that came in with the answer
        return int(row[0])

    # -- calls out ----------------------------------------------------------------------

    async def _changed(self, counter: int) -> None:
        self._seen = counter
        again, self._owed = self._owed, False
        try:
            await call(self._on_change)
        except asyncio.CancelledError:
            raise
        except Exception:  # told once with its traceback, not at every poll after
            (log.debug if again else log.exception)(
                "the change feed's reader failed; it is called again at the next poll")
            self._owed = True

    def _state(self, text: str | None) -> None:
        if self._on_state is None:
            return
        try:
            self._on_state(text)
        except Exception:
            log.exception("the change feed's state callback failed")

    async def _until_stopped(self, coro: Coroutine[Any, Any, T]) -> T | None:
        """``coro``'s result, or None if :meth:`stop` came first (``coro`` is cancelled)."""
        task = asyncio.ensure_future(coro)
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not task.done():
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        if task.cancelled():
            return None
        return task.result()

    def _unwatch(self) -> None:
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None

    async def _close(self, conn: "AsyncConnection") -> None:
        self._unwatch()
        try:
            await conn.close()
        except Exception:
            pass


def feed_for(store: "Store", on_change: OnChange, *, on_state: OnState | None = None,
             seen: Callable[[], int] | None = None) -> ChangeFeed | PgChangeFeed:
    """The live feed for ``store``: inotify on an SQLite file's folder, LISTEN/NOTIFY on a
    PostgreSQL server (``on_state`` hears of a lost server; a file is never lost).
    ``seen``: the last event id the reader has read (without a query); by default the
    journal's counter, read on the store's connection."""
    if store.dialect == "postgresql":
        return PgChangeFeed(str(store.path), seen or store.data_version, on_change,
                            on_state=on_state)
    return ChangeFeed(store.path, store.data_version, on_change)
