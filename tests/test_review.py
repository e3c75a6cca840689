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
                    confirm=True, clock=clock)
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
    assert "# Post-incident review: INC-1001 Checkout \\| payments failing for EU\n" in text
    assert "Resolution: Rolled back deploy 412 \\| retry logic fixed" in text
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
    assert done.message == "follow-up recorded on INC-1001 for sam: Page the decider at open"
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
    assert "follow-up recorded on INC-1001 for dana: Write the RCA" in capsys.readouterr().out
    out = tmp_path / "review.md"
    assert main(["review", "1001", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    text = out.read_text()
    assert "| 2 | Write the RCA | dana | recorded" in text
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
    assert "the first customer update never came (due within 30m)" in text
    assert "- ownership: NOT met, the three roles were never all held (35m in)" in text


def test_a_target_not_reached_by_the_resolution_is_missed_not_pending(store, sam, clock):
    """Resolved 10 minutes in, with the roles never all held and no customer update: the
    incident's time is up, so the 30-minute targets are missed, not "not yet"."""
    key = actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                                severity="SEV1", clock=clock).key
    actions.claim_role(store, sam, key, "lead", clock=clock)
    clock.advance(minutes=10)
    actions.resolve(store, sam, key, summary="fixed itself", confirm=True, clock=clock)
    text = review.review(store, key, clock())
    assert "| Time to ownership (lead, comms, decider held) | within 30m | never | NO |" in text
    assert "| First customer update | within 30m | none | NO |" in text
    assert "- ownership: NOT met, the three roles were never all held (10m in)" in text
    assert "not yet (" not in text and "not yet due" not in text
