"""Keeping wish cards current: edits of one card are coalesced, and always end on the wish's true final state."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.delivery.claim_cards import render_claim_card, render_visit_card
from bot.delivery.emergency import BoardSync
from bot.delivery.outbox import _either
from bot.delivery.pacing import RateLimiter
from bot.domain.model import WishView
from bot.notices.outbox import FollowedCard, NoticeError, VisitReviewCard, decode
from bot.notices.views import posted_card
from bot.ports.chat import ChatGateway, DeliveryError, EditUnavailable, OutgoingMessage, RetryLater
from bot.ports.clock import Clock
from bot.ports.storage import CardRow, Store, Unit

log = logging.getLogger(__name__)

CardRenderer = Callable[[WishView, CardRow, str], OutgoingMessage]


def default_renderer(view: WishView, card: CardRow, lang: str) -> OutgoingMessage:
    """A wish card shows the wish with masked phones and its buttons (a group card also its secretaries' ones)."""
    return posted_card(view, lang, in_group=card.kind == "group")


class CardSync:
    """Edits stale cards of one platform at most once per ``interval`` seconds each, within the chat's budget.

    With a ``limiter`` (shared with the platform's outbox delivery) edits of many cards in one group are spread
    over the group's message budget instead of running into flood control; a 429 pauses that chat only.
    """

    def __init__(
        self,
        store: Store,
        gateway: ChatGateway,
        clock: Clock,
        *,
        interval: float = 3.0,
        lang: str = "zh",
        render: CardRenderer = default_renderer,
        limiter: RateLimiter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.clock = clock
        self.interval = interval
        self.lang = lang
        self.render = render
        self._monotonic = monotonic
        self.limiter = limiter
        self._last_edit: dict[int, float] = {}
        self._chat_paused_until: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._waiting: dict[int, str] = {}
        self.edits = 0
        self.boards = BoardSync(store, gateway, clock, interval=interval, limiter=limiter, monotonic=monotonic)
        """The emergency boards and prompts of the same platform, kept current by the same loop."""

    def poke(self) -> None:
        """A wish changed: look for stale cards now."""
        self._wake.set()

    async def sync_due(self) -> float | None:
        """Edit every stale card whose last edit is old enough; return seconds until the next one may be edited."""
        async with self.store.read() as unit:
            stale = await unit.cards.stale(self.gateway.platform, limit=200)
        soonest: float | None = await self.boards.sync_due()
        now = self._monotonic()
        ready = []
        for card in stale:
            if self._waiting.get(card.id) == card.message_id:
                continue  # no edit handle left: the next press (a fresh one) brings it up to date
            free_at = max(
                self._last_edit.get(card.id, 0.0) + self.interval, self._chat_paused_until.get(card.chat.chat_id, 0.0)
            )
            if free_at <= now and self.limiter is not None:
                free_at = now + self.limiter.try_acquire(card.chat.chat_id)
            if free_at <= now:
                ready.append(card)
            else:
                soonest = free_at - now if soonest is None else min(soonest, free_at - now)
        await asyncio.gather(*(self._edit(card) for card in ready))
        if ready:
            soonest = self.interval if soonest is None else min(soonest, self.interval)
        return soonest

    async def _message(self, card: CardRow) -> tuple[OutgoingMessage, int] | None:
        """What the card must show now and the version of its wish that is: a claim's card from its notice,
        a wish card through the platform's renderer."""
        async with self.store.read() as unit:
            if card.visit_id is not None:
                return await self._visit_card(unit, card)
            if card.wish_id is None:
                return None
            view = await unit.wishes.view(card.wish_id)
            if view is None:
                return None
            if card.notice is None:
                return self.render(view, card, self.lang), view.wish.version
            try:
                notice = decode(card.notice).notice
            except NoticeError as error:
                log.error("card %s holds an unreadable notice (%s)", card.id, error)
                return None
            if not isinstance(notice, FollowedCard):
                return None
            rendered = await render_claim_card(unit, notice)
        return rendered

    @staticmethod
    async def _visit_card(unit: Unit, card: CardRow) -> tuple[OutgoingMessage, int] | None:
        """A visit's review card, drawn from its notice and the visit as it stands."""
        try:
            notice = decode(card.notice or "").notice
        except NoticeError as error:
            log.error("card %s holds an unreadable notice (%s)", card.id, error)
            return None
        return await render_visit_card(unit, notice) if isinstance(notice, VisitReviewCard) else None

    async def _edit(self, card: CardRow) -> None:
        self._last_edit[card.id] = self._monotonic()
        found = await self._message(card)
        if found is None:
            return
        message, version = found
        try:
            await self.gateway.edit(card.chat, card.message_id, message)
        except RetryLater as error:
            self._chat_paused_until[card.chat.chat_id] = self._monotonic() + error.retry_after
            return
        except EditUnavailable as error:
            log.info("card %s waits for a fresh edit handle (%s)", card.id, error)
            self._waiting[card.id] = card.message_id
            return
        except DeliveryError as error:
            log.info("card %s can no longer be edited (%s); forgetting it", card.id, error)
            async with self.store.unit() as unit:
                await unit.cards.drop(card.id)
            return
        except Exception:
            log.exception("editing card %s failed", card.id)
            return
        self.edits += 1
        self._waiting.pop(card.id, None)
        async with self.store.unit() as unit:
            await unit.cards.mark_rendered(card.id, version, self.clock.now())

    async def run(self, stop: asyncio.Event, idle_wait: float = 30.0) -> None:
        """Keep cards current until ``stop`` is set."""
        while not stop.is_set():
            self._wake.clear()
            try:
                wait = await self.sync_due()
            except Exception:
                log.exception("card sync pass failed")
                wait = None
            timeout = idle_wait if wait is None else max(0.01, wait)
            try:
                await asyncio.wait_for(_either(self._wake, stop), timeout=timeout)
            except TimeoutError:
                continue
