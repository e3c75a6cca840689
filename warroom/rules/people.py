"""Who may act as whom: the optional people file of a room, and the usual names in a journal.

The OS user of every act comes from the process's real uid (``warroom.cli.common.os_user``);
``--as`` is only the name someone goes by. Without a people file that is all: anyone may go
by any name, and ``log`` and the review mark an act whose name is not the one its OS user
usually goes by. With a people file the room is *strict*: each OS user lists the names they
may act as (the first is their default) and their contacts, ``--as`` must be one of them,
and two approvals from one OS user count once.

The file is TOML, one table per OS user::

    [sam]                            # the login name, as `id -un` prints it
    names = ["sam", "Sam Okafor"]    # what `--as` may say; the first is the default
    phone = "+44 20 7946 0000"       # contacts (any of phone, email, chat, pager)
    email = "sam@example.com"

It is found at ``$WARROOM_PEOPLE``, else beside the database as ``<name>.people.toml``
(``acme.db`` -> ``acme.people.toml``). Read without pydantic: the dashboard's start reads it.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from warroom.errors import UserError
from warroom.text import clean_line, clean_name

CONTACTS = ("phone", "email", "chat", "pager")


def same_name(a: str, b: str) -> bool:
    """Names compared as people read them: NFKC, case-folded, zero-width characters gone."""
    return _key(a) == _key(b)


def spelled_as_known(name: str, known: list[str]) -> str:
    """``name`` as the room already spells it: the first of ``known`` that is the same name
    (:func:`same_name`: "Sam", "sam" and "s\u200bam" are one person), else ``name``. So
    a look-alike spelling acts as the person already in the room, never as a second one."""
    return next((k for k in known if k and same_name(k, name)), name)


def _key(name: str) -> str:
    text = clean_name(name)  # NFKC, controls and invisible characters gone
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Person:
    os_user: str
    names: tuple[str, ...]
    contacts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class People:
    """A room's people file: who each OS user may act as."""

    source: str
    people: dict[str, Person]

    def name_for(self, os_user: str, asked: str | None, account: str = "OS user") -> str:
        """The name ``os_user`` acts as: ``asked`` when it is one of theirs (as they wrote
        it in the file), else their default; a one-line refusal otherwise. On PostgreSQL
        the account is the database user (``account`` says which it is)."""
        person = self.people.get(os_user)
        if person is None:
            raise UserError(f"you ({account} {os_user}) are not in the room's people file "
                            f"{self.source}; ask whoever keeps it to add you")
        if asked is None:
            return person.names[0]
        for name in person.names:
            if same_name(name, asked):
                return name
        raise UserError(f"--as {asked!r} is not one of your names in {self.source} "
                        f"({account} {os_user}: {', '.join(person.names)})")

    def contacts_of(self, name: str) -> dict[str, str]:
        """The contacts of the person who goes by ``name`` (empty when nobody does)."""
        for person in self.people.values():
            if any(same_name(n, name) for n in person.names):
                return dict(person.contacts)
        return {}


def path_for(db: str | os.PathLike[str]) -> Path:
    """Where a room's people file is: ``$WARROOM_PEOPLE``, else beside the database (a
    room on a PostgreSQL server has one only through ``$WARROOM_PEOPLE``)."""
    configured = os.environ.get("WARROOM_PEOPLE")
    if configured:
        return Path(configured)
    if str(db).startswith(("postgresql://", "postgres://")):
        return Path(os.devnull, "no-people-file")  # never exists
    db = Path(db)
    return db.with_name(db.stem + ".people.toml")


def load(db: str | os.PathLike[str]) -> People | None:
    """The room's people file, or None when there is none (the room is not strict). A file
    named by ``$WARROOM_PEOPLE`` must exist; any problem in it is one line."""
    path = path_for(db)
    if not path.exists():
        if os.environ.get("WARROOM_PEOPLE"):
            raise UserError(f"$WARROOM_PEOPLE names {clean_line(str(path))}, which does not "
                            "exist")
        return None
    source = clean_line(str(path))
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise UserError(f"{source}: cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{source}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source}: not valid TOML: {clean_line(str(exc))}") from None
    people = dict(_people(source, data))
    owners: dict[str, str] = {}
    for person in people.values():
        for name in person.names:
            other = owners.setdefault(_key(name), person.os_user)
            if other != person.os_user:
                raise UserError(f"{source}: the name {name!r} is listed for both {other} and "
                                f"{person.os_user}: a name belongs to one OS user")
    return People(source, people)


def _people(source: str, data: dict) -> Iterable[tuple[str, Person]]:
    if not data:
        raise UserError(f"{source}: lists nobody; add a table per OS user ([sam] names = "
                        "[\"sam\"])")
    for os_user, table in data.items():
        where = f"{source}: [{clean_line(os_user)}]"
        if not isinstance(table, dict):
            raise UserError(f"{where}: must be a table with names = [...]")
        names = table.get("names")
        if (not isinstance(names, list) or not names
                or not all(isinstance(n, str) and clean_line(n).strip() for n in names)):
            raise UserError(f"{where}: names must be a list of at least one name")
        unknown = sorted(set(table) - {"names", *CONTACTS})
        if unknown:
            raise UserError(f"{where}: unknown key {unknown[0]!r} (use names, "
                            f"{', '.join(CONTACTS)})")
        contacts = {k: clean_line(str(table[k])) for k in CONTACTS if k in table}
        yield os_user, Person(os_user, tuple(clean_line(n).strip() for n in names), contacts)


def usual_names(acts: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """For each OS user, the name they went by in most of ``acts`` (os_user, display name)
    pairs, the earliest on a tie. An act with no display name goes by the OS user.

    An OS user with no name used in more than half of its acts has no usual name: that is
    an account the room shares (everyone logs in as ``oncall``), where every name is as
    usual as the next and marking them all would only bury the odd one out."""
    counts: dict[str, Counter[str]] = {}
    first: dict[tuple[str, str], int] = {}
    for i, (os_user, display) in enumerate(acts):
        name = display or os_user
        counts.setdefault(os_user, Counter())[name] += 1
        first.setdefault((os_user, name), i)
    usual = {}
    for user, c in counts.items():
        top = min(c, key=lambda n: (-c[n], first[(user, n)]))
        if c[top] * 2 > c.total():
            usual[user] = top
    return usual


def unusual(os_user: str, display: str | None, usual: dict[str, str]) -> str | None:
    """A short mark for an act whose name is not its OS user's usual one, else None:
    ``OS user sam, usually sam``."""
    name = display or os_user
    known = usual.get(os_user)
    if known is None or same_name(known, name):
        return None
    return f"OS user {os_user}, usually {known}"
