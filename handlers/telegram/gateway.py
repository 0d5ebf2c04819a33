"""The ChatGateway over the Bot API: sends and edits messages, and turns Telegram's failures into the domain's."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.domain.model import ChatRef
from bot.ports.chat import DeliveryError, OutgoingMessage, RecipientUnreachable, RetryLater
from handlers.telegram.render import clip, keyboard, with_mention

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
NETWORK_RETRY = 2.0
Migrated = Callable[[str, str], Awaitable[None]]


def seconds(value: int | float | timedelta) -> float:
    """A retry_after as seconds, whichever type PTB gives."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


MAX_FILE_BYTES = 50_000_000


class TelegramGateway:
    """Sends the domain's messages with HTML and inline keyboards; follows migrated groups once."""

    max_file_bytes = MAX_FILE_BYTES
    """The Bot API's upload limit for documents (photos allow 10 MB; the bot's charts are far below)."""

    def __init__(self, bot: Bot, *, on_migrated: Migrated | None = None, platform: str = "telegram") -> None:
        self.bot = bot
        self.platform = platform
        self.on_migrated = on_migrated

    async def send(self, chat: ChatRef, message: OutgoingMessage) -> str:
        """Send text (and files) with buttons; returns the id of the message carrying the buttons."""
        sent = await self._call(chat, lambda chat_id: self._send(chat_id, chat.thread_id, message))
        if message.pin:
            await self._pin(sent)
        return str(sent.message_id)

    async def _pin(self, sent: Message) -> None:
        """Pin an emergency call in its group; a bot that may not pin there still sent it, so that is only logged."""
        try:
            await self.bot.pin_chat_message(sent.chat_id, sent.message_id, disable_notification=False)
        except TelegramError as error:
            log.info("could not pin message %s in %s: %s", sent.message_id, sent.chat_id, error)

    async def edit(self, chat: ChatRef, message_id: str, message: OutgoingMessage) -> None:
        """Replace a card's text (a photo's caption) and buttons; an unchanged card is success, a vanished one a
        DeliveryError."""
        if message.photo_ref:
            await self._call(
                chat,
                lambda chat_id: self.bot.edit_message_caption(
                    chat_id=chat_id,
                    message_id=int(message_id),
                    caption=clip(message.text, CAPTION_LIMIT),
                    parse_mode="HTML",
                    reply_markup=keyboard(message.buttons),
                ),
            )
            return
        await self._call(
            chat,
            lambda chat_id: self.bot.edit_message_text(
                clip(message.text),
                chat_id=chat_id,
                message_id=int(message_id),
                parse_mode="HTML",
                reply_markup=keyboard(message.buttons),
            ),
        )

    async def _send(self, chat_id: str, thread_id: str | None, message: OutgoingMessage) -> Message:
        common: dict[str, Any] = {"chat_id": chat_id, "parse_mode": "HTML"}
        if thread_id is not None:
            common["message_thread_id"] = int(thread_id)
        markup = keyboard(message.buttons)
        text = with_mention(message.text, message.mention)
        if message.photo_ref and not message.attachments:
            return await self._send_photo_ref(message.photo_ref, text, markup, common)
        if not message.attachments:
            return await self.bot.send_message(text=clip(text), reply_markup=markup, **common)
        last: Message | None = None
        caption = text if len(text) <= CAPTION_LIMIT else None
        if caption is None:
            last = await self.bot.send_message(text=clip(text), **common)
        for index, attachment in enumerate(message.attachments):
            final = index == len(message.attachments) - 1
            extra: dict[str, Any] = {"caption": caption if index == 0 else None}
            if final:
                extra["reply_markup"] = markup
            file = InputFile(attachment.content, filename=attachment.filename)
            if attachment.is_image:
                last = await self.bot.send_photo(photo=file, **common, **extra)
            else:
                last = await self.bot.send_document(document=file, **common, **extra)
        assert last is not None
        return last

    async def _send_photo_ref(
        self, photo: str, text: str, markup: InlineKeyboardMarkup | None, common: dict[str, Any]
    ) -> Message:
        """A photo Telegram already holds, with the text as its caption (or, when too long, the text after it).

        A photo Telegram no longer knows is left out rather than holding the text back.
        """
        try:
            if len(text) <= CAPTION_LIMIT:
                return await self.bot.send_photo(photo=photo, caption=text, reply_markup=markup, **common)
            await self.bot.send_photo(photo=photo, **common)
        except BadRequest as error:
            if "file" not in error.message.lower():
                raise
            log.warning("photo %s could not be sent (%s); sending the text alone", photo, error.message)
        return await self.bot.send_message(text=clip(text), reply_markup=markup, **common)

    async def _call(self, chat: ChatRef, action: Callable[[str], Awaitable[Any]]) -> Any:
        chat_id = chat.chat_id
        for attempt in range(2):
            try:
                return await action(chat_id)
            except ChatMigrated as error:
                new_id = str(error.new_chat_id)
                log.info("chat %s migrated to %s; following it", chat_id, new_id)
                if self.on_migrated is not None:
                    await self.on_migrated(chat_id, new_id)
                if attempt:
                    raise DeliveryError(f"chat {chat_id} migrated again") from error
                chat_id = new_id
            except RetryAfter as error:
                raise RetryLater(seconds(error.retry_after), str(error)) from error
            except Forbidden as error:
                raise RecipientUnreachable(error.message) from error
            except BadRequest as error:
                text = error.message.lower()
                if "message is not modified" in text:
                    return None
                if "chat not found" in text:
                    raise RecipientUnreachable(error.message) from error
                raise DeliveryError(error.message) from error
            except (TimedOut, NetworkError) as error:
                raise RetryLater(NETWORK_RETRY, str(error)) from error
        raise DeliveryError("unreachable")
