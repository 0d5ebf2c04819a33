"""Telegram's side of a webhook: pending updates are POSTed to the bot's URL, several at once, each retried until
the bot answers it with a 2xx, as Telegram does (so a bot behind a load balancer sees retries and redeliveries)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from handlers.sandbox.traffic import UpdateQueue

RETRY_FIRST = 0.05
RETRY_MAX = 2.0


@dataclass
class WebhookStats:
    """What the push did: attempts, refusals (non-2xx or no connection) and updates delivered."""

    attempts: int = 0
    refused: int = 0
    delivered: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class WebhookPush:
    """Posts a queue's pending updates to one address with at most ``max_connections`` requests in flight."""

    def __init__(self, updates: UpdateQueue, address: str, secret: str | None, max_connections: int = 40) -> None:
        self.updates = updates
        self.address = address
        self.secret = secret
        self.stats = WebhookStats()
        self._slots = asyncio.Semaphore(max(1, min(max_connections, 100)))
        self._in_flight: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Begin pushing in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sandbox-webhook-push")

    async def stop(self) -> None:
        """Stop pushing; updates not yet answered stay pending."""
        tasks = [t for t in (self._task, *self._posts) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._posts.clear()

    async def _run(self) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
            while True:
                fresh = [u for u in self.updates.peek(1_000_000) if u["update_id"] not in self._in_flight]
                if not fresh:
                    await self.updates.changed.wait(1.0)
                    continue
                for update in fresh:
                    self._in_flight.add(update["update_id"])
                    task = asyncio.create_task(self._deliver(http, update))
                    self._posts.add(task)
                    task.add_done_callback(self._posts.discard)

    async def _deliver(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        wait = RETRY_FIRST
        while True:
            async with self._slots:
                self.stats.attempts += 1
                try:
                    async with http.post(self.address, json=update, headers=headers) as response:
                        status = response.status
                        await response.read()
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
            self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                self.updates.remove(update["update_id"])
                self._in_flight.discard(update["update_id"])
                self.stats.delivered += 1
                return
            self.stats.refused += 1
            await asyncio.sleep(wait)
            wait = min(wait * 2, RETRY_MAX)
