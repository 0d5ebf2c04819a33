"""After the service: a member reports hours and a note or photo; a secretary gives a reason when returning it."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from telegram import Message, User

from bot.domain.errors import DomainError, InvalidInput
from bot.domain.model import Account
from bot.usecases import commands as cmd
from handlers.telegram.context import Services, reply
from handlers.telegram.render import error_text
from handlers.telegram.texts import t

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def read_hours(text: str) -> float | None:
    """The first number in a reply like "1.5", "2小时" or "1,5 h"; None when there is none."""
    found = _NUMBER.search(text)
    return float(found.group().replace(",", ".")) if found else None


class ServiceSteps:
    """The questions asked after "已完成" (hours, then an optional note or photo) and after "退回" (a reason)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def ask_hours(self, message: Message, account: Account, lang: str, claim_id: int) -> None:
        """Begin reporting a claim done."""
        await self.services.usecases.set_conversation(account, {"flow": "done", "step": "hours", "claim": claim_id})
        await reply(message, t("tg.done.hours", lang))

    async def ask_reason(self, message: Message, account: Account, lang: str, claim_id: int) -> None:
        """Begin returning a reported service."""
        await self.services.usecases.set_conversation(account, {"flow": "return", "claim": claim_id})
        await reply(message, t("tg.review.reason", lang))

    async def on_done_input(
        self, message: Message, user: User, state: dict[str, Any], text: str, photo: str | None = None
    ) -> None:
        """Hours first, then the note (text, a photo with caption, or /skip); then the secretaries are asked."""
        account, lang = await self.services.who(user)
        if state.get("step") == "hours":
            hours = read_hours(text)
            if hours is None or not 0 < hours <= 24:
                await reply(message, error_text(InvalidInput(field="hours"), lang))
                return
            await self.services.usecases.set_conversation(account, {**state, "step": "note", "hours": hours})
            await reply(message, t("tg.done.note", lang))
            return
        await self.finish_done(message, account, lang, state, note=text, photo=photo)

    async def finish_done(
        self, message: Message, account: Account, lang: str, state: dict[str, Any], *, note: str, photo: str | None
    ) -> None:
        """Report the service done with what was collected."""
        try:
            done = await self.services.usecases.mark_done(
                cmd.MarkDone(account, int(state["claim"]), float(state["hours"]), note, photo)
            )
        except DomainError as error:
            await self.services.usecases.set_conversation(account, None)
            await reply(message, error_text(error, lang))
            return
        await self.services.usecases.set_conversation(account, None)
        self.services.changed()
        await reply(message, t("tg.done.sent", lang, id=done.wish.id))

    async def on_reason(self, message: Message, user: User, state: dict[str, Any], text: str) -> None:
        """The reason for returning a service; the member is told and may report again."""
        account, lang = await self.services.who(user)
        await self.services.usecases.set_conversation(account, None)
        try:
            await self.services.usecases.return_service(cmd.ReturnService(account, int(state["claim"]), text))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.services.changed()
        await reply(message, t("tg.review.returned", lang, reason=escape(text)))
