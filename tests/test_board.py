"""What the panes say, as plain words: the header's alarm count."""

from __future__ import annotations

from datetime import timedelta

from conftest import person

from warroom import actions
from warroom.db import queries
from warroom.render import board


def header(store, clock) -> str:
    """The header up to the title: key, severity and the alarm count."""
    line = "".join(c.text for c in board.header_line(queries.incident_view(store, "INC-1001"),
                                                      clock()))
    return line.split("Checkout failing")[0].rstrip()


def test_the_header_counts_what_needs_someone_now(store, clock):
    sam, dana = person("sam"), person("dana")
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    assert header(store, clock).endswith(" 3 ALARMS")  # three vacant roles
    for name, role in (("sam", "lead"), ("alex", "comms"), ("pat", "decider")):
        actions.claim_role(store, person(name), "INC-1001", role, clock=clock)
    assert "ALARM" not in header(store, clock)
    actions.claim_role(store, dana, "INC-1001", "lead", dispute="payments", clock=clock)
    assert header(store, clock).endswith(" 1 ALARM")
    actions.add_milestone(store, sam, "INC-1001", name="Rollback ready", owner="sam",
                          due_at=clock() + timedelta(minutes=10), clock=clock)
    clock.advance(minutes=11)  # the milestone is late
    assert header(store, clock).endswith(" 2 ALARMS")
    clock.advance(minutes=5)  # and the internal update (every 15m)
    assert header(store, clock).endswith(" 3 ALARMS")
    clock.advance(minutes=15)  # and the customer update (30m)
    assert header(store, clock).endswith(" 4 ALARMS")


def test_milestones_show_the_next_four_and_say_what_is_left_out(store, clock):
    sam = person("sam")
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    for n in range(7):
        actions.add_milestone(store, sam, "INC-1001", name=f"step {n}", owner="sam",
                              due_at=clock() + timedelta(minutes=10 * (7 - n)), clock=clock)
    actions.complete_milestone(store, sam, "INC-1001", 1, clock=clock)  # step 0, due last
    view = queries.incident_view(store, "INC-1001")
    lines = ["".join(c.text for c in line) for line in board.milestone_lines(view, clock())]
    assert [line.split("  ")[-1] for line in lines[:4]] == [
        "step 6", "step 5", "step 4", "step 3"]
    assert lines[4] == "+3 more (2 open, 1 done)  Enter: all"  # the drill-down lists them
    assert len(lines) == board.MILESTONES_SHOWN


def test_five_milestones_fit_without_a_summary_line(store, clock):
    sam = person("sam")
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    for n in range(5):
        actions.add_milestone(store, sam, "INC-1001", name=f"step {n}", owner="sam",
                              due_at=clock() + timedelta(minutes=10 + n), clock=clock)
    view = queries.incident_view(store, "INC-1001")
    assert len(board.milestone_lines(view, clock())) == 5


def test_countdowns_go_to_the_second_in_their_last_minute_and_ages_do_not(store, clock):
    sam = person("sam")
    actions.open_incident(store, sam, title="Checkout failing", customer="Acme",
                          severity="SEV1", clock=clock)
    clock.advance(minutes=14, seconds=15)  # the internal update (every 15m) is 45s away

    def cadence():
        view = queries.incident_view(store, "INC-1001")
        return ["".join(c.text for c in line) for line in board.cadence_lines(view, clock())]

    assert cadence()[1].startswith("Internal in 45s")
    assert cadence()[0].startswith("Customer in 15m")
    view = queries.incident_view(store, "INC-1001")
    assert "VACANT 14m" in "".join(c.text for c in board.role_lines(view, clock())[0])
    clock.advance(seconds=50)
    assert cadence()[1].startswith("Internal OVERDUE by 5s")
