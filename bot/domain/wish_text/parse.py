"""parse_wish_text: the steps of reading one wish post, in order, into a ParseResult."""

from __future__ import annotations

import re
from datetime import date

from bot.domain.model import Urgency
from bot.domain.privacy import phone_spans
from bot.domain.wish_text.deadlines import find_dates, read_deadline
from bot.domain.wish_text.marks import (
    TEAM,
    URGENT,
    read_marks,
    text_category,
)
from bot.domain.wish_text.results import (
    MAX_TITLE,
    MAX_WISH_TEXT,
    ParsedWish,
    ParseProblem,
    ParseResult,
)
from bot.domain.wish_text.slots import read_slots
from bot.domain.wish_text.spans import Span
from bot.domain.wish_text.title import FLAG_CLAUSE, FLAG_LABEL, cut_out, joined, split_clauses

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＃／．－\u3000", "0123456789#/.- ")

_PREFIX = re.compile(
    r"^\s*(?:/wish(?:@[A-Za-z0-9_]+)?(?![A-Za-z0-9_])|#微心愿#?|【微心愿】|\[微心愿\]|微心愿\s*[:：])[\s:：]*"
)


def _strip_prefix(text: str) -> str:
    for _ in range(3):
        match = _PREFIX.match(text)
        if not match or not match.group(0):
            break
        text = text[match.end() :]
    return text


def parse_wish_text(text: str, today: date) -> ParseResult:
    """Read a secretary's wish post into a :class:`ParsedWish`, or return the problems that stop it.

    Deadline conventions (the result is never earlier than ``today``):

    * A date counts as the deadline when it is marked (``截止``/``截至``/``最晚`` before it, ``前``/``之前``/
      ``以前``/``为止`` after it, or ``N天内``/``本周内``). Without any marked date, a single unmarked date
      (``明天上午``, ``12月31日``) is taken, but left in the title; several different unmarked dates set no
      deadline and leave a note. ``12.31``, ``12/31`` and a bare day (``20号``) count only when marked.
    * Month and day without a year: this year, or next year if already passed (with note ``parse.year_assumed``);
      a date that passed only recently (within ``YEARLESS_TYPO_DAYS``) is more likely a slip than next year's, so
      it is refused as past and asked about.
      A bare day: this month, or next month if passed (note ``parse.month_assumed``).
    * Weeks run Monday to Sunday. ``周五``/``星期五``/``礼拜五`` is the next Friday on or after today (said on
      a Friday it means today). ``本周五``/``这周五`` is this week's Friday, refused if already past.
      ``下周五`` is always the Friday of next week, ``下下周五`` the week after; ``周末`` is the Sunday.
    * ``N天内``/``N日内`` is today + N days, ``N周内`` today + 7N, ``N个月内`` the same day N months on.
      ``月底``/``本月底`` the last day of this month, ``下月底`` of next month, ``年底`` 31 December.
    * An explicit date in the past is refused (``parse.deadline_past``), an impossible one (``2月30日``) too
      (``parse.deadline_invalid``), and two different marked deadlines (``parse.deadline_conflicting``).
    """
    if len(text) > MAX_WISH_TEXT:
        problem = ParseProblem("parse.too_long", (("length", str(len(text))), ("max", str(MAX_WISH_TEXT))))
        return ParseResult(None, (problem,))
    text = _strip_prefix(text.translate(_FULL_WIDTH))
    protected = list(phone_spans(text))
    problems: list[ParseProblem] = []
    notes: list[ParseProblem] = []
    marks = read_marks(text, protected)
    removed: list[Span] = list(marks.spans)

    date_hits = find_dates(text, today, protected + removed)
    deadline = read_deadline(date_hits)
    problems.extend(deadline.problems)
    notes.extend(deadline.notes)
    removed.extend(deadline.spans)

    slots = read_slots(text, protected + removed + [hit.span for hit in date_hits])
    problems.extend(slots.problems)
    removed.extend(slots.spans)

    rest = cut_out(text, removed)
    clauses = split_clauses(rest)
    flag_only = [clause for clause, _ in clauses if FLAG_CLAUSE.fullmatch(clause)]
    urgent = marks.urgent or any(TEAM.sub("", clause) for clause in flag_only)
    urgent = urgent or URGENT.search(cut_out(text, protected)) is not None
    team = marks.team or TEAM.search(text) is not None
    clauses = [
        (FLAG_LABEL.sub("", clause, count=1), separator)
        for clause, separator in clauses
        if not FLAG_CLAUSE.fullmatch(clause) and FLAG_LABEL.sub("", clause, count=1)
    ]

    category = marks.categories[0] if marks.categories else text_category(rest)
    if len(marks.categories) > 1:
        notes.append(ParseProblem("parse.tags_ignored", (("tags", "、".join(marks.categories[1:])),)))

    title = clauses[0][0] if clauses else ""
    description = joined(clauses[1:])
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
        description = joined(clauses)
        notes.append(ParseProblem("parse.title_trimmed", (("max", str(MAX_TITLE)),)))
    if not title:
        problems.append(ParseProblem("parse.title_missing"))

    if problems:
        return ParseResult(None, tuple(dict.fromkeys(problems)))
    wish = ParsedWish(
        title=title,
        description=description,
        slots=slots.value,
        deadline=deadline.value,
        category=category,
        team_claim=team,
        urgency=Urgency.EMERGENCY if urgent else Urgency.NORMAL,
        notes=tuple(dict.fromkeys(notes)),
    )
    return ParseResult(wish, ())
