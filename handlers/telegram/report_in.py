"""The guided report-in (报到) conversation in a private chat; each step is stored so a restart loses nothing."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

from bot.domain.errors import DomainError
from bot.domain.model import Account
from bot.notices.callbacks import Act, encode
from bot.usecases import commands as cmd
from handlers.telegram.context import Services, Tap, reply
from handlers.telegram.render import error_text
from handlers.telegram.texts import t

SKILL_COUNT = 10
_NONE_WORDS = frozenset({"无", "没有", "-", "—", "none", "no", "n/a"})


def skill_label(index: int, lang: str) -> str:
    """A skill offered as a button, in the user's language."""
    return t(f"tg.skill.{index}", lang)


def skill_value(index: int) -> str:
    """A skill as stored (the Chinese term the ledger uses)."""
    return t(f"tg.skill.{index}", "zh")


class ReportInConversation:
    """Name, workplace, workplace branch, skills (buttons), commitment, confirm; then an optional pending claim."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def begin(self, message: Message, user: User, branch_id: int, wish_id: int | None = None) -> None:
        """Start (or restart) report-in to a branch, remembering a wish to claim afterwards."""
        account, lang = await self.services.who(user)
        try:
            branch = await self.services.usecases.branch(branch_id)
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        state: dict[str, Any] = {"flow": "report", "step": "name", "branch": branch.id, "skills": []}
        if wish_id is not None:
            state["wish"] = wish_id
        await self.services.usecases.set_conversation(account, state)
        share = ReplyKeyboardMarkup(
            [[KeyboardButton(t("tg.report.share_phone", lang), request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
        await reply(message, t("tg.report.start", lang, branch=branch.name), share)

    async def on_text(self, message: Message, user: User, state: dict[str, Any], text: str) -> None:
        """The answer to the current question; moves to the next one."""
        account, lang = await self.services.who(user)
        step = state.get("step")
        value = " ".join(text.split())
        if step == "name":
            state.update(name=value, step="workplace")
            await self._save(account, state)
            await reply(message, t("tg.report.workplace", lang), ReplyKeyboardRemove())
        elif step == "workplace":
            state.update(workplace=value, step="workplace_branch")
            await self._save(account, state)
            await reply(message, t("tg.report.workplace_branch", lang))
        elif step == "workplace_branch":
            state.update(workplace_branch="" if value.lower() in _NONE_WORDS else value, step="skills")
            await self._save(account, state)
            await reply(message, t("tg.report.skills", lang), self.skills_keyboard(state, lang))
        elif step == "skills":
            await reply(message, t("tg.report.skills", lang), self.skills_keyboard(state, lang))
        elif step == "commitment":
            state.update(commitment=value, step="confirm")
            await self._save(account, state)
            await reply(message, self.summary(state, lang), self.confirm_keyboard(state, lang))
        else:
            await reply(message, self.summary(state, lang), self.confirm_keyboard(state, lang))

    def skills_keyboard(self, state: dict[str, Any], lang: str) -> InlineKeyboardMarkup:
        """Skill toggles (✅ when chosen) in rows of two, and Done."""
        chosen = set(state.get("skills", []))
        buttons = [
            InlineKeyboardButton(
                ("✅ " if i in chosen else "") + skill_label(i, lang), callback_data=encode(Act.SKILL, i)
            )
            for i in range(SKILL_COUNT)
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([InlineKeyboardButton(t("tg.report.skills_done", lang), callback_data=encode(Act.SKILLS_DONE, 0))])
        return InlineKeyboardMarkup(rows)

    def confirm_keyboard(self, state: dict[str, Any], lang: str) -> InlineKeyboardMarkup:
        """Confirm or cancel the report-in."""
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("tg.report.confirm", lang), callback_data=encode(Act.REPORT_CONFIRM, int(state["branch"]))
                    ),
                    InlineKeyboardButton(t("tg.report.cancel", lang), callback_data=encode(Act.CANCEL, 0)),
                ]
            ]
        )

    def summary(self, state: dict[str, Any], lang: str) -> str:
        """What will be recorded, for the person to check."""
        none = t("tg.report.none", lang)
        skills = t("list.sep", lang).join(skill_label(i, lang) for i in state.get("skills", [])) or none
        return t(
            "tg.report.summary",
            lang,
            name=escape(state.get("name", "")),
            workplace=escape(state.get("workplace", "")),
            workplace_branch=escape(state.get("workplace_branch", "")) or none,
            skills=escape(skills),
            commitment=escape(state.get("commitment", "")) or none,
        )

    async def on_skill(self, tap: Tap, user: User, state: dict[str, Any], index: int) -> None:
        """Toggle one skill; the keyboard shows the choice at once."""
        account, lang = await self.services.who(user)
        chosen: list[int] = list(state.get("skills", []))
        if 0 <= index < SKILL_COUNT:
            chosen = [i for i in chosen if i != index] if index in chosen else sorted([*chosen, index])
        state["skills"] = chosen
        await self._save(account, state)
        await tap.answer()
        await tap.edit_buttons(self.skills_keyboard(state, lang))

    async def on_skills_done(self, tap: Tap, user: User, state: dict[str, Any]) -> None:
        """Skills chosen: ask for the commitment."""
        account, lang = await self.services.who(user)
        state["step"] = "commitment"
        await self._save(account, state)
        await tap.answer()
        chosen = t("list.sep", lang).join(skill_label(i, lang) for i in state.get("skills", []))
        await tap.edit_text(escape(chosen or t("tg.report.none", lang)) + "\n\n" + t("tg.report.commitment", lang))

    async def on_confirm(self, tap: Tap, user: User, state: dict[str, Any]) -> None:
        """Record the report-in, then claim the wish that sent the person here, if any."""
        account, lang = await self.services.who(user)
        message = tap.message
        try:
            done = await self.services.usecases.report_in(
                cmd.ReportIn(
                    account,
                    int(state["branch"]),
                    state.get("name", ""),
                    state.get("workplace", ""),
                    state.get("workplace_branch", ""),
                    tuple(skill_value(i) for i in state.get("skills", [])),
                    state.get("commitment", ""),
                )
            )
        except DomainError as error:
            state["step"] = "name"
            await self._save(account, state)
            await tap.answer(error_text(error, lang), alert=True)
            if message is not None:
                await reply(message, error_text(error, lang) + "\n\n" + t("tg.report.start", lang, branch=""))
            return
        await self.services.usecases.set_conversation(account, None)
        self.services.changed()
        await tap.answer(t("tg.report.done", lang, branch=done.branch.name))
        await tap.edit_text(t("tg.report.done", lang, branch=done.branch.name))
        if state.get("wish") is not None and message is not None:
            await self.claim_after(message, account, lang, int(state["wish"]))

    async def claim_after(self, message: Message, account: Account, lang: str, wish_id: int) -> None:
        """The claim the person tapped before reporting in."""
        try:
            await self.services.usecases.claim(cmd.ClaimWish(account, wish_id))
        except DomainError as error:
            await reply(message, error_text(error, lang))
            return
        self.services.changed()

    async def _save(self, account: Account, state: dict[str, Any]) -> None:
        await self.services.usecases.set_conversation(account, state)
