"""`warroom serve`, driven by a websocket client as a browser would drive it (no browser).

A real server runs in a subprocess on a free loopback port. Waits poll with a deadline and
fail with what was seen; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from warroom.cli import main
from warroom.web.tokens import ENV_PROOF, ENV_TOKENS, ENV_USER, Tokens, session_user

aiohttp = pytest.importorskip(
    "aiohttp", reason="warroom serve needs the web extra: pip install -e '.[web]'")
pytest.importorskip("textual_serve", reason="warroom serve needs the web extra: "
                    "pip install -e '.[web]'")

DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def warroom(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warroom", *argv], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def room(tmp_path):
    db = tmp_path / "room.db"
    assert main(["open", "Checkout failing", "--customer", "Acme", "--severity", "SEV1",
                 "--db", str(db), "--as", "sam"]) == 0
    tokens = tmp_path / "web-tokens"
    made = warroom("serve", "--add-user", "alice", "--tokens", str(tokens))
    assert made.returncode == 0, made.stderr
    return db, tokens, made.stdout.splitlines()[-1].strip()


def start(*argv: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "warroom", "serve", "--port", str(port),
                             *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve never listened")


@pytest.fixture
def served(room):
    db, tokens, token = room
    proc, url = start("--db", str(db), "--tokens", str(tokens), "--max-sessions", "1")
    yield url, db, token
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def client():
    # a cookie jar that keeps cookies from an IP address, as a browser does
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(session, url: str, token: str) -> int:
    async with session.post(f"{url}/signin", data={"token": token},
                            headers={"Origin": url}, allow_redirects=False) as r:
        return r.status


async def screen_until(ws, needle: str, seen: list[str]) -> None:
    """Read the terminal's output until ``needle`` appears (the deadline fails the test)."""
    while needle not in "".join(seen):
        msg = await asyncio.wait_for(ws.receive(), DEADLINE)
        if msg.type == aiohttp.WSMsgType.BINARY:
            seen.append(msg.data.decode("utf-8", "replace"))
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                          aiohttp.WSMsgType.ERROR):
            raise AssertionError(f"closed before {needle!r} appeared: {''.join(seen)[-500:]}")


def test_without_a_token_the_page_asks_for_one_and_the_websocket_is_refused(served):
    url, _, _ = served

    async def go():
        async with client() as s:
            async with s.get(url + "/") as r:
                page = await r.text()
                assert r.status == 200 and "Sign in" in page and "/ws" not in page
            async with s.get(url + "/ws", headers={"Origin": url}) as r:
                assert r.status == 401
            assert await sign_in(s, url, "not-a-token") == 403
            async with s.get(url + "/ws", headers={"Origin": url}) as r:
                assert r.status == 401

    asyncio.run(go())


def test_a_signed_in_websocket_from_another_origin_is_refused(served):
    url, _, token = served

    async def go():
        async with client() as s:
            assert await sign_in(s, url, token) == 303
            for origin in ("http://evil.example", "http://localhost" + url[16:], None):
                headers = {"Origin": origin} if origin else {}
                async with s.get(url + "/ws", headers=headers) as r:
                    assert r.status == 403, origin
            async with s.post(f"{url}/signin", data={"token": token},
                              headers={"Origin": "http://evil.example"},
                              allow_redirects=False) as r:
                assert r.status == 403

    asyncio.run(go())


def test_a_signed_in_session_sees_the_room_and_writes_as_its_web_name(served):
    url, db, token = served

    async def go():
        async with client() as s:
            assert await sign_in(s, url, token) == 303
            async with s.get(url + "/") as r:
                page = await r.text()
                assert "data-session-websocket-url" in page and "googleapis" not in page
            seen: list[str] = []
            async with s.ws_connect(url + "/ws?width=120&height=40",
                                    headers={"Origin": url}) as ws:
                await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
                await screen_until(ws, "INC-1001", seen)
                async with s.get(url + "/ws", headers={"Origin": url}) as r:
                    assert r.status == 503  # --max-sessions 1: this tab is the one
                await screen_until(ws, "VACANT", seen)
                await ws.send_str(json.dumps(["stdin", "c"]))
                await screen_until(ws, "Claim a role", seen)
                await ws.send_str(json.dumps(["stdin", "\x13"]))  # ctrl+s: submit
                end = time.monotonic() + DEADLINE
                while time.monotonic() < end:
                    log = warroom("log", "INC-1001", "--db", str(db)).stdout
                    if "web:alice" in log:
                        return log
                    await asyncio.sleep(0.2)
                raise AssertionError(f"no write journaled as web:alice: {log}")

    log = asyncio.run(go())
    assert "web:alice took Investigation lead" in log, log


