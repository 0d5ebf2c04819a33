"""Token buckets that pace outgoing messages to a platform's limits: overall, per group chat and per private chat."""

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

    def wait_for(self, now: float, cost: int = 1) -> float:
        """Seconds until ``cost`` tokens (at most a full bucket) are available (0 when they are), refilling first."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        need = min(float(cost), self.capacity)
        return 0.0 if self.tokens >= need - _EPSILON else (need - self.tokens) / self.rate


def is_group(chat_id: str) -> bool:
    """Telegram's convention: group and channel ids are negative."""
    return chat_id.startswith("-")


@dataclass(frozen=True, slots=True)
class Budget:
    """At most ``count`` messages in a burst, refilled at ``count`` per ``seconds``."""

    count: float
    seconds: float

    def bucket(self, now: float, headroom: float = 0.0) -> _Bucket:
        """A full bucket for this budget, keeping ``headroom`` (a fraction) of both burst and rate unused."""
        keep = 1.0 - headroom
        capacity = max(1.0, self.count * keep)
        return _Bucket(self.count * keep / self.seconds, capacity, capacity, now)


_PRUNE_EVERY = 4096


class RateLimiter:
    """Global and per-chat token buckets (defaults: Telegram's ~30 msg/s overall and 20/min per group).

    ``per_group`` limits chats for which ``limits_chat`` is true; ``per_private`` (off by default) all others.
    ``headroom`` keeps a fraction of each budget unused, so that network jitter (messages sent apart arriving
    together) does not push the platform's own count over its limit.
    """

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        per_chat_per_minute: float = 20.0,
        overall: Budget | None = None,
        per_group: Budget | None = None,
        per_private: Budget | None = None,
        headroom: float = 0.0,
        limits_chat: Callable[[str], bool] = is_group,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._limits_chat = limits_chat
        self.overall = overall or Budget(per_second, 1.0)
        self.per_group = per_group or Budget(per_chat_per_minute, 60.0)
        self.per_private = per_private
        self.headroom = headroom
        self._global = self.overall.bucket(monotonic(), headroom)
        self._chats: dict[str, _Bucket] = {}

    def _chat(self, chat_id: str, now: float) -> _Bucket | None:
        budget = self.per_group if self._limits_chat(chat_id) else self.per_private
        if budget is None:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) % _PRUNE_EVERY == _PRUNE_EVERY - 1:
                self._prune(now)
            bucket = self._chats[chat_id] = budget.bucket(now, self.headroom)
        return bucket

    def _prune(self, now: float) -> None:
        """Forget the chats whose buckets have refilled (they start full again when next used)."""
        for chat_id, bucket in list(self._chats.items()):
            if bucket.wait_for(now) == 0 and bucket.tokens >= bucket.capacity:
                del self._chats[chat_id]

    def try_acquire(self, chat_id: str, cost: int = 1) -> float:
        """Take ``cost`` messages to ``chat_id`` if within both limits and return 0; else the seconds to wait."""
        now = self._monotonic()
        chat = self._chat(chat_id, now)
        wait = max(self._global.wait_for(now, cost), chat.wait_for(now, cost) if chat else 0.0)
        if wait > 0:
            return wait
        self._global.tokens -= cost
        if chat is not None:
            chat.tokens -= cost
        return 0.0

    async def acquire(self, chat_id: str, cost: int = 1) -> None:
        """Wait until ``cost`` messages to ``chat_id`` are within both limits, then take them from each bucket."""
        while (wait := self.try_acquire(chat_id, cost)) > 0:
            await self._sleep(wait)
