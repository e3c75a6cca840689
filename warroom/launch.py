"""Starting the dashboard: the database opened (refusing foreign or newer files), the
person at the keyboard named as the room knows them, the app built and run.

Kept apart from :mod:`warroom.app` (the app itself); that module re-exports both names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from warroom.clock import Clock, utcnow
from warroom.db import queries
from warroom.db.store import open_store
from warroom.records import Actor

if TYPE_CHECKING:
    from warroom.app import WarroomApp

EXIT_CRASH = 70
"""``run_app``'s exit code after an unexpected error (EX_SOFTWARE, as the CLI's crashes)."""


def make_app(
    db: str, actor: Actor, *, incident: str | None = None, wall: bool = False,
    clock: Clock = utcnow, live: bool = True, cursor_blink: bool = True,
    on_server: Callable[[str], Actor] | None = None, **extra,
) -> "WarroomApp":
    """Open the database (refusing foreign or newer files) and build the app on it.

    ``cursor_blink=False`` keeps text cursors steady (the tests, for stable snapshots).
    ``on_server``: who acts on a room on a PostgreSQL server, given the database user
    (:meth:`warroom.cli.common.Context.on_server`).
    ``extra`` passes ``background`` (coroutine factories run as workers) and ``greeting``.
    """
    from warroom.app import WarroomApp

    store = open_store(db)
    if store.dialect == "postgresql" and on_server is not None:
        actor = on_server(store.account())  # the database user the server authenticated
    if incident is not None:
        incident = queries.incident_view(store, incident).incident.key
    if actor.display is not None and not actor.strict:  # "Sam" acts as the room's "sam"
        from dataclasses import replace

        from warroom.rules.people import spelled_as_known

        actor = replace(actor, display=spelled_as_known(actor.display,
                                                        queries.known_names(store)))
    return WarroomApp(store, actor, incident=incident, wall=wall, clock=clock, live=live,
                      cursor_blink=cursor_blink, **extra)


def run_app(ctx, *, incident: str | None = None, wall: bool = False, bell: bool = True,
            rotate: float | None = None, theme: str | None = None,
            terminal: Callable[[], None] | None = None) -> int:
    """``warroom run``: the dashboard until the user quits. ``terminal`` checks that there
    is one, once the database has opened (a missing file is said first)."""
    app = make_app(ctx.db, ctx.actor, incident=incident, wall=wall, clock=ctx.clock, bell=bell,
                   rotate=rotate, theme=theme, on_server=getattr(ctx, "on_server", None))
    try:
        if terminal is not None:
            terminal()
        app.run()
    finally:
        app.store.close()
    return EXIT_CRASH if app.crash is not None else 0
