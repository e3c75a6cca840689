"""Claims, disputes, handovers and releases: who owns what, and nothing lost to a race."""

from __future__ import annotations

from conftest import journal_count, last_event, person, refused

from warroom import actions
from warroom.db import queries
from warroom.errors import Conflict


def holder(store, key, role):
    return queries.incident_view(store, key).role(role).holder


def test_claiming_a_vacant_role_takes_it_with_one_event(store, incident, dana, clock):
    before = journal_count(store)
    done = actions.claim_role(store, dana, incident, "lead", reason="on call", clock=clock)
    assert holder(store, incident, "lead") == "dana"
    assert journal_count(store) == before + 1
    event = last_event(store)
    assert (event.kind, event.os_user, event.display_name) == ("role.claimed", "oncall", "dana")
    assert event.payload["role"] == "lead" and event.id == done.event_id


def test_claiming_a_held_role_opens_a_dispute_and_the_holder_keeps_it(store, staffed, dana,
                                                                      clock):
    actions.claim_role(store, dana, staffed, "lead", reason="payments", clock=clock)
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "sam"
    assert [(d.role, d.claimant, d.holder) for d in view.disputes] == [("lead", "dana", "sam")]
    assert last_event(store).kind == "role.disputed"


def test_second_dispute_names_holder_and_claimant(store, staffed, dana, clock):
    actions.claim_role(store, dana, staffed, "lead", clock=clock)
    refused(store, lambda: actions.claim_role(store, person("kim"), staffed, "lead",
                                              clock=clock),
            "held by sam .* already disputed by dana", Conflict)
    refused(store, lambda: actions.claim_role(store, dana, staffed, "lead", clock=clock),
            "you already dispute lead")


def test_refusals_of_claim(store, staffed, sam, clock):
    refused(store, lambda: actions.claim_role(store, sam, staffed, "lead", clock=clock),
            "you already hold lead")
    refused(store, lambda: actions.claim_role(store, sam, staffed, "scribe", clock=clock),
            "has no role 'scribe' .roles: lead, comms, decider.")
    refused(store, lambda: actions.claim_role(store, sam, "INC-9", "lead", clock=clock),
            "no incident 'INC-9'")
    refused(store, lambda: actions.claim_role(store, sam, staffed, "Lead!", clock=clock),
            "role is not a role name")


def test_claim_expecting_vacant_is_refused_naming_the_new_holder(store, staffed, dana, clock):
    refused(store, lambda: actions.claim_role(store, dana, staffed, "lead",
                                              expect_holder=actions.VACANT, clock=clock),
            "lead is held by sam since 14:00; claim again to dispute it", Conflict)


def test_settle_by_decider_either_way(store, staffed, dana, pat, clock):
    actions.claim_role(store, dana, staffed, "lead", clock=clock)
    actions.settle_dispute(store, pat, staffed, "lead", winner="dana", clock=clock)
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "dana" and view.disputes == []
    assert last_event(store).payload["winner"] == "dana"


def test_holder_keeps_or_yields_claimant_withdraws_bystander_refused(store, staffed, sam, dana,
                                                                    clock):
    actions.claim_role(store, dana, staffed, "lead", clock=clock)
    refused(store, lambda: actions.settle_dispute(store, person("kim"), staffed, "lead",
                                                  winner="dana", clock=clock),
            "only the decider or sam .the holder. can settle")
    refused(store, lambda: actions.settle_dispute(store, dana, staffed, "lead", winner="dana",
                                                  clock=clock), "only the decider")
    refused(store, lambda: actions.settle_dispute(store, sam, staffed, "lead", winner="kim",
                                                  clock=clock), "between sam and dana")
    actions.settle_dispute(store, dana, staffed, "lead", winner="sam", clock=clock)  # withdraw
    assert holder(store, staffed, "lead") == "sam"
    actions.claim_role(store, dana, staffed, "lead", clock=clock)
    actions.settle_dispute(store, sam, staffed, "lead", winner="dana", clock=clock)  # yield
    assert holder(store, staffed, "lead") == "dana"
    refused(store, lambda: actions.settle_dispute(store, dana, staffed, "lead", winner="dana",
                                                  clock=clock), "no open dispute")


NOTE = dict(done="found the bad deploy", remaining="roll back", dependencies="release team",
            risks="cache warm-up")


def test_handover_moves_the_role_only_on_accept(store, staffed, sam, dana, clock):
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "sam"
    assert [(h.to_person, h.remaining) for h in view.handovers] == [("dana", "roll back")]
    refused(store, lambda: actions.accept_handover(store, person("kim"), staffed, "lead",
                                                   clock=clock), "offered to dana, not to you")
    clock.advance(minutes=3)
    actions.accept_handover(store, dana, staffed, "lead", clock=clock)
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "dana" and view.handovers == []
    event = last_event(store)
    assert (event.kind, event.payload["from"], event.payload["to"]) == (
        "handover.accepted", "sam", "dana")


