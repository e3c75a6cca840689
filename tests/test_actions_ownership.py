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
    done = actions.claim_role(store, dana, staffed, "lead", dispute="payments", clock=clock)
    assert done.message == ("lead on INC-1001 is held by sam since 14:00; your dispute is open: "
                            "pat (the decider) settles it")
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "sam"
    assert [(d.role, d.claimant, d.holder) for d in view.disputes] == [("lead", "dana", "sam")]
    event = last_event(store)
    assert (event.kind, event.payload["reason"]) == ("role.disputed", "payments")


def test_second_dispute_names_holder_and_claimant(store, staffed, dana, clock):
    actions.claim_role(store, dana, staffed, "lead", dispute="payments", clock=clock)
    refused(store, lambda: actions.claim_role(store, person("kim"), staffed, "lead",
                                              dispute="me", clock=clock),
            "held by sam .* already disputed by dana; pat .the decider. settles it", Conflict)
    refused(store, lambda: actions.claim_role(store, dana, staffed, "lead", dispute="again",
                                              clock=clock), "you already dispute lead")


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
    actions.claim_role(store, dana, staffed, "lead", dispute="payments", clock=clock)
    actions.settle_dispute(store, pat, staffed, "lead", winner="dana", clock=clock)
    view = queries.incident_view(store, staffed)
    assert view.role("lead").holder == "dana" and view.disputes == []
    assert last_event(store).payload["winner"] == "dana"


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
    actions.claim_role(store, person("kim"), staffed, "lead", dispute="kim's", clock=clock)
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
    actions.claim_role(store, dana, staffed, "lead", dispute="payments", clock=clock)
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

    actions.claim_role(store, dana, staffed, "lead", dispute="payments", clock=clock)
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
    actions.claim_role(store, dana, staffed, "lead", dispute="payments", clock=clock)
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


# Disputes: a held role is claimed only by an explicit dispute, and settled by whoever may.


def dispute(store, clock, claimant="dana", role="lead", ref="INC-1001"):
    return actions.claim_role(store, person(claimant), ref, role, dispute="payments owns it",
                              clock=clock)


def settle(store, clock, who, winner, role="lead", reason=None):
    return actions.settle_dispute(store, person(who), "INC-1001", role, winner=winner,
                                  reason=reason, clock=clock)


def test_a_plain_claim_of_a_held_role_is_refused_naming_the_holder_and_the_option(
        store, staffed, dana, clock):
    message = ("^lead on INC-1001 is held by sam since 14:00; to dispute it: "
               "warroom claim INC-1001 lead --dispute REASON$")
    refused(store, lambda: actions.claim_role(store, dana, staffed, "lead", clock=clock),
            message, Conflict)
    # a --reason is a note on a vacant role: it never opens a dispute
    refused(store, lambda: actions.claim_role(store, dana, staffed, "lead", reason="payments",
                                              clock=clock), message, Conflict)
    refused(store, lambda: actions.claim_role(store, dana, staffed, "lead", dispute="  ",
                                              clock=clock), "must not be empty")
    assert queries.incident_view(store, staffed).disputes == []


def test_a_dispute_of_a_role_found_vacant_simply_takes_it(store, incident, dana, clock):
    done = actions.claim_role(store, dana, incident, "lead", dispute="payments", clock=clock)
    assert done.message == "you hold lead on INC-1001 (it was vacant: nothing to dispute)"
    event = last_event(store)
    assert (event.kind, event.payload["reason"]) == ("role.claimed", "payments")
    assert queries.incident_view(store, incident).disputes == []


def test_the_decider_settles_either_way_with_a_reason(store, staffed, clock):
    from warroom.journal import describe

    dispute(store, clock)
    settle(store, clock, "pat", "sam", reason="platform found the deploy")
    event = last_event(store)
    assert "kept_by_holder" not in event.payload
    assert describe(event) == ("pat settled lead: stays with sam over dana: platform found "
                               "the deploy")
    dispute(store, clock)
    assert settle(store, clock, "pat", "dana").message == "lead on INC-1001 goes to dana"
    assert holder(store, staffed, "lead") == "dana"


def test_the_holder_yields_but_never_keeps_while_a_decider_is_held(store, staffed, clock):
    dispute(store, clock)
    for reason in (None, "I have the context"):
        refused(store, lambda: settle(store, clock, "sam", "sam", reason=reason),
                "^you cannot keep lead on INC-1001 in your own favour while pat holds decider: "
                "pat settles it, or you yield it to dana$")
    settle(store, clock, "sam", "dana")  # yield
    assert holder(store, staffed, "lead") == "dana"
    assert queries.incident_view(store, staffed).disputes == []


def test_the_claimant_withdraws_but_never_wins(store, staffed, clock):
    dispute(store, clock)
    refused(store, lambda: settle(store, clock, "dana", "dana"),
            "^you cannot settle the dispute on lead on INC-1001 in your own favour: only pat "
            r"\(the decider\) can; you may withdraw \(settle for sam\)$")
    settle(store, clock, "dana", "sam")  # withdraw
    assert holder(store, staffed, "lead") == "sam"
    refused(store, lambda: settle(store, clock, "dana", "sam"), "no open dispute")


