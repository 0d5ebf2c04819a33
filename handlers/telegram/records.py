"""Service-record commands on Telegram: /signin, /checkin (签到), /certificate, /verify, /correct, /gridworker (网格员)
and the 接受 / 拒绝 buttons of a correction; each reads the update, runs a use case, replies."""

from __future__ import annotations

import asyncio
import importlib
import re
from html import escape
from types import ModuleType

from telegram import InputFile, Message, Update, User
from telegram.ext import ContextTypes

from bot.domain.errors import DomainError
from bot.domain.model import Account, Branch
from bot.flows.records import certificate_args, correction_args, gridworker_args, signin_args
from bot.notices.callbacks import Act, decode
from bot.notices.views import verified_text
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.telegram.context import Adapter, Tap, privately, reply
from handlers.telegram.render import error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import chat_of, command_text, is_private, start_link

CHECKIN_ALIAS = re.compile(r"^\s*/?签到\s*(?P<code>[0-9０-９][0-9０-９ ]{4,10})\s*$")
"""``签到 123456`` typed as a message (Telegram commands are Latin letters only)."""
CHECKIN_START = re.compile(r"^k(?P<code>\d{6})$")
"""The payload of a sign-in link: ``/start k123456``."""
BUTTON_PATTERN = rf"^1:[{Act.CORRECTION_ACCEPT.value}{Act.CORRECTION_REFUSE.value}]:"
GRIDWORKER_ALIAS = re.compile(r"^\s*/网格员(?:@\w+)?(?:\s+(?P<rest>.*))?$", re.S)
"""``/网格员 姓名`` typed as a message (Telegram makes only Latin words commands)."""


