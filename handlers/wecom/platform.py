"""The WeCom platform as the app runs it: callback server, gateway, outbox delivery and card sync, started together."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.config import WeComConfig
from bot.delivery.cards import CardSync
from bot.delivery.outbox import NoticeRenderer, OutboxDelivery
from bot.domain.model import ChatRef
from bot.ports.clock import Clock
from bot.ports.storage import Store
from bot.usecases import UseCases
from handlers.wecom.api import DEFAULT_API_BASE_URL, WeComApi
from handlers.wecom.callback_server import CallbackServer
from handlers.wecom.crypto import CallbackCrypto
from handlers.wecom.events import WeComEvent
from handlers.wecom.gateway import PLATFORM, WeComGateway
from handlers.wecom.router import WeComRouter
from handlers.wecom.session import SharedSession

log = logging.getLogger(__name__)


class WeComPlatform:
    """One WeCom self-built app (自建应用) serving the shared use cases."""

    def __init__(
        self,
        config: WeComConfig,
        usecases: UseCases,
        store: Store,
        clock: Clock,
        *,
        lang: str = "zh",
        card_interval: float = 3.0,
        idle_wait: float = 30.0,
        renderer: NoticeRenderer | None = None,
    ) -> None:
        self.config = config
        self.usecases = usecases
        self.store = store
        self.clock = clock
        self.lang = lang
        self.idle_wait = idle_wait
        self.api = WeComApi(
            config.corp_id,
            config.secret,
            config.agent_id,
            api_base_url=config.api_base_url or DEFAULT_API_BASE_URL,
            session=SharedSession(usecases),
        )
        self.gateway = WeComGateway(self.api, self._is_group, clock, lang=lang)
        self.delivery = OutboxDelivery(
            store, self.gateway, clock, lang=lang, renderer=renderer, pass_size=self.gateway.max_recipients
        )
        self.card_sync = CardSync(store, self.gateway, clock, interval=card_interval, lang=lang)
        self.router = WeComRouter(usecases, self.api, self.gateway, admins=config.admins, changed=self.poke)
        self.server = CallbackServer(
            CallbackCrypto(config.token, config.aes_key, config.corp_id),
            self._on_event,
            listen=config.listen,
            port=config.port,
            path=config.path,
            seen=self._seen,
            max_clock_skew=config.max_clock_skew_seconds,
        )
        self._groups: dict[str, bool] = {}
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, *, lead: bool = True) -> None:
        """Serve callbacks and (when ``lead``) start delivering the outbox and keeping cards current."""
        await self.server.start()
        if lead:
            await self.lead()
        log.info("WeCom callback listening on %s", self.server.url)

    async def lead(self) -> None:
        """Start delivering the outbox and keeping cards current: this instance leads."""
        if self._tasks:
            return
        self.delivery.take_over()
        self._stop = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self.delivery.run(self._stop, self.idle_wait), name="wecom-delivery"),
            asyncio.create_task(self.card_sync.run(self._stop, self.idle_wait), name="wecom-cards"),
        ]
        self.poke()

    async def follow(self) -> None:
        """Stop delivering at once, mid-pass: another instance leads (a send in flight may be repeated by it)."""
        self._stop.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Stop taking callbacks, let running handlers finish, stop the loops and close the API client."""
        await self.server.stop()
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.api.aclose()

    def poke(self) -> None:
        """Something was recorded: deliver and sync cards now."""
        self.delivery.poke()
        self.card_sync.poke()

    async def _on_event(self, event: WeComEvent) -> None:
        await self.router.handle(event)
        self.poke()

    async def _seen(self, key: str) -> bool:
        return not await self.usecases.first_time(PLATFORM, key)

    async def _is_group(self, chat: ChatRef) -> bool:
        known = self._groups.get(chat.chat_id)
        if known is None:
            known = (
                await self.usecases.branch_of_chat(chat) is not None
                or await self.usecases.committee_of_chat(chat) is not None
            )
            if known:
                self._groups[chat.chat_id] = known
        return known
