"""Direct replies paced like the outbox: the handlers' own messages spend the same chat and overall budgets."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import RateLimiter

MESSAGE_ENDPOINTS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendContact", "sendLocation", "sendVideo",
        "sendAudio", "sendVoice", "sendSticker", "sendAnimation", "sendPoll", "copyMessage", "forwardMessage",
        "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
    }
)  # fmt: skip
"""What Telegram counts against a chat's flood limit (answers to button presses and set-up calls are not)."""


class DirectPace(BaseRateLimiter[None]):
    """PTB's rate-limiter hook on the bot that answers updates, taking tokens from the outbox's pacer.

    Unlike PTB's AIORateLimiter it never holds back the whole bot on a 429: it only paces messages per chat and
    overall, with the buckets the outbox and the card sync already spend, so together they stay under the limits.
    """

    def __init__(self, pace: RateLimiter) -> None:
        self.pace = pace

    async def initialize(self) -> None:
        """Nothing to set up: the buckets live in the shared pacer."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat's and the bot's budget before a message, then send it."""
        chat_id = data.get("chat_id")
        if endpoint in MESSAGE_ENDPOINTS and chat_id is not None:
            await self.pace.acquire(str(chat_id))
        return await callback(*args, **kwargs)
