"""The change feed over the network: a commit on the PostgreSQL server reaches the reader by
LISTEN/NOTIFY, confirmed by the journal, through bursts, presence, a lost server and a stop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest
from conftest import person

from warroom import actions
from warroom.db.feed import ChangeFeed
from warroom.db.pg_feed import PgChangeFeed, feed_for
from warroom.db.store import Store, open_store
from warroom.errors import DatabaseError

pytestmark = pytest.mark.anyio
WAIT = 20  # seconds: generous, never a measure of speed


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def url(pg_server):
    url = pg_server.fresh()
    yield url
    pg_server.drop(url)


class Reader:
    """A dashboard in miniature: on each call, read the events after the last one seen."""

    def __init__(self, url: str) -> None:
        self.store = open_store(url)
        self.seen = self.store.data_version()
        self.calls = 0
        self.read: list[int] = []
        self.woken: asyncio.Queue[int] = asyncio.Queue()

    def changed(self) -> None:
        self.calls += 1
        try:
            rows = self.store.events_after(self.seen)
        except DatabaseError:  # the server was restarted: a new connection reads on
            self.store.close()
            self.store = self.store.reopen()
            rows = self.store.events_after(self.seen)
        self.read += [row["id"] for row in rows]
        self.seen = max([self.seen, *self.read])
        self.woken.put_nowait(self.calls)

    def feed(self, **options) -> PgChangeFeed:
        return PgChangeFeed(self.store.path, self.store.data_version, self.changed,
                            poll_s=options.pop("poll_s", 60), **options)

    async def until(self, test, what: str) -> None:
        async def waiting():
            while not test():
                await self.woken.get()
        try:
            await asyncio.wait_for(waiting(), timeout=WAIT)
        except TimeoutError:
            raise AssertionError(f"never {what}: {self.calls} calls, read {self.read}") \
                from None


async def stopped(feed: PgChangeFeed, task: asyncio.Task) -> None:
    feed.stop()  # its safety poll is a minute away: only stop() can end it in time
    await asyncio.wait_for(task, timeout=WAIT)


def note(store: Store, key: str, text: str) -> int:
    return actions.add_note(store, person("sam"), key, text=text).event_id


async def test_a_commit_by_another_connection_reaches_the_reader(url, clock):
    reader = Reader(url)
    feed = reader.feed()
    task = asyncio.create_task(feed.run())
    with open_store(url) as writer:
        key = actions.open_incident(writer, person("sam"), title="Checkout failing",
                                    customer="Acme", severity="SEV1", clock=clock).key
        await reader.until(lambda: reader.read, "told of the incident")
        opened = len(reader.read)
        await asyncio.sleep(0.2)  # let the feed settle on its LISTEN: the next is a nudge
        event = await asyncio.to_thread(note, writer, key, "gateway vendor confirms")
        await reader.until(lambda: event in reader.read, "told of the note")
    assert len(reader.read) == opened + 1
    await stopped(feed, task)
    reader.store.close()


async def test_a_burst_is_one_call_and_its_last_commit_is_read(url, clock):
    with open_store(url) as writer:
        key = actions.open_incident(writer, person("sam"), title="Checkout failing",
                                    customer="Acme", severity="SEV1", clock=clock).key
        reader = Reader(url)
        feed = reader.feed()
        task = asyncio.create_task(feed.run())
        await asyncio.sleep(0.3)  # listening
        # 20 commits while the loop is busy: the nudges pile up on the socket
        ids = [note(writer, key, f"note {n}") for n in range(20)]
        await reader.until(lambda: ids[-1] in reader.read, "read the last of the burst")
        await asyncio.sleep(0.3)  # the late nudges for events already read: no call
    assert reader.read == ids
    assert 1 <= reader.calls <= 2
    await stopped(feed, task)
    reader.store.close()


WRITER = textwrap.dedent("""
    import sys
    from warroom import actions
    from warroom.db.store import open_store
    from warroom.records import Actor

    with open_store(sys.argv[1]) as store:
        for n in range(int(sys.argv[3])):
            actions.add_note(store, Actor(os_user="oncall", display="dana"), sys.argv[2],
                             text=f"note {n}")
