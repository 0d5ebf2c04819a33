"""Posting micro-wishes from Telegram: ``/wish``, ``#微心愿`` messages, the branch choice, and unreadable drafts."""

from __future__ import annotations

from telegram import Message, User

from bot.domain.errors import DomainError, NotSecretary
from bot.domain.model import Account, ChatRef
from bot.flows import draft
from bot.flows.base import Ctx
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.recurring import series_posted_text
from handlers.telegram.context import Adapter, reply
from handlers.telegram.conversation import prompt_text, show
from handlers.telegram.render import error_text, problem_text
from handlers.telegram.texts import t
from handlers.telegram.updates import chat_of, is_anonymous_admin, is_private


class WishPosting:
    """Turns a secretary's message into a posted wish (card via the outbox) or a kept draft with its problems."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    async def from_message(self, message: Message, user: User, text: str) -> None:
        """A wish text sent in a branch group or privately (then the branch is chosen if there are several)."""
        account, lang = await self.adapter.who(user)
        if is_anonymous_admin(message):
            await reply(message, t("tg.anonymous_admin", lang))
            return
        if not text.strip():
            await reply(message, t("tg.wish.usage", lang))
            return
        if not is_private(message):
            branch = await self.adapter.usecases.branch_of_chat(chat_of(message))
            if branch is None:
                await reply(message, t("tg.not_branch", lang))
                return
            await self.post(message, account, lang, branch.id, text, chat_of(message))
            return
        roles = await self.adapter.usecases.roles(account)
        if len(roles.secretary_of) == 1:
            await self.post(message, account, lang, roles.secretary_of[0].id, text, None)
            return
        if not roles.secretary_of:
            await reply(message, error_text(NotSecretary(), lang))
            return
        ctx = await self.adapter.ctx(user)
        await show(
            self.adapter, await self.adapter.conversations.begin_wish(ctx, text, roles.secretary_of), lang, message
        )

    async def post(
        self, message: Message, account: Account, lang: str, branch_id: int, text: str, chat: ChatRef | None
    ) -> None:
        """Post the wish; say what could not be read when the parser refuses it (or ask how many people)."""
        try:
            result = await self.adapter.conversations.post_wish(
                Ctx(account, lang), cmd.PostWish(account, branch_id, text, chat)
            )
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()
        await self.posted(message, lang, result)

    async def posted(self, message: Message, lang: str, result: outcomes.WishPosted | outcomes.WishNeedsFix) -> None:
        """Ask what the draft lacks or say what could not be read (the draft is kept), or (privately, or with
        notes) that the wish is posted; a wish that became a series says so (and how it goes on) wherever it came."""
        if isinstance(result, outcomes.WishNeedsFix):
            await reply(message, prompt_text(draft.needs_fix(result.problems, lang), lang))
            return
        if result.series is not None:
            await reply(message, series_posted_text(result.series, lang))
            return
        if is_private(message) or result.notes:
            lines = [t("tg.wish.posted", lang, id=result.view.wish.id)]
            lines += [t("tg.wish.note", lang, text=problem_text(p, lang)) for p in result.notes]
            await reply(message, "\n".join(lines))

    async def edited(self, message: Message, user: User) -> None:
        """An edited ``#微心愿`` is read again only while its earlier version is a kept draft."""
        account, lang = await self.adapter.who(user)
        draft = await self.adapter.usecases.draft_of(account)
        if draft is None or draft[0] is None:
            return
        text = message.text or message.caption or ""
        await self.post(message, account, lang, draft[0], text, None if is_private(message) else chat_of(message))
