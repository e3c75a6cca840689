"""Who may use ``warroom serve``: the tokens file, and the proof a web session carries.

The tokens file (JSON, mode 0600, owned by the account that runs ``serve``) holds a random
key and, for each person, the SHA-256 of their token: the token itself is shown once by
``warroom serve --add-user NAME`` and never stored. Tokens are 32 random bytes, so a plain
hash is enough (nothing to guess by brute force).

Each browser session runs ``python -m warroom.web.session`` as a child of ``serve``. The
child acts as ``web:NAME`` only when its environment carries NAME with an HMAC of NAME and
the database made with the key (which also serves a name a trusted proxy header gave),
and the tokens file is the child's own account's (owned by
its real uid, readable by nobody else): setting ``WARROOM_WEB_USER`` by hand in a shell is
not enough. Nothing here imports aiohttp.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pwd
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from warroom.errors import UserError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
ENV_USER, ENV_PROOF, ENV_TOKENS = "WARROOM_WEB_USER", "WARROOM_WEB_PROOF", "WARROOM_WEB_TOKENS"


def default_path() -> Path:
    """``~/.config/warroom/web-tokens`` of the account running this (home from the passwd
    entry, not ``$HOME``)."""
    try:
        home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        home = Path.home()
    return home / ".config" / "warroom" / "web-tokens"


def valid_web_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise UserError(f"{name[:40]!r} is not a usable web name: 1-32 letters, digits, "
                        "'.', '_' or '-', starting with a letter or digit")
    return name


def _digest(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """The tokens file, read."""

    def __init__(self, path: Path, key: str, users: dict[str, str]) -> None:
        self.path, self.key, self.users = path, key, users

    @classmethod
    def load(cls, path: Path) -> Tokens:
        try:
            info = path.stat()
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise UserError(f"no tokens file at {path}: add someone with "
                            "warroom serve --add-user NAME") from None
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read the tokens file {path}: {exc}") from None
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise UserError(f"the tokens file {path} may be read by others (mode "
                            f"{stat.S_IMODE(info.st_mode):04o}): chmod 600 {path}")
        if not isinstance(data, dict) or not isinstance(data.get("key"), str) \
                or not isinstance(data.get("users"), dict):
            raise UserError(f"{path} is not a warroom tokens file")
        return cls(path, data["key"], {str(k): str(v) for k, v in data["users"].items()})

    @classmethod
    def load_or_new(cls, path: Path) -> Tokens:
        if path.exists():
            return cls.load(path)
        return cls(path, secrets.token_hex(32), {})

    def save(self) -> None:
        """Write the file whole (0600), then move it into place: never half written."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.path.with_name(self.path.name + ".new")
        fd = os.open(temp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump({"key": self.key, "users": self.users}, handle, indent=1)
        os.replace(temp, self.path)

    def add(self, name: str) -> str:
        """A new token for ``name`` (any old one stops working); returns the token."""
        token = secrets.token_urlsafe(32)
        self.users[valid_web_name(name)] = _digest(token)
        return token

    def remove(self, name: str) -> None:
        if self.users.pop(name, None) is None:
            raise UserError(f"{name!r} has no token in {self.path}")

    def who(self, token: str) -> str | None:
        """The person ``token`` belongs to, or None (compared in constant time)."""
        digest, found = _digest(token), None
        for name, stored in self.users.items():
            if hmac.compare_digest(stored, digest):
                found = name
        return found

    def proof(self, name: str, db: str) -> str:
        message = f"{name}\0{os.path.abspath(db)}".encode()
        return hmac.new(bytes.fromhex(self.key), message, hashlib.sha256).hexdigest()

    def session_env(self, name: str, db: str) -> dict[str, str]:
        """What ``serve`` puts in one session's environment."""
        return {ENV_USER: name, ENV_PROOF: self.proof(name, db), ENV_TOKENS: str(self.path)}


def session_user(env: Mapping[str, str], db: str) -> str:
    """The web name a session started by ``serve`` acts as; a UserError for anything else
    (no name, a proof that does not check, a tokens file that is not this account's)."""
    name, proof, where = env.get(ENV_USER), env.get(ENV_PROOF), env.get(ENV_TOKENS)
    if not name or not proof or not where:
        raise UserError("this process was not started by warroom serve for a signed-in "
                        "person")
    path = Path(where)
    try:
        owner = path.stat().st_uid
    except OSError:
        owner = -1
    if owner != os.getuid():
        raise UserError(f"the tokens file {path} is not this account's: refusing the web "
                        "identity")
    tokens = Tokens.load(path)
    if not hmac.compare_digest(tokens.proof(name, db), proof):
        raise UserError(f"the web identity {name!r} does not check out against {path}")
    return valid_web_name(name)
