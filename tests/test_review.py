"""The post-incident review: a sample incident's review matches the stored document; the
follow-up action; the CLI verbs.

To regenerate tests/expected/review_INC-1001.md after a change you meant, run this file with
WARROOM_UPDATE_EXPECTED=1 and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from conftest import journal_count, person, refused

from warroom import actions
from warroom.cli import main
from warroom.errors import NotFound
from warroom.reports import review

EXPECTED = Path(__file__).parent / "expected" / "review_INC-1001.md"


def sample_incident(store, clock) -> str:
    """A SEV1 with a dispute, a comms gap, a late update, a missed milestone, an approval,
    a handover never accepted, a resolution, a CSAT and a follow-up."""
    sam, alex, dana, pat, kim = (person(n) for n in ("sam", "alex", "dana", "pat", "kim"))
    key = actions.open_incident(store, sam, title="Checkout | payments failing for EU",
                                customer="Acme", severity="SEV1", service="checkout",
                                clock=clock).key
    step = lambda minutes: clock.advance(minutes=minutes)  # noqa: E731
    step(1)
    actions.claim_role(store, sam, key, "lead", clock=clock)
    step(2)
    actions.claim_role(store, alex, key, "comms", clock=clock)
    step(2)
    actions.post_update(store, alex, key, audience="customer", known="20% of EU checkouts fail",
                        unknown="root cause", next_steps="investigating the checkout service",
                        next_update_at=clock() + timedelta(minutes=20), clock=clock)
    step(1)
    actions.claim_role(store, dana, key, "lead", dispute="payments owns checkout", clock=clock)
    step(3)
    actions.claim_role(store, pat, key, "decider", clock=clock)
    actions.add_milestone(store, sam, key, name="Rollback ready", owner="sam",
                          due_at=clock() + timedelta(minutes=15), clock=clock)
    step(4)
    actions.settle_dispute(store, pat, key, "lead", winner="dana", clock=clock)
    step(2)
    actions.post_update(store, dana, key, audience="internal", known="deploy 412 suspected",
                        unknown="gateway role", next_steps="roll back", clock=clock)
    actions.request_approval(store, dana, key, change="Roll back deploy 412", risk="medium",
                             rationale="errors began after it", fallback="roll forward",
                             clock=clock)
    step(6)
    actions.approve(store, pat, key, 1, clock=clock)
    step(2)
    actions.release_role(store, alex, key, "comms", note="end of shift", clock=clock)
    step(12)
    actions.claim_role(store, kim, key, "comms", clock=clock)
    step(3)
    actions.complete_milestone(store, sam, key, 1, clock=clock)
    actions.post_update(store, kim, key, audience="customer", known="rollback done; errors "
                        "back to 0.1%", unknown="whether the gateway contributed",
                        next_steps="monitoring for an hour",
                        next_update_at=clock() + timedelta(minutes=30), clock=clock)
    step(5)
    actions.offer_handover(store, dana, key, "lead", to="sam", done="rolled back",
                           remaining="watch error rate", dependencies="release team",
                           risks="cache warm-up", clock=clock)
    step(10)
    actions.resolve(store, dana, key, summary="Rolled back deploy 412 | retry logic fixed",
                    confirm=True, skip=True, open_items="carry", clock=clock)
    step(60)
    actions.close(store, dana, key, csat=4, comment="clear updates, slow start", clock=clock)
    step(1440)
    actions.add_follow_up(store, pat, key, text="Add a comms contingency to the checkout "
                          "playbook", owner="alex", clock=clock)
    return key


def test_the_review_of_the_sample_incident_matches_the_stored_document(store, clock):
    key = sample_incident(store, clock)
    text = review.review(store, key, clock())
    if os.environ.get("WARROOM_UPDATE_EXPECTED"):
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(text, encoding="utf-8")
    assert text == EXPECTED.read_text(encoding="utf-8")


def test_the_review_is_the_same_for_the_same_journal_and_time(store, clock):
    key = sample_incident(store, clock)
    assert review.review(store, key, clock()) == review.review(store, key, clock())


def test_user_text_cannot_break_the_review_structure(store, clock):
    key = sample_incident(store, clock)
    text = review.review(store, key, clock())
    # a "|" is escaped only inside a table row, where it would split the cell
    assert "# Post-incident review: INC-1001 Checkout | payments failing for EU\n" in text
    assert "Resolution: Rolled back deploy 412 | retry logic fixed" in text
    columns = None
    for line in text.splitlines():  # every row of a table has its header's columns
        if not line.startswith("| "):
            columns = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        columns = columns or cells
        assert cells == columns, line
    assert text.count("```") == 2


def test_a_follow_up_is_one_event_and_works_on_a_closed_incident(store, staffed, pat, clock):
    before = journal_count(store)
    done = actions.add_follow_up(store, pat, staffed, text="Page the decider at open",
                                 owner="sam", clock=clock)
    assert journal_count(store) == before + 1
    assert done.message == "follow-up #1 recorded on INC-1001 for sam: Page the decider at open"
    refused(store, lambda: actions.add_follow_up(store, pat, staffed, text="  ", owner="sam",
                                                 clock=clock), "action must not be empty")
    refused(store, lambda: actions.add_follow_up(store, pat, "INC-9", text="x", owner="sam",
                                                 clock=clock), "no incident", NotFound)


def test_cli_review_to_a_file_and_a_follow_up(tmp_path, capsys, monkeypatch, clock):
    from warroom.db.store import Store

    db = tmp_path / "r.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    with Store(db, create=True) as store:
        sample_incident(store, clock)
    assert main(["review", "INC-1001", "--action", "Write the RCA", "--owner", "dana",
                 "--as", "pat"]) == 0
    assert "follow-up #2 recorded on INC-1001 for dana: Write the RCA" in capsys.readouterr().out
    out = tmp_path / "review.md"
    assert main(["review", "1001", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    text = out.read_text()
    assert "| 2 | Write the RCA | dana | - | open | recorded" in text
    assert main(["review", "INC-1001", "--owner", "dana"]) == 2
    assert "--owner goes with --action" in capsys.readouterr().err
    assert main(["review", "INC-1001", "--action", "x"]) == 2
    assert "needs an owner" in capsys.readouterr().err
    assert main(["review", "INC-7"]) == 2


def test_an_incident_just_opened_has_failed_nothing_yet_and_far_dues_carry_their_date(
        store, sam, clock):
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", clock=clock,
                                milestones=[("RCA to customer", "sam", timedelta(days=2))]).key
    clock.advance(minutes=5)
    text = review.review(store, key, clock())
    assert ("| Time to ownership (lead, comms, decider held) | within 30m | not yet (5m in) "
            "| - |") in text
    assert "| First customer update | within 30m | not yet (5m in) | - |" in text
    assert "Checks met: 6 of 7 (not yet due: ownership)." in text
    assert "- ownership: not yet due, the three roles are not all held yet (5m in)" in text
    assert "| Milestone: RCA to customer (owner sam) | due 2026-11-26 14:00 | not done | - |" \
        in text
    clock.advance(minutes=30)
    text = review.review(store, key, clock())
    assert "| Time to ownership (lead, comms, decider held) | within 30m | never | NO |" in text
    assert "| First customer update | within 30m | none | NO |" in text
    assert ("the first customer update never came (due within 30m, at 14:30 with comms "
            "(vacant))") in text
    assert "- ownership: NOT met, the three roles were never all held (35m in)" in text


def test_a_target_not_reached_by_the_resolution_is_missed_not_pending(store, sam, clock):
    """Resolved 10 minutes in, with the roles never all held and no customer update: the
    incident's time is up, so the 30-minute targets are missed, not "not yet"."""
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", clock=clock).key
    actions.claim_role(store, sam, key, "lead", clock=clock)
    clock.advance(minutes=10)
    actions.resolve(store, sam, key, summary="fixed itself", confirm=True, skip=True,
                    no_customer_update="it fixed itself", clock=clock)
    text = review.review(store, key, clock())
    assert "| Time to ownership (lead, comms, decider held) | within 30m | never | NO |" in text
    assert "| First customer update | within 30m | none | NO |" in text
    assert "- ownership: NOT met, the three roles were never all held (10m in)" in text
    assert "not yet (" not in text and "not yet due" not in text


