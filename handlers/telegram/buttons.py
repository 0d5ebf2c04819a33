"""Button presses: decode the self-contained payload, run the use case, answer the tap at once with a toast."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.domain.errors import AlreadyHandled, DomainError, NotReported
from bot.domain.model import Account
from bot.notices.callbacks import Act, Payload, decode
from bot.usecases import commands as cmd
from handlers.telegram.context import Services, Tap
from handlers.telegram.render import error_text
from handlers.telegram.report_in import ReportInConversation
from handlers.telegram.service_steps import ServiceSteps
from handlers.telegram.setup import Setup
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
        services: Services,
        report_in: ReportInConversation,
        steps: ServiceSteps,
        wishes: WishPosting,
        setup: Setup,
    ) -> None:
        self.services = services
        self.report_in = report_in
        self.steps = steps
        self.wishes = wishes
        self.setup = setup

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the tap whatever happens: with the outcome, the refusal, or "this button is outdated"."""
        if update.callback_query is None:
            return
        tap = Tap(update.callback_query)
        account, lang = await self.services.who(tap.query.from_user)
        payload = decode(tap.query.data)
        try:
            if payload is None:
                await tap.answer(t("tg.toast.outdated", lang))
                return
            await self._route(tap, account, lang, payload, update_key(update.update_id))
        except AlreadyHandled:
            log.info("update %s was already handled; skipping it", update.update_id)
        except DomainError as error:
            text = error_text(error, lang)
            await tap.answer(text, alert=len(text) > ALERT_OVER)
        except TelegramError as error:
            log.warning("button %r failed on Telegram's side: %s", tap.query.data, error)
        finally:
            await tap.answer()

    async def _route(self, tap: Tap, account: Account, lang: str, payload: Payload, key: str) -> None:
        act, target = payload.act, payload.target
        usecases = self.services.usecases
        if act in (Act.CLAIM, Act.TEAM_CLAIM):
            try:
                claimed = await usecases.claim(
                    cmd.ClaimWish(account, target, as_team=act == Act.TEAM_CLAIM, event_key=key)
                )
            except NotReported:
                link = start_link(self.services.bot_username, f"c{target}")
                await tap.answer(t("tg.toast.report_first", lang), url=link)
                return
            self.services.changed()
            team = claimed.team_name
            await tap.answer(t("tg.toast.team_claimed", lang, team=team) if team else t("tg.toast.claimed", lang))
        elif act == Act.WAITLIST:
            waiting = await usecases.join_waitlist(cmd.JoinWaitlist(account, target))
            self.services.changed()
            await tap.answer(t("tg.toast.waitlisted", lang, n=waiting.position))
        elif act == Act.WITHDRAW:
            withdrawn = await usecases.withdraw(cmd.WithdrawClaim(account, target))
            self.services.changed()
            await tap.answer(t("tg.toast.left_waitlist" if withdrawn.was_waitlisted else "tg.toast.withdrawn", lang))
        elif act == Act.DONE:
            await usecases.ready_to_report(account, target)
            await tap.answer(self._where_to_reply(tap, lang))
            if tap.message is not None:
                await self.steps.ask_hours(tap.message, account, lang, target)
        elif act == Act.CONFIRM:
            await usecases.confirm(cmd.ConfirmService(account, target))
            self.services.changed()
            await tap.answer(t("tg.toast.confirmed", lang))
        elif act == Act.RATE:
            rating = int(payload.arg) if payload.arg.isdigit() else 0
            await usecases.rate(cmd.RateService(account, target, rating))
            self.services.changed()
            await tap.answer(t("tg.toast.rated", lang, n=rating))
        elif act == Act.RETURN:
            await tap.answer(self._where_to_reply(tap, lang))
            if tap.message is not None:
                await self.steps.ask_reason(tap.message, account, lang, target)
        elif act in (Act.CLOSE_WISH, Act.CANCEL_WISH):
            close = act == Act.CLOSE_WISH
            if close:
                told = (await usecases.close_wish(cmd.CloseWish(account, target))).told
            else:
                told = (await usecases.cancel_wish(cmd.CancelWish(account, target))).told
            self.services.changed()
            await tap.answer(t("notice.wish_closed" if close else "notice.wish_cancelled", lang, id=target, n=told))
        elif act == Act.LEAVE:
            await usecases.leave(cmd.Leave(account))
            await usecases.set_conversation(account, None)
            self.services.changed()
            await tap.answer(t("tg.leave.done", lang))
            await tap.edit_text(t("tg.leave.done", lang))
        elif act == Act.PAUSE_NUDGES:
            await usecases.pause_nudges(cmd.PauseNudges(account, target or 14))
            await tap.answer(t("tg.toast.ok", lang))
        else:
            await self._conversation_button(tap, account, lang, payload)

    @staticmethod
    def _where_to_reply(tap: Tap, lang: str) -> str:
        """A press in the private chat is asked right there; one in a group points to the private chat."""
        message = tap.message
        private = message is not None and message.chat.type == "private"
        return t("tg.toast.reply_here" if private else "tg.toast.see_private", lang)

    async def _conversation_button(self, tap: Tap, account: Account, lang: str, payload: Payload) -> None:
        """Buttons that belong to a stored conversation step; without that step they are outdated."""
        state = await self.services.usecases.conversation(account) or {}
        flow, step, act = state.get("flow"), state.get("step"), payload.act
        user = tap.query.from_user
        if act == Act.CANCEL:
            await self.services.usecases.set_conversation(account, None)
            await tap.answer(t("tg.cancelled", lang))
            await tap.edit_text(t("tg.cancelled", lang))
        elif act == Act.SKILL and flow == "report" and step == "skills":
            await self.report_in.on_skill(tap, user, state, payload.target)
        elif act == Act.SKILLS_DONE and flow == "report" and step == "skills":
            await self.report_in.on_skills_done(tap, user, state)
        elif act == Act.REPORT_CONFIRM and flow == "report" and step == "confirm":
            await self.report_in.on_confirm(tap, user, state)
        elif act == Act.PICK_BRANCH and flow == "wish" and tap.message is not None:
            await self.services.usecases.set_conversation(account, None)
            await tap.answer(t("tg.toast.ok", lang))
            await tap.edit_buttons(None)
            await self.wishes.post(tap.message, account, lang, payload.target, str(state.get("text", "")), None)
        elif act == Act.PICK_COMMITTEE and flow == "branch" and tap.message is not None:
            await self.services.usecases.set_conversation(account, None)
            await tap.answer(t("tg.toast.ok", lang))
            await tap.edit_buttons(None)
            await self.setup.create_branch(tap.message, user, state, payload.target)
        else:
            await tap.answer(t("tg.toast.outdated", lang))