class RecordsHandlers:
    """Handlers of the service-record commands; who may do what is decided by the use cases."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    async def signin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/signin N [时长]`` (a secretary): a 6-digit code, its link and QR, sent privately to be shown."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        args = signin_args(command_text(message))
        if args is None:
            await reply(message, t("records.signin.usage", lang))
            return
        try:
            opened = await self.adapter.usecases.open_signin(cmd.OpenSignin(account, args.wish_id, args.hours))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        url = start_link(self.adapter.bot_username, f"k{opened.code}") if self.adapter.bot_username else ""
        text = _opened_text(opened, lang, url, self.adapter.usecases.records.signin_minutes, self.adapter)

        async def send(chat_id: int) -> None:
            if url:
                qr = await asyncio.to_thread(certificate_files().render_qr, url)
                await self.adapter.bot.send_photo(
                    chat_id, InputFile(qr, filename="signin.png"), caption=text, parse_mode="HTML"
                )
            else:
                await self.adapter.bot.send_message(chat_id, text, parse_mode="HTML")

        await privately(self.adapter, message, user, lang, send)

    async def checkin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/checkin 123456``."""
        message = update.effective_message
        if message is None:
            return
        code = command_text(message)
        if not code.strip():
            if update.effective_user is not None:
                _, lang = await self.adapter.who(update.effective_user)
                await reply(message, t("records.checkin.usage", lang))
            return
        await self.check_in(update, code)

    async def checkin_alias(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``签到 123456`` as a plain message."""
        message = update.effective_message
        found = CHECKIN_ALIAS.match(message.text or "") if message is not None else None
        if found is not None:
            await self.check_in(update, found.group("code"))

    async def check_in(self, update: Update, code: str) -> None:
        """Check the sender in with ``code`` (typed, or from a sign-in link's ``/start k123456``)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        try:
            checked = await self.adapter.usecases.check_in(cmd.CheckIn(account, code))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, checked_text(checked, lang))

    async def certificate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/certificate [姓名] [开始 结束]``: the PDF and the PNG, privately."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        usecases = self.adapter.usecases
        args = certificate_args(command_text(message), usecases.today())
        if args is None:
            await reply(message, t("records.certificate.usage", lang))
            return
        try:
            member_id = await usecases.member_named(account, args.name) if args.name else None
            issued = await usecases.issue_certificate(cmd.IssueCertificate(account, member_id, args.start, args.end))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        pdf = await asyncio.to_thread(certificate_files().render_pdf, issued.content, issued.code, lang)
        png = await asyncio.to_thread(certificate_files().render_png, issued.content, issued.code, lang)
        caption = t(
            "records.certificate.caption",
            lang,
            number=issued.content.number,
            hours=f"{issued.content.total_hours:g}",
            code=issued.code,
        )

        async def send(chat_id: int) -> None:
            name = issued.content.number
            await self.adapter.bot.send_document(chat_id, InputFile(pdf, filename=f"{name}.pdf"), caption=caption)
            await self.adapter.bot.send_document(chat_id, InputFile(png, filename=f"{name}.png"))

        await privately(self.adapter, message, user, lang, send)

    async def verify(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/verify CODE``: anyone may check a certificate."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        _, lang = await self.adapter.who(user)
        code = command_text(message)
        if not code.strip():
            await reply(message, t("records.verify.usage", lang))
            return
        try:
            verified = await self.adapter.usecases.verify_certificate(code)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, verified_text(verified.content, lang))

    async def correct(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/correct N [时长] 理由``: ask the secretaries to correct one of my records."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        args = correction_args(command_text(message))
        if args is None:
            await reply(message, t("records.correction.usage", lang))
            return
        try:
            asked = await self.adapter.usecases.request_correction(
                cmd.RequestCorrection(account, args.service_id, args.reason, args.hours)
            )
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()
        await reply(message, t("records.correction.requested", lang, id=asked.record.id, n=asked.reviewers))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """接受更正 / 拒绝 on a correction request: decided, and the buttons replaced by the decision."""
        query = update.callback_query
        if query is None:
            return
        tap = Tap(query)
        account, lang = await self.adapter.who(query.from_user)
        payload = decode(query.data)
        try:
            if payload is None:
                await tap.answer(t("flow.outdated", lang))
                return
            accept = payload.act == Act.CORRECTION_ACCEPT
            await self.adapter.usecases.decide_correction(cmd.DecideCorrection(account, payload.target, accept))
            self.adapter.changed()
            done = t("records.correction.decided_accepted" if accept else "records.correction.decided_refused", lang)
            await tap.answer(done)
            if tap.message is not None and tap.message.text_html is not None:
                await tap.edit_text(f"{tap.message.text_html}\n\n<b>{escape(done)}</b>")
        except DomainError as error:
            await tap.answer(error_text(error, lang), alert=True)
        finally:
            await tap.answer()

    async def gridworker(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/gridworker 姓名`` or ``/gridworker off 姓名`` (a secretary, in the branch's group or privately)."""
        message, user = update.effective_message, update.effective_user
        if message is not None and user is not None:
            await self._gridworker(message, user, command_text(message))

    async def gridworker_alias(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/网格员 姓名`` as a plain message."""
        message, user = update.effective_message, update.effective_user
        found = GRIDWORKER_ALIAS.match(message.text or "") if message is not None else None
        if message is not None and user is not None and found is not None:
            await self._gridworker(message, user, found.group("rest") or "")

    async def _gridworker(self, message: Message, user: User, text: str) -> None:
        account, lang = await self.adapter.who(user)
        usecases = self.adapter.usecases
        branch = await self._secretarys_branch(message, account)
        if branch is None:
            await reply(message, t("tg.not_branch" if not is_private(message) else "tg.no_home_branch", lang))
            return
        args = gridworker_args(text)
        try:
            if args is None:
                names = "、".join(escape(m.name) for m in await usecases.grid_workers(account, branch.id))
                none = t("records.gridworker.none", lang)
                await reply(message, t("records.gridworker.usage", lang, names=names or none))
                return
            done = await usecases.set_grid_worker(cmd.SetGridWorker(account, branch.id, args.name, args.off))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()
        await reply(message, gridworker_text(done, lang))

    async def _secretarys_branch(self, message: Message, account: Account) -> Branch | None:
        """The group's branch; privately, the first branch the person is secretary of, else their own."""
        usecases = self.adapter.usecases
        if not is_private(message):
            return await usecases.branch_of_chat(chat_of(message))
        roles = await usecases.roles(account)
        if roles.secretary_of:
            return roles.secretary_of[0]
        if roles.member is None or roles.member.home_branch_id is None:
            return None
        try:
            return await usecases.branch(roles.member.home_branch_id)
        except DomainError:
            return None


def gridworker_text(done: outcomes.GridWorkerSet, lang: str) -> str:
    """The answer to /gridworker: appointed, already one, removed, or not one."""
    if done.appointed:
        key = "records.gridworker.appointed" if done.changed else "records.gridworker.already"
    else:
        key = "records.gridworker.removed" if done.changed else "records.gridworker.not_one"
    return t(key, lang, name=escape(done.member.name), branch=escape(done.branch.name))


def checked_text(checked: outcomes.CheckedIn, lang: str) -> str:
    """The answer to a check-in."""
    key = "records.checkin.already" if checked.already else "records.checkin.done"
    text = t(key, lang, id=checked.wish.id, title=escape(checked.wish.title), hours=f"{checked.hours:g}")
    return text if checked.claimed else text + "\n" + t("records.checkin.no_claim", lang)


def _opened_text(opened: outcomes.SigninOpened, lang: str, url: str, minutes: int, adapter: Adapter) -> str:
    until = opened.expires_at.astimezone(adapter.usecases.tz).strftime("%H:%M")
    link = t("records.signin.link", lang, url=url) if url else ""
    return t(
        "records.signin.opened",
        lang,
        id=opened.wish.id,
        title=escape(opened.wish.title),
        code=opened.code,
        until=until,
        minutes=minutes,
        link=link,
        hours=f"{opened.hours:g}",
    )


def is_checkin_link(message: Message) -> str | None:
    """The code of a sign-in link's ``/start k123456``, if this is one."""
    found = CHECKIN_START.match(command_text(message))
    return found.group("code") if found else None


def certificate_files() -> ModuleType:
    """The certificate renderers, imported on first use: fpdf2 and Pillow stay out of every instance's start-up."""
    return importlib.import_module("bot.reports.certificate")
