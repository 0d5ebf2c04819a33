"""Posting micro-wishes from Telegram: ``/wish``, ``#微心愿`` messages, the branch choice, and unreadable drafts."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.domain.errors import DomainError, NotSecretary
from bot.domain.model import Account, ChatRef
from bot.notices.callbacks import Act, encode
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.telegram.context import Services, reply
from handlers.telegram.render import error_text, problem_text
from handlers.telegram.texts import t
from handlers.telegram.updates import chat_of, is_anonymous_admin, is_private


class WishPosting:
    """Turns a secretary's message into a posted wish (card via the outbox) or a kept draft with its problems."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def from_message(self, message: Message, user: User, text: str) -> None:
        """A wish text sent in a branch group or privately (then the branch is chosen if there are several)."""
        account, lang = await self.services.who(user)
        if is_anonymous_admin(message):
            await reply(message, t("tg.anonymous_admin", lang))
            return
        if not text.strip():
            await reply(message, t("tg.wish.usage", lang))
            return
        if not is_private(message):
            branch = await self.services.usecases.branch_of_chat(chat_of(message))
            if branch is None:
                await reply(message, t("tg.not_branch", lang))
                return
            await self.post(message, account, lang, branch.id, text, chat_of(message))
            return
        roles = await self.services.usecases.roles(account)
        if len(roles.secretary_of) == 1:
            await self.post(message, account, lang, roles.secretary_of[0].id, text, None)
            return
        if not roles.secretary_of:
            await reply(message, error_text(NotSecretary(), lang))
            return
        await self.services.usecases.set_conversation(account, {"flow": "wish", "text": text})
        buttons = [
            [InlineKeyboardButton(b.name, callback_data=encode(Act.PICK_BRANCH, b.id))] for b in roles.secretary_of
        ]
        await reply(message, t("tg.wish.pick_branch", lang), InlineKeyboardMarkup(buttons))

    async def post(
        self, message: Message, account: Account, lang: str, branch_id: int, text: str, chat: ChatRef | None
    ) -> None:
        """Post the wish; say what could not be read when the parser refuses it."""
        try:
            result = await self.services.usecases.post_wish(cmd.PostWish(account, branch_id, text, chat))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.services.changed()
        if isinstance(result, outcomes.WishNeedsFix):
            lines = [t("tg.wish.needs_fix", lang)]
            lines += [f"· {problem_text(p, lang)}" for p in result.problems]
            lines.append(t("tg.wish.draft_kept", lang))
            await reply(message, "\n".join(lines))
            return
        if is_private(message) or result.notes:
            lines = [t("tg.wish.posted", lang, id=result.view.wish.id)]
            lines += [t("tg.wish.note", lang, text=problem_text(p, lang)) for p in result.notes]
            await reply(message, "\n".join(lines))

    async def edited(self, message: Message, user: User) -> None:
        """An edited ``#微心愿`` is read again only while its earlier version is a kept draft."""
        account, lang = await self.services.who(user)
        draft = await self.services.usecases.draft_of(account)
        if draft is None or draft[0] is None:
            return
        text = message.text or message.caption or ""
        await self.post(message, account, lang, draft[0], text, None if is_private(message) else chat_of(message))
