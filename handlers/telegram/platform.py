"""The Telegram platform as the composition root sees it: builds the PTB Application, runs it and the delivery loops."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeDefault, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config import TelegramConfig
from bot.delivery.cards import CardSync
from bot.delivery.outbox import NoticeRenderer, OutboxDelivery
from bot.delivery.pacing import Budget, RateLimiter
from bot.domain.errors import DomainError, StorageUnavailable
from bot.i18n import LANGUAGES
from bot.ports.chat import PlatformRefused, PlatformUnavailable
from bot.ports.clock import Clock, SystemClock
from bot.ports.storage import Store
from bot.usecases import UseCases
from handlers.telegram.buttons import Buttons, records_itself
from handlers.telegram.command_handlers import Commands
from handlers.telegram.context import Adapter, Tap, reply
from handlers.telegram.direct_pace import DirectPace
from handlers.telegram.emergency import CHINESE_COMMAND, EmergencyHandlers
from handlers.telegram.gateway import TelegramGateway
from handlers.telegram.menus import menu
from handlers.telegram.messages import Messages
from handlers.telegram.pairings import BUTTON_PATTERN as PAIRING_BUTTONS
from handlers.telegram.pairings import PairingCommands
from handlers.telegram.records import BUTTON_PATTERN, CHECKIN_ALIAS, GRIDWORKER_ALIAS, RecordsHandlers
from handlers.telegram.render import error_text
from handlers.telegram.reports import Reports
from handlers.telegram.setup import SetupHandlers
from handlers.telegram.updates import PLATFORM, update_key
from handlers.telegram.webhook import WebhookServer, publish
from handlers.telegram.wishes import WishPosting

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_BASE_FILE_URL = "https://api.telegram.org/file/bot"
CONCURRENT_UPDATES = 16
SENDER_CONNECTIONS = 32
SENDER_POOL_WAIT = 30.0
OVERALL = Budget(30, 1.0)
PER_GROUP = Budget(20, 60.0)
PER_PRIVATE = Budget(1, 1.0)
HEADROOM = 0.1


def telegram_pace(
    overall: Budget = OVERALL, per_group: Budget = PER_GROUP, per_private: Budget = PER_PRIVATE
) -> RateLimiter:
    """Telegram's limits for bots (about 30 messages a second overall, 20 a minute per group, 1 a second per user).

    A tenth of each is kept unused: Telegram counts messages when they arrive, and a slow request followed by fast
    ones arrives bunched.
    """
    return RateLimiter(overall=overall, per_group=per_group, per_private=per_private, headroom=HEADROOM)


class TelegramPlatform:
    """One Telegram bot: polling (or a webhook), outbox delivery and card sync, started and stopped together.

    PTB's AIORateLimiter is not used: on a 429 it holds back every request of the bot, while OutboxDelivery and
    CardSync pause only the chat that was limited (the gateway turns RetryAfter into RetryLater for them).
    The outbox is paced to Telegram's limits (``[telegram] pace``), so such 429s stay rare.

    Outbox delivery and card edits go through their own Bot and connection pool (``sender``): httpcore scans every
    pooled connection on each request, so keeping the background sends' connections out of the pool that answers
    taps makes each answer cheaper, and a delivery backlog never makes a tap wait for a free connection.
    """

    def __init__(
        self,
        config: TelegramConfig,
        usecases: UseCases,
        store: Store,
        clock: Clock | None = None,
        *,
        lang: str = "zh",
        poll_timeout: float = 10.0,
        idle_wait: float = 30.0,
        limiter: RateLimiter | None = None,
        renderer: NoticeRenderer | None = None,
    ) -> None:
        self.config = config
        self.usecases = usecases
        self.store = store
        self.clock = clock or SystemClock()
        self.lang = lang
        self.poll_timeout = poll_timeout
        self.idle_wait = idle_wait
        builder = (
            Application.builder()
            .token(config.token)
            .base_url(config.base_url or DEFAULT_BASE_URL)
            .base_file_url(config.base_file_url or DEFAULT_BASE_FILE_URL)
            .concurrent_updates(CONCURRENT_UPDATES)
        )
        if config.proxy:
            builder = builder.proxy(config.proxy).get_updates_proxy(config.proxy)
        pace = (limiter or telegram_pace()) if config.pace else None
        if pace is not None:
            builder = builder.rate_limiter(DirectPace(pace))
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.sender = Bot(
            config.token,
            base_url=config.base_url or DEFAULT_BASE_URL,
            base_file_url=config.base_file_url or DEFAULT_BASE_FILE_URL,
            request=HTTPXRequest(
                connection_pool_size=SENDER_CONNECTIONS, pool_timeout=SENDER_POOL_WAIT, proxy=config.proxy
            ),
        )
        self.gateway = TelegramGateway(self.sender, on_migrated=self._follow_migration, platform=PLATFORM)
        self.delivery = OutboxDelivery(
            store,
            self.gateway,
            self.clock,
            lang=lang,
            limiter=pace,
            foreground_busy=self._saturated,
            renderer=renderer,
        )
        self.cards = CardSync(
            store, self.gateway, self.clock, interval=config.card_edit_interval, lang=lang, limiter=pace
        )
        self.adapter = Adapter(
            bot=self.application.bot,
            usecases=usecases,
            delivery=self.delivery,
            cards=self.cards,
            admins=frozenset(config.admins),
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.webhook: WebhookServer | None = None
        self._register()

    def _saturated(self) -> bool:
        """Whether every update slot is taken, so taps are queueing: background sends then give way."""
        processor = self.application.update_processor
        return processor.current_concurrent_updates >= processor.max_concurrent_updates

    def _register(self) -> None:
        adapter = self.adapter
        wishes = WishPosting(adapter)
        setup = SetupHandlers(adapter)
        commands = Commands(adapter, wishes)
        messages = Messages(adapter, wishes)
        emergency = EmergencyHandlers(adapter)
        buttons = Buttons(adapter, wishes, setup, emergency)
        reports = Reports(adapter)
        records = RecordsHandlers(adapter)
        app = self.application
        app.add_handler(TypeHandler(Update, self._only_once), group=-1)
        new = filters.UpdateType.MESSAGE
        for name, callback in {
            "start": commands.start,
            "help": commands.help,
            "register": commands.register,
            "wish": commands.wish,
            "me": commands.me,
            "mine": commands.mine,
            "wishes": commands.wishes_list,
            "atrisk": commands.atrisk,
            "lang": commands.lang,
            "mydata": commands.mydata,
            "leave": commands.leave,
            "cancel": commands.cancel,
            "close": commands.close,
            "manage": commands.manage,
            "extend": commands.extend,
            "skip": commands.skip,
            "committee": setup.committee,
            "branch": setup.branch,
            "secretary": setup.secretary,
            "join": setup.join,
            "digest": reports.digest,
            "export": reports.export,
            **PairingCommands(adapter, wishes).handlers(),
            # emergency mode (战时应急)
            "emergency": emergency.emergency,
            "headcount": emergency.headcount,
            "post": emergency.post,
            "signin": records.signin,
            "checkin": records.checkin,
            "certificate": records.certificate,
            "verify": records.verify,
            "correct": records.correct,
            "gridworker": records.gridworker,
            "answer": emergency.answer_command,
        }.items():
            app.add_handler(CommandHandler(name, callback, filters=new))
        app.add_handler(MessageHandler(new & filters.Regex(CHINESE_COMMAND), emergency.chinese))
        app.add_handler(CallbackQueryHandler(records.button, pattern=BUTTON_PATTERN))
        app.add_handler(CallbackQueryHandler(PairingCommands(adapter, wishes).button, pattern=PAIRING_BUTTONS))
        app.add_handler(CallbackQueryHandler(buttons.handle))
        app.add_handler(ChatMemberHandler(setup.membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, setup.migrated))
        app.add_handler(MessageHandler(new & filters.CONTACT, messages.contact))
        app.add_handler(MessageHandler(new & filters.Regex(CHECKIN_ALIAS), records.checkin_alias))
        app.add_handler(MessageHandler(new & filters.Regex(GRIDWORKER_ALIAS), records.gridworker_alias))
        app.add_handler(MessageHandler(new & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND, messages.text))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, messages.edited))
        app.add_error_handler(self._on_error)

    def poke(self) -> None:
        """Something was recorded: deliver it and refresh cards now."""
        self.adapter.changed()

    async def _only_once(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A replayed update (the same update_id again after a restart) is dropped before any handler sees it."""
        if records_itself(update):
            return
        try:
            first = await self.usecases.first_time(PLATFORM, update_key(update.update_id))
        except StorageUnavailable:
            return  # the handler's own write is refused too, and answered: nothing is half-done
        if not first:
            log.info("update %s was already handled; skipping it", update.update_id)
            raise ApplicationHandlerStop

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A refusal that escaped a handler (the database refused to store the update itself) still gets its answer."""
        error = context.error
        if isinstance(error, DomainError) and isinstance(update, Update):
            log.warning("update %s could not be handled: %s", update.update_id, type(error).__name__)
            lang = (await self.adapter.who(update.effective_user))[1] if update.effective_user else "zh"
            text = error_text(error, lang)
            if update.callback_query is not None:
                await Tap(update.callback_query).answer(text, alert=True)
            elif update.effective_message is not None:
                await reply(update.effective_message, text)
            return
        log.error("handling update %r failed", getattr(update, "update_id", None), exc_info=error)

    async def _follow_migration(self, old_chat_id: str, new_chat_id: str) -> None:
        await self.usecases.chat_migrated(PLATFORM, old_chat_id, new_chat_id)

    async def start(self, *, lead: bool = True) -> None:
        """Connect, set the command menus, receive updates and (when ``lead``) start delivering the outbox and card
        edits."""
        app = self.application
        try:
            await app.initialize()
            await self.sender.initialize()
        except InvalidToken:
            raise PlatformRefused("platform.telegram_token", reason="401 Unauthorized") from None
        except TelegramError as error:
            raise PlatformUnavailable(f"Telegram: {error.message}") from error
        self.adapter.bot_username = app.bot.username
        await self._set_menus()
        await app.start()
        assert app.updater is not None
        webhook = self.config.webhook
        if webhook is None:
            await app.updater.start_polling(
                poll_interval=0.0, timeout=int(self.poll_timeout), allowed_updates=Update.ALL_TYPES
            )
        else:
            self.webhook = WebhookServer(
                app, listen=webhook.listen, port=webhook.port, path="telegram", secret_token=webhook.secret_token
            )
            await self.webhook.start()
            await publish(app.bot, self.usecases, webhook.url, webhook.secret_token, Update.ALL_TYPES)
        if lead:
            await self.lead()

    async def lead(self) -> None:
        """Start delivering the outbox and keeping cards current: this instance leads."""
        if self._tasks:
            return
        self.delivery.take_over()
        self._stop = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self.delivery.run(self._stop, idle_wait=self.idle_wait), name="telegram-outbox"),
            asyncio.create_task(self.cards.run(self._stop, idle_wait=self.idle_wait), name="telegram-cards"),
        ]
        self.adapter.changed()

    async def follow(self) -> None:
        """Stop delivering at once, mid-pass: another instance leads (a send in flight may be repeated by it)."""
        self._stop.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _set_menus(self) -> None:
        scopes = (
            ("private", BotCommandScopeDefault()),
            ("private", BotCommandScopeAllPrivateChats()),
            ("group", BotCommandScopeAllGroupChats()),
        )
        for kind, scope in scopes:
            for lang in LANGUAGES:
                try:
                    await self.application.bot.set_my_commands(
                        menu(kind, lang), scope=scope, language_code=None if lang == self.lang else lang
                    )
                except TelegramError as error:
                    log.warning("could not set the %s command menu: %s", kind, error)

    async def stop(self) -> None:
        """Stop receiving, let the loops finish their pass, and close the connection."""
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        app = self.application
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await self.sender.shutdown()
