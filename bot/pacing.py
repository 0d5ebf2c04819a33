"""Token buckets that pace outgoing messages to a platform's limits: overall per second and per group chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

_EPSILON = 1e-9


@dataclass(slots=True)
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    stamp: float

    def wait_for(self, now: float) -> float:
        """Seconds until one token is available (0 when one is), refilling first."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 - _EPSILON else (1.0 - self.tokens) / self.rate


def is_group(chat_id: str) -> bool:
    """Telegram's convention: group and channel ids are negative."""
    return chat_id.startswith("-")


class RateLimiter:
    """Global and per-chat token buckets (defaults: Telegram's ~30 msg/s overall and 20/min per group)."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        per_chat_per_minute: float = 20.0,
        limits_chat: Callable[[str], bool] = is_group,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._limits_chat = limits_chat
        self._global = _Bucket(per_second, per_second, per_second, monotonic())
        self._chat_rate = per_chat_per_minute / 60.0
        self._chat_capacity = per_chat_per_minute
        self._chats: dict[str, _Bucket] = {}
        self._lock = asyncio.Lock()

    def _chat(self, chat_id: str, now: float) -> _Bucket | None:
        if not self._limits_chat(chat_id):
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _Bucket(self._chat_rate, self._chat_capacity, self._chat_capacity, now)
        return bucket

    async def acquire(self, chat_id: str) -> None:
        """Wait until a message to ``chat_id`` is within both limits, then take one token from each."""
        while True:
            async with self._lock:
                now = self._monotonic()
                chat = self._chat(chat_id, now)
                wait = max(self._global.wait_for(now), chat.wait_for(now) if chat else 0.0)
                if wait <= 0:
                    self._global.tokens -= 1
                    if chat is not None:
                        chat.tokens -= 1
                    return
            await self._sleep(wait)
