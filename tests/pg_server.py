"""A throwaway PostgreSQL server for one test session, and a fresh database per test.

The server is PostgreSQL's own binaries (``initdb``, ``pg_ctl``; the README says how to
install them), started in a temporary folder on a free local port with fsync off. As root
(CI), it runs as the ``postgres`` user, since PostgreSQL refuses to run as root. The schema
is made once, in a template database, by ``warroom db init``'s own code (as the superuser);
each test gets a copy (``CREATE DATABASE ... TEMPLATE``, about 60 ms) and connects as the
client role, as warroom does in production. Where PostgreSQL cannot be had, :func:`server`
says why and the PostgreSQL half of the tests is skipped with that reason.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATE = "warroom_template"


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    folder: Path
    port: int
    bin: Path
    as_user: list[str]
    _count: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, db: str, user: str = "warroom", host: str = "127.0.0.1") -> str:
        return f"postgresql://{user}@{host}:{self.port}/{db}"

    def admin(self, db: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(db, "postgres"), autocommit=True)

    def fresh(self) -> str:
        """A new database copied from the template; its client URL."""
        name = f"t{os.getpid()}_{next(self._count)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D",
                               str(self.folder / "data"), *args],
                              capture_output=True, text=True, timeout=60)

    def down(self) -> None:
        """Stop the server as an operator would (fast: clients are told, then cut off)."""
        done = self.ctl("-m", "fast", "-w", "stop")
        assert done.returncode == 0, done.stderr

    def options(self) -> str:
        """The server's options: its port and socket folder, loopback only, no fsync (a
        test server: a crash loses nothing the tests need)."""
        return (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")

    def up(self) -> None:
        """Start it again after :meth:`down`, with the options :func:`start` gave it."""
        done = self.ctl("-o", self.options(), "-l", str(self.folder / "log"), "-w", "start")
        assert done.returncode == 0, done.stderr

    def restart(self) -> None:
        """Every client loses its connection; the databases stay."""
        self.down()
        self.up()

    def stop(self) -> None:
        self.ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server | str:
    """A running server with the template database made, or why there is none."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    if os.environ.get("WARROOM_TEST_PG") == "0":
        return "WARROOM_TEST_PG=0"
    binaries = _binaries()
    if binaries is None:
        return "PostgreSQL is not installed (see README: apt-get install postgresql)"
    folder = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            pg = pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
        os.chown(folder, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = Server(folder, _free_port(), binaries, as_user)
    init = subprocess.run([*as_user, str(binaries / "initdb"), "-D", str(folder / "data"),
                           "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
                          capture_output=True, text=True, timeout=120)
    if init.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        return f"initdb failed: {init.stderr.strip().splitlines()[-1:]}"
    started = server.ctl("-o", server.options(), "-l", str(folder / "log"), "-w", "start")
    if started.returncode:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        server.stop()
        return f"PostgreSQL did not start: {(started.stderr or log).strip()[-200:]}"
    from warroom.db import pg_schema

    with server.admin() as conn:
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
    with server.admin(TEMPLATE) as conn:
        pg_schema.init(conn)
    return server
