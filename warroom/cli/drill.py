"""Demo and drills: ``warroom demo`` plays a scenario live in the dashboard; ``warroom drill``
is the facilitator's console while participants respond from their own terminals."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import tempfile
from pathlib import Path

from warroom.cli.common import Context, Parser, verb
from warroom.clock import local_hm, parse_duration, span
from warroom.errors import UserError


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("speed must be a number such as 1, 5 or 30") from None
    if not 0.1 <= value <= 1000:
        raise argparse.ArgumentTypeError("speed must be from 0.1 to 1000")
    return value


DEMO_NOTE = "DEMO"  # the footer's note while a demo plays
FINISHED_NOTE = "demo finished: q quits"


def replay_command(scenario: str, speed: float) -> str:
    return f"warroom demo --scenario {shlex.quote(scenario)} --speed {speed:g}"


def demo_greeting(scenario, speed: float, join: str | None) -> str:
    """The demo's first words: short, so that its toast covers little of an 80x24 screen
    for a few seconds (the story itself is on the dashboard)."""
    text = f"Demo {scenario.name} at {speed:g}x: it plays by itself and ends resolved. q quits."
    return f"{text} Others join: {join}" if join else text


def demo_end(player, source: str) -> str:
    """What the demo says once its last inject has played and it ended."""
    with player.store.read():
        stage = player.store.find_incident(player.key)["stage"]
    how = (f"{player.key} is {stage}" if stage in ("resolved", "closed") else
           f"{player.key} is left {stage}"
           + (f" ({player.ended.message})" if player.ended and player.ended.message else ""))
    return (f"Demo finished: every inject has played and {how}. Press q to quit; "
            f"replay with: {replay_command(source, player.speed)}")


def demo_app(db: str, scenario, actor, *, clock, speed: float, join: str | None,
             source: str | None = None, play: bool = True, **extra):
    """The demo on ``db``: the scenario's incident opened with its history, the app on it,
    and (``play``) a worker that plays the live injects and then says "demo finished".
    ``source``: the --scenario given (a name or a file), for the replay command. Returns
    (app, player); the caller closes ``player.store`` after the app."""
    from warroom.app import make_app
    from warroom.db.store import open_store
    from warroom.drills.player import Player

    writer = open_store(db, create=True)
    try:
        player = Player(writer, scenario, os_user=actor.os_user, clock=clock, speed=speed,
                        demo=True)
        key = player.start()
        player.step()
        app = None

        async def run() -> None:
            await player.run()
            app.show_note(FINISHED_NOTE, demo_end(player, source or scenario.name))

        app = make_app(db, actor, incident=key, clock=clock, background=[run] if play else [],
                       greeting=demo_greeting(scenario, speed, join), **extra)
    except BaseException:
        writer.close()
        raise
    app.footer_note = DEMO_NOTE
    return app, player


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    """A throwaway database (or --db), one scenario played live in the dashboard."""
    from warroom.drills import scenarios

    scenario = scenarios.load(args.scenario)
    from warroom.cli.dashboard import require_terminal

    require_terminal()  # the demo is a dashboard: without a terminal it would wait forever
    with tempfile.TemporaryDirectory(prefix="warroom-demo-") as tmp:
        given = args.db or args.global_db  # never $WARROOM_DB: that may be a real one
        db = given or str(Path(tmp) / "demo.db")
        join = f"warroom --db {shlex.quote(db)}" if given else None
        app, player = demo_app(db, scenario, ctx.actor, clock=ctx.clock, speed=args.speed,
                               join=join, source=args.scenario)
        try:
            app.run()
        finally:
            app.store.close()
            player.store.close()
        if player.finished:
            print(f"demo finished: {scenario.name}, {player.key}")
        else:
            print(f"demo left before its end ({len(player.outcomes)} of "
                  f"{len(player.injects)} injects played)")
        print(f"replay with: {replay_command(args.scenario, args.speed)}"
              + (f"; the database stays at {db}" if given else
                 " (add --db PATH to keep the database and let others join)"))
    return 0


def _print_outcome(outcome) -> None:
    inject = outcome.inject
    mark = "  " if outcome.ok else "!!"
    print(f"{mark} {local_hm(outcome.at)} +{span(inject.at):>6} {inject.actor}: "
          f"{inject.do} -> {outcome.message}", flush=True)


def _drill_db(args: argparse.Namespace) -> str:
    """The drill's own database: --db is required, never $WARROOM_DB (a real one, maybe)."""
    db = args.db or args.global_db
    if not db:
        raise UserError(f"'warroom drill {args.scenario}' needs its own database: add --db "
                        "PATH or URL (never $WARROOM_DB, which may hold real incidents)")
    return db


