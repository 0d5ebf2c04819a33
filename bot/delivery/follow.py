"""The one loop that keeps sent messages following their state: stale, draw, edit, mark (cards, boards, prompts)."""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

from bot.delivery.pacing import RateLimiter
from bot.domain.model import ChatRef
from bot.ports.chat import ChatGateway, DeliveryError, EditUnavailable, OutgoingMessage, RetryLater
from bot.ports.clock import Clock
from bot.ports.storage import Store

log = logging.getLogger(__name__)


class Followed(Protocol):
    """A sent message that follows some state: its row id, its chat and the platform's message id."""

    @property
    def id(self) -> int: ...

    @property
    def chat(self) -> ChatRef: ...

    @property
    def message_id(self) -> str: ...


M = TypeVar("M", bound=Followed)


class FollowSync(ABC, Generic[M]):
    """Edits stale followed messages of one platform at most once per ``interval`` seconds each, within the chat's
    budget (a ``limiter`` shared with the outbox); a 429 pauses that chat only, a message whose edit handle is spent
    waits for a fresh one, one that can no longer be edited is forgotten. Subclasses say what is stale, how a message
    looks now and how its state is recorded."""

    what = "message"
    """How the log names one of them."""

    def __init__(
        self,
        store: Store,
        gateway: ChatGateway,
        clock: Clock,
        *,
        interval: float = 3.0,
        limiter: RateLimiter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.clock = clock
        self.interval = interval
        self.limiter = limiter
        self._monotonic = monotonic
        self._last_edit: dict[int, float] = {}
        self._chat_paused_until: dict[str, float] = {}
        self._waiting: dict[int, Hashable] = {}
        self.edits = 0

    @abstractmethod
    async def stale(self) -> list[M]:
        """The messages showing an older state than their subject's."""
        ...

    def handle(self, message: M) -> Hashable:
        """What changes when a message that waits for an edit handle may be tried again."""
        return message.message_id

    @abstractmethod
    async def draw(self, message: M) -> tuple[OutgoingMessage, int] | None:
        """What the message must show now and the version of its state that is; None to leave it."""
        ...

    @abstractmethod
    async def mark(self, message: M, version: int) -> None:
        """Record that the message shows ``version``."""
        ...

    @abstractmethod
    async def drop(self, message: M) -> None:
        """Forget a message that can no longer be edited."""
        ...

    async def sync_due(self) -> float | None:
        """Edit every stale message whose last edit is old enough; seconds until the next may be edited."""
        return await self.sync(await self.stale())

    async def sync(self, stale: list[M]) -> float | None:
        """Edit those of ``stale`` that may be edited now; seconds until the next of them may be."""
        now = self._monotonic()
        soonest: float | None = None
        ready = []
        for message in stale:
            if message.id in self._waiting and self._waiting[message.id] == self.handle(message):
                continue  # no edit handle left: the next press (a fresh one) brings it up to date
            free_at = max(
                self._last_edit.get(message.id, 0.0) + self.interval,
                self._chat_paused_until.get(message.chat.chat_id, 0.0),
            )
            if free_at <= now and self.limiter is not None:
                free_at = now + self.limiter.try_acquire(message.chat.chat_id)
            if free_at <= now:
                ready.append(message)
            else:
                soonest = free_at - now if soonest is None else min(soonest, free_at - now)
        await asyncio.gather(*(self._edit(message) for message in ready))
        if ready:
            soonest = self.interval if soonest is None else min(soonest, self.interval)
        return soonest

    async def _edit(self, message: M) -> None:
        self._last_edit[message.id] = self._monotonic()
        found = await self.draw(message)
        if found is None:
            return
        content, version = found
        try:
            await self.gateway.edit(message.chat, message.message_id, content)
        except RetryLater as error:
            self._chat_paused_until[message.chat.chat_id] = self._monotonic() + error.retry_after
            return
        except EditUnavailable as error:
            log.info("%s %s waits for a fresh edit handle (%s)", self.what, message.id, error)
            self._waiting[message.id] = self.handle(message)
            return
        except DeliveryError as error:
            log.info("%s %s can no longer be edited (%s); forgetting it", self.what, message.id, error)
            await self.drop(message)
            return
        except Exception:
            log.exception("editing %s %s failed", self.what, message.id)
            return
        self.edits += 1
        self._waiting.pop(message.id, None)
        await self.mark(message, version)
