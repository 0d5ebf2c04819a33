"""Receives WeCom's encrypted callbacks: verifies them, acknowledges inside WeCom's 5 s, handles each once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from aiohttp import web

from handlers.wecom.crypto import CallbackCrypto, InvalidCallback
from handlers.wecom.events import WeComEvent, parse_event

logger = logging.getLogger(__name__)

OnEvent = Callable[[WeComEvent], Awaitable[None]]
Seen = Callable[[str], Awaitable[bool]]


class RecentKeys:
    """A bounded in-memory set of dedupe keys that forgets after ``ttl`` seconds; the default ``seen``."""

    def __init__(self, maxsize: int = 10_000, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self._clock = clock
        self._keys: OrderedDict[str, float] = OrderedDict()

    async def __call__(self, key: str) -> bool:
        """True if ``key`` was seen within the TTL; otherwise remember it and return False."""
        now = self._clock()
        while self._keys and next(iter(self._keys.values())) <= now - self.ttl:
            self._keys.popitem(last=False)
        if key in self._keys:
            return True
        self._keys[key] = now
        while len(self._keys) > self.maxsize:
            self._keys.popitem(last=False)
        return False


class _Callbacks:
    def __init__(self, crypto: CallbackCrypto, on_event: OnEvent, seen: Seen, drain_timeout: float) -> None:
        self.crypto = crypto
        self.on_event = on_event
        self.seen = seen
        self.drain_timeout = drain_timeout
        self.tasks: set[asyncio.Task[None]] = set()

    async def verify_url(self, request: web.Request) -> web.Response:
        query = _raw_query(request)
        try:
            echo = self.crypto.verify_url(query["msg_signature"], query["timestamp"], query["nonce"], query["echostr"])
        except (KeyError, InvalidCallback) as exc:
            logger.warning("WeCom URL verification refused: %r", exc)
            return web.Response(status=403)
        return web.Response(text=echo)

    async def receive(self, request: web.Request) -> web.Response:
        query = _raw_query(request)
        body = await request.read()
        try:
            xml = self.crypto.decrypt(body, query["msg_signature"], query["timestamp"], query["nonce"])
        except (KeyError, InvalidCallback) as exc:
            logger.warning("WeCom callback refused: %r", exc)
            return web.Response(status=403)
        event = parse_event(xml)
        if not await self.seen(event.dedupe_key):
            task = asyncio.create_task(self._handle(event), name=f"wecom-event {event.dedupe_key}")
            self.tasks.add(task)
            task.add_done_callback(self._finished)
        # An empty 200 tells WeCom "received, no passive reply"; answers go out through the API.
        return web.Response(text="")

    async def _handle(self, event: WeComEvent) -> None:
        await self.on_event(event)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.error("WeCom event handler failed (%s)", task.get_name(), exc_info=exc)

    async def drain(self, _app: web.Application) -> None:
        if not self.tasks:
            return
        _done, pending = await asyncio.wait(set(self.tasks), timeout=self.drain_timeout)
        for task in pending:
            logger.warning("Cancelling unfinished %s at shutdown", task.get_name())
            task.cancel()
        if pending:
            await asyncio.wait(pending)


def _raw_query(request: web.Request) -> dict[str, str]:
    # aiohttp turns "+" into a space; echostr is base64, so only percent-escapes may be decoded.
    query: dict[str, str] = {}
    for part in request.rel_url.raw_query_string.split("&"):
        name, _, value = part.partition("=")
        query.setdefault(unquote(name), unquote(value))
    return query


def make_callback_app(
    crypto: CallbackCrypto,
    path: str,
    on_event: OnEvent,
    seen: Seen | None = None,
    *,
    drain_timeout: float = 10.0,
) -> web.Application:
    """An aiohttp app answering WeCom's URL check (GET) and callbacks (POST) on ``path``."""
    callbacks = _Callbacks(crypto, on_event, seen or RecentKeys(), drain_timeout)
    app = web.Application()
    app.router.add_get(path, callbacks.verify_url)
    app.router.add_post(path, callbacks.receive)
    app.on_shutdown.append(callbacks.drain)
    return app


class CallbackServer:
    """Serves :func:`make_callback_app` on ``listen:port`` (0 picks a free port) between start and stop."""

    def __init__(
        self,
        crypto: CallbackCrypto,
        on_event: OnEvent,
        *,
        listen: str = "127.0.0.1",
        port: int = 8080,
        path: str = "/wecom/callback",
        seen: Seen | None = None,
        drain_timeout: float = 10.0,
    ) -> None:
        self.listen = listen
        self.path = path
        self._port = port
        self._app = make_callback_app(crypto, path, on_event, seen, drain_timeout=drain_timeout)
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port once started, else the configured one."""
        return self._port

    @property
    def url(self) -> str:
        """Where the callback is served."""
        return f"http://{self.listen}:{self._port}{self.path}"

    async def start(self) -> None:
        """Bind and start serving."""
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.listen, self._port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop accepting, let running handlers finish (up to the drain timeout), then close."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
