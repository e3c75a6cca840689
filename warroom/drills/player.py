"""The scenario player: opens a drill incident and applies injects on schedule.

A drill at ``speed`` N runs the whole incident N times faster, deadlines included, so that
every process on the database (participants' dashboards, the CLI, the debrief) agrees on
one clock without knowing the speed:

- scenario times are divided by the speed: the incident opens ``opened_ago / N`` before the
  start, and an inject ``at`` after the opening fires ``at / N`` after it; injects up to the
  start are history, written at those times, later ones are recorded when they really fire;
- the incident copies a policy whose cadence and approval expiries are divided by N (an
  incident keeps the policy it opened with, so every update and request made on it, by
  anyone, gets the drill's deadlines), and the playbook's milestones fall due at their
  offsets divided by N;
- an inject's durations (the next update it promises, a milestone's due time) are divided
  by N too.

A policy keeps whole minutes, so a scaled cadence or expiry is rounded to the nearest minute,
and never below one.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom import actions
from warroom.clock import Clock, utcnow
from warroom.db.store import Store
from warroom.drills.scenarios import DRILL_ENDED, FACILITATOR, Inject, Scenario
from warroom.errors import WarroomError
from warroom.records import Actor, Stage
from warroom.rules import matching, playbooks
from warroom.rules.policy import Cadence, Policy


@dataclass
class Outcome:
    """What one inject did: the action's message, or why it could not happen."""

    inject: Inject
    at: datetime
    message: str
    ok: bool


def _at(moment: datetime) -> Clock:
    return lambda: moment


def scaled_minutes(minutes: float, speed: float) -> int:
    """``minutes / speed`` in whole minutes (a policy's unit), rounded, at least 1."""
    return max(1, math.floor(minutes / speed + 0.5))


def scaled_policy(policy: Policy, speed: float) -> Policy:
    """``policy`` with its durations (update cadence, approval expiries) divided by
    ``speed``, which it records; its name says so too (for display)."""
    if speed == 1:
        return policy

    def rules(table: dict) -> dict:
        return {risk: rule.model_copy(update={
            "expires_minutes": scaled_minutes(rule.expires_minutes, speed)})
            for risk, rule in table.items()}

    cadence = {severity: Cadence(customer=scaled_minutes(c.customer, speed),
                                 internal=scaled_minutes(c.internal, speed))
               for severity, c in policy.cadence.items()}
    return policy.model_copy(update={
        "name": f"{policy.name}, drill timings at {speed:g}x", "speed": speed,
        "cadence": cadence,
        "approvals": rules(policy.approvals),
        "kinds": {kind: rules(table) for kind, table in policy.kinds.items()}})


