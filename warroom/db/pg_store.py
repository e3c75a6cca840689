"""The store on a PostgreSQL server: the same :class:`~warroom.db.store.Store`, with its
connection, its transactions and its few dialect-bound statements made for PostgreSQL.

The write discipline is SQLite's, kept on a server: every write transaction takes one
transaction-scoped advisory lock first (:data:`~warroom.db.pg_schema.WRITE_LOCK`), so
writers run one at a time and a read-then-write inside :meth:`Store.write` sees the state
every earlier writer committed (exactly one winner per role in a race). Reads are one
``REPEATABLE READ`` snapshot each. Row ids are the next after the table's largest, taken
under that lock, as SQLite gives them: a room copied from one backend to the other keeps
its numbers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from warroom.db import pg_conn, pg_schema
from warroom.db.schema import SCHEMA_VERSION
from warroom.db.store import WRITE_WAIT_S, Store, _param
from warroom.errors import Busy, DatabaseError


class PgStore(Store):
    """A connection to one warroom database on a PostgreSQL server."""

    dialect = pg_conn.DIALECT

    def __init__(self, url: str, *, create: bool = False) -> None:  # noqa: ARG002
        self.path = self.target = url
        self.created = False
        self.conn = pg_conn.Connection(url)
        try:
            version = self._version()
            if version is None:
                raise DatabaseError(
                    f"{pg_conn.shown(url)} holds no warroom database: "
                    "'warroom db init' makes one (as the database's owner)")
            pg_schema.refuse_newer(version, pg_conn.shown(url))
            if version < SCHEMA_VERSION:
                raise DatabaseError(
                    f"{pg_conn.shown(url)} holds a warroom database of schema {version}: "
                    f"'warroom db init' brings it to {SCHEMA_VERSION} (as its owner)")
            self._settings()
        except BaseException:
            self.conn.close()
            raise

    def _version(self) -> int | None:
        """The stored schema version; a role the server refuses (no grants, not the client
        role) as one line."""
        import psycopg

        try:
            return pg_schema.stored_version(self.conn.raw)
        except psycopg.Error as exc:
            text = (getattr(exc.diag, "message_primary", None) or str(exc)).strip()
            raise DatabaseError(f"{self.where} refused: {text}; connect as the client role "
                                "that 'warroom db init' made (or a member of it)") from None

    def _settings(self) -> None:
        self.conn.execute(f"SET lock_timeout = '{int(WRITE_WAIT_S * 1000)}ms'")

    def _begin(self, sql: str) -> Any:
        """Begin a transaction; a connection the server dropped since its last use (a
        restart, a failover to the replica) is made again first, once: nothing was sent
        yet. While the server is away, the one-line error says so and nothing is lost: the
        caller (a form, a verb) can try again."""
        if self.conn.raw.closed or self.conn.raw.broken:
            self._reconnect()
        try:
            return self.conn.script(sql)
        except DatabaseError:
            if not (self.conn.raw.closed or self.conn.raw.broken):
                raise
            self._reconnect()
            return self.conn.script(sql)

    def _reconnect(self) -> None:
        fresh = pg_conn.Connection(self.path)
        old, self.conn = self.conn, fresh
        old.close()
        self._settings()

    @property
    def where(self) -> str:
        return pg_conn.shown(self.path)

    def account(self) -> str:
        """The database user the server authenticated this connection as."""
        return self.conn.execute("SELECT session_user").fetchone()[0]

    def reopen(self) -> "PgStore":
        return PgStore(self.path)

    # -- transactions -----------------------------------------------------------------

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        with self.write():
            yield

    @contextmanager
    def write(self) -> Iterator["PgStore"]:
        """One write transaction, begun in one round trip: BEGIN, the write lock (waiting
        for the writer ahead), and the schema version (a database a newer warroom upgraded
        meanwhile is not written)."""
        try:
            # READ COMMITTED whatever the server's default: each statement after the lock
            # sees what the writer before committed (REPEATABLE READ would see the state
            # from before the wait, and fail on the journal counter)
            row = self._begin("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_"
                              f"lock({pg_schema.WRITE_LOCK}); SELECT schema_version FROM "
                              "warroom_meta")
        except sqlite3.OperationalError as exc:
            self._rollback()
            if "lock timeout" in str(exc):
                raise Busy("the database stayed busy with other writers; try again") from None
            raise
        try:
            if row[0] > SCHEMA_VERSION:
                raise DatabaseError(f"{self.where} was upgraded by a newer warroom while "
                                    "this one ran: restart warroom (nothing was written)")
            yield self
        except BaseException:
            self._rollback()
            raise
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if not (self.conn.closed or self.conn.raw.broken) and self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def read(self) -> Iterator["PgStore"]:
        if self.conn.in_transaction:
            yield self
            return
        self._begin("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            yield self
        finally:
            if not (self.conn.closed or self.conn.raw.broken):
                self.conn.execute("COMMIT")

    def data_version(self) -> int:
        """Moves when an event is added (the journal counter)."""
        return self.conn.execute("SELECT last_id FROM journal_counter").fetchone()[0]

    # -- rows -----------------------------------------------------------------------

    def insert(self, table: str, **values: Any) -> int:
        """Insert a row; a table with ids gets the next after its largest (under the write
        lock, as SQLite's rowid), ``roles`` the next ``rowid``. Events get theirs from the
        server's trigger (:mod:`warroom.db.pg_schema`)."""
        self._names(table, *values)
        key = "id" if table in pg_schema.HAS_ID else "rowid" if table == "roles" else None
        cols = list(values)
        marks = ["?"] * len(values)
        if key is not None and key not in values and table != "events":
            cols.append(key)
            marks.append(f"(SELECT COALESCE(MAX({key}), 0) + 1 FROM {table})")
        returning = f" RETURNING {key}" if key else ""
        row = self.conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(marks)}){returning}",
            [_param(v) for v in values.values()]).fetchone()
        return row[0] if row else 0

    def rows(self, table: str, order: str = "id", **where: Any) -> list:
        if order == "rowid" and table in pg_schema.HAS_ID:
            order = "id"
        return super().rows(table, order, **where)

    def _tiebreak(self, table: str) -> str | None:
        return "id" if table in pg_schema.HAS_ID else "rowid" if table == "roles" else None

    def journal_guards(self) -> list[str]:
        """Nothing to put back from here: the client role owns no trigger. A missing one
        is reported by ``warroom verify`` and ``warroom doctor``."""
        return []
