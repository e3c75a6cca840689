"""``warroom doctor``: is this host set up so that everyone in the room can read and write?

It checks the folder (exists, group-writable, setgid), the file and its ``-wal``/``-shm``
(group and mode), whether you are in the room's group, a trial write, WAL mode, SQLite's
quick_check, the journal's hash chain, inotify and the terminal, and prints under each
failure the exact command that fixes it. The room's group is the folder's group unless
``--group`` names it. On a ``postgresql://`` URL there is no file and no group: it checks the
server instead (:func:`server_checks`) and the terminal. Exit 0 when nothing failed (warnings
allowed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import grp
import locale
import os
import pwd
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from warroom.cli.common import Context, Parser, verb

EXIT_PROBLEMS = 1
OK, WARN, FAIL = "ok", "warn", "FAIL"
SMALLEST = (110, 30)
"""The smallest terminal that shows the panes side by side (columns, lines)."""


@dataclass(frozen=True)
class Check:
    status: str
    what: str
    fix: str | None = None


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _gid(name: str) -> int | None:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


def _me() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def _q(path: Path | str) -> str:
    return shlex.quote(str(path))


def folder_checks(folder: Path, group: str | None) -> list[Check]:
    """The folder holds the database and SQLite's -wal and -shm files, made by whoever
    connects first: the group must be able to create files in it, and they must join the
    group (setgid)."""
    if not folder.is_dir():
        g = group or "warroom"
        return [Check(FAIL, f"folder {folder} does not exist",
                      f"sudo install -d -m 2770 -g {g} {_q(folder)}")]
    info = folder.stat()
    mode, out = stat.S_IMODE(info.st_mode), []
    have = _group(info.st_gid)
    if group is not None and have != group:
        out.append(Check(FAIL, f"folder {folder} belongs to group {have}, not {group}",
                         f"sudo chgrp {group} {_q(folder)}"))
    if mode & 0o070 != 0o070:
        out.append(Check(FAIL, f"folder {folder}: its group cannot create files in it "
                         f"(mode {mode:04o}): the second user cannot make the -wal file",
                         f"sudo chmod g+rwx {_q(folder)}"))
    if not mode & stat.S_ISGID:
        out.append(Check(FAIL, f"folder {folder}: files made in it do not join its group "
                         f"(no setgid bit, mode {mode:04o})", f"sudo chmod g+s {_q(folder)}"))
    if mode & 0o007:
        out.append(Check(WARN, f"folder {folder}: users outside the group may look in it "
                         f"(mode {mode:04o})", f"sudo chmod o-rwx {_q(folder)}"))
    if not out:
        out.append(Check(OK, f"folder {folder}: group {have} may write, new files join it "
                         f"(mode {mode:04o})"))
    return out


def file_checks(path: Path, group: str) -> list[Check]:
    """The database and its -wal and -shm: SQLite gives those the database's mode and
    owner, so one 0644 file (a restore, a copy) locks the group out."""
    out = []
    for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if not f.exists():
            continue
        info = f.stat()
        mode, have = stat.S_IMODE(info.st_mode), _group(info.st_gid)
        bad = []
        if have != group:
            bad.append(Check(FAIL, f"{f} belongs to group {have}, not the room's {group}",
                             f"sudo chgrp {group} {_q(f)}"))
        if mode & 0o060 != 0o060:
            bad.append(Check(FAIL, f"{f}: the group cannot read and write it (mode "
                             f"{mode:04o})", f"sudo chmod g+rw {_q(f)}"))
        out += bad or [Check(OK, f"{f}: group {have}, mode {mode:04o}")]
    return out


def member_check(group: str) -> Check:
    gid, me = _gid(group), _me()
    if gid is None:
        return Check(FAIL, f"there is no group {group} on this host",
                     f"sudo groupadd {group}")
    if os.getuid() == 0:
        return Check(OK, f"you are root: other users need to be in group {group}")
    if gid in set(os.getgroups()) | {os.getgid()}:
        return Check(OK, f"you ({me}) are in group {group}")
    listed = me in grp.getgrgid(gid).gr_mem
    return Check(FAIL, f"you ({me}) are not in group {group}" + (
        " in this session (added since you logged in: log in again)" if listed else ""),
        None if listed else f"sudo usermod -aG {group} {me}   # then log in again")


def database_checks(path: Path) -> list[Check]:
    from warroom.db import health

    if not path.exists():
        return [Check(WARN, f"no database at {path} yet",
                      f"warroom open TITLE --customer NAME --severity SEV2 --db {_q(path)}")]
    out = []
    ok, what = health.trial_write(path)
    out.append(Check(OK if ok else FAIL, what,
                     None if ok else "fix the folder and file problems above, then run "
                     "warroom doctor again"))
    ok, what = health.journal_mode(path)
    out.append(Check(OK if ok else FAIL, what,
                     None if ok else f"warroom ls --db {_q(path)}   # any warroom verb sets WAL"))
    ok, what = health.quick_check(path)
    out.append(Check(OK if ok else FAIL, what, None if ok else "warroom restore BACKUP "
                     f"--db {_q(path)}"))
    ok, what = health.journal_chain(path)
    out.append(Check(OK if ok else FAIL, what, None if ok else
                     f"warroom verify --db {_q(path)}   # then restore a good backup"))
    return out


def inotify_check(folder: Path) -> Check:
    import asyncio

    from warroom.db.inotify import FolderWatch

    async def probe() -> bool:
        watch = FolderWatch.open(folder, lambda name: None)
        if watch is None:
            return False
        watch.close()
        return True

    if folder.is_dir() and asyncio.run(probe()):
        return Check(OK, "inotify works: dashboards see each change within milliseconds")
    return Check(WARN, "inotify is unavailable here: dashboards see changes within 1-2 s "
                 "(their safety poll) instead of milliseconds",
                 "sudo sysctl fs.inotify.max_user_instances=1024")


def terminal_checks(env: dict[str, str], tty: bool, size: tuple[int, int] | None,
                    encoding: str) -> list[Check]:
    """What the dashboard will look like in this terminal (warnings: the CLI works
    anyway)."""
    out = []
    if not tty:
        out.append(Check(WARN, "no terminal: the dashboard needs one (ssh runs a command "
                         "without one unless asked)", "ssh -t HOST warroom"))
    term = env.get("TERM", "")
    if term in ("", "dumb"):
        out.append(Check(WARN, f"TERM is {term or 'not set'}: the dashboard cannot draw",
                         "export TERM=xterm-256color"))
    colorterm = env.get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        out.append(Check(OK, f"colours: truecolor (COLORTERM={colorterm})"))
    else:
        depth = "256 colours" if "256color" in term else "16 colours"
        out.append(Check(WARN, f"colours: {depth} (TERM={term or '-'}, COLORTERM not set: "
                         "ssh does not pass it); alarms still carry words and symbols",
                         "export COLORTERM=truecolor   # or SetEnv in sshd_config"))
    if encoding.replace("-", "").lower() != "utf8":
        out.append(Check(WARN, f"the terminal's encoding is {encoding}, not UTF-8: "
                         "borders and symbols will be wrong", "export LANG=C.UTF-8"))
    if size is not None and (size[0] < SMALLEST[0] or size[1] < SMALLEST[1]):
        out.append(Check(WARN, f"the terminal is {size[0]}x{size[1]}: below "
                         f"{SMALLEST[0]}x{SMALLEST[1]} the panes stack and scroll",
                         "resize the window"))
    return out


def _terminal_now() -> list[Check]:
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        size = tuple(os.get_terminal_size(sys.stdout.fileno())) if tty else None
    except (OSError, ValueError):
        size = None
    encoding = locale.getpreferredencoding(False)
    return terminal_checks(dict(os.environ), tty, size, encoding)  # type: ignore[arg-type]


def room_group(folder: Path, named: str | None) -> str:
    if named is not None:
        return named
    return _group(folder.stat().st_gid) if folder.is_dir() else "warroom"


def folder_warning(folder: Path) -> str | None:
    """For ``warroom open`` on a new file in a folder whose group has other members: why
    they could not write to this room (one line, with the fix), or None when they could. A
    folder of a group nobody else is in (a home folder, a private scratch folder) is
    nobody else's business."""
    try:
        info = folder.stat()
        others = set(grp.getgrgid(info.st_gid).gr_mem) - {_me()}
    except (OSError, KeyError):
        return None
    mode = stat.S_IMODE(info.st_mode)
    if not others or (mode & 0o070 == 0o070 and mode & stat.S_ISGID):
        return None
    return (f"the group cannot share {folder} (mode {mode:04o}: it needs group write and "
            f"setgid), so nobody else can write to this room; to share it: chmod 2770 "
            f"{_q(folder)} (warroom doctor checks the rest)")