# -- judging people truthfully: hand-built journals, expected text written by hand ----------


def _folded(j, minutes: float):
    from journal_helpers import at, rows_of

    from warroom.reports.metrics import fold

    return next(iter(fold(rows_of(j.events), at(minutes)).values()))


def _improvements(m) -> list[tuple[str, str, str]]:
    from warroom.reports import findings

    return [(i.text, i.area, i.owner) for i in findings.improvements(m)]


def _escalation(text: str) -> str:
    return text.split("### Was the escalation path followed?")[1].split("##")[0]


def test_a_role_owner_is_whoever_held_it_when_it_fell_due_or_vacant():
    """Acknowledge falls due at 14:15 while comms is vacant (vera holds decider, whom the
    review used to name instead); Status page falls due at 14:40 while alex holds comms,
    though kim holds it by the time of the review. The update owners likewise."""
    from journal_helpers import Journal, at

    j = Journal().open(milestones=[
        {"name": "Acknowledge", "owner": "comms", "due_at": at(15), "milestone_id": 1},
        {"name": "Status page", "owner": "comms", "due_at": at(40), "milestone_id": 2}])
    j.claim(1, "lead", "sam").claim(2, "decider", "vera").claim(20, "comms", "alex")
    j.add(50, "handover.offered", who="alex", role="comms", handover_id=1, to="kim",
          **{"from": "alex"}, done="d", remaining="r", dependencies="x", risks="y")
    j.add(50, "handover.accepted", who="kim", role="comms", handover_id=1, to="kim",
          **{"from": "alex"})
    m = _folded(j, 60)
    text = review.render(m, j.events)
    assert ("| Milestone: Acknowledge (owner comms (vacant)) | due 2026-11-24 14:15 | not done "
            "| NO |") in text
    assert ("| Milestone: Status page (owner comms (alex)) | due 2026-11-24 14:40 | not done "
            "| NO |") in text
    assert "vera)" not in text and "comms (kim)" not in text
    found = _improvements(m)
    assert (
        "milestone 'Acknowledge' (owner comms (vacant)) was not done 45m after it was due, and "
        "nobody held comms when it fell due: name a contingency for comms in the playbook so "
        "that comms is held before its milestones fall due, or move the milestone with a "
        "reason", "playbook", "vera") in found  # the decider follows up a vacancy
    assert (
        "milestone 'Status page' (owner comms (alex)) was not done 20m after it was due: move "
        "a milestone with a reason as soon as it is at risk, and review its default due time "
        "in the playbook", "playbook", "alex") in found
    assert (
        "the first customer update never came (due within 30m, at 14:30 with comms (alex)): "
        "keep an acknowledgement template ready to send as soon as comms is named",
        "templates", "alex") in found
    assert (
        "customer updates: 0 of 1 due times met at a 30m cadence (missed 14:30 with comms "
        "(alex)): set a reminder for the customer update owner, or change the customer "
        "cadence in the playbook if it cannot be kept", "cadence", "kim") in found
    assert (
        "internal updates: 0 of 3 due times met at a 15m cadence (missed 14:15 with lead "
        "(sam), comms (vacant); 14:30 and 14:45 with lead (sam), comms (alex)): set a "
        "reminder for the internal update owner, or change the internal cadence in the "
        "playbook if it cannot be kept", "cadence", "kim") in found


