"""What every Telegram handler shares: the use cases, the delivery loops to poke, and how to reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, User
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery.cards import CardSync
from bot.delivery.outbox import OutboxDelivery
from bot.domain.model import Account
from bot.flows.base import Ctx
from bot.flows.runner import Conversations
from bot.usecases import UseCases
from handlers.telegram.gateway import CAPTION_LIMIT, seconds
from handlers.telegram.render import clip, toast
from handlers.telegram.texts import t
from handlers.telegram.updates import account_of, is_private, start_link

log = logging.getLogger(__name__)
T = TypeVar("T")
PATIENCE = 4
MAX_WAIT = 10.0
ANSWER_TRIES = 4
ANSWER_BACKOFF = 0.5
"""A tap's answer that fails in transit (a timeout, a dropped connection, a 5xx) is sent again: answering a query
twice is harmless (Telegram refuses the second), and a tap left unanswered spins on the member's screen."""

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass
class Adapter:
    """The Telegram adapter's dependencies, handed to every handler."""

    bot: Bot
    usecases: UseCases
    delivery: OutboxDelivery
    cards: CardSync
    admins: frozenset[int] = frozenset()
    bot_username: str = ""

    def changed(self) -> None:
        """State changed: send what the use cases enqueued and refresh cards now, not at the next tick."""
        self.delivery.poke()
        self.cards.poke()

    async def who(self, user: User) -> tuple[Account, str]:
        """The acting account and the language to answer it in."""
        account = account_of(user)
        return account, await self.usecases.language_of(account)

    @property
    def conversations(self) -> Conversations:
        """The multi-step conversations, stored through the use cases."""
        return Conversations(self.usecases)

    async def ctx(self, user: User) -> Ctx:
        """The conversation context of this person: account, language, bot admin or not."""
        account, lang = await self.who(user)
        return Ctx(account, lang, self.is_bot_admin(user))

    def is_bot_admin(self, user: User) -> bool:
        """Whether the user is one of the configured bot admins (``telegram.admins``)."""
        return user.id in self.admins


async def patiently(call: Callable[[], Awaitable[T]], what: str) -> T | None:
    """Run a direct Bot API call, waiting out a flood limit of this chat a few times; other failures are logged."""
    for _ in range(PATIENCE):
        try:
            return await call()
        except RetryAfter as error:
            await asyncio.sleep(min(seconds(error.retry_after), MAX_WAIT))
        except TelegramError as error:
            log.warning("could not %s: %s", what, error)
            return None
    log.warning("gave up trying to %s after flood limits", what)
    return None


async def reply(message: Message, text: str, markup: Markup | None = None) -> Message | None:
    """Answer a person's own message directly (HTML); a failure is logged, never raised into the handler."""
    return await patiently(
        lambda: message.reply_text(clip(text), parse_mode="HTML", reply_markup=markup), f"reply in {message.chat_id}"
    )


@dataclass
class Tap:
    """A button press being handled: answered exactly once, with a toast, an alert or a start link."""

    query: CallbackQuery
    answered: bool = False

    async def answer(self, text: str = "", *, alert: bool = False, url: str | None = None) -> None:
        """Answer the press (a second answer is ignored); Telegram's refusal is logged, not raised."""
        if self.answered:
            return
        self.answered = True
        for attempt in range(ANSWER_TRIES):
            try:
                await self.query.answer(toast(text) or None, show_alert=alert, url=url)
                return
            except RetryAfter as error:
                await asyncio.sleep(min(seconds(error.retry_after), MAX_WAIT))
            except BadRequest as error:
                log.warning("could not answer callback %s: %s", self.query.id, error)
                return
            except NetworkError as error:
                log.warning("answering callback %s failed (%s); trying again", self.query.id, error)
                await asyncio.sleep(ANSWER_BACKOFF * 2**attempt)
            except TelegramError as error:
                log.warning("could not answer callback %s: %s", self.query.id, error)
                return
        log.warning("gave up answering callback %s", self.query.id)

    async def edit_text(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the text (a photo's caption) and buttons of the message the button was on."""
        message = self.message
        if message is not None and message.text is None and message.caption is not None:
            await patiently(
                lambda: self.query.edit_message_caption(
                    clip(text, CAPTION_LIMIT), parse_mode="HTML", reply_markup=markup
                ),
                "edit a caption",
            )
            return
        await patiently(
            lambda: self.query.edit_message_text(clip(text), parse_mode="HTML", reply_markup=markup), "edit a message"
        )

    async def edit_buttons(self, markup: InlineKeyboardMarkup | None) -> None:
        """Replace only the buttons of the message the button was on."""
        await patiently(lambda: self.query.edit_message_reply_markup(markup), "edit buttons")

    @property
    def message(self) -> Message | None:
        """The message the button was on, when it is still accessible."""
        message = self.query.message
        return message if isinstance(message, Message) else None


async def privately(
    adapter: Adapter, message: Message, user: User, lang: str, send: Callable[[int], Awaitable[object]]
) -> None:
    """Send a staff-only answer to the person's private chat; a group sees only a short pointer, never the content.

    When the person never opened a private chat with the bot, the group is told how to, and nothing else.
    """
    if is_private(message):
        await send(message.chat_id)
        return
    try:
        await send(user.id)
    except Forbidden:
        link = start_link(adapter.bot_username, "")
        await reply(message, t("tg.private.open_first", lang, link=link))
        return
    await reply(message, t("tg.private.sent", lang))
