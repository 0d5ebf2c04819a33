"""Plain messages (not commands): wish posts, answers to the current conversation step, shared contacts, photos."""

from __future__ import annotations

from html import escape

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot.domain.errors import DomainError
from bot.usecases import commands as cmd
from handlers.telegram.context import reply
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
        account, lang = await self.services.who(user)
        state = await self.services.usecases.conversation(account)
        photo = message.photo[-1].file_id if message.photo else None
        if state is None:
            await reply(message, t("tg.start.welcome", lang))
        elif state.get("flow") == "report":
            if not text:
                await reply(message, t("tg.report.needs_text", lang))
                return
            await self.report_in.on_text(message, user, state, text)
        elif state.get("flow") == "done":
            await self.steps.on_done_input(message, user, state, text, photo)
        elif state.get("flow") == "return" and text:
            await self.steps.on_reason(message, user, state, text)
        else:
            await reply(message, t("tg.start.welcome", lang))

    async def contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One's own phone contact links the account to a pre-imported roster entry."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.contact is None:
            return
        account, lang = await self.services.who(user)
        if message.contact.user_id != user.id:
            await reply(message, error_text(DomainError(), lang))
            return
        state = await self.services.usecases.conversation(account) or {}
        try:
            linked = await self.services.usecases.link_phone(cmd.LinkPhone(account, message.contact.phone_number))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await self.services.usecases.set_conversation(account, None)
        self.services.changed()
        await reply(message, t("tg.report.linked", lang, name=escape(linked.member.name)), ReplyKeyboardRemove())
        if state.get("flow") == "report" and state.get("wish") is not None:
            await self.report_in.claim_after(message, account, lang, int(state["wish"]))

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edited commands are not re-run; an edited ``#微心愿`` is read again while its first version is a draft."""
        message, user = update.edited_message, update.effective_user
        if message is None or user is None:
            return
        if is_wish_text(message.text or message.caption):
            await self.wishes.edited(message, user)
