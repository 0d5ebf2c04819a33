"""Setting up committees and branches from group chats, and following the chats as Telegram changes them."""

from __future__ import annotations

import logging
from html import escape

from telegram import (
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.domain.errors import DomainError
from bot.domain.model import Account
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.telegram.context import Adapter, reply
from handlers.telegram.conversation import show
from handlers.telegram.menus import menu, private_menu
from handlers.telegram.render import error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import (
    PLATFORM,
    account_of,
    chat_of,
    chat_ref,
    command_text,
    is_anonymous_admin,
    is_private,
    start_link,
)

log = logging.getLogger(__name__)
_GONE = (ChatMember.LEFT, ChatMember.BANNED)


class SetupHandlers:
    """``/committee``, ``/branch``, ``/secretary``, ``/join``; bot removed or re-added; group upgraded."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    async def committee(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A bot admin makes this group the committee's chat."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or await self._anonymous(message, user):
            return
        account, lang = await self.adapter.who(user)
        name = command_text(message)
        if not name:
            await reply(message, t("tg.committee.usage", lang))
            return
        chat = None if is_private(message) else chat_ref(message.chat)
        try:
            done = await self.adapter.usecases.create_committee(
                cmd.CreateCommittee(account, name, chat, self.adapter.is_bot_admin(user))
            )
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, t("tg.committee.set", lang, name=escape(done.committee.name)))
        if chat is not None:
            await self.staff_menu("committee", message.chat.id, user.id, lang)
        await self.private_menu(user.id, lang)

    async def branch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Bind this group to an e-branch: the one of that name set up offline (``ebranch setup``), else a new one whose
        secretary the sender becomes (asking which committee if there are several)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or await self._anonymous(message, user):
            return
        _, lang = await self.adapter.who(user)
        if is_private(message):
            await reply(message, t("tg.group_only", lang))
            return
        name = command_text(message)
        if not name:
            await reply(message, t("tg.branch.usage", lang))
            return
        ctx = await self.adapter.ctx(user)
        answer = await self.adapter.conversations.begin_branch(ctx, name, str(message.chat.id))
        await show(self.adapter, answer, lang, message)
        if isinstance(answer.outcome, outcomes.BranchCreated):
            await self.created(message, user, answer.outcome, lang)

    async def created(self, message: Message, user: User, done: outcomes.BranchCreated, lang: str) -> None:
        """The branch exists (new, or set up offline and now bound): say so, and give its secretary their menu."""
        names = {"branch": escape(done.branch.name), "committee": escape(done.committee.name)}
        if not done.bound:
            await reply(message, t("tg.branch.created", lang, **names))
        else:
            key = "tg.branch.bound" if done.secretary else "tg.branch.bound_for_secretaries"
            await reply(message, t(key, lang, n=done.members, **names))
        if done.secretary:
            await self.secretary_menu(message.chat.id, user.id, lang)

    async def secretary(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """As a reply to someone's message: make them a secretary of this branch."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or await self._anonymous(message, user):
            return
        account, lang = await self.adapter.who(user)
        if is_private(message):
            await reply(message, t("tg.group_only", lang))
            return
        branch = await self.adapter.usecases.branch_of_chat(chat_of(message))
        if branch is None:
            await reply(message, t("tg.not_branch", lang))
            return
        target = message.reply_to_message.from_user if message.reply_to_message else None
        if target is None or target.is_bot:
            await reply(message, t("tg.secretary.usage", lang))
            return
        try:
            added = await self.adapter.usecases.add_secretary(
                cmd.AddSecretary(account, branch.id, account_of(target), self.adapter.is_bot_admin(user))
            )
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        key = "tg.secretary.already" if added.already else "tg.secretary.added"
        await reply(message, t(key, lang, name=escape(target.full_name), branch=escape(branch.name)))
        _, target_lang = await self.adapter.who(target)
        await self.secretary_menu(message.chat.id, target.id, target_lang)

    async def join(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Post the 报到 button: a deep link into the private chat, starting report-in to this branch."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        _, lang = await self.adapter.who(user)
        if is_private(message):
            await reply(message, t("tg.register.no_branch", lang))
            return
        branch = await self.adapter.usecases.branch_of_chat(chat_of(message))
        if branch is None:
            await reply(message, t("tg.not_branch", lang))
            return
        link = start_link(self.adapter.bot_username, f"j{branch.id}")
        button = InlineKeyboardMarkup([[InlineKeyboardButton(t("tg.join.button", lang), url=link)]])
        await reply(message, t("tg.join.text", lang, branch=escape(branch.name)), button)

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was removed from a group (the branch goes inactive, data kept) or added back."""
        changed: ChatMemberUpdated | None = update.my_chat_member
        if changed is None or changed.chat.type == "private":
            return
        present = changed.new_chat_member.status not in _GONE
        branch = await self.adapter.usecases.bot_membership(chat_ref(changed.chat), present)
        was_gone = changed.old_chat_member.status in _GONE
        if branch is not None and present and was_gone:
            try:
                await context.bot.send_message(changed.chat.id, t("tg.bot_back", "zh", branch=escape(branch.name)))
            except TelegramError as error:
                log.info("could not greet chat %s: %s", changed.chat.id, error)

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its branch (cards, pending messages) follows the new id."""
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return
        await self.adapter.usecases.chat_migrated("telegram", str(message.chat.id), str(message.migrate_to_chat_id))
        self.adapter.changed()

    async def secretary_menu(self, chat_id: int, user_id: int, lang: str) -> None:
        """Show a secretary their extra commands in the branch group's menu (and theirs in their private chat)."""
        await self.staff_menu("secretary", chat_id, user_id, lang)
        await self.private_menu(user_id, lang)

    async def private_menu(self, user_id: int, lang: str) -> None:
        """Set a secretary's or committee admin's private menu for all the roles they hold now."""
        roles = await self.adapter.usecases.roles(Account(PLATFORM, str(user_id)))
        await self.staff_menu(private_menu(roles), None, user_id, lang)

    async def staff_menu(self, kind: str, chat_id: int | None, user_id: int, lang: str) -> None:
        """Set one person's command menu in a group (``chat_id``) or, with None, in their private chat."""
        scope = BotCommandScopeChat(user_id) if chat_id is None else BotCommandScopeChatMember(chat_id, user_id)
        try:
            await self.adapter.bot.set_my_commands(menu(kind, lang), scope=scope)
        except TelegramError as error:
            log.info("could not set the %s menu in %s: %s", kind, chat_id or user_id, error)

    async def _anonymous(self, message: Message, user: User) -> bool:
        if not is_anonymous_admin(message):
            return False
        _, lang = await self.adapter.who(user)
        await reply(message, t("tg.anonymous_admin", lang))
        return True