def test_handover_refusals(store, staffed, sam, dana, clock):
    refused(store, lambda: actions.offer_handover(store, dana, staffed, "lead", to="kim",
                                                  clock=clock, **NOTE),
            "you do not hold lead .* .sam holds it.", Conflict)
    refused(store, lambda: actions.offer_handover(store, sam, staffed, "lead", to="sam",
                                                  clock=clock, **NOTE), "to yourself")
    refused(store, lambda: actions.offer_handover(store, sam, staffed, "lead", to="dana",
                                                  clock=clock, **(NOTE | {"risks": "  "})),
            "risks must not be empty")
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    refused(store, lambda: actions.offer_handover(store, sam, staffed, "lead", to="kim",
                                                  clock=clock, **NOTE), "already offered")
    refused(store, lambda: actions.accept_handover(store, dana, staffed, "comms", clock=clock),
            "no handover of comms is pending")


def test_decline_and_withdraw(store, staffed, sam, dana, clock):
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    refused(store, lambda: actions.decline_handover(store, person("kim"), staffed, "lead",
                                                    clock=clock), "only dana or sam")
    actions.decline_handover(store, dana, staffed, "lead", reason="off shift", clock=clock)
    assert last_event(store).payload["status"] == "declined"
    assert holder(store, staffed, "lead") == "sam"
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    actions.decline_handover(store, sam, staffed, "lead", clock=clock)
    assert last_event(store).payload["status"] == "withdrawn"
    assert queries.incident_view(store, staffed).handovers == []


def test_a_pending_handover_lapses_when_the_role_moves_otherwise(store, staffed, sam, dana, pat,
                                                                  clock):
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    actions.claim_role(store, person("kim"), staffed, "lead", clock=clock)
    actions.settle_dispute(store, pat, staffed, "lead", winner="kim", clock=clock)
    assert queries.incident_view(store, staffed).handovers == []
    refused(store, lambda: actions.accept_handover(store, dana, staffed, "lead", clock=clock),
            "no handover of lead is pending")


def test_accept_after_a_concurrent_change_names_the_holder(store, staffed, sam, dana, clock):
    """A stale offer (role version moved) never overwrites the change made in between."""
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    # another process bumps the role behind the offer's back
    store.conn.execute("UPDATE roles SET holder='kim', version=version+1 WHERE role='lead'")
    refused(store, lambda: actions.accept_handover(store, dana, staffed, "lead", clock=clock),
            "lead changed since the offer: lead is held by kim", Conflict)


def test_release_makes_the_role_vacant_and_refuses_while_disputed(store, staffed, sam, dana,
                                                                  clock):
    actions.claim_role(store, dana, staffed, "lead", clock=clock)
    refused(store, lambda: actions.release_role(store, sam, staffed, "lead", clock=clock),
            "disputed by dana")
    refused(store, lambda: actions.release_role(store, dana, staffed, "comms", clock=clock),
            "you do not hold comms", Conflict)
    actions.release_role(store, person("alex"), staffed, "comms", note="off shift", clock=clock)
    view = queries.incident_view(store, staffed)
    assert view.role("comms").holder is None
    assert view.role("comms").vacant_since == clock()


def test_handing_a_disputed_role_to_its_claimant_settles_the_dispute(store, staffed, sam, dana,
                                                                    clock):
    """The reviewer's case: sam holds lead, dana disputes it, sam hands it to dana."""
    from warroom.reports import review

    actions.claim_role(store, dana, staffed, "lead", reason="payments", clock=clock)
    actions.offer_handover(store, sam, staffed, "lead", to="dana", clock=clock, **NOTE)
    clock.advance(minutes=4)
    before = journal_count(store)
    done = actions.accept_handover(store, dana, staffed, "lead", clock=clock)
    assert journal_count(store) == before + 1  # one event, the settlement inside it
    assert done.message == "you hold lead on INC-1001; your dispute on it is settled"
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "dana" and view.disputes == []
    event = last_event(store)
    assert (event.kind, event.payload["dispute"], event.payload["dispute_id"]) == (
        "handover.accepted", "settled", 1)
    m, events = review.for_review(store, staffed, clock())
    assert [(d.winner, d.settled_by, d.settled - d.opened) for d in m.disputes.values()] == [
        ("dana", "sam", 240)]
    text = review.render(m, events)
    assert "DISPUTED: dana against sam | settled by sam for dana |" in text
    assert "NOT settled" not in text


def test_handing_a_disputed_role_to_a_third_person_keeps_the_claim_open_against_them(
        store, staffed, sam, dana, pat, clock):
    """A handover answers the holder's side only: dana's claim still waits for a decision,
    now against kim; nothing is silently dropped."""
    from warroom.reports import metrics

    kim = person("kim")
    actions.claim_role(store, dana, staffed, "lead", clock=clock)
    actions.offer_handover(store, sam, staffed, "lead", to="kim", clock=clock, **NOTE)
    done = actions.accept_handover(store, kim, staffed, "lead", clock=clock)
    assert done.message == ("you hold lead on INC-1001; dana still disputes it: the decider "
                            "settles it, or you give it to them")
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "kim"
    assert [(d.claimant, d.holder) for d in view.disputes] == [("dana", "kim")]
    assert last_event(store).payload["dispute"] == "carried"
    m = metrics.for_incident(store, staffed, clock())
    assert [(d.claimant, d.holder, d.settled) for d in m.disputes.values()] == [
        ("dana", "kim", None)]
    actions.settle_dispute(store, pat, staffed, "lead", winner="kim", clock=clock)
    assert queries.incident_view(store, staffed).disputes == []
