"""How pairings read in lists: a branch's /pairings, a member's own, and the overdue part of the weekly at-risk list."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.domain.pairings import Pairing, PairingStatus, Rhythm
from bot.i18n import t
from bot.ports.storage import Unit
from bot.usecases import outcomes


def rhythm_text(rhythm: Rhythm, lang: str) -> str:
    """How a rhythm reads: 每月, every 10 days..."""
    return t(f"pair.rhythm.{rhythm.kind.value}", lang, n=rhythm.days)


def day_text(day: date, lang: str) -> str:
    """A due day as people read it."""
    return t("pair.day", lang, y=day.year, m=day.month, d=day.day)


def pairing_line(view: outcomes.PairingView, today: date, lang: str, *, private: bool = False) -> str:
    """One pairing on a list: #N alias — member · rhythm · due (overdue marked); the contact only in ``private``."""
    p = view.pairing
    if p.status != PairingStatus.ACTIVE:
        state = t(f"pair.status.{p.status.value}", lang)
    elif p.overdue(today):
        state = t("pair.overdue_since", lang, day=day_text(p.next_due, lang), days=(today - p.next_due).days)
    else:
        state = t("pair.due_on", lang, day=day_text(p.next_due, lang))
    line = t(
        "pair.line",
        lang,
        id=p.id,
        alias=escape(p.alias),
        member=escape(view.member_name),
        rhythm=rhythm_text(p.rhythm, lang),
        state=state,
    )
    if private and p.contact:
        line += t("pair.contact", lang, contact=escape(p.contact))
    return line


def pairing_list_text(found: outcomes.PairingList, lang: str, *, private: bool = False) -> str:
    """/pairings: overdue first, then by due day."""
    if not found.pairings:
        return t("pair.list.none", lang, branch=escape(found.branch_name))
    overdue = sum(1 for v in found.pairings if v.pairing.overdue(found.today))
    ordered = sorted(found.pairings, key=lambda v: (not v.pairing.overdue(found.today), v.pairing.next_due))
    head = t("pair.list.head", lang, branch=escape(found.branch_name), n=len(found.pairings), overdue=overdue)
    return "\n".join([head, *(pairing_line(v, found.today, lang, private=private) for v in ordered)])


async def view_of(unit: Unit, pairing: Pairing) -> outcomes.PairingView:
    """A pairing with its member's name."""
    member = await unit.people.get(pairing.member_id)
    return outcomes.PairingView(pairing, member.name if member is not None else "—")


async def overdue_pairings(unit: Unit, branch_id: int, today: date) -> list[outcomes.PairingView]:
    """A branch's active pairings whose visit is past due."""
    return [await view_of(unit, p) for p in await unit.pairings.of_branch(branch_id) if p.overdue(today)]


def overdue_pairings_text(overdue: list[outcomes.PairingView], today: date, lang: str) -> str:
    """The overdue pairings under the at-risk list (aliases only, no contacts: the list may be forwarded)."""
    return "\n".join([t("pair.atrisk.head", lang), *(pairing_line(v, today, lang) for v in overdue)])


def made_text(made: outcomes.PairingMade, lang: str) -> str:
    """The secretary's answer to /pair."""
    p = made.view.pairing
    return t(
        "pair.made",
        lang,
        id=p.id,
        member=escape(made.view.member_name),
        alias=escape(p.alias),
        rhythm=rhythm_text(p.rhythm, lang),
        day=day_text(p.next_due, lang),
    )


def changed_text(action: str, made: outcomes.PairingMade, lang: str) -> str:
    """The secretary's answer to pause, resume, end or hand over."""
    p = made.view.pairing
    return t(
        f"pair.changed.{action}",
        lang,
        id=p.id,
        alias=escape(p.alias),
        member=escape(made.view.member_name),
        day=day_text(p.next_due, lang),
    )


def confirmed_text(confirmed: outcomes.VisitConfirmed, lang: str) -> str:
    """The secretary's answer to /confirmvisit."""
    if confirmed.already:
        return t("pair.visit.already", lang)
    return t(
        "pair.visit.confirmed",
        lang,
        member=escape(confirmed.member.name),
        alias=escape(confirmed.pairing.alias),
        visit=confirmed.visit.id,
    )


def mine_text(found: outcomes.PairingList, lang: str) -> str:
    """A member's own pairings (/visit without a number)."""
    if not found.pairings:
        return t("pair.mine.none", lang)
    return "\n".join([t("pair.mine.head", lang), *(pairing_line(v, found.today, lang) for v in found.pairings)])


def pairing_number(text: str) -> int | None:
    """The pairing (or visit) number a person typed ("3" or "#3"); None when it is not one."""
    digits = text.strip().lstrip("#")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 12 else None


def number_and_rest(text: str) -> tuple[int | None, str]:
    """What follows a numbered command ("3 张三", "#3"): the number (None when the first word is none) and the rest."""
    first, rest = [*text.strip().split(maxsplit=1), "", ""][:2]
    return pairing_number(first) if first else None, rest.strip()
