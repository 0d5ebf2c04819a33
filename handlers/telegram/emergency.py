"""Emergency mode on Telegram: /emergency (and /应急) to call, drill or end, /headcount, /post, the answer buttons,
and answers typed privately (可到 / 稍后可到 / 不可, or /answer)."""

from __future__ import annotations

import re

from telegram import Message, Update, User
from telegram.ext import ContextTypes

from bot.domain.emergency import Answer, read_answer
from bot.domain.errors import DomainError, NoEmergency
from bot.domain.model import Account
from bot.notices import emergency_views
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.telegram.context import Adapter, Tap, privately, reply
from handlers.telegram.render import clip, error_text
from handlers.telegram.texts import t
from handlers.telegram.updates import chat_of, command_text, is_private

CHINESE_COMMAND = re.compile(r"^/(应急|应急演练|应急结束|人数|应急岗位)(?:@\w+)?(?:\s+|$)(.*)$", re.S)
"""Chinese commands people type; Telegram only makes Latin ones into commands, so these arrive as text."""
_END = ("end", "结束", "stop")
_DRILL = ("drill", "演练")


def parse_call(text: str) -> tuple[str, str]:
    """``end``, ``drill TEXT`` or ``TEXT`` (in either language): what to do and the call's text."""
    words = text.strip().split(maxsplit=1)
    first = words[0].lower() if words else ""
    rest = words[1] if len(words) > 1 else ""
    if first in _END:
        return "end", rest
    if first in _DRILL:
        return "drill", rest
    return "call", text.strip()