""")


async def test_nothing_is_missed_over_200_commits_from_another_process(url, clock):
    with open_store(url) as writer:
        key = actions.open_incident(writer, person("sam"), title="Checkout failing",
                                    customer="Acme", severity="SEV1", clock=clock).key
    reader = Reader(url)
    start = reader.seen
    feed = reader.feed()
    task = asyncio.create_task(feed.run())
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, url, key, "200",
                                                stderr=subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    await reader.until(lambda: len(reader.read) >= 200, "read all 200 notes")
    await asyncio.sleep(0.3)
    assert reader.read == list(range(start + 1, start + 201))  # each once, in order
    await stopped(feed, task)
    reader.store.close()


async def test_someone_coming_in_wakes_the_reader(url):
    reader = Reader(url)
    feed = reader.feed()
    task = asyncio.create_task(feed.run())
    await asyncio.sleep(0.3)
    with open_store(url) as other:
        with other.write():
            other.conn.execute(
                "INSERT INTO presence (host, pid, os_user, display_name, incident_key, since,"
                " last_seen) VALUES ('laptop', 42, 'oncall', 'dana', NULL, 'now', 'now')")
        await reader.until(lambda: reader.calls, "woken by presence")
    assert reader.read == []  # nothing in the journal: the call is for the footer
    await stopped(feed, task)
    reader.store.close()


async def test_a_restarted_server_is_caught_up_with(url, pg_server, clock):
    reader = Reader(url)
    states: asyncio.Queue[str | None] = asyncio.Queue()
    feed = reader.feed(on_state=states.put_nowait)
    task = asyncio.create_task(feed.run())
    await asyncio.sleep(0.3)
    try:
        await asyncio.to_thread(pg_server.down)
        lost = await asyncio.wait_for(states.get(), timeout=WAIT)
        assert lost is not None and lost.startswith("lost the server at 127.0.0.1:")
        assert lost.endswith("reconnecting…")
        await asyncio.sleep(1)  # a few attempts fail meanwhile: told once
    finally:
        await asyncio.to_thread(pg_server.up)
    assert await asyncio.wait_for(states.get(), timeout=WAIT) is None
    await reader.until(lambda: reader.calls, "called to catch up")
    assert states.empty()
    with open_store(url) as writer:
        key = actions.open_incident(writer, person("sam"), title="Checkout failing",
                                    customer="Acme", severity="SEV1", clock=clock).key
        event = note(writer, key, "after the restart")
    await reader.until(lambda: event in reader.read, "told of a commit after the restart")
    await stopped(feed, task)
    reader.store.close()


async def test_a_failover_url_finds_the_live_server(url, clock):
    dead = url.replace("@127.0.0.1:", "@127.0.0.1:1,127.0.0.1:", 1)
    dead += "?target_session_attrs=read-write"
    reader = Reader(url)
    states = []
    feed = PgChangeFeed(dead, reader.store.data_version, reader.changed, poll_s=60,
                        on_state=states.append)
    task = asyncio.create_task(feed.run())
    with open_store(url) as writer:
        actions.open_incident(writer, person("sam"), title="Checkout failing",
                              customer="Acme", severity="SEV1", clock=clock)
    await reader.until(lambda: reader.read, "told through the second host")
    assert states == []
    await stopped(feed, task)
    reader.store.close()


async def test_no_server_is_said_once_and_stop_still_ends_the_run(url, pg_server):
    reader = Reader(url)
    states: asyncio.Queue[str | None] = asyncio.Queue()
    nowhere = url.replace(f":{pg_server.port}/", ":1/")
    feed = PgChangeFeed(nowhere, reader.store.data_version, reader.changed,
                        on_state=states.put_nowait)
    task = asyncio.create_task(feed.run())
    said = await asyncio.wait_for(states.get(), timeout=WAIT)
    assert said == "lost the server at 127.0.0.1:1: reconnecting…"
    await asyncio.sleep(1)  # retrying, in silence
    assert states.empty() and not task.done()
    await stopped(feed, task)
    assert task.result() is None and reader.calls == 0
    reader.store.close()


async def test_a_failing_reader_is_called_again_and_the_feed_lives_on(url, clock):
    reader = Reader(url)
    failures = []

    def changed():
        if not failures:
            failures.append(1)
            raise RuntimeError("the reader tripped")
        reader.changed()

    feed = PgChangeFeed(url, reader.store.data_version, changed, poll_s=0.2)
    task = asyncio.create_task(feed.run())
    with open_store(url) as writer:
        actions.open_incident(writer, person("sam"), title="Checkout failing",
                              customer="Acme", severity="SEV1", clock=clock)
    await reader.until(lambda: reader.read, "called again after failing")
    assert failures and not task.done()
    await stopped(feed, task)
    reader.store.close()


def test_the_feed_follows_the_store(tmp_path, url):
    with open_store(tmp_path / "room.db", create=True) as sqlite_store:
        assert type(feed_for(sqlite_store, lambda: None)) is ChangeFeed
    with open_store(url) as pg_store:
        feed = feed_for(pg_store, lambda: None, on_state=print)
        assert isinstance(feed, PgChangeFeed) and feed.url == url
