"""Plain messages (not commands): wish posts, answers to the current conversation step, shared contacts, photos."""

from __future__ import annotations

from html import escape

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot.domain.errors import DomainError
from bot.flows.base import Input, Photo, Text
from bot.usecases import commands as cmd
from handlers.telegram.context import reply
from handlers.telegram.conversation import show
from handlers.telegram.flows import Flows
from handlers.telegram.render import error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import is_private, is_wish_text


class Messages(Flows):
    """Routes a message to the flow it belongs to."""

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A ``#微心愿`` post anywhere, or (privately) the answer to the current question."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = message.text or message.caption or ""
        if is_wish_text(text):
            await self.wishes.from_message(message, user, text)
            return
        if not is_private(message):
            return
        ctx = await self.adapter.ctx(user)
        given: Input = Photo(message.photo[-1].file_id, text) if message.photo else Text(text)
        answer = await self.adapter.conversations.feed(ctx, given)
        if answer is None:
            await reply(message, t("tg.start.welcome", ctx.lang))
            return
        await show(self.adapter, answer, ctx.lang, message)

    async def contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One's own phone contact links the account to a pre-imported roster entry."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.contact is None:
            return
        ctx = await self.adapter.ctx(user)
        if message.contact.user_id != user.id:
            await reply(message, error_text(DomainError(), ctx.lang))
            return
        try:
            linked = await self.adapter.usecases.link_phone(cmd.LinkPhone(ctx.actor, message.contact.phone_number))
        except DomainError as error:
            await reply(message, error_text(error, ctx.lang))
            return
        self.adapter.changed()
        after = await self.adapter.conversations.linked(ctx)
        await reply(message, t("tg.report.linked", ctx.lang, name=escape(linked.member.name)), ReplyKeyboardRemove())
        for branch in (await self.adapter.usecases.roles(ctx.actor)).secretary_of:
            key = "tg.report.secretary_of" if branch.chat is not None else "tg.report.secretary_waiting"
            await reply(message, t(key, ctx.lang, branch=escape(branch.name)))
        await show(self.adapter, after, ctx.lang, message)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edited commands are not re-run; an edited ``#微心愿`` is read again while its first version is a draft."""
        message, user = update.edited_message, update.effective_user
        if message is None or user is None:
            return
        if is_wish_text(message.text or message.caption):
            await self.wishes.edited(message, user)