def parse_post(text: str) -> tuple[str, str]:
    """``岗位 网格`` or ``岗位 | 网格``: the emergency post and where one can serve."""
    parts = [p.strip() for p in re.split(r"\s*[|｜]\s*", text.strip(), maxsplit=1)]
    if len(parts) == 1:
        parts = text.strip().split(maxsplit=1)
    return (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")


class EmergencyHandlers:
    """The commands and buttons of emergency mode, each a use case and a reply."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    async def emergency(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/emergency TEXT, /emergency drill TEXT, /emergency end."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await self._call(message, user, *parse_call(command_text(message)))

    async def chinese(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/应急 TEXT, /应急 演练 TEXT, /应急 结束, /应急演练 TEXT, /应急结束, /人数, /应急岗位 岗位 网格."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        found = CHINESE_COMMAND.match(message.text or "")
        if found is None:
            return
        name, rest = found.group(1), found.group(2)
        if name == "人数":
            await self._headcount(message, user)
        elif name == "应急岗位":
            await self._post(message, user, rest)
        elif name == "应急演练":
            await self._call(message, user, "drill", rest.strip())
        elif name == "应急结束":
            await self._call(message, user, "end", "")
        else:
            await self._call(message, user, *parse_call(rest))

    async def _call(self, message: Message, user: User, what: str, text: str) -> None:
        account, lang = await self.adapter.who(user)
        if is_private(message):
            await reply(message, t("em.usage", lang))
            return
        usecases = self.adapter.usecases
        admin = self.adapter.is_bot_admin(user)
        try:
            if what == "end":
                closed = await usecases.end_emergency(cmd.EndEmergency(account, chat_of(message), by_bot_admin=admin))
                self.adapter.changed()
                kind = t("em.what.drill" if closed.emergency.drill else "em.what.call", lang)
                await reply(message, t("em.ended_reply", lang, what=kind, id=closed.emergency.id))
                return
            if not text:
                await reply(message, t("em.usage", lang))
                return
            started = await usecases.start_emergency(
                cmd.StartEmergency(account, chat_of(message), text, drill=what == "drill", by_bot_admin=admin)
            )
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.adapter.changed()
        await reply(message, started_text(started, lang))

    async def headcount(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/headcount: the board now; its secretaries and admins also get the names not answered, privately."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await self._headcount(message, user)

    async def _headcount(self, message: Message, user: User) -> None:
        account, lang = await self.adapter.who(user)
        if is_private(message):
            await reply(message, t("em.headcount.usage", lang))
            return
        try:
            shown = await self.adapter.usecases.headcount(account, chat_of(message))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        board = emergency_views.board(shown.headcount, shown.scope, lang, committee=shown.committee)
        await reply(message, clip(board.text))
        if not shown.headcount.unanswered or not await self._may_see_names(account, message):
            return
        names = [line.name for line in shown.headcount.unanswered]
        text = emergency_views.unanswered_now(shown.headcount.emergency, names, lang)

        async def send(chat_id: int) -> None:
            await self.adapter.bot.send_message(chat_id, clip(text), parse_mode="HTML")

        await privately(self.adapter, message, user, lang, send)

    async def _may_see_names(self, account: Account, message: Message) -> bool:
        """Secretaries of this group's branch and admins of its committee (or of this committee chat)."""
        roles = await self.adapter.usecases.roles(account)
        chat = chat_of(message)
        if any(b.chat == chat for b in roles.secretary_of):
            return True
        branch = await self.adapter.usecases.branch_of_chat(chat)
        committee_id = branch.committee_id if branch else None
        return any(c.chat == chat or c.id == committee_id for c in roles.admin_of)

    async def post(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/post 岗位 网格: one's emergency post and where one can serve; /post alone shows them and the choices."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await self._post(message, user, command_text(message))

    async def _post(self, message: Message, user: User, text: str) -> None:
        account, lang = await self.adapter.who(user)
        usecases = self.adapter.usecases
        post, grid = parse_post(text)
        if not post:
            current = await usecases.emergency_post(account)
            choices = t("list.sep", lang).join(usecases.emergency_settings.posts)
            await reply(
                message, post_text(current.post, current.grid, lang) + "\n" + t("em.post.usage", lang, posts=choices)
            )
            return
        try:
            saved = await usecases.set_emergency_post(cmd.SetEmergencyPost(account, post, grid))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        await reply(message, saved_text(saved, lang))

    async def answer(self, tap: Tap, account: Account, lang: str, emergency_id: int, code: str) -> None:
        """可到 / 稍后可到 / 不可 on a prompt: recorded, and acknowledged by the tap's answer at once."""
        answer = Answer.of_code(code)
        if answer is None:
            await tap.answer(t("flow.outdated", lang))
            return
        await self.adapter.usecases.answer_emergency(cmd.AnswerEmergency(account, emergency_id, answer))
        self.adapter.changed()
        await tap.answer(t("em.toast", lang, answer=emergency_views.answer_label(answer, lang)))

    async def answer_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/answer 可到 [备注] (稍后可到, 不可; coming, later, cannot): answer the open call one was called to."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        account, lang = await self.adapter.who(user)
        found = read_answer(command_text(message))
        if found is None:
            await reply(message, t("em.answer.usage", lang))
            return
        if not await self.answer_text(message, account, lang, *found):
            await reply(message, error_text(NoEmergency(), lang))

    async def answer_text(self, message: Message, account: Account, lang: str, answer: Answer, note: str) -> bool:
        """An answer typed as text, recorded and acknowledged; False when no open call has this person on its list
        (the text is then something else)."""
        try:
            answered = await self.adapter.usecases.answer_open_emergency(cmd.AnswerOpenEmergency(account, answer, note))
        except NoEmergency:
            return False
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return True
        self.adapter.changed()
        await reply(message, emergency_views.answered(answered.emergency_id, answered.drill, answer, note, lang))
        return True


def started_text(started: outcomes.EmergencyStarted, lang: str) -> str:
    """What the caller reads: the call's number, how many groups and members it went to."""
    what = t("em.what.drill" if started.emergency.drill else "em.what.call", lang)
    return t(
        "em.started",
        lang,
        what=what,
        id=started.emergency.id,
        branches=started.branches,
        members=started.members,
        reached=started.reached,
    )


def post_text(post: str, grid: str, lang: str) -> str:
    """🚨 应急岗位：…；网格 / 楼栋：…"""
    unset = t("em.unset", lang)
    return t("em.post.show", lang, post=post or unset, grid=grid or unset)


def saved_text(saved: outcomes.EmergencyPostSet, lang: str) -> str:
    """The post as recorded."""
    unset = t("em.unset", lang)
    return t("em.post.saved", lang, post=saved.post.post or unset, grid=saved.post.grid or unset)
