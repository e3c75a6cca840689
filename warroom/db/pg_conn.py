"""A PostgreSQL connection that speaks the SQLite dialect the rest of :mod:`warroom.db` writes.

The store's SQL is written once, in the subset both databases understand; this module makes
the few differences disappear, so that actions, queries and reports never know which
database they run on:

- ``?`` placeholders become ``%s`` (and a literal ``%`` is escaped);
- ``col IS ?`` (SQLite's null-safe equality) becomes ``col IS NOT DISTINCT FROM %s``;
- ``CREATE TABLE/INDEX IF NOT EXISTS`` is skipped: on PostgreSQL the schema is made once, by
  ``warroom db init``, and the client role may not create tables;
- rows answer to an index and to a column name, like :class:`sqlite3.Row`;
- errors come back as the :mod:`sqlite3` exception classes the shared code already handles
  (a constraint refused: :class:`sqlite3.IntegrityError`; anything else the server refuses:
  :class:`sqlite3.OperationalError`), except a lost server, which is a one-line
  :class:`~warroom.errors.DatabaseError` naming the server.

psycopg is imported here only: nothing imports this module unless ``--db`` is a
``postgresql://`` URL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

from warroom.errors import DatabaseError

DIALECT = "postgresql"
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?%s", re.IGNORECASE)
_SKIPPED = ("CREATE TABLE IF NOT EXISTS", "CREATE INDEX IF NOT EXISTS")


def shown(url: str) -> str:
    """The URL as said in messages: without its password (in the user part or the query)."""
    parts = urlsplit(url)
    if parts.password is not None:
        login, host = parts.netloc.rsplit("@", 1)
        parts = parts._replace(netloc=f"{login.split(':', 1)[0]}:***@{host}")
    query = "&".join("password=***" if item.lower().startswith("password=") else item
                     for item in parts.query.split("&")) if parts.query else ""
    return urlunsplit(parts._replace(query=query))


@lru_cache(maxsize=1024)
def translate(sql: str) -> str | None:
    """The PostgreSQL text of one SQLite-dialect statement; None: nothing to run."""
    if sql.lstrip().upper().startswith(_SKIPPED):
        return None
    out: list[str] = []
    quote = ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            out.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        else:
            out.append(ch)
    return _IS_PARAM.sub(lambda m: "IS DISTINCT FROM %s" if m.group(1)
                         else "IS NOT DISTINCT FROM %s", "".join(out))


class Row(tuple):
    """A row read by index or by column name (``row[0]``, ``row["id"]``), like sqlite3.Row."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in
                                                            enumerate(names)}})


def _rows(cursor: psycopg.Cursor) -> Any:
    if cursor.description is None:
        return tuple
    cls = _row_class(tuple(c.name for c in cursor.description))
    return lambda values: cls(values)


def _plain(cursor: psycopg.Cursor) -> Any:
    return tuple


class Cursor:
    """The part of sqlite3.Cursor the store uses."""

    row_factory: Any = None  # set by callers written for sqlite3: rows already answer to names

    def __init__(self, raw: psycopg.Cursor | None, lastrowid: int | None = None) -> None:
        self._raw = raw
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return -1 if self._raw is None else self._raw.rowcount

    def fetchone(self) -> Any:
        return None if self._raw is None or self._raw.description is None \
            else self._raw.fetchone()

    def fetchall(self) -> list:
        return [] if self._raw is None or self._raw.description is None \
            else self._raw.fetchall()

    def fetchmany(self, size: int = 1) -> list:
        return [] if self._raw is None or self._raw.description is None \
            else self._raw.fetchmany(size)

    def __iter__(self) -> Iterator:
        return iter(()) if self._raw is None or self._raw.description is None \
            else iter(self._raw)

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()