def test_a_broken_database_fails_at_start_with_its_message(tmp_path, room):
    _, tokens, _ = room
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    out = warroom("serve", "--db", str(bad), "--tokens", str(tokens), "--port",
                  str(free_port()))
    assert out.returncode == 2
    assert out.stderr.strip() == (f"warroom serve: error: {bad} is not a warroom database "
                                  "(not an SQLite file)")


def test_the_wall_needs_no_sign_in_but_keeps_the_origin_check(room):
    db, _, _ = room
    proc, url = start("--db", str(db), "--wall")

    async def go():
        async with client() as s:
            async with s.get(url + "/ws", headers={"Origin": "http://evil.example"}) as r:
                assert r.status == 403
            seen: list[str] = []
            async with s.ws_connect(url + "/ws?width=120&height=40",
                                    headers={"Origin": url}) as ws:
                await screen_until(ws, "INC-1001", seen)

    try:
        asyncio.run(go())
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_tokens_file_keeps_hashes_only_and_is_private(tmp_path):
    path = tmp_path / "tokens"
    tokens = Tokens.load_or_new(path)
    token = tokens.add("alice")
    tokens.save()
    assert token not in path.read_text() and oct(path.stat().st_mode & 0o777) == "0o600"
    again = Tokens.load(path)
    assert again.who(token) == "alice" and again.who(token + "x") is None
    path.chmod(0o644)
    with pytest.raises(Exception, match="chmod 600"):
        Tokens.load(path)


def test_a_session_trusts_a_web_name_only_with_serves_proof(tmp_path):
    path = tmp_path / "tokens"
    tokens = Tokens.load_or_new(path)
    tokens.add("alice")
    tokens.save()
    db = str(tmp_path / "room.db")
    env = tokens.session_env("alice", db)
    assert session_user(env, db) == "alice"
    forged = dict(env, **{ENV_USER: "bob"})
    with pytest.raises(Exception, match="does not check out"):
        session_user(forged, db)
    with pytest.raises(Exception, match="not started by warroom serve"):
        session_user({ENV_USER: "alice"}, db)
    with pytest.raises(Exception, match="does not check out"):  # another room's proof
        session_user(env, str(tmp_path / "other.db"))
    assert set(env) == {ENV_USER, ENV_PROOF, ENV_TOKENS} and os.path.exists(env[ENV_TOKENS])
    assert Path(env[ENV_TOKENS]) == path


def test_behind_a_proxy_the_trusted_header_names_the_person(room, tmp_path):
    db, _, _ = room
    keys = tmp_path / "proxy-keys"
    proc, url = start("--db", str(db), "--trusted-header", "X-Remote-User", "--tokens",
                      str(keys))

    async def go():
        async with client() as s:
            async with s.get(url + "/ws", headers={"Origin": url}) as r:
                assert r.status == 401
            async with s.get(url + "/", headers={"X-Remote-User": "bo"}) as r:
                assert "data-session-websocket-url" in await r.text()
            seen: list[str] = []
            async with s.ws_connect(url + "/ws?width=120&height=40",
                                    headers={"Origin": url, "X-Remote-User": "bo"}) as ws:
                await screen_until(ws, "web:bo", seen)  # the footer names who you are

    try:
        asyncio.run(go())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert oct(keys.stat().st_mode & 0o777) == "0o600" and Tokens.load(keys).users == {}


def test_removing_a_user_ends_their_access_in_a_running_serve(tmp_path):
    """--remove-user takes effect at once: the removed token no longer signs in, and a
    cookie signed in before is no longer accepted (read again from the changed file)."""
    from warroom.web.server import WarroomServer
    from warroom.web.tokens import Tokens

    path = tmp_path / "tokens"
    tokens = Tokens.load_or_new(path)
    tokens.add("alice")
    tokens.save()
    server = WarroomServer.__new__(WarroomServer)
    server.tokens, server.trusted_header, server.signed_in = Tokens.load(path), None, {}
    server.signed_in["cookie"] = "alice"

    class Request:
        headers: dict = {}
        cookies = {"cookie_name": "cookie"}

    import warroom.web.server as module

    Request.cookies = {module.COOKIE: "cookie"}
    assert server.who(Request()) == "alice"
    again = Tokens.load(path)
    again.remove("alice")
    again.save()
    assert server.who(Request()) is None
    assert "cookie" not in server.signed_in
