"""Which commands each kind of person sees: the per-scope command menu (setMyCommands) and /help."""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import t
from bot.outcomes import Roles

PRIVATE = ("start", "help", "me", "mine", "wishes", "register", "lang", "mydata", "leave", "cancel")
GROUP = ("help", "join", "wishes", "me", "mine")
SECRETARY = ("wish", "atrisk", "secretary")
ADMIN = ("branch", "committee")
_KINDS = {"private": PRIVATE, "group": GROUP, "secretary": GROUP + SECRETARY, "admin": GROUP + SECRETARY + ADMIN}


def menu(kind: str, lang: str) -> list[BotCommand]:
    """The command menu for ``private``, ``group``, ``secretary`` or ``admin``."""
    return [BotCommand(name, t(f"tg.cmd.{name}", lang)) for name in _KINDS[kind]]


def allowed_commands(roles: Roles, *, bot_admin: bool, private: bool) -> tuple[str, ...]:
    """The commands this person may use here, in menu order."""
    names = list(PRIVATE if private else GROUP)
    if roles.secretary_of or roles.admin_of or bot_admin:
        names += SECRETARY
    if roles.admin_of or bot_admin:
        names += ADMIN
    return tuple(dict.fromkeys(names))


def help_text(names: tuple[str, ...], lang: str) -> str:
    """/help: one line per command this person can use."""
    return "\n".join([t("tg.help.head", lang), *(f"/{name} — {t(f'tg.cmd.{name}', lang)}" for name in names)])
