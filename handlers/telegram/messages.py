"""Plain messages (not commands): wish posts, answers to the current conversation step, shared contacts, photos."""

from __future__ import annotations

from html import escape

from telegram import Message, ReplyKeyboardRemove, Update, User
from telegram.ext import ContextTypes

from bot.domain.emergency import read_answer
from bot.domain.errors import DomainError
from bot.flows import draft
from bot.flows.base import Input, Photo, Text
from bot.flows.runner import Reply
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.telegram.context import reply
from handlers.telegram.conversation import show
from handlers.telegram.emergency import EmergencyHandlers
from handlers.telegram.flows import Flows
from handlers.telegram.render import error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import is_private, is_wish_text


class Messages(Flows):
    """Routes a message to the flow it belongs to."""

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A ``#微心愿`` post anywhere, or (privately) an answer to an open emergency call (可到 / 稍后可到 / 不可),
        else the answer to the current question."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = message.text or message.caption or ""
        if is_wish_text(text):
            await self.wishes.from_message(message, user, text)
            return
        if not is_private(message):
            if draft.is_count(text):
                await self._draft_answer(message, user, text)
            return
        ctx = await self.adapter.ctx(user)
        typed = read_answer(text) if not message.photo else None
        if typed is not None and await EmergencyHandlers(self.adapter).answer_text(
            message, ctx.actor, ctx.lang, *typed
        ):
            return
        given: Input = Photo(message.photo[-1].file_id, text) if message.photo else Text(text)
        answer = await self.adapter.conversations.feed(ctx, given)
        if answer is None:
            if text and await self.adapter.usecases.note_emergency(cmd.NoteEmergency(ctx.actor, text)):
                self.adapter.changed()
                await reply(message, t("em.note_saved", ctx.lang))
                return
            await reply(message, t("tg.start.welcome", ctx.lang))
            return
        await self._shown(message, answer, ctx.lang)

    async def _draft_answer(self, message: Message, user: User, text: str) -> None:
        """A count sent in a group answers the sender's kept draft, if its question is open."""
        ctx = await self.adapter.ctx(user)
        answer = await self.adapter.conversations.answer_draft(ctx, text)
        if answer is not None:
            await self._shown(message, answer, ctx.lang)

    async def _shown(self, message: Message, answer: Reply, lang: str) -> None:
        """A conversation's reply, and what a posted wish or a kept draft says."""
        await show(self.adapter, answer, lang, message)
        if isinstance(answer.outcome, outcomes.WishPosted | outcomes.WishNeedsFix):
            await self.wishes.posted(message, lang, answer.outcome)

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
