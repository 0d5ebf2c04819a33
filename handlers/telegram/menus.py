"""Which commands each kind of person sees: the per-scope command menu (setMyCommands) and /help."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand

from bot.domain.model import Branch, Committee
from bot.usecases.outcomes import Roles
from handlers.telegram.texts import t

PRIVATE = ("start", "help", "me", "mine", "wishes", "register", "lang", "mydata", "leave", "cancel")
GROUP = ("help", "join", "wishes", "me", "mine")
SECRETARY = ("wish", "manage", "extend", "close", "cancel", "atrisk", "secretary")
ADMIN = ("branch", "committee")
REPORTS = ("digest", "export")
_KINDS = {
    "private": PRIVATE,
    "group": GROUP,
    "secretary": (*GROUP, *SECRETARY, "export"),
    "admin": GROUP + SECRETARY + ADMIN,
    "committee": ("help", "me", "mine", *REPORTS),
    "private_staff": (*PRIVATE, "export"),
}
"""The command menus (setMyCommands) per scope: a short list of the usual commands; /help is the exact one."""


def menu(kind: str, lang: str) -> list[BotCommand]:
    """The command menu of a kind: private, group, secretary, admin, committee (chat) or private_staff."""
    return [BotCommand(name, t(f"tg.cmd.{name}", lang)) for name in _KINDS[kind]]


@dataclass(frozen=True, slots=True)
class Here:
    """Where /help was asked: privately, in a branch's group, in a committee's chat, or in a group bound to neither."""

    private: bool
    branch: Branch | None = None
    committee: Committee | None = None


def allowed_commands(roles: Roles, *, bot_admin: bool, here: Here) -> tuple[str, ...]:
    """The commands this person may use here, each exactly when its handler and use case would not refuse them.

    In a group: the branch's own commands only for its secretaries (and /secretary, /export for its committee's
    admins too); /digest and /export in a committee's chat for its admins; /branch in a group bound to nothing.
    Privately, /wish, /manage, /extend and /close for secretaries of a branch that has its group, /digest for admins
    of a committee that has its chat.
    """
    member = roles.member
    mine = ["me", "mine"] if member is not None and member.reported else []
    records = [*(["checkin", "certificate", "correct"] if mine else []), "verify"]
    if here.private:
        names = ["start", "help", *mine]
        if member is not None and member.home_branch_id is not None:
            names += ["wishes", "register"]
        names += ["lang", "mydata", *(["leave"] if member is not None else []), "cancel"]
        if any(b.chat is not None for b in roles.secretary_of):
            names += ["wish", "manage", "extend", "close"]
        if roles.secretary_of:
            names.append("atrisk")
        if any(c.chat is not None for c in roles.admin_of):
            names.append("digest")
        if roles.secretary_of or roles.admin_of:
            names.append("export")
        if bot_admin:
            names.append("committee")
        if member is not None and member.reported:  # pairings and recurring activities
            names += ["visit", "calendar"]
        if roles.secretary_of:
            names += ["pair", "pairings"]
            if roles.secretary_of[0].chat is not None:
                names.append("recurring")
        names += [*records, *(["signin"] if roles.secretary_of or roles.grid_worker_of else [])]
        if roles.secretary_of:  # grid workers (网格员)
            names.append("gridworker")
        return tuple(names)
    if here.branch is not None:
        branch = here.branch
        secretary = any(b.id == branch.id for b in roles.secretary_of)
        admin = any(c.id == branch.committee_id for c in roles.admin_of)
        names = ["help", "join", "wishes", "register", *mine, "lang"]
        if secretary:
            names += ["wish", "manage", "extend", "close", "cancel", "atrisk"]
        if secretary or admin or bot_admin:
            names.append("secretary")
        if secretary or admin:
            names.append("export")
        if secretary:  # pairings and recurring activities
            names += ["pair", "pairings", "recurring"]
        grid_worker = any(b.id == branch.id for b in roles.grid_worker_of)
        names += [*records, *(["signin"] if secretary or grid_worker else [])]
        if secretary:  # grid workers (网格员)
            names.append("gridworker")
        return tuple(names)
    names = ["help", *mine, "lang", *records]
    if here.committee is not None:
        if any(c.id == here.committee.id for c in roles.admin_of):
            names += ["digest", "export"]
        if bot_admin:
            names.append("committee")
        return tuple(names)
    if bot_admin or roles.admin_of or any(b.chat is None for b in roles.secretary_of):
        names.append("branch")
    if bot_admin:
        names.append("committee")
    return tuple(names)


def help_text(names: tuple[str, ...], lang: str) -> str:
    """/help: one line per command this person can use."""
    return "\n".join([t("tg.help.head", lang), *(f"/{name} — {t(f'tg.cmd.{name}', lang)}" for name in names)])
