"""parse_wish_text: the steps of reading one wish post, in order, into a ParseResult."""

from __future__ import annotations

import re
from datetime import date, time

from bot.domain.model import Urgency
from bot.domain.privacy import phone_spans
from bot.domain.wish_text.deadlines import find_dates, read_deadline
from bot.domain.wish_text.marks import (
    TEAM,
    URGENT,
    read_marks,
    text_category,
)
from bot.domain.wish_text.reading import DateHit
from bot.domain.wish_text.results import (
    MAX_SLOTS,
    MAX_TITLE,
    MAX_WISH_TEXT,
    ParsedWish,
    ParseProblem,
    ParseResult,
)
from bot.domain.wish_text.shift import read_shift
from bot.domain.wish_text.slots import read_slots
from bot.domain.wish_text.spans import Span
from bot.domain.wish_text.title import FLAG_CLAUSE, Clause, cut_out, joined, split_clauses

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


def parse_wish_text(text: str, today: date, now: time | None = None, *, slots: int | None = None) -> ParseResult:
    """Read a secretary's wish post into a :class:`ParsedWish`, or return the problems that stop it.

    ``now`` is the local time of day (a deadline today at a time already gone is refused); ``slots`` is a count
    given apart from the text (the answer to "how many people?"), used when the text names none.

    Count conventions: a count of people is read wherever it stands (``名额2``, ``3人``, ``需要医生2名``,
    ``医生两名``, ``2 people``, ``3 volunteers``, ``quota 2``, ``need 4``, ``slots: 3``), in Arabic, Chinese or
    English numerals; ages, buildings, things, durations, dates and phone numbers are not counts (``90岁老人``,
    ``3号楼``, ``2个书包``, ``2小时``). A text that names no count is not posted: ``parse.slots_missing`` asks
    for it (and the draft is kept). Several different counts are refused, not guessed.

    Deadline conventions (the result is never earlier than ``today``, nor earlier than ``now`` today):

    * A date counts as the deadline when it is marked (``截止``/``截至``/``最晚`` before it, ``前``/``之前``/
      ``以前``/``为止``/``截止`` after it, ``N天内``/``本周内``; in English ``by``/``before``/``due``/``until``/
      ``deadline:`` before it, or ``within N days``). Without any marked date, a single unmarked date
      (``明天上午``, ``12月31日``, ``Dec 20``) is taken; several different unmarked dates set no deadline and leave
      a note. ``12.31``, ``12/31`` (``20/12`` when the first number cannot be a month) and a bare day (``20号``)
      count when marked or standing on their own (``12.5 社区义诊``, ``1日-5日``), never inside a word or number
      (``2.5小时``, ``3号楼``); a time on its own (``18点``, ``6pm``) sets a deadline only when marked.
      Recurrences (``每周五晚上``, ``每天``) are never a deadline. ``明年春节``/``2027年中秋`` is that year's.
    * The title is never a date or a time: every date and time phrase, marked or not, is cut out of the title.
      Unless the deadline carries all it said (a date, maybe with a clock time), the whole clause is also kept at
      the start of the description (``周一至周五下午为老人送餐`` is titled ``为老人送餐``).
    * A time of day after the date (``今天18点前``, ``明天上午10点截止``, ``12月20日下午3点前``, ``Dec 20 3pm``,
      ``6:30 pm tomorrow``) sets ``deadline_time``; alone (``下午3点半前``, ``by 6pm``) it is today's.
      ``上午``/``凌晨``/``早上`` keep the hour, ``下午``/``晚上``/``傍晚`` add twelve, ``中午1点`` is 13:00;
      ``24点``/``晚上12点``/``midnight`` are the end of the day (no time). A part of the day without a clock time
      (``明天上午``) sets no time.
    * Month and day without a year: this year, or next year if already passed (with note ``parse.year_assumed``);
      a date that passed only recently (within ``YEARLESS_TYPO_DAYS``) is more likely a slip than next year's, so
      it is refused as past and asked about.
      A bare day: this month, or next month if passed (note ``parse.month_assumed``).
    * Weeks run Monday to Sunday. ``周五``/``星期五``/``礼拜五``/``Friday`` is the next Friday on or after today
      (said on a Friday it means today). ``本周五``/``这周五``/``this Friday`` is this week's Friday, refused if
      already past. ``下周五``/``next Friday`` is always the Friday of next week, ``下下周五``/``Friday after
      next`` the week after; ``周末``/``weekend``/``end of the week`` is the Sunday.
    * ``N天内``/``N日内``/``within N days``/``in N days`` is today + N days, ``N周内`` today + 7N, ``N个月内``
      the same day N months on. ``月底``/``本月底``/``end of month`` the last day of this month, ``下月底``/``end
      of next month`` of next month, ``年底``/``end of year`` 31 December.
    * Festivals and lunar dates are the next such day on or after today: statutory and half-day holidays from
      China's published calendar (``春节前``, ``元旦前``, ``清明前``, ``五一前``, ``端午前``, ``中秋节前``,
      ``国庆前``, ``六一前``: the holiday's first day), lunar ones from the lunisolar calendar (``除夕``, ``元宵节``,
      ``七夕``, ``重阳节``, ``腊八``, ``小年`` = 腊月二十三, ``正月十五``, ``腊月二十三``, ``农历八月十五``,
      ``闰六月初一``). Unmarked, a festival counts only as a phrase of its own (``重阳节为老人包饺子``), never
      inside another word (``春节期间``, ``庆祝国庆``, ``五一路``).
    * An explicit date in the past is refused (``parse.deadline_past``), an impossible one (``2月30日``) too
      (``parse.deadline_invalid``), an impossible time (``25点``) too (``parse.time_invalid``), and two different
      marked deadlines (``parse.deadline_conflicting``).
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

    date_hits = find_dates(text, today, protected + removed, now)
    deadline = read_deadline(date_hits)
    problems.extend(deadline.problems)
    notes.extend(deadline.notes)
    removed.extend(deadline.spans)

    counted = read_slots(text, protected + removed + [hit.span for hit in date_hits])
    problems.extend(counted.problems)
    removed.extend(counted.spans)
    count = counted.value if counted.value is not None or counted.problems else slots
    if count is None and not counted.problems:
        problems.append(ParseProblem("parse.slots_missing"))
    elif count is not None and not 1 <= count <= MAX_SLOTS:
        problems.append(ParseProblem("parse.slots_unreadable", (("seen", str(count)), ("max", str(MAX_SLOTS)))))

    rest = cut_out(text, removed)
    clauses = split_clauses(text, removed)
    flag_only = [clause.text for clause in clauses if FLAG_CLAUSE.fullmatch(clause.text)]
    urgent = marks.urgent or any(TEAM.sub("", clause) for clause in flag_only)
    urgent = urgent or URGENT.search(cut_out(text, protected)) is not None
    team = marks.team or TEAM.search(text) is not None
    clauses = [
        clause.unlabelled() for clause in clauses if not FLAG_CLAUSE.fullmatch(clause.text) and clause.unlabelled().text
    ]

    category = marks.categories[0] if marks.categories else text_category(rest)
    if len(marks.categories) > 1:
        notes.append(ParseProblem("parse.tags_ignored", (("tags", "、".join(marks.categories[1:])),)))

    title, description = _title(clauses, date_hits, deadline.exact)
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
        description = joined(clauses)
        notes.append(ParseProblem("parse.title_trimmed", (("max", str(MAX_TITLE)),)))
    if not title:
        problems.append(ParseProblem("parse.title_missing"))

    if problems or count is None:
        return ParseResult(None, tuple(dict.fromkeys(problems)))
    wish = ParsedWish(
        title=title,
        description=description,
        slots=count,
        deadline=deadline.value,
        category=category,
        team_claim=team,
        urgency=Urgency.EMERGENCY if urgent else Urgency.NORMAL,
        notes=tuple(dict.fromkeys(notes)),
        deadline_time=deadline.at if deadline.value is not None else None,
        shift=read_shift(text),
    )
    return ParseResult(wish, ())


def _title(clauses: list[Clause], hits: list[DateHit], exact: tuple[Span, ...]) -> tuple[str, str]:
    """The first clause with something left once every date and time is cut out, and the description after it
    (beginning with the clauses whose dates the deadline does not carry whole)."""
    cut = {index for hit in hits for index in range(*hit.span)}
    whole = {index for span in exact for index in range(*span)}
    for position, clause in enumerate(clauses):
        title = clause.without(cut)
        if not title:
            continue
        kept = [c for c in clauses[: position + 1] if c.touches(cut - whole)]
        return title, joined(kept + clauses[position + 1 :])
    return "", joined(clauses)
