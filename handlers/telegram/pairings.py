"""The pairing commands (结对帮扶): /pair, /pairings, /visit, /confirmvisit, /pausepair, /resumepair, /endpair,
/handover, and the buttons of a visit's review card; those of recurring activities: /recurring, /series,
/endseries, /calendar, /leaveseries (and its 退出系列 button). Each reads the update,
runs a use case, replies; the visit conversation runs in bot.flows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.domain.errors import DomainError
from bot.domain.model import Account, Branch
from bot.notices.callbacks import Act, decode, encode
from bot.usecases import commands as cmd
from bot.usecases.pairing_lists import (
    changed_text,
    confirmed_text,
    made_text,
    mine_text,
    number_and_rest,
    pairing_list_text,
    pairing_number,
)
from bot.usecases.recurring import series_joined_text, series_left_text, series_posted_text
from handlers.telegram.command_handlers import Commands
from handlers.telegram.context import Tap, privately, reply
from handlers.telegram.conversation import show
from handlers.telegram.render import clip, error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import command_text, is_private

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
Outcome = TypeVar("Outcome")


@dataclass(frozen=True, slots=True)
class Typed:
    """A numbered command as typed: its message, sender, their language, the number (0 when none is asked) and the
    rest of the text."""

    message: Message
    account: Account
    lang: str
    id: int
    rest: str


class PairingCommands(Commands):
    """Handlers of the pairing commands secretaries and paired members type."""

    def handlers(self) -> dict[str, Handler]:
        """The command names and their handlers, registered beside the others."""
        return {
            "pair": self.pair,
            "pairings": self.pairings,
            "visit": self.visit,
            "confirmvisit": self.confirm_visit,
            "pausepair": self.pause_pair,
            "resumepair": self.resume_pair,
            "endpair": self.end_pair,
            "handover": self.handover,
            "recurring": self.recurring,
            "series": self.series,
            "endseries": self.end_series,
            "calendar": self.calendar,
            "leaveseries": self.leave_series,
        }

    async def pair(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/pair 成员 别名 节奏 [联系方式]`` (a secretary): pair a member with a household known by an alias."""
        typed = await self._typed(update, "pair.usage.pair", number=False)
        if typed is None or (branch := await self._secretary_branch(typed)) is None:
            return
        await self._answer(
            typed,
            lambda: self.adapter.usecases.create_pairing(cmd.CreatePairing(typed.account, branch.id, typed.rest)),
            made_text,
        )

    async def pairings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/pairings (a secretary): the branch's pairings, overdue first, with contacts, sent privately."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        branch = await self._branch_here(message, account, as_secretary=True)
        if branch is None:
            await reply(message, t("tg.not_branch" if not is_private(message) else "tg.no_home_branch", lang))
            return
        try:
            found = await self.adapter.usecases.pairings_of_branch(account, branch.id)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        text = pairing_list_text(found, lang, private=True)

        async def send(chat_id: int) -> None:
            await self.adapter.bot.send_message(chat_id, clip(text), parse_mode="HTML")

        await privately(self.adapter, message, user, lang, send)

    async def visit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/visit N (the paired member, privately): report a visit with hours and a note or photo; without N, the
        member's pairings."""
        message, user = await self._private(update)
        if message is None or user is None:
            return
        ctx = await self.adapter.ctx(user)
        number = pairing_number(command_text(message))
        if number is None:
            try:
                await reply(message, mine_text(await self.adapter.usecases.my_pairings(ctx.actor), ctx.lang))
            except DomainError as error:
                await reply(message, error_text(error, ctx.lang))
            return
        await show(self.adapter, await self.adapter.conversations.begin_visit(ctx, number), ctx.lang, message)

    async def confirm_visit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/confirmvisit V (a secretary): the reported visit counts as service."""
        typed = await self._typed(update, "pair.usage.confirm")
        if typed is not None:
            await self._answer(
                typed,
                lambda: self.adapter.usecases.confirm_visit(cmd.ConfirmVisit(typed.account, typed.id)),
                confirmed_text,
            )

    async def pause_pair(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/pausepair N (a secretary): no reminders until it is resumed."""
        await self._change(update, "pause", "/pausepair")

    async def resume_pair(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/resumepair N (a secretary): reminders again."""
        await self._change(update, "resume", "/resumepair")

    async def end_pair(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/endpair N (a secretary): the pairing ends; its visits stay in the ledger."""
        await self._change(update, "end", "/endpair")

    async def _change(self, update: Update, action: str, command: str) -> None:
        typed = await self._typed(update, "pair.usage.number", command=command)
        if typed is not None:
            await self._answer(
                typed,
                lambda: self.adapter.usecases.change_pairing(cmd.ChangePairing(typed.account, typed.id, action)),
                lambda made, lang: changed_text(action, made, lang),
            )

    async def handover(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/handover N 成员 (a secretary): another member of the branch takes the pairing over."""
        typed = await self._typed(update, "pair.usage.handover", rest=True)
        if typed is not None:
            await self._answer(
                typed,
                lambda: self.adapter.usecases.hand_over_pairing(
                    cmd.HandOverPairing(typed.account, typed.id, typed.rest)
                ),
                lambda made, lang: changed_text("handover", made, lang),
            )

    async def recurring(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/recurring 每周六上午 小区巡逻 名额4`` (a secretary): a recurring activity, each occurrence a card."""
        typed = await self._typed(update, "series.usage.post", number=False)
        if typed is None or (branch := await self._secretary_branch(typed)) is None:
            return
        await self._answer(
            typed,
            lambda: self.adapter.usecases.post_series(cmd.PostSeries(typed.account, branch.id, typed.rest)),
            series_posted_text,
        )

    async def series(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/series N (a member): claim every occurrence of series N; the answer carries 退出系列."""
        typed = await self._typed(update, "series.usage.number", command="/series")
        if typed is not None:
            leave = InlineKeyboardButton(
                t("series.btn.leave", typed.lang), callback_data=encode(Act.LEAVE_SERIES, typed.id)
            )
            await self._answer(
                typed,
                lambda: self.adapter.usecases.join_series(cmd.JoinSeries(typed.account, typed.id)),
                series_joined_text,
                markup=InlineKeyboardMarkup([[leave]]),
            )

    async def leave_series(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/leaveseries N (a member): leave series N; claims on its coming occurrences are withdrawn."""
        typed = await self._typed(update, "series.usage.number", command="/leaveseries")
        if typed is not None:
            await self._answer(
                typed,
                lambda: self.adapter.usecases.leave_series(cmd.LeaveSeries(typed.account, typed.id)),
                series_left_text,
            )

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """确认走访 / 退回 on a visit's review card (the card then follows the visit), and 退出系列."""
        query = update.callback_query
        if query is None:
            return
        tap = Tap(query)
        ctx = await self.adapter.ctx(query.from_user)
        payload = decode(query.data)
        usecases = self.adapter.usecases
        try:
            if payload is None:
                await tap.answer(t("flow.outdated", ctx.lang))
            elif payload.act == Act.VISIT_CONFIRM:
                confirmed = await usecases.confirm_visit(cmd.ConfirmVisit(ctx.actor, payload.target))
                self.adapter.changed()
                await tap.answer(confirmed_text(confirmed, ctx.lang))
            elif payload.act == Act.VISIT_RETURN:
                await usecases.may_return_visit(ctx.actor, payload.target)
                private = tap.message is not None and tap.message.chat.type == "private"
                await tap.answer(t("tg.toast.reply_here" if private else "tg.toast.see_private", ctx.lang))
                begun = await self.adapter.conversations.begin_visit_return(ctx, payload.target)
                await show(self.adapter, begun, ctx.lang, tap.message)
            else:
                left = await usecases.leave_series(cmd.LeaveSeries(ctx.actor, payload.target))
                self.adapter.changed()
                await tap.answer(t("tg.toast.ok", ctx.lang))
                await tap.edit_buttons(None)
                if tap.message is not None:
                    await reply(tap.message, series_left_text(left, ctx.lang))
        except DomainError as error:
            await tap.answer(error_text(error, ctx.lang), alert=True)
        finally:
            await tap.answer()

    async def end_series(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/endseries N (a secretary): no more occurrences of series N are posted."""
        typed = await self._typed(update, "series.usage.number", command="/endseries")
        if typed is not None:
            await self._answer(
                typed,
                lambda: self.adapter.usecases.end_series(cmd.EndSeries(typed.account, typed.id)),
                lambda ended, lang: t("series.ended", lang, id=ended.series_id, title=ended.title),
                changed=False,
            )

    async def _typed(
        self, update: Update, usage: str, *, number: bool = True, rest: bool = False, **usage_args: object
    ) -> Typed | None:
        """Who sent the command and what they typed after it: a number (with ``number``), the rest (required with
        ``rest``, or the whole text without ``number``); None once the usage ``usage`` is answered."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        account, lang = await self.adapter.who(user)
        text = command_text(message)
        found, after = number_and_rest(text) if number else (0, text.strip())
        if found is None or ((rest or not number) and not after):
            await reply(message, t(usage, lang, **usage_args))
            return None
        return Typed(message, account, lang, found, after)

    async def _secretary_branch(self, typed: Typed) -> Branch | None:
        """The branch a secretary's command is about (this group's, privately their first); None once refused."""
        branch = await self._branch_here(typed.message, typed.account, as_secretary=True)
        if branch is None:
            key = "tg.not_branch" if not is_private(typed.message) else "tg.no_home_branch"
            await reply(typed.message, t(key, typed.lang))
        return branch

    async def _answer(
        self,
        typed: Typed,
        run: Callable[[], Awaitable[Outcome]],
        text_of: Callable[[Outcome, str], str],
        *,
        changed: bool = True,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Run the use case and reply its outcome as ``text_of`` says (with ``markup``), or the refusal."""
        try:
            outcome = await run()
        except DomainError as error:
            await reply(typed.message, error_text(error, typed.lang))
            return
        if changed:
            self.adapter.changed()
        await reply(typed.message, text_of(outcome, typed.lang), markup)

    async def calendar(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/calendar (privately): an .ics file of what I claimed, to import into a phone's calendar."""
        message, user = await self._private(update)
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        try:
            found = await self.adapter.usecases.calendar(account)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        if not found.events:
            await reply(message, t("series.calendar.none", lang))
            return
        try:
            await message.reply_document(
                InputFile(found.content, filename=found.filename),
                caption=t("series.calendar.caption", lang, n=found.events),
            )
        except TelegramError:
            await reply(message, error_text(DomainError(), lang))


BUTTON_PATTERN = rf"^1:({Act.VISIT_CONFIRM.value}|{Act.VISIT_RETURN.value}|{Act.LEAVE_SERIES.value}):"
"""The buttons :meth:`PairingCommands.button` answers (registered ahead of the general button handler)."""
