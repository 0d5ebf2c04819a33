"""Webhook mode for any number of instances: each serves the webhook, one of them sets it at Telegram.

PTB's ``Updater.start_webhook`` always calls ``setWebhook``, and Telegram answers a second call within about a
second with 429, so N instances starting together would each set it and most would be refused. Here every instance
runs its own small webhook server (aiohttp) feeding the PTB Application's update queue, and ``publish`` sets the
webhook at most once for all: a row in the shared state records which URL, secret and update kinds were set and
when; an instance finding it current (and Telegram reporting that URL) skips ``setWebhook``; the one instance
holding the lease sets it, waiting out a 429's retry_after and trying again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web
from telegram import Bot, Update
from telegram.error import RetryAfter
from telegram.ext import Application

from handlers.telegram.gateway import seconds

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024
WEBHOOK_KEY = "telegram:webhook"
LEASE_KEY = "telegram:webhook:lease"
LEASE_SECONDS = 30.0
LEASE_POLL = 0.25
RETRY_SLACK = 0.25
MAX_ATTEMPTS = 10

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class SharedValues(Protocol):
    """The shared-state use cases the webhook needs (``bot.usecases.shared.Shared``)."""

    async def shared_value(self, key: str) -> str | None: ...

    async def share_value(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def forget_shared(self, key: str, value: str | None = None) -> bool: ...

    async def hold(self, key: str, holder: str, ttl: float) -> bool: ...


class WebhookServer:
    """Receives Telegram's POSTs on ``path``, checks the secret token, and queues each update for the Application."""

    def __init__(
        self, application: AnyApplication, *, listen: str, port: int, path: str, secret_token: str | None
    ) -> None:
        self.application = application
        self.listen = listen
        self.port = port
        self.path = path if path.startswith("/") else f"/{path}"
        self.secret_token = secret_token
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen for updates."""
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()

    async def stop(self) -> None:
        """Stop listening; requests in flight finish."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        if self.secret_token is not None and not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, "").encode(), self.secret_token.encode()
        ):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except Exception:
            log.warning("a webhook request that is not an update was refused")
            return web.Response(status=400)
        if update is not None:
            await self.application.update_queue.put(update)
        return web.Response()


def fingerprint(url: str, secret_token: str | None, allowed_updates: Sequence[str]) -> str:
    """What was set, as a hash: the URL, the secret token and the update kinds."""
    material = json.dumps([url, secret_token or "", sorted(allowed_updates)])
    return hashlib.sha256(material.encode()).hexdigest()


async def publish(
    bot: Bot,
    shared: SharedValues,
    url: str,
    secret_token: str | None,
    allowed_updates: Sequence[str],
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """Make Telegram's webhook ``url`` (with this secret and these kinds) once for every instance; True if this
    instance set it, False if it was already current."""
    wanted = fingerprint(url, secret_token, allowed_updates)
    holder = uuid.uuid4().hex
    while True:
        if await _current(bot, shared, url, wanted):
            log.info("the Telegram webhook is already set to %s", url)
            return False
        if await shared.hold(LEASE_KEY, holder, LEASE_SECONDS):
            try:
                if await _current(bot, shared, url, wanted):
                    return False
                await _set(bot, url, secret_token, allowed_updates, sleep)
                record = {"fingerprint": wanted, "set_at": datetime.now(UTC).isoformat()}
                await shared.share_value(WEBHOOK_KEY, json.dumps(record))
                log.info("set the Telegram webhook to %s", url)
                return True
            finally:
                await shared.forget_shared(LEASE_KEY, holder)
        await sleep(LEASE_POLL)


async def _current(bot: Bot, shared: SharedValues, url: str, wanted: str) -> bool:
    stored = await shared.shared_value(WEBHOOK_KEY)
    if stored is None or _stored_fingerprint(stored) != wanted:
        return False
    info = await bot.get_webhook_info()
    return bool(info.url == url)


def _stored_fingerprint(stored: str) -> str | None:
    try:
        record: Any = json.loads(stored)
    except ValueError:
        return None
    return str(record.get("fingerprint")) if isinstance(record, dict) else None


async def _set(
    bot: Bot,
    url: str,
    secret_token: str | None,
    allowed_updates: Sequence[str],
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            await bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=list(allowed_updates))
            return
        except RetryAfter as error:
            if attempt == MAX_ATTEMPTS:
                raise
            wait = seconds(error.retry_after) + RETRY_SLACK
            log.info("Telegram asked to wait %.1f s before setting the webhook again", wait)
            await sleep(wait)