def lost(exc: psycopg.Error, raw: psycopg.Connection | None = None) -> bool:
    """Whether ``exc`` means the connection is gone (a restart, a failover, the network):
    no SQLSTATE at all, class 08 (connection exception) or 57P (the server shutting down),
    or a connection psycopg has marked broken. A serialization failure, a deadlock or a
    full disk is the server refusing a statement, not a lost server."""
    state = getattr(exc, "sqlstate", None)
    return (raw is not None and (raw.closed or raw.broken)) or state is None \
        or state.startswith(("08", "57P"))


def _error(exc: psycopg.Error, url: str, raw: psycopg.Connection | None = None
           ) -> BaseException:
    """The exception the shared code expects for ``exc``."""
    if lost(exc, raw):
        return DatabaseError(f"lost the PostgreSQL server at {shown(url)}: "
                             f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc}")
    text = (exc.diag.message_primary or str(exc)).strip()
    if isinstance(exc, (psycopg.IntegrityError, pg_errors.RaiseException)):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, pg_errors.UndefinedTable):
        return sqlite3.OperationalError(f"no such table: {text}")
    return sqlite3.OperationalError(text)


class Connection:
    """A psycopg connection in autocommit mode (transactions are begun and ended by the
    store, as on SQLite with ``isolation_level=None``), with the sqlite3 calls the store
    makes."""

    dialect = DIALECT

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        self.url = url
        try:
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout)
            # functions and types from pg_catalog only (first, always), tables from warroom's
            # schema, which no client may create in: a look-alike function another role put
            # in "public" is never called
            self.raw.execute("SET search_path TO warroom, pg_temp")
        except psycopg.Error as exc:
            lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
            said = lines[0].removeprefix("connection failed: ") if lines else str(exc)
            raise DatabaseError(f"cannot connect to {shown(url)}: {said}") from None

    @property
    def in_transaction(self) -> bool:
        """Inside a transaction begun and not ended (a lost connection is in none)."""
        return not (self.raw.closed or self.raw.broken) and \
            self.raw.info.transaction_status in (TransactionStatus.INTRANS,
                                                 TransactionStatus.INERROR,
                                                 TransactionStatus.ACTIVE)

    def cursor(self) -> "_LazyCursor":
        return _LazyCursor(self)

    def execute(self, sql: str, params: Sequence[Any] | None = None, *,
                plain: bool = False) -> Cursor:
        text = translate(sql)
        if text is None:
            return Cursor(None)
        try:
            raw = self.raw.cursor(row_factory=_plain if plain else _rows)
            raw.execute(text, tuple(params) if params is not None else ())
        except psycopg.Error as exc:
            raise _error(exc, self.url, self.raw) from None
        return Cursor(raw)

    def script(self, sql: str) -> Any:
        """Several statements sent at once (one round trip; no parameters): the first row
        of the last statement's result."""
        try:
            cur = self.raw.execute(sql)
            while cur.nextset():
                pass
            return cur.fetchone() if cur.description is not None else None
        except psycopg.Error as exc:
            raise _error(exc, self.url, self.raw) from None

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> Cursor:
        text = translate(sql)
        if text is None:
            return Cursor(None)
        try:
            raw = self.raw.cursor()
            raw.executemany(text, [tuple(p) for p in seq])
        except psycopg.Error as exc:
            raise _error(exc, self.url, self.raw) from None
        return Cursor(raw)

    def close(self) -> None:
        self.raw.close()

    @property
    def closed(self) -> bool:
        return self.raw.closed


class _LazyCursor:
    """``conn.cursor()`` then ``cur.execute(...)``, as sqlite3 code writes it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._cur: Cursor | None = None
        self.row_factory: Any = sqlite3.Row  # None asks for plain tuples, as on sqlite3

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        self._cur = self._conn.execute(sql, params, plain=self.row_factory is None)
        return self._cur

    def __iter__(self) -> Iterator:
        return iter(self._cur) if self._cur is not None else iter(())

    def fetchall(self) -> list:
        return self._cur.fetchall() if self._cur is not None else []

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur is not None else None

    def close(self) -> None:
        if self._cur is not None:
            self._cur.close()
