"""Service-record commands on WeCom, sent privately to the app: /signin, /签到 (/checkin), /certificate (/证明),
/verify (/核验), /correct (/更正), /网格员 (/gridworker), and the 接受更正 / 拒绝 buttons of a correction card."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from html import escape
from types import ModuleType

from bot.domain.errors import NotSecretary
from bot.domain.model import Account
from bot.flows.records import certificate_args, correction_args, gridworker_args, signin_args
from bot.notices.callbacks import Act, Payload
from bot.notices.views import verified_text
from bot.ports.chat import Attachment, OutgoingMessage
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from handlers.wecom.gateway import CardHandle, WeComGateway
from handlers.wecom.texts import t

SIGNIN = frozenset({"/signin", "开始签到"})
CHECKIN = frozenset({"/checkin", "/签到", "签到"})
CERTIFICATE = frozenset({"/certificate", "/证明", "证明"})
VERIFY = frozenset({"/verify", "/核验", "核验"})
CORRECT = frozenset({"/correct", "/更正", "更正"})
GRIDWORKER = frozenset({"/gridworker", "/网格员", "网格员"})
COMMANDS = SIGNIN | CHECKIN | CERTIFICATE | VERIFY | CORRECT | GRIDWORKER
ACTS = frozenset({Act.CORRECTION_ACCEPT, Act.CORRECTION_REFUSE})


class RecordsCommands:
    """Reads the service-record commands into use-case commands and answers privately; refusals are raised for the
    router to word, as for every other command."""

    def __init__(self, usecases: UseCases, gateway: WeComGateway, changed: Callable[[], None]) -> None:
        self.usecases = usecases
        self.gateway = gateway
        self.changed = changed

    async def text(self, account: Account, lang: str, command: str, rest: str) -> None:
        """One of :data:`COMMANDS` with what followed it."""
        user_id = account.user_id
        if command in SIGNIN:
            args = signin_args(rest)
            if args is None:
                await self.gateway.send_text(user_id, t("records.signin.usage", lang))
                return
            opened = await self.usecases.open_signin(cmd.OpenSignin(account, args.wish_id, args.hours))
            await self.gateway.send_text(user_id, _opened(opened, lang, self.usecases))
            qr = await asyncio.to_thread(certificate_files().render_qr, signin_qr_text(opened.code))
            await self.gateway.send_attachment(user_id, Attachment(f"signin-{opened.wish.id}.png", qr, is_image=True))
        elif command in CHECKIN:
            if not rest:
                await self.gateway.send_text(user_id, t("records.checkin.usage", lang))
                return
            checked = await self.usecases.check_in(cmd.CheckIn(account, rest))
            key = "records.checkin.already" if checked.already else "records.checkin.done"
            text = t(key, lang, id=checked.wish.id, title=escape(checked.wish.title), hours=f"{checked.hours:g}")
            if not checked.claimed:
                text += "\n" + t("records.checkin.no_claim", lang)
            await self.gateway.send_text(user_id, text)
        elif command in CERTIFICATE:
            await self._certificate(account, lang, rest)
        elif command in GRIDWORKER:
            await self._gridworker(account, lang, rest)
        elif command in VERIFY:
            if not rest:
                await self.gateway.send_text(user_id, t("records.verify.usage", lang))
                return
            verified = await self.usecases.verify_certificate(rest)
            await self.gateway.send_text(user_id, verified_text(verified.content, lang))
        else:
            correction = correction_args(rest)
            if correction is None:
                await self.gateway.send_text(user_id, t("records.correction.usage", lang))
                return
            asked = await self.usecases.request_correction(
                cmd.RequestCorrection(account, correction.service_id, correction.reason, correction.hours)
            )
            self.changed()
            await self.gateway.send_text(
                user_id, t("records.correction.requested", lang, id=asked.record.id, n=asked.reviewers)
            )

    async def _gridworker(self, account: Account, lang: str, rest: str) -> None:
        """Appoint (or with 取消 / off, end) a grid worker of the first branch the sender is secretary of."""
        roles = await self.usecases.roles(account)
        if not roles.secretary_of:
            raise NotSecretary()
        branch = roles.secretary_of[0]
        args = gridworker_args(rest)
        if args is None:
            names = "、".join(m.name for m in await self.usecases.grid_workers(account, branch.id))
            usage = t("records.gridworker.usage", lang, names=names or t("records.gridworker.none", lang))
            await self.gateway.send_text(account.user_id, usage.replace("/gridworker", "/网格员"))
            return
        done = await self.usecases.set_grid_worker(cmd.SetGridWorker(account, branch.id, args.name, args.off))
        self.changed()
        if done.appointed:
            key = "records.gridworker.appointed" if done.changed else "records.gridworker.already"
        else:
            key = "records.gridworker.removed" if done.changed else "records.gridworker.not_one"
        await self.gateway.send_text(account.user_id, t(key, lang, name=done.member.name, branch=done.branch.name))

    async def _certificate(self, account: Account, lang: str, rest: str) -> None:
        user_id = account.user_id
        args = certificate_args(rest, self.usecases.today())
        if args is None:
            await self.gateway.send_text(user_id, t("records.certificate.usage", lang))
            return
        member_id = await self.usecases.member_named(account, args.name) if args.name else None
        issued = await self.usecases.issue_certificate(cmd.IssueCertificate(account, member_id, args.start, args.end))
        pdf = await asyncio.to_thread(certificate_files().render_pdf, issued.content, issued.code, lang)
        png = await asyncio.to_thread(certificate_files().render_png, issued.content, issued.code, lang)
        number = issued.content.number
        caption = t(
            "records.certificate.caption",
            lang,
            number=number,
            hours=f"{issued.content.total_hours:g}",
            code=issued.code,
        )
        await self.gateway.send_text(user_id, caption)
        await self.gateway.send_attachment(user_id, Attachment(f"{number}.pdf", pdf))
        await self.gateway.send_attachment(user_id, Attachment(f"{number}.png", png, is_image=True))

    async def press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        """接受更正 / 拒绝: decided, and the card closed with the decision."""
        user_id = account.user_id
        accept = payload.act == Act.CORRECTION_ACCEPT
        await self.usecases.decide_correction(cmd.DecideCorrection(account, payload.target, accept))
        self.changed()
        done = t("records.correction.decided_accepted" if accept else "records.correction.decided_refused", lang)
        if handle is not None:
            await self.gateway.update_card(user_id, handle, OutgoingMessage(done), closed_label=done)
        await self.gateway.send_text(user_id, done)


def _opened(opened: outcomes.SigninOpened, lang: str, usecases: UseCases) -> str:
    return t(
        "records.signin.opened",
        lang,
        id=opened.wish.id,
        title=escape(opened.wish.title),
        code=opened.code,
        until=opened.expires_at.astimezone(usecases.tz).strftime("%H:%M"),
        minutes=usecases.records.signin_minutes,
        link=t("wc.signin.qr", lang),
        hours=f"{opened.hours:g}",
    )


def signin_qr_text(code: str) -> str:
    """What the sign-in QR carries on WeCom: the message to send the app (``签到 123456``). WeCom has no link that
    sends an app a message, so a member's scan shows the text to send (or copy)."""
    return f"签到 {code}"


def certificate_files() -> ModuleType:
    """The certificate renderers, imported on first use: fpdf2 and Pillow stay out of every instance's start-up."""
    return importlib.import_module("bot.reports.certificate")
