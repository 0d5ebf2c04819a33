"""Telegram-like flood control for the sandbox, driven by an injectable clock so tests stay fast."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Window:
    """A leaky bucket: bursts of up to ``count`` messages, refilled at ``count`` per ``seconds``."""

    count: int
    seconds: float


@dataclass(frozen=True)
class FloodLimits:
    """Message budgets; the defaults follow Telegram's published bot limits."""

    overall: Window = Window(30, 1.0)
    per_group: Window = Window(20, 60.0)
    per_private: Window = Window(5, 5.0)
    enabled: bool = True

    @classmethod
    def off(cls) -> FloodLimits:
        """Limits that never trigger."""
        return cls(enabled=False)


@dataclass
class _Bucket:
    level: float
    at: float


@dataclass
class FloodControl:
    """Leaky-bucket budgets per chat and overall; a refused send costs nothing."""

    limits: FloodLimits
    clock: Callable[[], float]
    _buckets: dict[int | str, _Bucket] = field(default_factory=dict)

    def acquire(self, chat_id: int, *, group: bool) -> int | None:
        """Spend one message for ``chat_id``; return None, or the retry_after seconds when over budget."""
        if not self.limits.enabled:
            return None
        now = self.clock()
        chat_window = self.limits.per_group if group else self.limits.per_private
        waits = [
            self._wait("overall", self.limits.overall, now),
            self._wait(chat_id, chat_window, now),
        ]
        longest = max(waits)
        if longest > 0:
            return max(1, math.ceil(longest - 1e-9))
        for key in ("overall", chat_id):
            self._buckets.setdefault(key, _Bucket(0.0, now)).level += 1
        return None

    def forget(self, chat_id: int) -> None:
        """Drop the budget history of one chat (e.g. after migration)."""
        self._buckets.pop(chat_id, None)

    def _wait(self, key: int | str, window: Window, now: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        rate = window.count / window.seconds
        bucket.level = max(0.0, bucket.level - (now - bucket.at) * rate)
        bucket.at = now
        excess = bucket.level + 1 - window.count
        return excess / rate if excess > 0 else 0.0
