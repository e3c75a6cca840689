"""A whole escalation through the installed command, one process per step, as a shell would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

NOTE = ["--done", "found bad deploy", "--remaining", "roll back", "--dependencies",
        "release team", "--risks", "cache warm-up"]
UPDATE = ["--known", "20% of EU checkouts fail", "--unknown", "root cause", "--next-steps",
          "rolling back deploy 412"]


def test_a_whole_escalation_from_the_shell(tmp_path):
    env = os.environ | {"WARROOM_DB": str(tmp_path / "acme.db"), "TZ": "UTC"}

    def warroom(*argv, who=None, ok=True):
        cmd = [sys.executable, "-m", "warroom", *argv] + (["--as", who] if who else [])
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert (done.returncode == 0) == ok, (argv, done.stdout, done.stderr)
        return done.stdout if ok else done.stderr

    warroom("open", "Checkout failing for EU users", "--customer", "Acme", "--severity",
            "SEV1", "--service", "checkout", who="sam")
    for who, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        warroom("claim", "INC-1001", role, who=who)
    assert "to dispute it: warroom claim INC-1001 lead --dispute REASON" in warroom(
        "claim", "INC-1001", "lead", "--reason", "payments owns it", who="dana", ok=False)
    assert "your dispute is open: pat (the decider) settles it" in warroom(
        "claim", "INC-1001", "lead", "--dispute", "payments owns it", who="dana")
    warroom("settle", "INC-1001", "lead", "--winner", "dana", who="pat")
    warroom("handover", "INC-1001", "lead", "--to", "sam", *NOTE, who="dana")
    warroom("accept", "INC-1001", "lead", who="sam")
    # the playbook created five milestones at opening; this one is #6
    assert "milestone #6 'Rollback ready'" in warroom(
        "milestone", "add", "INC-1001", "Rollback ready", "--owner", "sam", "--due", "+30m",
        who="sam")
    warroom("milestone", "done", "INC-1001", "6", who="sam")
    warroom("block", "INC-1001", "Prod DB access", "--waiting-on", "DBA on-call", "--owner",
            "sam", who="sam")
    warroom("unblock", "INC-1001", "1", who="sam")
    warroom("request", "INC-1001", "Roll back deploy 412", "--risk", "high", "--rationale",
            "bad deploy", "--fallback", "roll forward", who="sam")
    assert "someone else must approve" in warroom("approve", "INC-1001", "1", who="sam", ok=False)
    warroom("approve", "INC-1001", "1", who="alex")
    assert "granted (2 of 2)" in warroom("approve", "INC-1001", "1", who="pat")
    # the customer hears from comms alone; anyone else is told who and how, and nothing is written
    assert "only the communications owner (alex) posts customer updates on INC-1001" in warroom(
        "update", "INC-1001", "customer", *UPDATE, "--next", "30m", who="sam", ok=False)
    warroom("update", "INC-1001", "customer", *UPDATE, "--next", "20m", who="alex")
    warroom("update", "INC-1001", "internal", *UPDATE, who="sam")
    assert "customer-resolution definition" in warroom("stage", "INC-1001", who="sam", ok=False)
    for stage in ("investigating", "mitigating", "monitoring"):
        warroom("stage", "INC-1001", stage, "--confirm", who="sam")
    # what is still open is named, and the user says what becomes of it; nothing is written
    assert ("INC-1001 still has open: 2 milestones (#3, #5); close them (--close-open) or "
            "carry them into the review as open (--carry)") in warroom(
        "resolve", "INC-1001", "--summary", "rolled back deploy 412", "--confirm", who="sam",
        ok=False)
    warroom("resolve", "INC-1001", "--summary", "rolled back deploy 412", "--confirm",
            "--carry", who="sam")
    warroom("close", "INC-1001", "--csat", "4", "--comment", "fast comms", who="alex")

    view = json.loads(warroom("show", "INC-1001", "--json"))
    assert view["incident"]["stage"] == "closed" and view["incident"]["csat"] == 4
    assert view["incident"]["playbook"] == "customer-outage"
    assert {r["role"]: r["holder"] for r in view["roles"]} == {
        "lead": "sam", "comms": "alex", "decider": "pat", "internal_liaison": None}
    assert view["approvals"][0]["status"] == "approved"
    assert [v["voter"] for v in view["approvals"][0]["votes"]] == ["alex", "pat"]
    done = [m for m in view["milestones"] if m["done_at"]]
    # the playbook's milestones met by what happened complete themselves (journaled as met
    # by it); the one added by hand was done by hand
    assert [(m["name"], m["done_by"]) for m in done] == [
        ("Acknowledge the customer", "alex"), ("Brief sales, support and executives", "sam"),
        ("Rollback ready", "sam"), ("Mitigation in place", "sam")]

    log = json.loads(warroom("log", "INC-1001", "--json"))
    kinds = [e["kind"] for e in log]
    assert kinds == [
        "incident.opened", "role.claimed", "role.claimed", "role.claimed", "role.disputed",
        "dispute.settled", "handover.offered", "handover.accepted", "milestone.added",
        "milestone.completed", "blocker.raised", "blocker.cleared", "approval.requested",
        "approval.approved", "approval.approved", "update.posted", "milestone.completed",
        "update.posted", "milestone.completed", "stage.advanced", "stage.advanced",
        "stage.advanced", "milestone.completed", "incident.resolved",
        "incident.closed"]
    assert all(e["os_user"] and e["at"] for e in log)
    assert [e["display_name"] for e in log][4:6] == ["dana", "pat"]
    text = warroom("log", "INC-1001")
    assert "pat settled Investigation lead: dana took Investigation lead from sam" in text
    assert "sam took Investigation lead from dana (handover accepted)" in text
