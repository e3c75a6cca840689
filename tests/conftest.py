"""Shared fixtures: a fresh database, a frozen clock at 14:00 UTC, and the people in the room."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from warroom import actions
from warroom.clock import FrozenClock
from warroom.db import store as store_module
from warroom.db.store import Store, open_store
from warroom.records import Actor

START = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch):
    """Local times in messages are rendered in UTC, whatever the machine's zone (or its
    WARROOM_TZ, which --tz aside would win over $TZ)."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("WARROOM_TZ", raising=False)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def recorded_as_it_happened(monkeypatch):
    """The journal's ``recorded_at`` is the real time; the tests' clocks are not, so every
    event would read as backfilled. It is left empty here (not backfilled), and a test of
    backfilling pins the real time itself (tests/test_backfill.py)."""
    monkeypatch.setattr(store_module, "recording_time", lambda: None)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


try:  # the PostgreSQL half needs psycopg (in the test extra); without it, its files are left
    import psycopg  # noqa: F401  (out, and the header of the run says so)
except ImportError:
    collect_ignore_glob = ["test_pg_*.py", "test_db_init.py", "test_db_copy.py"]


def pytest_report_header(config):
    if "collect_ignore_glob" in globals():
        return "PostgreSQL backend: not tested (psycopg is not installed: pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def pg_server():
    """The session's throwaway PostgreSQL server (tests/pg_server.py), or a skip saying why
    there is none."""
    import pg_server as servers

    server = servers.start()
    if isinstance(server, str):
        pytest.skip(f"PostgreSQL backend not tested: {server}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path):
    """Where a test's database is: an SQLite file, then a fresh PostgreSQL database (the
    same test runs on both backends)."""
    if request.param == "sqlite":
        yield str(tmp_path / "warroom.db")
        return
    server = request.getfixturevalue("pg_server")
    url = server.fresh()
    yield url
    server.drop(url)


@pytest.fixture
def store(db_target):
    with open_store(db_target, create=True) as s:
        yield s


def person(name: str) -> Actor:
    return Actor(os_user="oncall", display=name)


@pytest.fixture
def sam() -> Actor:
    return person("sam")


@pytest.fixture
def dana() -> Actor:
    return person("dana")


@pytest.fixture
def pat() -> Actor:
    return person("pat")


@pytest.fixture
def alex() -> Actor:
    return person("alex")


@pytest.fixture
def incident(store, sam, clock) -> str:
    """An open SEV1 incident with every role vacant; returns its key."""
    return actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                 severity="SEV1", clock=clock).key


@pytest.fixture
def staffed(store, incident, sam, alex, pat, clock) -> str:
    """The incident with lead sam, comms alex, decider pat."""
    for who, role in ((sam, "lead"), (alex, "comms"), (pat, "decider")):
        actions.claim_role(store, who, incident, role, clock=clock)
    return incident


def four_events(store, clock) -> str:
    """One incident with four events (opened, lead claimed, a blocker, a note); its key."""
    sam = person("sam")
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV2", clock=clock).key
    actions.claim_role(store, sam, key, "lead", clock=clock)
    actions.raise_blocker(store, sam, key, what="DB access", waiting_on="DBA", owner="sam",
                          clock=clock)
    actions.add_note(store, sam, key, text="paged the DBA", clock=clock)
    return key


def journal_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table: compared before and after a refused action."""
    if store.dialect == "postgresql":
        tables = [r[0] for r in store.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'warroom'")]
    else:
        tables = [r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    return {t: sorted((tuple(r) for r in store.conn.execute(f"SELECT * FROM {t}")), key=repr)
            for t in tables}


def refused(store: Store, call, match: str, error=None):
    """Assert ``call()`` raises a user error matching ``match`` and writes nothing."""
    from warroom.errors import UserError

    before = snapshot(store)
    with pytest.raises(error or UserError, match=match):
        call()
    assert snapshot(store) == before, "a refused action changed the database"


def last_event(store: Store):
    from warroom.db import queries

    return queries.events_after(store, journal_count(store) - 1)[-1]


@pytest.fixture
def anyio_backend():
    return "asyncio"