def cmd_drill(args: argparse.Namespace, ctx: Context) -> int:
    if args.scenario == "score":
        return cmd_score(args, ctx)
    # every argument is checked before anything is written
    db = _drill_db(args)
    if args.incident is not None:
        raise UserError(f"an incident ({args.incident}) goes with 'drill score' only")
    if args.score_scenario is not None:
        raise UserError("--scenario goes with 'drill score' only")
    wait = parse_duration(args.wait)
    from warroom.db.store import open_store
    from warroom.drills import scenarios
    from warroom.drills.player import Player

    scenario = scenarios.load(args.scenario)
    with open_store(db, create=True) as store:
        player = Player(store, scenario, os_user=ctx.actor.os_user, clock=ctx.clock,
                        speed=args.speed, wait=wait)
        key = player.start(warn=lambda problem: print(
            f"warroom drill: warning: skipped {problem}", file=sys.stderr))
        print(f"Drill {scenario.name} on {key} [DRILL], speed {args.speed:g}"
              + (": its deadlines, cadence and approval expiries run that much faster too"
                 if args.speed != 1 else ""))
        print(scenario.summary)
        print("Ambiguity built in: " + "; ".join(scenario.ambiguity))
        print(f"Participants join with: warroom --db {shlex.quote(db)} --as NAME")
        print(f"Injects: {len(player.injects)}; the last fires in "
              f"{span(player.fires_at(player.injects[-1]) - player.started)}. Ctrl+C ends the "
              "drill early.\n", flush=True)

        def show(outcome) -> None:
            _print_outcome(outcome)
            if outcome.inject is player.injects[-1] and player.ended is None:
                print(f"\nAll injects played; the room has {span(wait)} more to respond, "
                      "then the drill ends, resolved (Ctrl+C ends it now).", flush=True)

        try:
            asyncio.run(player.run(on_outcome=show))
        except KeyboardInterrupt:
            print("\nDrill ended by the facilitator.")
            ended = player.stop()
            if ended is not None and ended.message:
                _print_outcome(ended)
    args.incident = key
    return cmd_score(args, ctx, questions=scenario.debrief_questions)


def cmd_score(args: argparse.Namespace, ctx: Context,
              questions: list[str] | None = None) -> int:
    """The debrief of a drill (default: the latest), with its scenario's questions."""
    db = _drill_db(args)
    from warroom.db.store import open_store
    from warroom.drills import debrief, scenarios

    if questions is None and args.score_scenario is not None:
        questions = scenarios.load(args.score_scenario).debrief_questions
    with open_store(db) as store:
        result = debrief.score(store, args.incident, ctx.clock(), questions)
    if questions is None:
        result.questions = scenarios.questions_for(result.title)
    print(debrief.render(result))
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "demo", [common], help="play a realistic incident live in the dashboard",
             example="warroom demo --speed 10 --db /tmp/demo.db", handler=cmd_demo)
    p.add_argument("--scenario", default="two-leads",
                   help="shipped scenario name or a .toml file (default: two-leads)")
    p.add_argument("--speed", type=_speed, default=1.0,
                   help="compress the scenario's time N times (default 1: real time)")

    p = verb(sub, "drill", [common],
             help="run a tabletop drill (facilitator console), or 'drill score' for the "
             "debrief; both need --db (a drill never runs in $WARROOM_DB)",
             example="warroom drill two-leads --db /srv/drills/today.db --speed 2\n"
             "  warroom drill score --db /srv/drills/today.db", handler=cmd_drill)
    p.add_argument("scenario", help="scenario name or .toml file, or 'score'")
    p.add_argument("incident", nargs="?", help="with 'score': the drill incident (default: latest)")
    p.add_argument("--speed", type=_speed, default=1.0, help="compress the scenario's time")
    p.add_argument("--wait", metavar="DURATION", default="10m",
                   help="after the last inject, keep the drill open this long (default "
                   "10m); then it ends: the incident is resolved ('drill ended') unless the "
                   "room resolved it, and the debrief measures up to then")
    p.add_argument("--scenario", dest="score_scenario", metavar="NAME",
                   help="with 'score': the scenario played, for its debrief questions "
                   "(default: the shipped scenario with the drill's title)")