def test_an_approval_that_expired_because_nobody_else_could_approve_never_blames_the_decider():
    """sam (lead) asks for a change needing two approvals, the decider's among them; pat (the
    decider) approves at once; comms stays vacant until the request expires. The review
    used to tell pat to hand decider over "as soon as the decider is unreachable"."""
    from journal_helpers import Journal, at

    j = Journal().open()
    j.claim(1, "lead", "sam").claim(2, "decider", "pat")
    j.add(5, "approval.requested", who="sam", approval_id=1, change="Roll back", risk="high",
          needed=2, decider_required=True, eligible_roles=["lead", "comms", "decider"],
          eligible_people=[], rule_terms={"eligible_roles": ["lead", "comms", "decider"]},
          expires_at=at(35))
    j.add(10, "approval.approved", who="pat", approval_id=1, roles=["decider"], count=1,
          needed=2, granted=False)
    j.claim(45, "comms", "kim")  # after it expired: too late to count
    m = _folded(j, 50)
    (approval,) = [i for i in _improvements(m) if i[0].startswith("approval")]
    assert approval == (
        "approval #1 'Roll back' (high risk, needing 2 approvals, the decider's among them, "
        "asked by sam) expired after 30m with 1 of 2 (pat), short of 1 more approval; nobody "
        "but sam (who asked) and pat (who voted) held lead, comms or decider while it waited: "
        "name a contingency for comms in the playbook, so that someone can approve while it "
        "is vacant", "playbook", "sam")
    assert "unreachable" not in review.render(m, j.events)


