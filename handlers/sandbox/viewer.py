"""The sandbox seen in a browser: a messenger-like page where you act as any simulated person, updated live."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from importlib import resources
from typing import Any, Protocol

from aiohttp import web

from handlers.sandbox.bot_api import FakeBotApi
from handlers.sandbox.state import SandboxError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

KEEPALIVE_SECONDS = 15.0
ANSWER_WITHIN = 15.0
STATIC_FILES = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css"}
CJK_FONT = "fonts/NotoSansSC-Regular.otf"
_CLOSE = {"type": "_close"}
_PRESENT = ("creator", "administrator", "member", "restricted")
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class ViewerControls(Protocol):
    """What the page can ask of whoever runs the sandbox beyond the chats: people, the clock, the language."""

    def people(self) -> list[dict[str, Any]]:
        """The people of the "who am I" picker: id, name, role, branch, workplace."""
        ...

    def clock_info(self) -> dict[str, Any]:
        """The bot's current time, for display."""
        ...

    async def advance(self, step: str) -> dict[str, Any]:
        """Move the bot's clock (``week`` or ``quarter_end``) and run what became due."""
        ...

    async def set_language(self, lang: str) -> None:
        """Make the simulated people speak ``lang`` (``zh`` or ``en``) to the bot."""
        ...


