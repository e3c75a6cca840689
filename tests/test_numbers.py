"""Milestones, blockers and approval requests are numbered per incident (#1 in each); older
databases get their numbers by migration."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from warroom import actions
from warroom.cli import main
from warroom.db import queries, schema
from warroom.db import store as store_module
from warroom.db.store import Store
from warroom.journal import line


def two_incidents(store, sam, clock):
    for title in ("Checkout failing", "Login slow"):
        actions.open_incident(store, sam, title=title, customer="Acme", severity="SEV2",
                              clock=clock)
    actions.claim_role(store, sam, "INC-1001", "lead", clock=clock)
    actions.claim_role(store, sam, "INC-1002", "lead", clock=clock)


def test_each_incident_counts_from_one(store, clock, sam, pat):
    two_incidents(store, sam, clock)
    assert actions.raise_blocker(store, sam, "INC-1001", what="DB access", waiting_on="DBA",
                                 owner="sam", clock=clock).ref == 1
    done = actions.raise_blocker(store, sam, "INC-1002", what="VPN", waiting_on="IT",
                                 owner="sam", clock=clock)
    assert (done.ref, done.message) == (1, "blocker #1 raised: VPN")
    assert actions.add_milestone(store, sam, "INC-1002", name="Rollback ready", owner="sam",
                                 due_at=clock() + timedelta(minutes=30), clock=clock).ref == 1
    actions.claim_role(store, pat, "INC-1002", "decider", clock=clock)
    request = actions.request_approval(store, sam, "INC-1002", change="Roll back",
                                       risk="low", rationale="bad deploy",
                                       fallback="roll forward", clock=clock)
    assert request.ref == 1
    assert actions.approve(store, pat, "INC-1002", 1, clock=clock).message.startswith(
        "approval #1 granted")
    actions.clear_blocker(store, sam, "INC-1002", 1, clock=clock)
    view = queries.incident_view(store, "INC-1001")
    assert [b.number for b in view.blockers] == [1]  # INC-1001's own #1 is untouched
    events = queries.events_after(store, 0, "INC-1002")
    words = [line(e) for e in events]
    assert "14:00 sam raised blocker #1 VPN (waiting on IT, owner sam)" in words
    assert "14:00 sam cleared blocker #1 VPN" in words
    assert "14:00 pat approved #1 Roll back (GRANTED)" in words


def test_the_shell_takes_the_number_within_the_incident(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "n.db"))
    for title in ("Checkout failing", "Checkout failing again"):  # one playbook for both
        assert main(["open", title, "--customer", "Acme", "--severity", "SEV2",
                     "--as", "sam"]) == 0
    capsys.readouterr()
    # each incident's playbook milestones count from #1 (it was INC-1002's #6 before)
    assert main(["milestone", "done", "INC-1002", "1", "--as", "sam"]) == 0
    assert capsys.readouterr().out == "INC-1002: milestone #1 'Acknowledge the customer' done\n"
    assert main(["milestone", "add", "INC-1002", "Rollback ready", "--owner", "sam",
                 "--due", "+30m", "--as", "sam"]) == 0
    added = capsys.readouterr().out
    assert main(["milestone", "add", "INC-1001", "Rollback ready", "--owner", "sam",
                 "--due", "+30m", "--as", "sam"]) == 0
    assert capsys.readouterr().out == added.replace("INC-1002", "INC-1001")
    assert main(["milestone", "done", "INC-1001", "99", "--as", "sam"]) == 2
    assert "INC-1001 has no milestone #99" in capsys.readouterr().err


def test_a_database_from_before_gets_its_numbers_per_incident(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 3)
    Store(path, create=True).close()
    conn = sqlite3.connect(path)
    for key in ("INC-1001", "INC-1002"):
        conn.execute("INSERT INTO incidents (key, title, customer, severity, stage, opened_at)"
                     " VALUES (?, 't', 'Acme', 'SEV2', 'triage', '2026-11-24T14:00:00+00:00')",
                     (key,))
    for incident, what in ((1, "a"), (2, "b"), (1, "c"), (2, "d"), (2, "e")):
        conn.execute("INSERT INTO blockers (incident_id, what, waiting_on, owner, raised_at) "
                     "VALUES (?, ?, 'x', 'sam', '2026-11-24T14:00:00+00:00')", (incident, what))
    conn.commit()
    conn.close()
    monkeypatch.undo()
    with Store(path) as store:
        numbered = [(r["incident_id"], r["what"], r["number"]) for r in store.rows("blockers")]
    assert numbered == [(1, "a", 1), (2, "b", 1), (1, "c", 2), (2, "d", 2), (2, "e", 3)]
