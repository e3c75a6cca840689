"""A 13-day escalation scripted minute by minute, with figures computed by hand.

SEV1 opened Mon 2 Nov 09:00 UTC by sam, default policy (SEV1: customer every 30 min, internal
every 15; SEV2: 60 and 30). sam takes lead 09:05; alex's comms claim at 09:12 is recorded
only after pat takes decider at 09:20 (backfilled); dana disputes lead at 09:30 and pat
gives it to her at 09:45. At 11:45 pat lowers the severity to SEV2. Every working day the
room posts customer updates on the hour and internal updates on the hour and half hour,
09:00-17:00, and nothing overnight; on day 5 kim disputes comms at 10:05 and alex yields at
10:35. An internal update of day 3 is backfilled ten minutes late. The last day ends with a
customer update at 15:00 and the resolution at 15:00 (Sat 14 Nov).

Customer updates (the cadence rule is warroom/reports/cadence.py):
- day 0, SEV1: 09:25 is the first (meets nothing), 09:50 10:15 10:40 11:05 11:30 each meet
  the due time 25 min later: 5 of 5. The change at 11:45 keeps 12:00 (sooner than
  11:45 + 60); 12:00 ... 17:00 meet theirs exactly: 6 of 6.
- each of the 12 nights: 18:00 ... 08:00 pass with no update: 15 missed; the 09:00 post
  meets the rolled due time 09:00.
- days 1-11: 9 posts each, all on time: 99 of 99; day 12: 09:00 ... 15:00: 7 of 7.
  Due 11 + 12 x 15 + 99 + 7 = 297, met 11 + 99 + 7 = 117.
Internal updates:
- day 0, SEV1: 09:10 first; 09:25 ... 11:40 every 15 min: 10 of 10. The change keeps
  11:55 (sooner than 12:15); 11:55 ... 16:55 every 30 min: 11 of 11.
- night 0: 17:25 ... 08:55 missed: 32; the 09:00 post meets the rolled 09:25.
- nights 1-11: 17:30 ... 08:30 missed: 31 each, 341.
- days 1-11: 17 posts each, on time: 187; day 12: 09:00 ... 15:00: 13.
  Due 21 + 32 + 341 + 187 + 13 = 594, met 21 + 187 + 13 = 221.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom import actions
from warroom.clock import FrozenClock
from warroom.db.store import Store
from warroom.reports import metrics, review

from conftest import person

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
sam, alex, pat, dana, kim = (person(n) for n in ("sam", "alex", "pat", "dana", "kim"))
BODY = dict(known="EU card payments fail at the gateway", unknown="the root cause",
            next_steps="vendor escalation")


def at(day: int, hh: int, mm: int = 0) -> FrozenClock:
    return FrozenClock(START + timedelta(days=day, hours=hh - 9, minutes=mm))


def when(day: int, hh: int, mm: int = 0) -> datetime:
    return at(day, hh, mm)()


def escalation(store) -> str:
    """Run the script: every act in the order it was typed, with the time it happened (the
    same, but for the three recorded late)."""
    key = actions.open_incident(store, sam, title="Card payments failing", customer="Acme",
                                severity="SEV1", clock=at(0, 9)).key
    acts: list[tuple[datetime, int, datetime, object]] = []

    def act(happened: datetime, fn, *args, typed: datetime | None = None, **kw) -> None:
        acts.append((typed or happened, len(acts), happened,
                     lambda: fn(store, args[0], key, *args[1:], clock=FrozenClock(happened),
                                **kw)))

    def update(audience: str, who, t: datetime, every: int, **kw) -> None:
        nxt = {"next_update_at": t + timedelta(minutes=every)} if audience == "customer" else {}
        act(t, actions.post_update, who, audience=audience, **nxt, **BODY, **kw)

    act(when(0, 9, 5), actions.claim_role, sam, "lead")
    act(when(0, 9, 12), actions.claim_role, alex, "comms", typed=when(0, 9, 21))
    act(when(0, 9, 20), actions.claim_role, pat, "decider")
    act(when(0, 9, 30), actions.claim_role, dana, "lead", dispute="I own the gateway")
    act(when(0, 9, 45), actions.settle_dispute, pat, "lead", winner="dana",
        reason="the gateway team leads")
    act(when(0, 10, 1), actions.advance_stage, dana, to="investigating", confirm=True)
    act(when(0, 11, 45), actions.change_severity, pat, severity="SEV2",
        reason="one card scheme only")
    for minute in range(25, 151, 25):  # SEV1 customer updates 09:25 ... 11:30
        update("customer", alex, when(0, 9, minute), 30)
    for hour in range(12, 18):
        update("customer", alex, when(0, hour), 60)
    update("internal", sam, when(0, 9, 10), 15)
    for minute in range(25, 161, 15):  # SEV1 internal updates 09:25 ... 11:40
        update("internal", sam if minute < 45 else dana, when(0, 9, minute), 15)
    for minute in range(0, 301, 30):  # 11:55 ... 16:55
        update("internal", dana, when(0, 11, 55 + minute), 30)
    for day in range(1, 13):
        last = 15 if day == 12 else 17
        for hour in range(9, last + 1):
            comms = kim if day > 5 or (day == 5 and hour > 10) else alex
            update("customer", comms, when(day, hour), 60)
            for half in (0, 30) if hour < last else (0,):
                typed = when(3, 14, 10) if (day, hour, half) == (3, 14, 0) else None
                update("internal", dana, when(day, hour, half), 30, typed=typed)
    act(when(5, 10, 5), actions.claim_role, kim, "comms", dispute="their VP asked for me")
    act(when(5, 10, 35), actions.settle_dispute, alex, "comms", winner="kim")
    act(when(5, 10, 20), actions.add_note, pat, text="kim speaks for us from now on",
        decision=True, typed=when(5, 10, 36))
    act(when(3, 17, 5), actions.advance_stage, dana, to="mitigating", confirm=True)
    act(when(11, 17, 5), actions.advance_stage, dana, to="monitoring", confirm=True)
    act(when(12, 15, 0), actions.resolve, dana, confirm=True,
        summary="Gateway vendor fixed the card scheme routing")
    for _typed, _n, _happened, run in sorted(acts, key=lambda a: (a[0], a[1])):
        run()
    return key


def test_the_figures_of_a_13_day_escalation_match_the_hand_count(tmp_path):
    with Store(tmp_path / "13d.db", create=True) as store:
        key = escalation(store)
        m = metrics.for_incident(store, key, START + timedelta(days=20))
        text = review.review(store, key, START + timedelta(days=20))
    assert m.time_to_ownership == 20 * 60
    assert m.first_update("customer") == 25 * 60
    assert m.first_update("internal") == 10 * 60
    assert m.time_to_resolution == (12 * 24 + 6) * 3600
    assert sorted(m.dispute_times()) == [15 * 60, 30 * 60]
    c, i = m.cadence["customer"], m.cadence["internal"]
    assert (c.due, c.on_time) == (297, 117)
    assert (i.due, i.on_time) == (594, 221)
    assert m.adherence("customer") == 117 / 297
    assert [(t.holder, t.start) for t in m.tenures["lead"] if t.holder] == [
        ("sam", at(0, 9, 5)().timestamp()), ("dana", at(0, 9, 45)().timestamp())]
    assert [t.holder for t in m.tenures["comms"] if t.holder] == ["alex", "kim"]
    assert "kim speaks for us from now on" in text
