"""How a call looks: the group board with live counts, the member's prompt with its three buttons, the summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.domain.emergency import Answer, Emergency, EmergencyPost, Headcount, Tally
from bot.i18n import t
from bot.notices.callbacks import Act, encode
from bot.ports.chat import Button, OutgoingMessage

MAX_GROUPS = 12
"""Posts or grids a board lists one by one; the rest are counted in one line, so a board stays one message."""


def head(emergency: Emergency, lang: str) -> str:
    """The call's first line: 应急召集 #N, or 应急演练 #N for a drill."""
    return t("em.head.drill" if emergency.drill else "em.head", lang, id=emergency.id)


def clock(moment: datetime, tz: ZoneInfo) -> str:
    """A moment as the local ``MM-DD HH:MM``."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def answer_label(answer: Answer, lang: str) -> str:
    """可到 / 稍后可到 / 不可."""
    return t(f"em.answer.{answer.value}", lang)


def tally_line(tally: Tally, lang: str) -> str:
    """One group's counts: · 物资配送：可到 N · 稍后 N · 不可 N · 未回复 N."""
    label = escape(tally.label) if tally.label else t("em.unset", lang)
    return t("em.line", lang, label=label, yes=tally.yes, later=tally.later, no=tally.no, none=tally.none)


def _groups(title: str, tallies: Sequence[Tally], lang: str) -> list[str]:
    if not tallies or (len(tallies) == 1 and not tallies[0].label):
        return []
    lines = [t(title, lang)] + [tally_line(tally, lang) for tally in tallies[:MAX_GROUPS]]
    if len(tallies) > MAX_GROUPS:
        lines.append(t("em.more", lang, n=len(tallies) - MAX_GROUPS))
    return lines


def totals(count: Tally, lang: str) -> str:
    """可到 N · 稍后可到 N · 不可 N · 未回复 N（共 N 人）."""
    return t("em.total", lang, yes=count.yes, later=count.later, no=count.no, none=count.none, total=count.total)


def board(count: Headcount, scope: str, lang: str, *, committee: bool) -> OutgoingMessage:
    """A group's board: the call's text, who is called, and the counts by post and by grid; it ends with the call."""
    emergency = count.emergency
    lines = [
        head(emergency, lang),
        escape(emergency.text),
        t("em.scope.committee" if committee else "em.scope.branch", lang, name=escape(scope)),
        "",
        totals(count.total, lang),
        *_groups("em.by_post", count.by_post, lang),
        *_groups("em.by_grid", count.by_grid, lang),
    ]
    if emergency.ended_at is not None:
        lines += ["", t("em.ended", lang)]
    else:
        lines += ["", t("em.call.group", lang)]
    return OutgoingMessage("\n".join(lines), pin=emergency.ended_at is None)


def prompt(
    emergency: Emergency, post: EmergencyPost, answer: Answer | None, lang: str, attempt: int = 1
) -> OutgoingMessage:
    """A member's prompt: the call, their post and grid, and 可到 / 稍后可到 / 不可 while the call is open."""
    unset = t("em.unset", lang)
    lines = [head(emergency, lang), escape(emergency.text), ""]
    lines.append(t("em.prompt", lang, post=escape(post.post) or unset, grid=escape(post.grid) or unset))
    if attempt > 1 and answer is None:
        lines.append(t("em.prompt.again", lang, n=attempt))
    if answer is not None:
        lines.append(t("em.prompt.answered", lang, answer=answer_label(answer, lang)))
    if emergency.ended_at is not None:
        lines.append(t("em.prompt.ended", lang))
        return OutgoingMessage("\n".join(lines))
    lines.append(t("em.prompt.note", lang))
    buttons = tuple(
        Button(answer_label(choice, lang), encode(Act.EMERGENCY_ANSWER, emergency.id, choice.code)) for choice in Answer
    )
    return OutgoingMessage("\n".join(lines), (buttons,))


def unanswered(emergency: Emergency, names: Sequence[str], times: int, lang: str) -> str:
    """The secretary's private list of members who did not answer after every prompt."""
    sep = t("list.sep", lang)
    return t("em.unanswered", lang, id=emergency.id, n=len(names), times=times, names=sep.join(map(escape, names)))


def unanswered_now(emergency: Emergency, names: Sequence[str], lang: str) -> str:
    """Who has not answered yet, for a secretary or admin who asked for the headcount."""
    sep = t("list.sep", lang)
    return t("em.unanswered.now", lang, id=emergency.id, n=len(names), names=sep.join(map(escape, names)))


def answered(emergency_id: int, drill: bool, answer: Answer, note: str, lang: str) -> str:
    """The acknowledgement of an answer typed as text: which call, the answer and the note kept."""
    what = t("em.what.drill" if drill else "em.what.call", lang)
    text = t("em.answered_text", lang, what=what, id=emergency_id, answer=answer_label(answer, lang))
    return text + ("\n" + t("em.answered_note", lang, note=escape(note)) if note else "")
