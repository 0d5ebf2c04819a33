"""The /commands people type (apart from bot.usecases.commands): each reads the update, runs a use case, replies."""

from __future__ import annotations

import json
import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.domain.errors import DomainError, NotReported
from bot.domain.model import Account, Branch
from bot.flows import extend as extend_flow
from bot.flows.base import Skip, wish_number
from bot.flows.report_in import report_form
from bot.flows.states import ReportState
from bot.notices import views
from bot.notices.callbacks import Act, encode
from bot.usecases import commands as cmd
from handlers.telegram.context import privately, reply
from handlers.telegram.conversation import prompt_text, share_phone_keyboard, show
from handlers.telegram.emergency import post_text
from handlers.telegram.flows import Flows
from handlers.telegram.menus import Here, allowed_commands, help_text
from handlers.telegram.records import RecordsHandlers, is_checkin_link
from handlers.telegram.render import clip, error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import chat_of, command_text, is_private

_START = re.compile(r"^([jc])(\d{1,12})$")
_REGISTER_SEP = re.compile(r"\s*[|｜]\s*")


class Commands(Flows):
    """Handlers of the commands members, secretaries and admins type."""

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, or a deep link: ``j<branch>`` starts report-in, ``c<wish>`` claims (reporting in first if needed)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ctx = await self.adapter.ctx(user)
        account, lang = ctx.actor, ctx.lang
        if not is_private(message):
            await self.help(update, context)
            return
        signin_code = is_checkin_link(message)
        if signin_code is not None:
            await RecordsHandlers(self.adapter).check_in(update, signin_code)
            return
        found = _START.match(command_text(message))
        kind, number = (found.group(1), int(found.group(2))) if found else ("", 0)
        if kind in ("", "j") and await self._already_reported(message, account, lang, number if kind else None):
            return
        if found is None:
            welcome = t("tg.start.welcome", lang) + "\n\n" + t("tg.start.share_phone", lang)
            await reply(message, welcome, share_phone_keyboard(lang))
            return
        conversations = self.adapter.conversations
        if kind == "j":
            await show(self.adapter, await conversations.begin_report(ctx, number), lang, message)
            return
        try:
            await self.adapter.usecases.claim(cmd.ClaimWish(account, number))
        except NotReported:
            view = await self._wish_branch(number)
            if view is None:
                await reply(message, error_text(NotReported(), lang))
                return
            await show(self.adapter, await conversations.begin_report(ctx, view, wish_id=number), lang, message)
            return
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()

    async def _already_reported(self, message: Message, account: Account, lang: str, branch_id: int | None) -> bool:
        """Someone who reported in (to this branch, when one is named) is told so instead of being asked again."""
        roles = await self.adapter.usecases.roles(account)
        member = roles.member
        if member is None or not member.reported or member.home_branch_id is None:
            return False
        if branch_id is not None and branch_id != member.home_branch_id:
            return False
        try:
            branch = await self.adapter.usecases.branch(member.home_branch_id)
        except DomainError:
            return False
        await reply(message, t("tg.start.already", lang, name=escape(member.name), branch=escape(branch.name)))
        return True

    async def _wish_branch(self, wish_id: int) -> int | None:
        try:
            view = await self.adapter.usecases.wish_view(wish_id)
        except DomainError:
            return None
        return view.wish.branch_id

    async def register(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/register 姓名 | 工作单位 | 承诺``: report in with one message."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ctx = await self.adapter.ctx(user)
        parts = [p for p in _REGISTER_SEP.split(command_text(message))]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            await reply(message, t("tg.register.usage", ctx.lang))
            return
        branch_id = await self._register_branch(message, ctx.actor)
        if branch_id is None:
            await reply(message, t("tg.register.no_branch", ctx.lang))
            return
        answers = report_form(parts[0], parts[1], "", "", " | ".join(parts[2:]))
        await show(
            self.adapter, await self.adapter.conversations.fill_report(ctx, branch_id, answers), ctx.lang, message
        )

    async def _register_branch(self, message: Message, account: Account) -> int | None:
        """The branch of this group, else the one a report-in conversation is about, else the member's own."""
        if not is_private(message):
            branch = await self.adapter.usecases.branch_of_chat(chat_of(message))
            return branch.id if branch else None
        state = await self.adapter.conversations.current(account)
        if isinstance(state, ReportState):
            return state.branch_id
        roles = await self.adapter.usecases.roles(account)
        return roles.member.home_branch_id if roles.member else None

    async def wish(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/wish 心愿内容``: a secretary posts a micro-wish."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await self.wishes.from_message(message, user, command_text(message))

    async def me(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/me: my quarter."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        try:
            status = await self.adapter.usecases.my_quarter(account)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        post = await self.adapter.usecases.emergency_post(account)
        await reply(message, views.quarter_text(status, lang) + "\n" + post_text(post.post, post.grid, lang))

    async def mine(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/mine: my claims."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        try:
            claims = await self.adapter.usecases.my_claims(account)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, views.claims_text(claims.claims, lang))

    async def wishes_list(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/wishes: open wishes of this group's branch (privately: of my branch)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        branch = await self._branch_here(message, account)
        if branch is None:
            await reply(message, t("tg.not_branch" if not is_private(message) else "tg.no_home_branch", lang))
            return
        found = await self.adapter.usecases.wish_lists(branch.id)
        await reply(message, views.wish_list_text(found.branch_name, found.claimable, found.full, found.expired, lang))

    async def atrisk(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/atrisk: members without service this quarter (secretaries)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        branch = await self._branch_here(message, account, as_secretary=True)
        if branch is None:
            await reply(message, t("tg.not_branch" if not is_private(message) else "tg.no_home_branch", lang))
            return
        try:
            found = await self.adapter.usecases.at_risk(account, branch.id, lang)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        text = views.at_risk_text(found.branch.name, found.quarter_label, found.members, found.reported, lang)

        async def send(chat_id: int) -> None:
            await self.adapter.bot.send_message(chat_id, clip(text), parse_mode="HTML")

        await privately(self.adapter, message, user, lang, send)

    async def _branch_here(self, message: Message, account: Account, *, as_secretary: bool = False) -> Branch | None:
        if not is_private(message):
            return await self.adapter.usecases.branch_of_chat(chat_of(message))
        roles = await self.adapter.usecases.roles(account)
        if as_secretary and roles.secretary_of:
            return roles.secretary_of[0]
        if roles.member is None or roles.member.home_branch_id is None:
            return None
        try:
            return await self.adapter.usecases.branch(roles.member.home_branch_id)
        except DomainError:
            return None

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: only the commands this person can use here."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        usecases = self.adapter.usecases
        roles = await usecases.roles(account)
        if is_private(message):
            here = Here(private=True)
        else:
            chat = chat_of(message)
            here = Here(False, await usecases.branch_of_chat(chat), await usecases.committee_of_chat(chat))
        names = allowed_commands(roles, bot_admin=self.adapter.is_bot_admin(user), here=here)
        await reply(message, help_text(names, lang, points=usecases.records.points_enabled))

    async def lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/lang zh|en: the language the bot speaks to me."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        wanted = command_text(message).lower()
        if wanted[:2] not in ("zh", "en"):
            await reply(message, t("tg.lang.usage", lang))
            return
        try:
            chosen = await self.adapter.usecases.set_language(cmd.SetLanguage(account, wanted))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, t("tg.lang.set", chosen))

    async def mydata(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/mydata: everything stored about me, as a JSON document in the private chat."""
        message, user = await self._private(update)
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        data = (await self.adapter.usecases.my_data(account)).data
        if not data:
            await reply(message, t("tg.mydata.none", lang))
            return
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        try:
            await message.reply_document(
                InputFile(content, filename=f"ebranch-mydata-{user.id}.json"), caption=t("tg.mydata.caption", lang)
            )
        except TelegramError:
            await reply(message, error_text(DomainError(), lang))

    async def leave(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/leave: asks for a confirm button before removing my data (there is nothing to remove for a stranger)."""
        message, user = await self._private(update)
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        if (await self.adapter.usecases.roles(account)).member is None:
            await reply(message, t("tg.leave.nothing", lang))
            return
        button = InlineKeyboardButton(t("tg.leave.button", lang), callback_data=encode(Act.LEAVE, 0))
        cancel = InlineKeyboardButton(t("flow.cancel", lang), callback_data=encode(Act.CANCEL, 0))
        await reply(message, t("tg.leave.ask", lang), InlineKeyboardMarkup([[button, cancel]]))

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/cancel: leave the current conversation step; /cancel N (a secretary): cancel micro-wish N."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ctx = await self.adapter.ctx(user)
        args = context.args or []
        wish_id = wish_number(args[0]) if args else None
        if wish_id is not None:
            await self._end_wish(message, ctx.actor, ctx.lang, wish_id, close=False)
            return
        await show(self.adapter, await self.adapter.conversations.cancel(ctx), ctx.lang, message)

    async def close(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/close N (a secretary): end the claiming of micro-wish N; claims already made stay."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        args = context.args or []
        wish_id = wish_number(args[0]) if args else None
        if wish_id is None:
            await reply(message, t("tg.close.usage", lang))
            return
        await self._end_wish(message, account, lang, wish_id, close=True)

    async def extend(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/extend N 日期 (a secretary): micro-wish N closes at the new deadline and takes claims again."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        number, when = [*command_text(message).split(maxsplit=1), "", ""][:2]
        wish_id = wish_number(number)
        if wish_id is None or not when.strip():
            await reply(message, t("tg.extend.usage", lang))
            return
        try:
            extended = await self.adapter.usecases.extend_deadline(cmd.ExtendDeadline(account, wish_id, when))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()
        await reply(message, prompt_text(extend_flow.extended(extended, lang), lang))

    async def manage(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/manage N (a secretary): a private card of micro-wish N with 结束认领 / 取消心愿, following the wish."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        args = context.args or []
        wish_id = wish_number(args[0]) if args else None
        if wish_id is None:
            await reply(message, t("tg.manage.usage", lang))
            return
        try:
            await self.adapter.usecases.send_manage_card(account, wish_id)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()

    async def _end_wish(self, message: Message, account: Account, lang: str, wish_id: int, *, close: bool) -> None:
        """Cancel or close a wish; the refusal, or who was told."""
        usecases = self.adapter.usecases
        try:
            if close:
                told = (await usecases.close_wish(cmd.CloseWish(account, wish_id))).told
            else:
                told = (await usecases.cancel_wish(cmd.CancelWish(account, wish_id))).told
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()
        await reply(message, t("notice.wish_closed" if close else "notice.wish_cancelled", lang, id=wish_id, n=told))

    async def skip(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/skip: leave the current optional question empty (the note when reporting a service done)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ctx = await self.adapter.ctx(user)
        answer = await self.adapter.conversations.feed(ctx, Skip())
        if answer is not None:
            await show(self.adapter, answer, ctx.lang, message)

    async def _private(self, update: Update) -> tuple[Message | None, User | None]:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None, None
        if not is_private(message):
            _, lang = await self.adapter.who(user)
            await reply(message, t("tg.private_only", lang))
            return None, None
        return message, user
