"""Receives WeCom's encrypted callbacks: verifies them, acknowledges inside WeCom's 5 s, handles each once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from aiohttp import web

from handlers.wecom.crypto import MAX_BODY_BYTES, CallbackCrypto, InvalidCallback
from handlers.wecom.events import WeComEvent, parse_event

logger = logging.getLogger(__name__)

OnEvent = Callable[[WeComEvent], Awaitable[None]]
Seen = Callable[[str], Awaitable[bool]]

DEFAULT_MAX_CLOCK_SKEW = 300.0
"""How far (seconds) a callback's signed timestamp may be from our clock; older ones are replays."""


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
    def __init__(
        self,
        crypto: CallbackCrypto,
        on_event: OnEvent,
        seen: Seen,
        drain_timeout: float,
        max_clock_skew: float,
        clock: Callable[[], float],
    ) -> None:
        self.crypto = crypto
        self.on_event = on_event
        self.seen = seen
        self.drain_timeout = drain_timeout
        self.max_clock_skew = max_clock_skew
        self.clock = clock
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
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.Response(status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        try:
            signature, timestamp, nonce = query["msg_signature"], query["timestamp"], query["nonce"]
            # Cheap checks first: a bounded look for the ciphertext and its signature, then the replay window.
            encrypted = self.crypto.verified_ciphertext(body, signature, timestamp, nonce)
            self._check_fresh(timestamp)
            # Decrypting and parsing a signed body still costs: keep it off the event loop.
            event = await asyncio.to_thread(self._open, encrypted, signature, timestamp, nonce)
        except (KeyError, InvalidCallback) as exc:
            logger.warning("WeCom callback refused: %r", exc)
            return web.Response(status=403)
        if not await self.seen(event.dedupe_key):
            task = asyncio.create_task(self._handle(event), name=f"wecom-event {event.dedupe_key}")
            self.tasks.add(task)
            task.add_done_callback(self._finished)
        # An empty 200 tells WeCom "received, no passive reply"; answers go out through the API.
        return web.Response(text="")

    def _check_fresh(self, timestamp: str) -> None:
        try:
            skew = abs(self.clock() - int(timestamp))
        except ValueError:
            raise InvalidCallback("timestamp is not a number") from None
        if skew > self.max_clock_skew:
            raise InvalidCallback(f"timestamp {skew:.0f} s away from our clock (a replay?)")

    def _open(self, encrypted: str, signature: str, timestamp: str, nonce: str) -> WeComEvent:
        return parse_event(self.crypto.decrypt_verified(encrypted, signature, timestamp, nonce))

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


_CALLBACKS = web.AppKey("callbacks", _Callbacks)


def make_callback_app(
    crypto: CallbackCrypto,
    path: str,
    on_event: OnEvent,
    seen: Seen | None = None,
    *,
    drain_timeout: float = 10.0,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """An aiohttp app answering WeCom's URL check (GET) and callbacks (POST) on ``path``."""
    callbacks = _Callbacks(crypto, on_event, seen or RecentKeys(), drain_timeout, max_clock_skew, clock)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_get(path, callbacks.verify_url)
    app.router.add_post(path, callbacks.receive)
    app.on_shutdown.append(callbacks.drain)
    app[_CALLBACKS] = callbacks
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
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.listen = listen
        self.path = path
        self._port = port
        self._app = make_callback_app(
            crypto, path, on_event, seen, drain_timeout=drain_timeout, max_clock_skew=max_clock_skew, clock=clock
        )
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port once started, else the configured one."""
        return self._port

    @property
    def handling(self) -> int:
        """How many accepted callbacks are still being handled (each runs as its own task)."""
        return len(self._app[_CALLBACKS].tasks)

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