def apply(store: Store, key: str, inject: Inject, actor: Actor, labels: dict[str, int],
          clock: Clock, speed: float = 1.0) -> actions.Done:
    """Carry out one inject as ``actor`` through the ordinary actions; its durations run
    ``speed`` times faster."""
    now = clock()
    kw = {"clock": clock}
    i = inject
    match i.do:
        case "claim":
            return actions.claim_role(store, actor, key, i.role, reason=i.reason,
                                      dispute=i.dispute, **kw)
        case "settle":
            return actions.settle_dispute(store, actor, key, i.role, winner=i.winner,
                                          reason=i.reason, **kw)
        case "handover":
            return actions.offer_handover(store, actor, key, i.role, to=i.to, done=i.done,
                                          remaining=i.remaining, dependencies=i.dependencies,
                                          risks=i.risks, **kw)
        case "accept":
            return actions.accept_handover(store, actor, key, i.role, **kw)
        case "decline":
            return actions.decline_handover(store, actor, key, i.role, reason=i.reason, **kw)
        case "release":
            return actions.release_role(store, actor, key, i.role, note=i.reason, **kw)
        case "update":
            return actions.post_update(
                store, actor, key, audience=i.audience, known=i.known, unknown=i.unknown,
                next_steps=i.next_steps, next_update_at=now + i.next / speed if i.next else None,
                agreed=i.agreed, **kw)
        case "block":
            done = actions.raise_blocker(store, actor, key, what=i.what,
                                         waiting_on=i.waiting_on, owner=i.owner, **kw)
        case "unblock":
            return actions.clear_blocker(store, actor, key, labels[i.target], note=i.reason,
                                         **kw)
        case "request":
            done = actions.request_approval(store, actor, key, change=i.change, risk=i.risk,
                                            rationale=i.rationale, fallback=i.fallback, **kw)
        case "approve":
            return actions.approve(store, actor, key, labels[i.target], **kw)
        case "reject":
            return actions.reject(store, actor, key, labels[i.target], reason=i.reason, **kw)
        case "milestone":
            done = actions.add_milestone(store, actor, key, name=i.name, owner=i.owner,
                                         due_at=now + i.due / speed, **kw)
        case "milestone_done":
            return actions.complete_milestone(store, actor, key, labels[i.target], **kw)
        case "stage":
            # a scenario naming a later stage means to pass over those between
            return actions.advance_stage(store, actor, key, to=i.stage, confirm=True,
                                         skip=True, open_items=i.open_items,
                                         no_customer_update=i.no_customer_update, **kw)
        case "resolve":
            return actions.resolve(store, actor, key, summary=i.summary, confirm=True,
                                   open_items=i.open_items,
                                   no_customer_update=i.no_customer_update, **kw)
        case _:  # "note"
            return actions.add_note(store, actor, key, text=i.text, **kw)
    labels[i.label] = done.ref
    return done


