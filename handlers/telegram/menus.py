"""Which commands each kind of person sees: the per-scope command menu (setMyCommands) and /help."""

from __future__ import annotations

from telegram import BotCommand

from bot.usecases.outcomes import Roles
from handlers.telegram.texts import t

PRIVATE = ("start", "help", "me", "mine", "wishes", "register", "lang", "mydata", "leave", "cancel")
GROUP = ("help", "join", "wishes", "me", "mine")
SECRETARY = ("wish", "manage", "extend", "close", "atrisk", "secretary")
ADMIN = ("branch", "committee")
REPORTS = ("digest", "export")
_KINDS = {
    "private": PRIVATE,
    "group": GROUP,
    "secretary": (*GROUP, *SECRETARY, "export"),
    "admin": GROUP + SECRETARY + ADMIN,
    "committee": GROUP + REPORTS,
    "private_staff": (*PRIVATE, "export"),
}


def menu(kind: str, lang: str) -> list[BotCommand]:
    """The command menu of a kind: private, group, secretary, admin, committee (chat) or private_staff."""
    return [BotCommand(name, t(f"tg.cmd.{name}", lang)) for name in _KINDS[kind]]


def allowed_commands(roles: Roles, *, bot_admin: bool, private: bool) -> tuple[str, ...]:
    """The commands this person may use here, in menu order."""
    names = list(PRIVATE if private else GROUP)
    if roles.secretary_of or roles.admin_of or bot_admin:
        names += SECRETARY
    if roles.admin_of or bot_admin:
        names += ADMIN
    if roles.admin_of and not private:
        names.append("digest")
    if roles.secretary_of or roles.admin_of:
        names.append("export")
    return tuple(dict.fromkeys(names))


def help_text(names: tuple[str, ...], lang: str) -> str:
    """/help: one line per command this person can use."""
    return "\n".join([t("tg.help.head", lang), *(f"/{name} — {t(f'tg.cmd.{name}', lang)}" for name in names)])
