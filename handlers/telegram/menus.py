"""Which commands each kind of person sees: the per-scope command menu (setMyCommands) and /help."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand

from bot.domain.model import Branch, Committee
from bot.usecases.outcomes import Roles
from handlers.telegram.texts import t

PRIVATE = (
    "start",
    "help",
    "me",
    "mine",
    "wishes",
    "register",
    "checkin",
    "certificate",
    "visit",
    "calendar",
    "post",
    "lang",
    "mydata",
    "leave",
    "cancel",
)
GROUP = ("help", "join", "wishes", "me", "mine", "headcount")
SECRETARY = ("wish", "manage", "extend", "close", "cancel", "atrisk", "secretary")
ADMIN = ("branch", "committee")
REPORTS = ("digest", "export")
BRANCH_LEAD = ("emergency", "signin", "pair", "pairings", "recurring")
"""A secretary's everyday commands of issues 14 and 15 in their branch's group: the call, sign-in, pairings."""
PRIVATE_SECRETARY = ("signin", "pair", "pairings", "confirmvisit")
"""A secretary's everyday commands in their private chat, beside the member's."""
_KINDS = {
    "private": PRIVATE,
    "group": GROUP,
    "secretary": (*GROUP, *SECRETARY, "export", *BRANCH_LEAD),
    "admin": GROUP + SECRETARY + ADMIN,
    "committee": ("help", "me", "mine", *REPORTS, "emergency", "headcount"),
    "private_staff": (*PRIVATE, "export"),
    "private_secretary": (*PRIVATE, "export", "atrisk", *PRIVATE_SECRETARY),
    "private_admin": (*PRIVATE, "export", "digest"),
    "private_secretary_admin": (*PRIVATE, "export", "atrisk", *PRIVATE_SECRETARY, "digest"),
}
"""The command menus (setMyCommands) per scope: a short list of the usual commands; /help is the exact one."""
ALIASES = {"emergency": "/应急", "headcount": "/人数", "post": "/应急岗位", "checkin": "签到"}
"""The Chinese spellings read as the same command (Telegram makes only Latin words commands), shown in /help."""
_LEAD_BY_NUMBER = ("confirmvisit", "pausepair", "resumepair", "handover", "endpair", "endseries")
"""A secretary's commands on one pairing, visit or series by its number."""


def menu(kind: str, lang: str) -> list[BotCommand]:
    """The command menu of a kind: private, group, secretary, admin, committee (chat), private_staff, or the
    private menu of a secretary, a committee admin or both (``private_menu``)."""
    return [BotCommand(name, t(f"tg.cmd.{name}", lang)) for name in _KINDS[kind]]


def private_menu(roles: Roles) -> str:
    """The kind of private menu for this person's roles: a secretary's, a committee admin's, both, or the staff one."""
    secretary, admin = bool(roles.secretary_of), bool(roles.admin_of)
    if secretary and admin:
        return "private_secretary_admin"
    if secretary:
        return "private_secretary"
    return "private_admin" if admin else "private_staff"


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
    of a committee that has its chat. An emergency call (/emergency) in a branch's group for its secretaries, in the
    committee's chat for its admins (and for bot admins in both); /headcount there for everyone, the names of those
    who did not answer going privately to secretaries and admins only. The pairing and series commands that take a
    number act on any branch one leads: privately for every secretary, in a branch's group for its own.
    """
    member = roles.member
    reported = member is not None and member.reported
    mine = ["me", "mine"] if reported else []
    records = [*(["checkin", "certificate", "correct"] if mine else []), "verify"]
    series = ["series", "leaveseries"] if reported else []
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
        if reported:  # pairings and recurring activities
            names += ["visit", "calendar", "skip"]
        if roles.secretary_of:
            names += ["pair", "pairings"]
            if roles.secretary_of[0].chat is not None:
                names.append("recurring")
        names += [*records, *(["signin"] if roles.secretary_of or roles.grid_worker_of else [])]
        names += [*series, *(_LEAD_BY_NUMBER if roles.secretary_of else ()), "post", "answer"]
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
        names += [*(["emergency"] if secretary or bot_admin else []), "headcount", "post", "answer", *series]
        names += _LEAD_BY_NUMBER if secretary else ()
        if secretary:  # grid workers (网格员)
            names.append("gridworker")
        return tuple(names)
    names = ["help", *mine, "lang", *records]
    if here.committee is not None:
        if any(c.id == here.committee.id for c in roles.admin_of):
            names += ["digest", "export"]
        if bot_admin:
            names.append("committee")
        admin = bot_admin or any(c.id == here.committee.id for c in roles.admin_of)
        return (*names, *(["emergency"] if admin else []), "headcount", "post", "answer", *series)
    if bot_admin or roles.admin_of or any(b.chat is None for b in roles.secretary_of):
        names.append("branch")
    if bot_admin:
        names.append("committee")
    return (*names, "post", "answer", *series)


def help_text(names: tuple[str, ...], lang: str, *, points: bool = False) -> str:
    """/help: one line per command this person can use, with its Chinese spelling where it has one; /me names the
    points when ``[points]`` is enabled."""
    lines = [t("tg.help.head", lang)]
    for name in names:
        alias = t("tg.help.alias", lang, alias=ALIASES[name]) if name in ALIASES else ""
        key = "tg.help.me_points" if name == "me" and points else f"tg.cmd.{name}"
        lines.append(f"/{name}{alias} — {t(key, lang)}")
    return "\n".join(lines)
