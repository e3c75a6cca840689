"""What every verb module shares: the parser class, the context a handler gets, the way a
verb is added and the way a result is printed. The verb modules import this module, never the
hub (``warroom.cli``), which imports them when it builds the parser: no cycle."""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from warroom.clock import Clock, local, local_stamp, utcnow
from warroom.records import Actor

EXIT_USER_ERROR = 2


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # a value argparse quotes back is cut short: the line stays one readable line
        message = re.sub(r"(\S{40})\S{2,}", "\\1…", message)
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def os_user() -> str:
    """The account this process runs as, from its real uid: never from the environment
    (``LOGNAME=alice warroom ...`` must not record alice). ``uid1234`` when the uid has no
    passwd entry (a container, a deleted account)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


@dataclass
class Context:
    """What every handler needs: where the database is, who is acting, and the time (with
    ``--at``, a clock fixed at when it happened)."""

    db: str
    actor: Actor
    clock: Clock = utcnow
    at: datetime | None = None
    people: Any = None  # the room's people file (rules.people.People), if it has one
    asked: str | None = None  # the name --as asked for

    def dated(self) -> str:
        """The date ``--at`` recorded it on, echoed when that is not today; else ""."""
        if self.at is None or local(self.at).date() == local(utcnow()).date():
            return ""  # (today in the zone times are shown in: --tz, $WARROOM_TZ, $TZ)
        return f"  recorded as happening {local_stamp(self.at)} (not today)"

    def _known_as(self, store) -> None:
        """Act under the spelling the room already knows (``--as Sam`` where "sam" holds a
        role is sam): names are one person after Unicode normalisation and case folding."""
        if self.actor.display is None or self.actor.strict:
            return
        from warroom.db.queries import known_names
        from warroom.rules.people import spelled_as_known

        known = spelled_as_known(self.actor.display, known_names(store))
        if known != self.actor.display:
            self.actor = replace(self.actor, display=known)

    def on_server(self, account: str) -> Actor:
        """Who acts on a PostgreSQL room: the account is the database user the server
        authenticated (an OS user on someone's laptop proves nothing), and a people file
        (``$WARROOM_PEOPLE``) is keyed on it."""
        if self.people is None:  # (a web session's name, given as the actor's, is kept)
            return Actor(os_user=account, display=self.asked or self.actor.display)
        return Actor(os_user=account, strict=True,
                     display=self.people.name_for(account, self.asked, "database user"))

    @contextmanager
    def store(self, create: bool = False) -> Iterator[Any]:
        """The database, open for this verb. One it had to create (``create``) is removed
        again when the verb is refused before writing anything: a refusal leaves the
        folder as it was."""
        from warroom.db.schema import holds_events, in_use, remove_file
        from warroom.db.store import open_store

        store = open_store(self.db, create=create)
        path = Path(self.db)
        try:
            with store:
                if store.dialect == "postgresql":
                    self.actor = self.on_server(store.account())
                self._known_as(store)
                yield store
        except BaseException:
            # only a file this process made, still empty and unused by anyone else
            if store.created and not holds_events(path) and not in_use(path):
                remove_file(path)
            raise


def positive(text: str) -> int:
    """An argparse type: a whole number from 1, in ASCII digits (``٣`` is refused), small
    enough for the database; the bad value is quoted cut short."""
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()) or int(text) < 1:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise argparse.ArgumentTypeError(f"{shown!r} is not a number like 3 (the #N shown by "
                                         "show)")
    return int(text)


def print_done(done) -> int:
    """Print what an action did (an ``actions.Done``) on one line that names the incident."""
    print(done.message if done.key in done.message else f"{done.key}: {done.message}")
    return 0


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False, default=str))


def verb(
    sub: argparse._SubParsersAction, name: str, parents: list[Parser], *, help: str,
    example: str, handler: Callable[[argparse.Namespace, Context], int],
) -> Parser:
    """Add one verb, with its help line, an example in its --help and its handler."""
    p = sub.add_parser(
        name, parents=parents, help=help, description=help,
        epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=handler)
    return p
