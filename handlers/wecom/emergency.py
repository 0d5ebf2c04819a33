"""Emergency mode on WeCom: the commands come privately (an app sees no appchat messages), answers are card presses
or typed (可到 / 稍后可到 / 不可, ``/answer``), so an answer can be changed after its card closed.

WeCom appchats cannot pin or edit a message: a branch's appchat gets the call as one markdown message, and
``/headcount`` (``/人数``) posts the board as it stands; members' prompts are template cards whose buttons are
removed at the end through the card's own response code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.emergency import Answer, read_answer
from bot.domain.errors import DomainError, EmergencyWhere, NoEmergency, NotSecretary
from bot.domain.model import Account, ChatRef
from bot.notices import emergency_views
from bot.notices.callbacks import Payload
from bot.ports.chat import OutgoingMessage
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from handlers.wecom.gateway import CardHandle, WeComGateway
from handlers.wecom.render import error_text
from handlers.wecom.texts import t

CALL = ("/emergency", "/应急", "应急")
DRILL = ("/应急演练", "应急演练")
END = ("/应急结束", "应急结束")
HEADCOUNT = ("/headcount", "/人数", "人数")
POST = ("/post", "/应急岗位", "应急岗位")
ANSWER = ("/answer", "/回复")
COMMANDS = frozenset((*CALL, *DRILL, *END, *HEADCOUNT, *POST, *ANSWER))
"""Every first word the router hands to :class:`EmergencyRouter`."""

Reply = Callable[[Account, str], Awaitable[None]]


class EmergencyRouter:
    """The emergency commands and prompt presses of one WeCom app."""

    def __init__(
        self,
        usecases: UseCases,
        gateway: WeComGateway,
        reply: Reply,
        *,
        admins: tuple[str, ...] = (),
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.usecases = usecases
        self.gateway = gateway
        self.reply = reply
        self.admins = admins
        self.changed = changed

    async def _where(self, account: Account) -> ChatRef:
        """Where a private command acts: the chat of the committee one administers, else of the branch one leads."""
        roles = await self.usecases.roles(account)
        for committee in roles.admin_of:
            if committee.chat is not None:
                return committee.chat
        for branch in roles.secretary_of:
            if branch.chat is not None:
                return branch.chat
        if roles.secretary_of:
            raise NotSecretary(branch_id=roles.secretary_of[0].id)
        raise EmergencyWhere()

    async def text(self, account: Account, lang: str, command: str, rest: str) -> None:
        """One of :data:`COMMANDS` with the rest of the message."""
        try:
            if command in POST:
                await self._post(account, lang, rest)
                return
            if command in ANSWER:
                found = read_answer(rest)
                if found is None:
                    await self.reply(account, t("em.answer.usage", lang))
                elif not await self.answer_text(account, lang, rest):
                    await self.reply(account, error_text(NoEmergency(), lang))
                return
            where = await self._where(account)
            if command in HEADCOUNT:
                await self._headcount(account, lang, where)
                return
            what, body = ("end", "") if command in END else ("drill", rest) if command in DRILL else _parse(rest)
            await self._call(account, lang, where, what, body)
        except DomainError as error:
            await self.reply(account, error_text(error, lang))

    async def _call(self, account: Account, lang: str, where: ChatRef, what: str, text: str) -> None:
        admin = account.user_id in self.admins
        if what == "end":
            closed = await self.usecases.end_emergency(cmd.EndEmergency(account, where, by_bot_admin=admin))
            self.changed()
            kind = t("em.what.drill" if closed.emergency.drill else "em.what.call", lang)
            await self.reply(account, t("em.ended_reply", lang, what=kind, id=closed.emergency.id))
            return
        if not text:
            await self.reply(account, t("em.usage", lang))
            return
        started = await self.usecases.start_emergency(
            cmd.StartEmergency(account, where, text, drill=what == "drill", by_bot_admin=admin)
        )
        self.changed()
        kind = t("em.what.drill" if started.emergency.drill else "em.what.call", lang)
        await self.reply(
            account,
            t(
                "em.started",
                lang,
                what=kind,
                id=started.emergency.id,
                branches=started.branches,
                members=started.members,
                reached=started.reached,
            ),
        )

    async def _headcount(self, account: Account, lang: str, where: ChatRef) -> None:
        shown = await self.usecases.headcount(account, where)
        board = emergency_views.board(shown.headcount, shown.scope, lang, committee=shown.committee)
        await self.reply(account, board.text)
        if shown.headcount.unanswered:
            names = [line.name for line in shown.headcount.unanswered]
            await self.reply(account, emergency_views.unanswered_now(shown.headcount.emergency, names, lang))

    async def _post(self, account: Account, lang: str, rest: str) -> None:
        post, _, grid = rest.strip().partition(" ")
        if not post:
            current = await self.usecases.emergency_post(account)
            choices = t("list.sep", lang).join(self.usecases.emergency_settings.posts)
            unset = t("em.unset", lang)
            shown = t("em.post.show", lang, post=current.post or unset, grid=current.grid or unset)
            await self.reply(account, shown + "\n" + t("em.post.usage", lang, posts=choices))
            return
        saved = await self.usecases.set_emergency_post(cmd.SetEmergencyPost(account, post, grid.strip()))
        unset = t("em.unset", lang)
        await self.reply(account, t("em.post.saved", lang, post=saved.post.post, grid=saved.post.grid or unset))

    async def press(self, account: Account, lang: str, payload: Payload, handle: CardHandle | None) -> None:
        """可到 / 稍后可到 / 不可 on a prompt card: recorded, acknowledged privately, the card showing the answer."""
        answer = Answer.of_code(payload.arg)
        if answer is None:
            return
        try:
            await self.usecases.answer_emergency(cmd.AnswerEmergency(account, payload.target, answer))
        except DomainError as error:
            await self.reply(account, error_text(error, lang))
            return
        self.changed()
        label = emergency_views.answer_label(answer, lang)
        if handle is not None:
            text = t("em.prompt.answered", lang, answer=label)
            await self.gateway.update_card(account.user_id, handle, OutgoingMessage(text), closed_label=label)
        await self.reply(account, t("em.toast", lang, answer=label))

    async def answer_text(self, account: Account, lang: str, text: str) -> bool:
        """可到 / 稍后可到 / 不可 (coming / later / cannot) typed to the app, a note after it: the answer to the open
        call one was called to, given or changed after its card closed; False when the text is no such answer."""
        found = read_answer(text)
        if found is None:
            return False
        answer, note = found
        try:
            answered = await self.usecases.answer_open_emergency(cmd.AnswerOpenEmergency(account, answer, note))
        except NoEmergency:
            return False
        except DomainError as error:
            await self.reply(account, error_text(error, lang))
            return True
        self.changed()
        await self.reply(account, emergency_views.answered(answered.emergency_id, answered.drill, answer, note, lang))
        return True

    async def note(self, account: Account, lang: str, text: str) -> bool:
        """A message that is no command, sent after answering an open call: its note."""
        if not await self.usecases.note_emergency(cmd.NoteEmergency(account, text)):
            return False
        await self.reply(account, t("em.note_saved", lang))
        return True


def _parse(rest: str) -> tuple[str, str]:
    words = rest.strip().split(maxsplit=1)
    first = words[0].lower() if words else ""
    if first in ("end", "结束", "stop"):
        return "end", ""
    if first in ("drill", "演练"):
        return "drill", words[1] if len(words) > 1 else ""
    return "call", rest.strip()