def test_each_approval_suggestion_names_its_cause():
    """Rejected (by whom), still waiting (on whom), withdrawn (by whom, and who could have
    approved), and granted late while the decider was vacant."""
    from journal_helpers import Journal, at

    eligible = {"eligible_roles": ["lead", "comms", "decider"], "eligible_people": [],
                "rule_terms": {"eligible_roles": ["lead", "comms", "decider"]}}
    j = Journal().open(assigned={"lead": "dana", "comms": "alex", "decider": "pat"})
    j.add(5, "approval.requested", approval_id=1, change="Restart workers", risk="medium",
          needed=1, decider_required=False, expires_at=at(65), **eligible)
    j.add(25, "approval.rejected", who="dana", approval_id=1, roles=["lead"],
          reason="too risky")
    j.add(10, "approval.requested", approval_id=2, change="Flush cache", risk="high",
          needed=2, decider_required=True, expires_at=at(70), **eligible)
    j.add(12, "approval.approved", who="alex", approval_id=2, roles=["comms"], count=1,
          needed=2, granted=False)
    j.add(15, "approval.requested", approval_id=3, change="Fail over", risk="medium",
          needed=1, decider_required=False, expires_at=at(75), **eligible)
    j.add(35, "approval.withdrawn", approval_id=3, reason="recovered on its own")
    m = _folded(j, 30 + 10)
    found = [i for i in _improvements(m) if i[0].startswith("approval")]
    assert found == [
        ("approval #1 'Restart workers' (medium risk, needing 1 approval, asked by sam) was "
         "rejected by dana (lead) after 20m: too risky; decide within 15m, a no included, so "
         "that the room turns to another plan sooner", "playbook", "dana"),
        ("approval #2 'Flush cache' (high risk, needing 2 approvals, the decider's among them, "
         "asked by sam) has waited 30m with 1 of 2 (alex), short of the decider's approval; pat "
         "(decider) can still approve it: page the people who can approve as soon as a "
         "request is made", "contacts", "sam"),
        ("approval #3 'Fail over' (medium risk, needing 1 approval, asked by sam) was withdrawn "
         "by sam after 20m (recovered on its own), while dana (lead), alex (comms) or pat "
         "(decider) could have approved it: page the people who can approve as soon as a "
         "request is made", "contacts", "sam")]

    late = Journal().open(assigned={"lead": "dana", "comms": "alex"})
    late.add(5, "approval.requested", approval_id=1, change="Roll back", risk="high", needed=2,
             decider_required=True, expires_at=at(65), **eligible)
    late.add(8, "approval.approved", who="dana", approval_id=1, roles=["lead"], count=1,
             needed=2, granted=False)
    late.claim(15, "decider", "pat")
    late.add(25, "approval.approved", who="pat", approval_id=1, roles=["decider"], count=2,
             needed=2, granted=True)
    (granted,) = [i for i in _improvements(_folded(late, 40)) if i[0].startswith("approval")]
    assert granted == (
        "approval #1 'Roll back' (high risk, needing 2 approvals, the decider's among them, "
        "asked by sam) was granted after 20m, the last approval by pat (decider); the decider "
        "was vacant for 10m of it: name a decider contingency in the playbook, to call while "
        "the role is vacant", "playbook", "sam")