class SandboxViewer:
    """Serves the page, a JSON API for acting as a person, the files, and server-sent events of every change."""

    def __init__(self, sandbox: FakeBotApi, controls: ViewerControls | None = None) -> None:
        self.sandbox = sandbox
        self.controls = controls
        self._runner: web.AppRunner | None = None
        self._streams: set[asyncio.Queue[dict[str, Any]]] = set()
        self.lang = "zh"
        self._host = "127.0.0.1"
        self._port: int | None = None

    def app(self) -> web.Application:
        """The aiohttp application (routes only; nothing runs until started)."""
        app = web.Application(client_max_size=20 * 1024 * 1024, middlewares=[self._same_origin_only])
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/fonts/cjk.otf", self._font)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/events", self._events)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/press", self._press)
        app.router.add_post("/api/start", self._start)
        app.router.add_post("/api/clock", self._clock)
        app.router.add_post("/api/lang", self._lang)
        app.router.add_get("/files/{file_id}", self._file)
        app.on_shutdown.append(self._close_streams)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host``; port 0 picks a free port."""
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self._host = host
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """End the live streams and shut the server down."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        if self._port is None:
            raise RuntimeError("SandboxViewer is not started")
        return f"http://{self._host}:{self._port}/"

    # ----------------------------------------------------------------- who may ask

    @web.middleware
    async def _same_origin_only(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse (403) a Host other than the address served on (DNS rebinding) and any foreign Origin (CSRF)."""
        host = request.headers.get("Host", "")
        origin = request.headers.get("Origin")
        if not self.serves(host) or (origin is not None and origin != f"http://{host}"):
            log.warning("Sandbox viewer refused %s %s (Host %r, Origin %r)", request.method, request.path, host, origin)
            return web.json_response({"error": "cross-site request refused"}, status=403)
        return await handler(request)

    def serves(self, host: str) -> bool:
        """Whether ``host`` (a Host header) names this viewer: its address and port, or loopback for a local one."""
        if self._port is None:
            return False
        name, _, port = host.rpartition(":")
        if port != str(self._port):
            return False
        if name == self._host or (name in _LOOPBACK_NAMES and _is_loopback(self._host)):
            return True
        # Served on every interface: an address literal cannot be rebound to another site, a name can.
        return _is_wildcard(self._host) and (_is_address(name) or name == "localhost")

    # ----------------------------------------------------------------- page and files

    async def _index(self, request: web.Request) -> web.Response:
        return self._static_file("index.html")

    async def _static(self, request: web.Request) -> web.Response:
        return self._static_file(request.match_info["name"])

    def _static_file(self, name: str) -> web.Response:
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        body = resources.files("handlers.sandbox.web").joinpath(name).read_bytes()
        return web.Response(
            body=body, content_type=STATIC_FILES[name], charset="utf-8", headers={"Cache-Control": "no-cache"}
        )

    async def _font(self, request: web.Request) -> web.Response:
        """The bundled Noto Sans SC, so Chinese shows even where the system has no CJK font."""
        body = resources.files("bot.reports").joinpath(CJK_FONT).read_bytes()
        return web.Response(body=body, content_type="font/otf", headers={"Cache-Control": "max-age=86400"})

    async def _file(self, request: web.Request) -> web.Response:
        stored = self.sandbox.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        headers = {}
        if stored.file_name:
            quoted = urllib.parse.quote(stored.file_name)
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quoted}"
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream", headers=headers
        )

    # ----------------------------------------------------------------- state and events

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state(), dumps=_dumps)

    def state(self) -> dict[str, Any]:
        """Everything a page needs to draw itself: chats with history and members, people, the clock."""
        snapshot = self.sandbox.snapshot()
        for entry in snapshot["chats"]:
            chat = self.sandbox.chats[entry["chat"]["id"]]
            entry["members"] = [uid for uid, status in chat.members.items() if status in _PRESENT]
            entry["started"] = chat.peer.started if chat.peer is not None else None
        snapshot["people"] = self.controls.people() if self.controls else self._people()
        snapshot["clock"] = self.controls.clock_info() if self.controls else None
        snapshot["lang"] = self.lang
        return snapshot

    def _people(self) -> list[dict[str, Any]]:
        return [
            {"id": u.id, "name": u.full_name, "role": "member", "language_code": u.language_code}
            for u in self.sandbox.users.values()
        ]

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )
        await response.prepare(request)
        queue = self.sandbox.subscribe()
        self._streams.add(queue)
        try:
            await response.write(b"retry: 1000\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if event is _CLOSE:
                    break
                await response.write(f"data: {_dumps(event)}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams.discard(queue)
            self.sandbox.unsubscribe(queue)
        return response

    async def _close_streams(self, app: web.Application) -> None:
        for queue in list(self._streams):
            queue.put_nowait(_CLOSE)

    def publish(self, event: dict[str, Any]) -> None:
        """Tell every open page about a change that is not a chat message (the clock, the language)."""
        self.sandbox.events.publish(event)

    # ----------------------------------------------------------------- acting as a person

    async def _send(self, request: web.Request) -> web.Response:
        photo: bytes | None = None
        if request.content_type == "multipart/form-data":
            form = await request.post()
            body: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
            upload = form.get("photo")
            if isinstance(upload, web.FileField):
                photo = upload.file.read()
        else:
            body = await _json(request)
        user_id, chat_id = _int(body, "user_id"), _int(body, "chat_id")
        text = str(body.get("text") or "").strip() or None
        contact = str(body["contact"]) if body.get("contact") else None
        reply_to = None
        if body.get("reply_to"):
            reply_to = self.sandbox.chat(chat_id).messages.get(_int(body, "reply_to"))
        with _refusals():
            chat = self.sandbox.chat(chat_id)
            if chat.peer is not None and text and text.startswith("/start") and contact is None and photo is None:
                payload = text.removeprefix("/start").strip() or None
                message = await self.sandbox.user_starts_bot(user_id, payload)
            else:
                message = await self.sandbox.user_sends(
                    user_id, chat_id, text, contact=contact, photo=photo, reply_to=reply_to
                )
        return web.json_response({"ok": True, "message_id": message.message_id})

    async def _start(self, request: web.Request) -> web.Response:
        body = await _json(request)
        with _refusals():
            message = await self.sandbox.user_starts_bot(_int(body, "user_id"), str(body.get("payload") or "") or None)
        return web.json_response({"ok": True, "chat_id": message.chat.id, "message_id": message.message_id})

    async def _press(self, request: web.Request) -> web.Response:
        body = await _json(request)
        chat = self.sandbox.chats.get(_int(body, "chat_id"))
        message = chat.messages.get(_int(body, "message_id")) if chat is not None else None
        if message is None:
            raise _bad("no such message")
        with _refusals():
            record = await self.sandbox.press_button(_int(body, "user_id"), message, str(body.get("data") or ""))
        try:
            answer = await record.wait_answer(ANSWER_WITHIN)
        except SandboxError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=504)
        return web.json_response(
            {"ok": True, "text": answer.text, "show_alert": answer.show_alert, "url": answer.url}, dumps=_dumps
        )

    async def _clock(self, request: web.Request) -> web.Response:
        if self.controls is None:
            raise _bad("this sandbox has no clock control")
        body = await _json(request)
        step = str(body.get("step") or "")
        if step not in ("week", "quarter_end"):
            raise _bad("step must be week or quarter_end")
        result = await self.controls.advance(step)
        self.publish({"type": "clock", "clock": self.controls.clock_info()})
        return web.json_response({"ok": True, **result}, dumps=_dumps)

    async def _lang(self, request: web.Request) -> web.Response:
        body = await _json(request)
        lang = str(body.get("lang") or "")
        if lang not in ("zh", "en"):
            raise _bad("lang must be zh or en")
        if self.controls is not None:
            await self.controls.set_language(lang)
        else:
            for user in self.sandbox.users.values():
                user.language_code = "en" if lang == "en" else "zh-hans"
        self.lang = lang
        self.publish({"type": "language", "lang": lang})
        return web.json_response({"ok": True})


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def _is_address(name: str) -> bool:
    return _address(name) is not None


def _is_loopback(name: str) -> bool:
    address = _address(name)
    return name == "localhost" or (address is not None and address.is_loopback)


def _is_wildcard(name: str) -> bool:
    address = _address(name)
    return name == "" or (address is not None and address.is_unspecified)


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """Turn what a real client would not allow into a 400 the page shows."""
    try:
        yield
    except SandboxError as error:
        raise _bad(str(error)) from None


def _bad(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"ok": False, "error": reason}), content_type="application/json")


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _bad("expected a JSON object") from None
    if not isinstance(body, dict):
        raise _bad("expected a JSON object")
    return body


def _int(body: dict[str, Any], key: str) -> int:
    try:
        return int(body[key])
    except (KeyError, TypeError, ValueError):
        raise _bad(f"{key} must be a number") from None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
