"""The change feed: another connection's commit reaches the reader, by inotify or watchfiles."""

from __future__ import annotations

import asyncio
import struct

import pytest
from conftest import person

from warroom import actions
from warroom.db import inotify
from warroom.db.feed import ChangeFeed
from warroom.db.store import Store

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def commits_seen(tmp_path, clock, *, use_inotify: bool) -> int:
    """Start a feed on one connection, commit twice on another, count the callbacks."""
    db = tmp_path / "feed.db"
    reader, writer = Store(db, create=True), Store(db)
    seen = asyncio.Queue()
    feed = ChangeFeed(db, reader.data_version, lambda: seen.put_nowait(1), poll_s=60,
                      inotify=use_inotify)
    task = asyncio.create_task(feed.run())
    await asyncio.sleep(0.3)  # the watch is up (watchfiles starts a thread)
    (tmp_path / "notes.txt").write_text("another file in the folder wakes nobody")
    try:
        for n in range(2):
            actions.open_incident(writer, person("sam"), title=f"t{n}", customer="Acme",
                                  severity="SEV2", clock=clock)
            await asyncio.wait_for(seen.get(), timeout=10)
        await asyncio.sleep(0.2)
        return 2 + seen.qsize()
    finally:
        feed.stop()  # ends the feed at once, though its safety poll is a minute away
        await asyncio.wait_for(task, timeout=10)
        reader.close(), writer.close()


async def test_inotify_tells_the_reader_of_each_commit(tmp_path, clock):
    assert await commits_seen(tmp_path, clock, use_inotify=True) == 2


async def test_watchfiles_does_where_inotify_cannot(tmp_path, clock):
    assert await commits_seen(tmp_path, clock, use_inotify=False) == 2


def test_inotify_events_are_parsed_with_their_names():
    def event(mask: int, name: bytes) -> bytes:
        padded = name + b"\0" * (16 - len(name))
        return struct.pack("iIII", 1, mask, 0, len(padded)) + padded

    data = event(inotify.IN_MODIFY, b"war.db-wal") + event(inotify.IN_Q_OVERFLOW, b"")
    assert inotify.parse(data) == [(inotify.IN_MODIFY, "war.db-wal"),
                                   (inotify.IN_Q_OVERFLOW, "")]


async def test_a_folder_that_cannot_be_watched_gives_no_watch(tmp_path):
    assert inotify.FolderWatch.open(tmp_path / "missing", lambda name: None) is None