def diagnose(path: Path, group: str | None, terminal: bool = True) -> list[Check]:
    folder = path.absolute().parent
    name = room_group(folder, group)
    checks = folder_checks(folder, group)
    checks += file_checks(path, name) + [member_check(name)]
    checks += database_checks(path) + [inotify_check(folder)]
    return checks + (_terminal_now() if terminal else [])


def server_checks(url: str, terminal: bool = True) -> list[Check]:
    """On a PostgreSQL server: the server and which host answered, the schema version, the
    role connected as (never the owner or a superuser), a trial write, the journal's
    privileges and guards, and its hash chain; then the terminal."""
    from warroom.db import health

    checks = [Check(OK if ok else WARN if ok is None else FAIL, what, fix)
              for ok, what, fix in health.server_probes(url)]
    return checks + (_terminal_now() if terminal else [])


def cmd_doctor(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.db.store import is_url

    on_server = is_url(ctx.db)
    if on_server:
        from warroom.db.pg_conn import shown

        print(f"warroom doctor: {shown(ctx.db)} (PostgreSQL; you are {_me()} on this host)")
        checks = server_checks(ctx.db, terminal=not args.no_terminal)
    else:
        path = Path(ctx.db)
        folder = path.absolute().parent
        print(f"warroom doctor: {path} (room group: {room_group(folder, args.group)}; you "
              f"are {_me()})")
        checks = diagnose(path, args.group, terminal=not args.no_terminal)
    for check in checks:
        print(f"  {check.status:<5} {check.what}")
        if check.fix and check.status != OK:
            print(f"        fix: {check.fix}")
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    if failed:
        print(f"{failed} problem(s), {warned} warning(s): run each fix (as the owner or "
              f"{'a superuser' if on_server else 'with sudo'}), then warroom doctor again")
        return EXIT_PROBLEMS
    print("all good" + (f" ({warned} warning(s))" if warned else "") + (
        ": the client role can read and write this room, and the server keeps its journal "
        "append-only" if on_server else ": everyone in the group can read and write this room"))
    return 0


def register(sub, common: Parser, reading: Parser, writing: Parser) -> None:
    p = verb(sub, "doctor", [common], help="check that this host lets everyone in the "
             "room's group read and write the database (on a postgresql:// URL: the server, "
             "the role connected as and the journal's guards), and print the fix for each "
             "problem",
             example="ssh -t warroom-host warroom doctor --db /srv/warroom/acme.db",
             handler=cmd_doctor)
    p.add_argument("--group", metavar="NAME", default=None,
                   help="the room's group (default: the folder's group; an SQLite file only)")
    p.add_argument("--no-terminal", action="store_true",
                   help="skip the terminal checks (for scripts and cron)")
