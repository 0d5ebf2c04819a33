"""Button presses: decode the self-contained payload, run the use case, answer the tap at once with a toast."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.domain.errors import AlreadyHandled, DeadlinePassed, DomainError, NotReported
from bot.domain.model import Account
from bot.flows.base import FLOW_ACTS, Cancel, Ctx, Input, Pick
from bot.notices.callbacks import Act, Payload, decode
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.telegram.context import Adapter, Tap
from handlers.telegram.conversation import markup, prompt_text, show
from handlers.telegram.emergency import EmergencyHandlers
from handlers.telegram.render import error_text
from handlers.telegram.setup import SetupHandlers
from handlers.telegram.texts import t
from handlers.telegram.updates import start_link, update_key
from handlers.telegram.wishes import WishPosting

log = logging.getLogger(__name__)
ALERT_OVER = 60


def records_itself(update: Update) -> bool:
    """A claim tap records its update as processed inside the claim's own transaction, not in one of its own."""
    query = update.callback_query
    payload = decode(query.data) if query is not None else None
    return payload is not None and payload.act in (Act.CLAIM, Act.TEAM_CLAIM)


class Buttons:
    """Every inline button of the bot, routed by its :class:`bot.notices.callbacks.Act`."""

    def __init__(
        self,
        adapter: Adapter,
        wishes: WishPosting,
        setup: SetupHandlers,
        emergency: EmergencyHandlers | None = None,
    ) -> None:
        self.adapter = adapter
        self.wishes = wishes
        self.setup = setup
        self.emergency = emergency or EmergencyHandlers(adapter)

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the tap whatever happens: with the outcome, the refusal, or "this button is outdated"."""
        if update.callback_query is None:
            return
        tap = Tap(update.callback_query)
        account, lang = await self.adapter.who(tap.query.from_user)
        payload = decode(tap.query.data)
        try:
            if payload is None:
                await tap.answer(t("flow.outdated", lang))
                return
            await self._route(tap, account, lang, payload, update_key(update.update_id))
        except AlreadyHandled:
            log.info("update %s was already handled; skipping it", update.update_id)
            tap.answered = True  # by whichever instance (or earlier run) handled it: an empty answer here could beat it
        except DomainError as error:
            if isinstance(error, DeadlinePassed):
                self.adapter.changed()  # the refusal had the wish's cards marked 已截止: redraw them now
            text = error_text(error, lang)
            await tap.answer(text, alert=len(text) > ALERT_OVER)
        except TelegramError as error:
            log.warning("button %r failed on Telegram's side: %s", tap.query.data, error)
        finally:
            await tap.answer()

    async def _route(self, tap: Tap, account: Account, lang: str, payload: Payload, key: str) -> None:
        act, target = payload.act, payload.target
        usecases = self.adapter.usecases
        if act in (Act.CLAIM, Act.TEAM_CLAIM):
            try:
                claimed = await usecases.claim(
                    cmd.ClaimWish(account, target, as_team=act == Act.TEAM_CLAIM, event_key=key)
                )
            except NotReported:
                link = start_link(self.adapter.bot_username, f"c{target}")
                await tap.answer(t("tg.toast.report_first", lang), url=link)
                return
            self.adapter.changed()
            team = claimed.team_name
            await tap.answer(t("tg.toast.team_claimed", lang, team=team) if team else t("tg.toast.claimed", lang))
        elif act == Act.WAITLIST:
            waiting = await usecases.join_waitlist(cmd.JoinWaitlist(account, target))
            self.adapter.changed()
            await tap.answer(t("tg.toast.waitlisted", lang, n=waiting.position))
        elif act == Act.WITHDRAW:
            withdrawn = await usecases.withdraw(cmd.WithdrawClaim(account, target))
            self.adapter.changed()
            await tap.answer(t("tg.toast.left_waitlist" if withdrawn.was_waitlisted else "tg.toast.withdrawn", lang))
        elif act == Act.DONE:
            ctx = Ctx(account, lang, self.adapter.is_bot_admin(tap.query.from_user))
            begun = await self.adapter.conversations.begin_done(ctx, target)
            if begun.error is None:
                await tap.answer(self._where_to_reply(tap, lang))
            await show(self.adapter, begun, lang, tap.message, tap)
        elif act == Act.CONFIRM:
            await usecases.confirm(cmd.ConfirmService(account, target))
            self.adapter.changed()
            await tap.answer(t("tg.toast.confirmed", lang))
        elif act == Act.RATE:
            rating = int(payload.arg) if payload.arg.isdigit() else 0
            await usecases.rate(cmd.RateService(account, target, rating))
            self.adapter.changed()
            await tap.answer(t("tg.toast.rated", lang, n=rating))
        elif act == Act.RETURN:
            await tap.answer(self._where_to_reply(tap, lang))
            ctx = Ctx(account, lang, self.adapter.is_bot_admin(tap.query.from_user))
            await show(self.adapter, await self.adapter.conversations.begin_return(ctx, target), lang, tap.message)
        elif act in (Act.CLOSE_WISH, Act.CANCEL_WISH):
            close = act == Act.CLOSE_WISH
            if close:
                told = (await usecases.close_wish(cmd.CloseWish(account, target))).told
            else:
                told = (await usecases.cancel_wish(cmd.CancelWish(account, target))).told
            self.adapter.changed()
            await tap.answer(t("notice.wish_closed" if close else "notice.wish_cancelled", lang, id=target, n=told))
        elif act == Act.EXTEND:
            await self._extend(tap, account, lang, target)
        elif act == Act.LEAVE:
            await usecases.leave(cmd.Leave(account))
            await self.adapter.conversations.save(account, None)
            self.adapter.changed()
            await tap.answer(t("tg.leave.done", lang))
            await tap.edit_text(t("tg.leave.done", lang))
        elif act == Act.PAUSE_NUDGES:
            await usecases.pause_nudges(cmd.PauseNudges(account, target or 14))
            await tap.answer(t("tg.toast.ok", lang))
        elif act == Act.EMERGENCY_ANSWER:
            await self.emergency.answer(tap, account, lang, target, payload.arg)
        elif act in FLOW_ACTS:
            await self._conversation_button(tap, account, lang, payload)
        else:
            await tap.answer(t("flow.outdated", lang))

    async def _extend(self, tap: Tap, account: Account, lang: str, wish_id: int) -> None:
        """延长截止: a secretary is asked for the new deadline in the private chat (a group sees nothing of it)."""
        ctx = Ctx(account, lang, self.adapter.is_bot_admin(tap.query.from_user))
        begun = await self.adapter.conversations.begin_extend(ctx, wish_id)
        message = tap.message
        if begun.error is not None or (message is not None and message.chat.type == "private"):
            if begun.error is None:
                await tap.answer(t("tg.toast.reply_here", lang))
            await show(self.adapter, begun, lang, message, tap)
            return
        try:
            for prompt in begun.prompts:
                await self.adapter.bot.send_message(
                    tap.query.from_user.id,
                    prompt_text(prompt, lang),
                    parse_mode="HTML",
                    reply_markup=markup(prompt, lang),
                )
        except Forbidden:
            await self.adapter.conversations.save(account, None)
            await tap.answer(t("tg.extend.open_private", lang, id=wish_id), alert=True)
            return
        await tap.answer(t("tg.toast.see_private", lang))

    @staticmethod
    def _where_to_reply(tap: Tap, lang: str) -> str:
        """A press in the private chat is asked right there; one in a group points to the private chat."""
        message = tap.message
        private = message is not None and message.chat.type == "private"
        return t("tg.toast.reply_here" if private else "tg.toast.see_private", lang)

    async def _conversation_button(self, tap: Tap, account: Account, lang: str, payload: Payload) -> None:
        """Buttons that belong to a stored conversation step; a flow no longer stored makes them outdated."""
        ctx = Ctx(account, lang, self.adapter.is_bot_admin(tap.query.from_user))
        given: Input = Cancel() if payload.act == Act.CANCEL else Pick(payload.act, payload.target)
        answer = await self.adapter.conversations.feed(ctx, given)
        if answer is None:
            await tap.answer(t("flow.outdated", lang))
            return
        if isinstance(given, Cancel):
            await tap.answer(t("flow.cancelled", lang))
            await tap.edit_text(t("flow.cancelled", lang))
            return
        if answer.outcome is not None and not answer.prompts:
            await tap.answer(t("tg.toast.ok", lang))
        await show(self.adapter, answer, lang, tap.message, tap)
        if isinstance(answer.outcome, outcomes.WishPosted | outcomes.WishNeedsFix) and tap.message is not None:
            await tap.edit_buttons(None)
            await self.wishes.posted(tap.message, lang, answer.outcome)
        elif isinstance(answer.outcome, outcomes.BranchCreated) and tap.message is not None:
            await tap.edit_buttons(None)
            await self.setup.created(tap.message, tap.query.from_user, answer.outcome, lang)