def test_the_escalation_answer_flags_acts_by_people_holding_no_role():
    """Status updates, votes, stage changes, resolution and closing by someone holding no
    role are flagged with the overrides; claims, disputes (withdrawing one's own included),
    notes, and acts in the very second someone took or left a role are not."""
    from journal_helpers import Journal, at

    j = Journal().open(assigned={"lead": "sam", "comms": "alex", "decider": "pat"})
    j.update(5, "internal", was_due=None, next_due=None, who="dana")  # 2: no role
    j.add(8, "role.disputed", who="dana", role="lead", claimant="dana", holder="sam",
          dispute_id=1, reason="payments owns it")  # 3
    j.add(9, "note.posted", who="dana", text="checking the gateway")  # 4
    j.add(10, "dispute.settled", who="dana", role="lead", dispute_id=1, winner="sam",
          holder="sam", claimant="dana")  # 5: the claimant withdraws
    j.add(12, "approval.requested", who="dana", approval_id=1, change="Purge cache",
          risk="high", needed=2, decider_required=True, expires_at=at(72))  # 6
    j.add(14, "approval.approved", who="ray", approval_id=1, change="Purge cache", roles=[],
          count=1, needed=2, granted=False)  # 7: no role
    j.add(20, "role.released", who="alex", role="comms", holder="alex", note="shift")  # 8
    j.update(20, "customer", was_due=None, next_due=50, who="alex")  # 9: that very minute
    j.update(25, "customer", was_due=50, next_due=55, who="pat",
             override="comms unreachable")  # 10: the decider's override
    j.add(30, "stage.advanced", who="ray", **{"from": "triage", "to": "investigating"})  # 11
    j.claim(40, "comms", "kim")  # 12
    j.update(40, "customer", was_due=55, next_due=70, who="kim")  # 13: just took comms
    j.add(55, "incident.resolved", who="ray", **{"from": "investigating", "to": "resolved"},
          note="fixed")  # 14
    j.add(70, "incident.closed", who="ray", csat=4)  # 15
    m = _folded(j, 80)
    flagged = [line for line in _escalation(review.render(m, j.events)).splitlines()
               if line.startswith("- FLAGGED")]
    assert flagged == [
        "- FLAGGED: the decider's override: #10 14:25 pat posted a customer update, overriding "
        "who may post (decider's reason: comms unreachable): k",
        "- FLAGGED: acted holding no role: #2 14:05 dana posted an internal update: k",
        "- FLAGGED: acted holding no role: #7 14:14 ray approved #1 Purge cache (1 of 2)",
        "- FLAGGED: acted holding no role: #11 14:30 ray moved the incident from triage to "
        "investigating",
        "- FLAGGED: acted holding no role: #14 14:55 ray resolved the incident: fixed",
        "- FLAGGED: acted holding no role: #15 15:10 ray closed the incident, CSAT 4"]


def test_an_incident_run_by_its_role_holders_flags_nothing():
    from journal_helpers import Journal

    j = Journal().open(assigned={"lead": "sam", "comms": "alex", "decider": "pat"})
    j.update(5, "customer", was_due=None, next_due=30, who="alex")
    j.add(20, "stage.advanced", who="sam", **{"from": "triage", "to": "investigating"})
    j.add(25, "incident.resolved", who="sam", **{"from": "investigating", "to": "resolved"},
          note="fixed")
    assert "FLAGGED" not in review.render(_folded(j, 30), j.events)
