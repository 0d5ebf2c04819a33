"""Keeping wish cards current: edits of one card are coalesced, and always end on the wish's true final state."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.delivery.claim_cards import render_claim_card, render_visit_card
from bot.delivery.emergency import BoardSync
from bot.delivery.follow import FollowSync
from bot.delivery.outbox import _either
from bot.delivery.pacing import RateLimiter
from bot.domain.model import WishView
from bot.notices.outbox import FollowedCard, NoticeError, VisitReviewCard, decode
from bot.notices.views import posted_card
from bot.ports.chat import ChatGateway, OutgoingMessage
from bot.ports.clock import Clock
from bot.ports.storage import CardRow, Store, Unit

log = logging.getLogger(__name__)

CardRenderer = Callable[[WishView, CardRow, str], OutgoingMessage]


def default_renderer(view: WishView, card: CardRow, lang: str) -> OutgoingMessage:
    """A wish card shows the wish with masked phones and its buttons (a group card also its secretaries' ones)."""
    return posted_card(view, lang, in_group=card.kind == "group")


class CardSync(FollowSync[CardRow]):
    """Edits stale cards of one platform at most once per ``interval`` seconds each, within the chat's budget.

    With a ``limiter`` (shared with the platform's outbox delivery) edits of many cards in one group are spread
    over the group's message budget instead of running into flood control; a 429 pauses that chat only. The loop
    is :class:`FollowSync`'s, which also keeps the emergency boards and prompts (``boards``) current.
    """

    what = "card"

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
        super().__init__(store, gateway, clock, interval=interval, limiter=limiter, monotonic=monotonic)
        self.lang = lang
        self.render = render
        self._wake = asyncio.Event()
        self.boards = BoardSync(store, gateway, clock, interval=interval, limiter=limiter, monotonic=monotonic)
        """The emergency boards and prompts of the same platform, kept current by the same loop."""

    def poke(self) -> None:
        """A wish changed: look for stale cards now."""
        self._wake.set()

    async def sync_due(self) -> float | None:
        """Edit every stale card, board or prompt whose last edit is old enough; seconds until the next may be."""
        boards = await self.boards.sync_due()
        cards = await super().sync_due()
        return min((w for w in (boards, cards) if w is not None), default=None)

    async def stale(self) -> list[CardRow]:
        """Cards showing an older version of their wish."""
        async with self.store.read() as unit:
            return await unit.cards.stale(self.gateway.platform, limit=200)

    async def draw(self, card: CardRow) -> tuple[OutgoingMessage, int] | None:
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

    async def mark(self, card: CardRow, version: int) -> None:
        """Record the wish version the card shows."""
        async with self.store.unit() as unit:
            await unit.cards.mark_rendered(card.id, version, self.clock.now())

    async def drop(self, card: CardRow) -> None:
        """Forget a card that can no longer be edited."""
        async with self.store.unit() as unit:
            await unit.cards.drop(card.id)

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