class Player:
    """Plays one scenario against a database; :meth:`step` is the whole engine."""

    def __init__(
        self, store: Store, scenario: Scenario, *, os_user: str, clock: Clock = utcnow,
        speed: float = 1.0, demo: bool = False, open_incident: Callable[..., actions.Done]
        | None = None, wait: timedelta = timedelta(),
    ) -> None:
        """``wait``: the room's time to respond after the last inject (real time); the
        drill ends then (:meth:`end`)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.store = store
        self.scenario = scenario
        self.os_user = os_user
        self.clock = clock
        self.speed = speed
        self.injects = [i for i in scenario.inject if demo or not i.demo_only]
        self.outcomes: list[Outcome] = []
        self.labels: dict[str, int] = {}
        self._open = open_incident or actions.open_incident
        self.key: str | None = None
        self.started: datetime | None = None
        self.opened: datetime | None = None
        self.wait = wait
        self.ended: Outcome | None = None  # the drill's end (see :meth:`end`), once

    def actor(self, name: str) -> Actor:
        return Actor(os_user=self.os_user, display=name)

    def start(self, warn: Callable[[str], None] | None = None) -> str:
        """Open the drill incident, backdated by ``opened_ago`` (scaled), under the
        scenario's playbook (or the one ``warroom open`` would pick) with its timings
        scaled by the speed; returns its key. ``warn`` is told of each invalid playbook
        file left out (the incident's why counts them, as ``warroom open`` does)."""
        self.started = self.clock()
        inc = self.scenario.incident
        self.opened = self.started - inc.opened_ago / self.speed
        chosen = matching.plan_from(playbooks.user_folder(None), warn, title=inc.title,
                                    severity=inc.severity, service=inc.service,
                                    name=inc.playbook)
        chosen.policy = scaled_policy(chosen.policy, self.speed)
        chosen.milestones = [(name, owner, offset / self.speed)
                             for name, owner, offset in chosen.milestones]
        if self.speed != 1:
            chosen.why += f"; a drill at speed {self.speed:g}: its timings are scaled"
        done = self._open(
            self.store, self.actor(FACILITATOR), title=inc.title, customer=inc.customer,
            severity=inc.severity, service=inc.service, drill=True, clock=_at(self.opened),
            **chosen.applied(),
        )
        self.key = done.key
        return done.key

    def happens_at(self, inject: Inject) -> datetime:
        """When an inject happens in the drill's (scaled) time."""
        return self.opened + inject.at / self.speed

    def fires_at(self, inject: Inject) -> datetime:
        """The real time an inject fires: the start for history."""
        return max(self.started, self.happens_at(inject))

    def pending(self) -> list[Inject]:
        return self.injects[len(self.outcomes):]

    def ends_at(self) -> datetime:
        """The real time the drill ends: ``wait`` after its last inject fires."""
        return (self.fires_at(self.injects[-1]) if self.injects else self.started) + self.wait

    def next_due(self) -> datetime | None:
        """When :meth:`step` has something to do next: an inject, or the end."""
        if self.ended is not None:
            return None
        left = self.pending()
        return self.fires_at(left[0]) if left else self.ends_at()

    @property
    def played(self) -> bool:
        """Every inject applied (the drill may still be waiting for the room)."""
        return not self.pending()

    @property
    def finished(self) -> bool:
        """The drill ended: after every inject and the wait, or stopped early."""
        return self.ended is not None

    def step(self) -> list[Outcome]:
        """Apply every inject that is due now; a refused inject is recorded, not fatal."""
        done: list[Outcome] = []
        now = self.clock()
        for inject in self.pending() if self.ended is None else []:
            if self.fires_at(inject) > now:
                break
            history = inject.at <= self.scenario.incident.opened_ago
            moment = self.happens_at(inject) if history else self.clock()
            try:
                result = apply(self.store, self.key, inject, self.actor(inject.actor),
                               self.labels, _at(moment), self.speed)
                outcome = Outcome(inject, moment, result.message, True)
            except (WarroomError, KeyError) as exc:
                outcome = Outcome(inject, moment, f"skipped: {exc}", False)
            self.outcomes.append(outcome)
            done.append(outcome)
        if self.played and self.ended is None and self.key is not None and (
                now >= self.ends_at()):
            # at once: with the last inject (history included); after a wait: when it ends
            self.ended = self.end(self.outcomes[-1].at if self.outcomes and not self.wait
                                  else now)
            done += [self.ended] if self.ended.message else []
        return done

    def stop(self) -> Outcome | None:
        """End the drill now (the facilitator stops it early); None if it had ended."""
        if self.ended is not None or self.key is None:
            return None
        self.ended = self.end(self.clock())
        return self.ended

    def end(self, moment: datetime) -> Outcome:
        """The scenario's end, after its last inject: the drill incident is resolved then
        (by the facilitator, "drill ended"), unless it already is, so that the debrief
        measures the drill up to its end however late it is scored. What is still open is
        carried into the debrief as open. An empty message: it was resolved already."""
        inject = Inject.model_construct(  # not from a file: built as already checked
            at=(moment - self.opened) * self.speed if self.opened else timedelta(),
            actor=FACILITATOR,
            do="resolve", summary=DRILL_ENDED)
        with self.store.read():
            stage = self.store.find_incident(self.key)["stage"]
        if stage in (Stage.RESOLVED.value, Stage.CLOSED.value):
            return Outcome(inject, moment, "", True)
        try:
            done = actions.resolve(self.store, self.actor(FACILITATOR), self.key,
                                   summary=DRILL_ENDED, confirm=True, skip=True,
                                   open_items="carry", no_customer_update=DRILL_ENDED,
                                   clock=_at(moment))
            return Outcome(inject, moment, done.message, True)
        except WarroomError as exc:
            return Outcome(inject, moment, f"not resolved: {exc}", False)

    async def run(self, on_outcome: Callable[[Outcome], None] | None = None,
                  sleep=asyncio.sleep) -> None:
        """Play to the end in real time (scaled by ``speed``)."""
        if self.key is None:
            self.start()
        while not self.finished:
            wait = (self.next_due() - self.clock()).total_seconds()
            if wait > 0:
                await sleep(min(wait, 1.0))
                continue
            for outcome in self.step():
                if on_outcome:
                    on_outcome(outcome)


def remaining_time(player: Player) -> timedelta:
    """How long until the last inject fires."""
    if not player.injects or player.started is None:
        return timedelta()
    return max(timedelta(), player.fires_at(player.injects[-1]) - player.clock())
