"""``warroom db copy SRC DEST``: a busy room copied SQLite -> PostgreSQL -> SQLite reads the
same everywhere (show, log, metrics, verify); a filled destination and a tampered source are
refused with nothing written."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import START, snapshot

import warroom.cli
from warroom.cli import main
from warroom.clock import FrozenClock
from warroom.db import store as store_module
from warroom.db.store import open_store

KEYS = ("INC-1001", "INC-1002", "INC-1003")


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    """Every verb runs at this clock's time, and records at it: the three copies are read
    at the same moment, so their figures can be compared exactly."""
    frozen = FrozenClock(START)
    monkeypatch.setattr(warroom.cli, "utcnow", frozen)
    monkeypatch.setattr(store_module, "recording_time", frozen)
    return frozen


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, clock, db: str, *argv: str) -> str:
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 0, (argv, err)
    clock.advance(minutes=2)
    return out


def busy_room(capsys, clock, db: str) -> None:
    """Three incidents: one busy (claims, a dispute settled, a handover, updates, milestones,
    blockers, approvals with votes, a backfilled note), one resolved and closed, one open."""
    w = lambda *argv: ok(capsys, clock, db, *argv)  # noqa: E731
    w("open", "Checkout failing for EU users", "--customer", "Acme", "--severity", "SEV1",
      "--as", "sam")
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        w("claim", "INC-1001", role, "--as", name)
    w("claim", "INC-1001", "lead", "--as", "dana", "--dispute", "payments owns checkout")
    w("settle", "INC-1001", "lead", "--winner", "sam", "--as", "pat")
    w("update", "INC-1001", "customer", "--known", "20% of EU card payments fail",
      "--unknown", "root cause", "--next-steps", "roll back deploy 412", "--next", "+20m",
      "--as", "alex")
    w("update", "INC-1001", "internal", "--known", "deploy 412 suspected", "--unknown",
      "blast radius", "--next-steps", "rollback", "--next", "+15m", "--as", "sam")
    w("milestone", "add", "INC-1001", "Rollback ready", "--owner", "sam", "--due", "+30m",
      "--as", "sam")
    w("milestone", "done", "INC-1001", "6", "--as", "alex")
    w("block", "INC-1001", "Prod DB read access", "--waiting-on", "DBA on-call", "--owner",
      "sam", "--as", "sam")
    w("block", "INC-1001", "Vendor API keys", "--waiting-on", "Adyen", "--owner", "alex",
      "--as", "sam")
    w("unblock", "INC-1001", "1", "--as", "sam")
    w("request", "INC-1001", "Roll back deploy 412", "--risk", "high", "--rationale",
      "errors began after the deploy", "--fallback", "roll forward", "--as", "sam")
    w("approve", "INC-1001", "1", "--as", "pat")
    w("request", "INC-1001", "Restart workers", "--risk", "low", "--rationale", "stale",
      "--fallback", "none", "--as", "sam")
    w("reject", "INC-1001", "2", "--reason", "no tested fallback", "--as", "pat")
    w("handover", "INC-1001", "lead", "--to", "dana", "--done", "found deploy 412",
      "--remaining", "roll back", "--dependencies", "release team", "--risks", "cache",
      "--as", "sam")
    w("accept", "INC-1001", "lead", "--as", "dana")
    w("note", "INC-1001", "the error rate rose before the page", "--at", "-5m", "--as", "pat")
    w("open", "Login slow", "--customer", "Globex", "--severity", "SEV3", "--as", "sam")
    w("claim", "INC-1002", "lead", "--as", "sam")
    w("resolve", "INC-1002", "--summary", "cache flushed", "--skip", "--confirm",
      "--close-open", "--no-customer-update", "fixed before anyone noticed", "--as", "sam")
    w("close", "INC-1002", "--csat", "4", "--comment", "quick", "--as", "sam")
    w("open", "Reports delayed", "--customer", "Initech", "--severity", "SEV2", "--as", "alex")
    clock.advance(minutes=30)


def readings(capsys, db: str) -> dict[str, object]:
    """What the room reads as: show and log per incident, the whole log, the metrics."""
    out: dict[str, object] = {}
    for argv in (["log", "--json"], ["ls", "--all", "--json"],
                 ["metrics", "--format", "json", "--since", "30d"],
                 *(["show", key, "--json"] for key in KEYS),
                 *(["log", key, "--json"] for key in KEYS)):
        code, text, err = run(capsys, "--db", db, *argv)
        assert code == 0, (argv, err)
        out[" ".join(argv)] = json.loads(text)
    return out


def verified(capsys, db: str) -> str:
    code, out, err = run(capsys, "--db", db, "verify")
    assert code == 0, out + err
    return out


def test_a_busy_room_reads_the_same_after_sqlite_to_postgresql_to_sqlite(
        capsys, clock, tmp_path, pg_server):
    first, back = str(tmp_path / "first.db"), str(tmp_path / "back.db")
    busy_room(capsys, clock, first)
    server = pg_server.fresh()
    try:
        code, out, err = run(capsys, "db", "copy", first, server)
        assert code == 0, err
        assert "3 incident(s)" in out and "verified" in out
        code, out, err = run(capsys, "db", "copy", server, back)
        assert code == 0, err
        expected = readings(capsys, first)
        events = expected["log --json"]
        assert len(events) > 25
        assert {"role.disputed", "dispute.settled", "handover.accepted", "approval.approved",
                "approval.rejected", "blocker.cleared", "milestone.completed", "update.posted",
                "incident.closed"} <= {e["kind"] for e in events}
        assert [e["kind"] for e in events if e["recorded_at"] != e["at"]] == ["note.posted"]
        for db in (server, back):
            assert readings(capsys, db) == expected, db
        lines = {verified(capsys, db).split("last event's hash ")[1][:16]
                 for db in (first, server, back)}
        assert len(lines) == 1
        with open_store(first) as a, open_store(server) as b, open_store(back) as c:
            kept = [snapshot_of(s) for s in (a, b, c)]
        assert kept[0] == kept[1] == kept[2]
    finally:
        pg_server.drop(server)


def snapshot_of(store) -> dict[str, list[tuple]]:
    """Every copied table's rows with their ids (``roles`` in rowid order), as the source
    had them: what db copy must keep."""
    from warroom.db import copy

    out = {}
    for table in copy.TABLES:
        cols = [c for c in copy.columns(store, table) if c != "db_user"]
        out[table] = copy._read(store, table, cols)
    return out


def test_sqlite_to_sqlite_keeps_everything(capsys, clock, tmp_path):
    first, second = str(tmp_path / "first.db"), str(tmp_path / "second.db")
    busy_room(capsys, clock, first)
    code, out, err = run(capsys, "db", "copy", first, second)
    assert code == 0, err
    assert out.startswith("copied 3 incident(s) and ") and out.strip().endswith("verified")
    assert readings(capsys, second) == readings(capsys, first)
    verified(capsys, second)
    with open_store(first) as a, open_store(second) as b:
        assert snapshot_of(a) == snapshot_of(b)
        # presence and the derived tables are not copied
        assert b.conn.execute("SELECT count(*) FROM presence").fetchone()[0] == 0


def test_a_filled_destination_is_refused_with_nothing_written(capsys, clock, tmp_path,
                                                               pg_server):
    first = str(tmp_path / "first.db")
    busy_room(capsys, clock, first)
    other = str(tmp_path / "other.db")
    ok(capsys, clock, other, "open", "Other", "--customer", "Acme", "--severity", "SEV4")
    before = (tmp_path / "other.db").read_bytes()
    code, _, err = run(capsys, "db", "copy", first, other)
    assert code == 2 and "exists" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "other.db").read_bytes() == before
    server = pg_server.fresh()
    try:
        ok(capsys, clock, server, "open", "Other", "--customer", "Acme", "--severity", "SEV4")
        with open_store(server) as s:
            held = snapshot(s)
        code, _, err = run(capsys, "db", "copy", first, server)
        assert code == 2 and "is not empty (1 incident(s)" in err
        assert "nothing was written" in err and len(err.strip().splitlines()) == 1
        with open_store(server) as s:
            assert snapshot(s) == held
    finally:
        pg_server.drop(server)


def test_an_empty_postgresql_destination_with_its_counter_moved_is_refused(
        capsys, clock, tmp_path, pg_server):
    """No incident and no event, but the journal counter is not at 0: the copied ids could
    not come out equal."""
    first = str(tmp_path / "first.db")
    busy_room(capsys, clock, first)
    server = pg_server.fresh()
    try:
        with pg_server.admin(server.rsplit("/", 1)[1]) as admin:
            admin.execute("UPDATE warroom.journal_counter SET last_id = 7")
        code, _, err = run(capsys, "db", "copy", first, server)
        assert code == 2 and "journal counter at 7" in err
        with open_store(server) as s:
            assert s.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    finally:
        pg_server.drop(server)


def test_a_tampered_source_is_refused(capsys, clock, tmp_path, pg_server):
    first = str(tmp_path / "first.db")
    busy_room(capsys, clock, first)
    raw = sqlite3.connect(first)
    raw.execute("DROP TRIGGER events_no_update")
    raw.execute("UPDATE events SET payload = '{\"forged\": true}' WHERE id = 3")
    raw.commit()
    raw.close()
    dest = tmp_path / "copy.db"
    code, _, err = run(capsys, "db", "copy", first, str(dest))
    assert code == 2 and "journal is broken at event 3" in err
    assert not dest.exists() and not list(tmp_path.glob("copy.db*"))
    server = pg_server.fresh()
    try:
        code, _, err = run(capsys, "db", "copy", first, server)
        assert code == 2 and "broken at event 3" in err
        with open_store(server) as s:
            assert all(rows == [] for name, rows in snapshot(s).items()
                       if name not in ("journal_counter", "warroom_meta"))
    finally:
        pg_server.drop(server)


def test_a_missing_source_creates_nothing(capsys, tmp_path):
    code, _, err = run(capsys, "db", "copy", str(tmp_path / "none.db"),
                       str(tmp_path / "dest.db"))
    assert code == 2 and "no warroom database" in err
    assert list(tmp_path.iterdir()) == []


def test_the_copy_keeps_roles_in_the_order_they_were_added(capsys, clock, tmp_path,
                                                           pg_server):
    """``roles`` has no id: SQLite's rowid goes to PostgreSQL's rowid column and back."""
    first, back = str(tmp_path / "first.db"), str(tmp_path / "back.db")
    busy_room(capsys, clock, first)
    server = pg_server.fresh()
    try:
        assert run(capsys, "db", "copy", first, server)[0] == 0
        assert run(capsys, "db", "copy", server, back)[0] == 0
        order = []
        for db in (first, server, back):
            with open_store(db) as s:
                order.append([tuple(r) for r in s.conn.execute(
                    "SELECT rowid, incident_id, role FROM roles ORDER BY rowid")])
        assert order[0] == order[1] == order[2] and len(order[0]) >= 6
    finally:
        pg_server.drop(server)


def db_users(url: str) -> set[str]:
    with open_store(url) as s:
        return {r[0] for r in s.conn.execute("SELECT DISTINCT db_user FROM events")}


def test_postgresql_to_postgresql_keeps_db_user_only_for_the_owner(capsys, clock, tmp_path,
                                                                   pg_server):
    """The client copying is stamped on every event; a superuser (a member of the owner
    role) keeps the database user each event was written by."""
    first = str(tmp_path / "first.db")
    busy_room(capsys, clock, first)
    source, kept, stamped = pg_server.fresh(), pg_server.fresh(), pg_server.fresh()
    try:
        assert run(capsys, "db", "copy", first, source)[0] == 0
        with pg_server.admin(source.rsplit("/", 1)[1]) as admin:  # as if others wrote them
            admin.execute("ALTER TABLE warroom.events DISABLE TRIGGER events_no_update")
            admin.execute("UPDATE warroom.events SET db_user = 'dana_db' WHERE id % 2 = 0")
            admin.execute("ALTER TABLE warroom.events ENABLE TRIGGER events_no_update")
        assert db_users(source) == {"warroom", "dana_db"}
        as_owner = pg_server.url(kept.rsplit("/", 1)[1], "postgres")
        assert run(capsys, "db", "copy", source, as_owner)[0] == 0
        assert run(capsys, "db", "copy", source, stamped)[0] == 0
        assert db_users(kept) == {"warroom", "dana_db"}
        assert db_users(stamped) == {"warroom"}
        for url in (kept, stamped):
            verified(capsys, url)
    finally:
        for url in (source, kept, stamped):
            pg_server.drop(url)