def test_a_bystander_is_refused_naming_who_may_act(store, staffed, clock):
    dispute(store, clock)
    refused(store, lambda: settle(store, clock, "kim", "dana"),
            r"^only pat \(the decider\) can settle the dispute on lead on INC-1001; sam \(the "
            r"holder\) may yield it, dana \(the claimant\) may withdraw$")
    refused(store, lambda: settle(store, clock, "sam", "kim"), "between sam and dana")
    actions.release_role(store, person("pat"), staffed, "decider", clock=clock)
    refused(store, lambda: settle(store, clock, "kim", "dana"),
            "^nobody holds decider to settle the dispute on lead on INC-1001: claim decider "
            r"first, or sam \(the holder\) may keep it with a reason or yield it, dana \(the "
            r"claimant\) may withdraw$")
    actions.claim_role(store, person("kim"), staffed, "decider", clock=clock)
    settle(store, clock, "kim", "dana")  # a decider claimed later settles it
    assert holder(store, staffed, "lead") == "dana"


def test_a_decider_who_is_a_party_cannot_settle(store, staffed, clock):
    from warroom.journal import describe

    # pat (the decider) disputes lead: pat cannot win it, and sam may keep it with a reason
    dispute(store, clock, claimant="pat")
    refused(store, lambda: settle(store, clock, "pat", "pat"),
            "^you cannot settle the dispute on lead on INC-1001 in your own favour: you hold "
            r"decider but are a party to the dispute; sam \(the holder\) may keep it with a "
            r"reason or yield it; you may withdraw \(settle for sam\)$")
    refused(store, lambda: settle(store, clock, "kim", "sam"),
            r"^pat \(the decider\) is a party to the dispute on lead on INC-1001 and cannot "
            "settle it")
    refused(store, lambda: settle(store, clock, "sam", "sam"),
            "^pat holds decider but is a party to the dispute: to keep lead on INC-1001, give a "
            r"reason \(the review flags it\), or yield it to pat$")
    settle(store, clock, "sam", "sam", reason="pat is needed as decider")
    assert describe(last_event(store)) == ("sam KEPT lead over pat's dispute (the decider, pat, "
                                           "a party to it): pat is needed as decider")
    # kim disputes decider itself: pat holds it, so no decider can settle; pat keeps it
    dispute(store, clock, claimant="kim", role="decider")
    refused(store, lambda: settle(store, clock, "pat", "pat", role="decider"),
            "^you hold decider but are a party to the dispute: to keep decider")
    done = settle(store, clock, "pat", "pat", role="decider", reason="duty manager rota")
    assert done.message == ("you keep decider on INC-1001; with no decider to settle the "
                            "dispute, the review flags it")


def test_with_no_decider_the_holder_keeps_only_with_a_reason_and_the_review_flags_it(
        store, incident, sam, alex, dana, clock):
    from warroom.journal import describe
    from warroom.reports import findings, review

    for who, role in ((sam, "lead"), (alex, "comms")):
        actions.claim_role(store, who, incident, role, clock=clock)
    done = dispute(store, clock)
    assert done.message.endswith("your dispute is open: nobody holds decider: sam (the holder) "
                                 "may yield it or keep it with a reason")
    refused(store, lambda: settle(store, clock, "sam", "sam"),
            r"^nobody holds decider: to keep lead on INC-1001, give a reason \(the review flags "
            r"it\), or yield it to dana$")
    clock.advance(minutes=3)
    before = journal_count(store)
    settle(store, clock, "sam", "sam", reason="I found the bad deploy")
    assert journal_count(store) == before + 1
    event = last_event(store)
    assert (event.kind, event.payload["kept_by_holder"], event.payload["decider"],
            event.payload["reason"]) == ("dispute.settled", True, None, "I found the bad deploy")
    assert describe(event) == ("sam KEPT lead over dana's dispute (no decider held): I found "
                               "the bad deploy")
    assert holder(store, incident, "lead") == "sam"

    m, events = review.for_review(store, incident, clock())
    (d,) = m.disputes.values()
    assert (d.winner, d.settled_by, d.kept) == ("sam", "sam", "I found the bad deploy")
    check = next(c for c in findings.checks(m) if c.name == "disputes")
    assert not check.passed and "KEPT by the holder, no decider, settled in 3m" in check.evidence
    assert any("sam kept lead over dana's dispute with no decider to settle it" in i.text
               for i in findings.improvements(m))
    text = review.render(m, events)
    escalation = text.split("### Was the escalation path followed?")[1].split("###")[0]
    assert ("- FLAGGED: sam kept lead over dana's dispute at 14:03, no decider to settle it: "
            "I found the bad deploy") in escalation
    assert "FLAGGED" not in text.split("### Was the escalation path followed?")[0]
    assert "KEPT by sam, no decider to settle it" in text  # the ownership map
