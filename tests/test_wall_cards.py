"""What a wall card says (render/wall.py, no textual): always the same lines, alarms in
words, nothing alarming once resolved."""

from __future__ import annotations

from datetime import timedelta

from warroom import actions
from warroom.db import queries
from warroom.render.wall import CARD_LINES, alarming, card_lines


def plain(lines) -> list[str]:
    return ["".join(cell.text for cell in line) for line in lines]


def test_a_card_of_a_vacant_disputed_incident_and_then_resolved(store, incident, sam, dana,
                                                                 clock):
    actions.claim_role(store, sam, incident, "lead", clock=clock)
    actions.claim_role(store, dana, incident, "lead", dispute="mine", clock=clock)
    view = queries.incident_view(store, incident)
    lines = plain(card_lines(view, clock()))
    assert len(lines) == CARD_LINES
    assert lines[0] == " INC-1001  SEV1  TRIAGE   3 ALARMS "  # 2 vacant roles, 1 dispute
    assert lines[1] == "Checkout failing for Acme"
    assert lines[2:5] == ["Investigation lead: sam DISPUTED by dana",
                          "Communications owner: VACANT", "Decision-maker: VACANT"]
    assert lines[5:] == ["Customer update in 30m", "Internal update in 15m"]
    assert alarming(view, clock())
    later = clock() + timedelta(minutes=31)
    assert plain(card_lines(view, later))[5] == "Customer update OVERDUE by 1m"
    actions.resolve(store, sam, incident, summary="fixed", confirm=True, skip=True,
                    open_items="carry", no_customer_update="told by phone", clock=clock)
    view = queries.incident_view(store, incident)
    lines = plain(card_lines(view, later))
    assert len(lines) == CARD_LINES and not alarming(view, later)
    assert "no alarms" in lines[0] and lines[3] == "Communications owner: vacant"
    assert lines[5:] == ["Customer update no more due", "Internal update no more due"]
