"""Deadlines: every date phrase found in a wish text, read relative to today, and the one taken as the deadline."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from bot.domain.wish_text.results import (
    YEARLESS_TYPO_DAYS,
    ParseProblem,
)
from bot.domain.wish_text.spans import Span, overlaps, read_number

_M = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_D = r"(?:[0-9]{1,2}(?![0-9])\s*[日号]?|[一二三四五六七八九十]{1,3}\s*[日号])"
_N = r"(?:[0-9]{1,3}|[一二两三四五六七八九十][零〇一二两三四五六七八九十百]{0,3})"
_WEEK_LOOKBEHIND = r"(?<![每上0-9零〇一二两三四五六七八九十几])"
_DATE_FORMS = "|".join(
    (
        rf"(?P<ymd>(?<![0-9])(?P<ymd_y>[0-9]{{4}}|[零〇一二三四五六七八九]{{4}})\s*年\s*(?P<ymd_m>{_M})\s*月\s*(?P<ymd_d>{_D}))",
        r"(?P<iso>(?<![0-9])(?P<iso_y>[0-9]{4})[-/.](?P<iso_m>[0-9]{1,2})[-/.](?P<iso_d>[0-9]{1,2})(?![0-9]))",
        r"(?P<yend>(?P<yend_y>(?<![0-9])[0-9]{4}\s*|今|本|明)?年(?:底|末))",
        rf"(?P<mend>(?<![0-9])(?P<mend_m>{_M})\s*月(?:底|末))",
        rf"(?P<md>(?<![0-9])(?P<md_m>{_M})\s*月\s*(?P<md_d>{_D}))",
        rf"(?P<rmday>(?P<rmday_p>本|这个?|当|下个?)月\s*(?P<rmday_d>{_D}))",
        r"(?P<rmend>(?P<rmend_p>本|这个?|当|下个?)?月(?:底|末))",
        rf"(?P<within>(?P<within_n>{_N})\s*个?\s*(?P<within_u>天|日|周|星期|礼拜|月)\s*(?:之内|以内|内))",
        r"(?P<period>(?P<period_p>本|这个?|今)(?P<period_u>周|星期|礼拜|月|年)\s*(?:之内|以内|内))",
        r"(?P<rel>大后天|后天|明天|明日|今天|今日|今晚)",
        rf"(?P<weekend>{_WEEK_LOOKBEHIND}(?P<weekend_p>下下个?|下个?|本|这个?)?周末)",
        rf"(?P<week>{_WEEK_LOOKBEHIND}(?P<week_p>下下个?|下个?|本|这个?)?(?:周|星期|礼拜)(?P<week_d>[一二三四五六日天1-7]))",
        r"(?P<dot>(?<![0-9./])(?P<dot_m>[0-9]{1,2})[./](?P<dot_d>[0-9]{1,2})(?![0-9./]))",
        r"(?P<day>(?<![0-9月第每零〇一二两三四五六七八九十])(?P<day_d>[0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*[日号])",
    )
)
_KINDS = (
    "ymd",
    "iso",
    "yend",
    "mend",
    "md",
    "rmday",
    "rmend",
    "within",
    "period",
    "rel",
    "weekend",
    "week",
    "dot",
    "day",
)
_ALWAYS_MARKED = frozenset(("within", "period"))
_NEEDS_MARKER = frozenset(("dot", "day"))
_PRE = (
    r"(?P<pre>(?:截止|截至|最晚|最迟|不晚于|期限)(?:日期|时间)?\s*(?:到|至|为|是|于|在)?\s*[:：]?\s*)?"
    r"(?:(?:请|需|须|务必|要)?(?:于|在))?"
)
_TIME = (
    r"(?:\s*(?:上午|下午|中午|晚上|早上|傍晚|凌晨|白天)?\s*"
    r"(?:[0-9]{1,2}\s*[:：]\s*[0-9]{2}"
    r"|(?:[0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*[点时](?:半|\s*[0-9]{1,2}\s*分|[一二三四五六七八九十]{1,3}分)?)?)?"
)
_SUF = (
    r"(?P<suf>\s*(?:之前|以前|前(?![往去来进面方台门排后天夕院线期])|为止|截止|截至)"
    r"(?:\s*(?:完成|办结))?)?"
)
_DEADLINE = re.compile(_PRE + "(?:" + _DATE_FORMS + ")" + _TIME + _SUF)

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS.update({str(n): n - 1 for n in range(1, 8)})


@dataclass(frozen=True, slots=True)
class _DateHit:
    span: Span
    seen: str
    marked: bool
    value: date | None
    problem: ParseProblem | None = None
    note: ParseProblem | None = None


def _make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_end(year: int, month: int) -> date | None:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if not 1 <= year <= 9999:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(today: date, days: int) -> date | None:
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return None


def _ahead(prefix: str | None) -> int:
    """How many weeks (or months) ahead a ``下``/``下下`` prefix points; ``本``/``这`` or none is zero."""
    if not prefix:
        return 0
    if prefix.startswith("下下"):
        return 2
    if prefix.startswith("下"):
        return 1
    return 0


class _Reading:
    """One date phrase being turned into a date, a problem, and maybe a note."""

    def __init__(self, match: re.Match[str], today: date) -> None:
        self.match = match
        self.today = today
        self.seen = match.group(0).strip()
        self.note: ParseProblem | None = None

    def invalid(self) -> ParseProblem:
        return ParseProblem("parse.deadline_invalid", (("seen", self.seen),))

    def past(self, value: date) -> ParseProblem:
        return ParseProblem("parse.deadline_past", (("seen", self.seen), ("date", value.isoformat())))

    def checked(self, value: date | None) -> date | ParseProblem:
        if value is None:
            return self.invalid()
        if value < self.today:
            return self.past(value)
        return value

    def yearless(self, month: int | None, day: int | None) -> date | ParseProblem:
        this_year = _make_date(self.today.year, month, day)
        if this_year is None:
            return self.invalid()
        if this_year >= self.today:
            return this_year
        if (self.today - this_year).days <= YEARLESS_TYPO_DAYS:
            return self.past(this_year)
        return self.next_year(_make_date(self.today.year + 1, month, day))

    def next_year(self, value: date | None) -> date | ParseProblem:
        if value is None:
            return self.invalid()
        self.note = ParseProblem(
            "parse.year_assumed", (("seen", self.seen), ("year", str(value.year)), ("date", value.isoformat()))
        )
        return value

    def monthless(self, day: int | None) -> date | ParseProblem:
        this_month = _make_date(self.today.year, self.today.month, day)
        if this_month is not None and this_month >= self.today:
            return this_month
        end = _month_end(self.today.year, self.today.month + 1)
        if end is None or day is None or not 1 <= day <= end.day:
            return self.invalid()
        value = end.replace(day=day)
        self.note = ParseProblem("parse.month_assumed", (("seen", self.seen), ("date", value.isoformat())))
        return value

    def resolve(self) -> date | ParseProblem:
        g = self.match.group
        today = self.today
        kind = next((k for k in _KINDS if g(k) is not None), "")
        if kind == "ymd":
            return self.checked(_make_date(read_number(g("ymd_y")), read_number(g("ymd_m")), read_number(g("ymd_d"))))
        if kind == "iso":
            return self.checked(_make_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d"))))
        if kind == "yend":
            marker = (g("yend_y") or "").strip()
            year = read_number(marker) if marker.isdigit() else today.year + (marker == "明")
            return self.checked(_make_date(year, 12, 31))
        if kind == "mend":
            month = read_number(g("mend_m"))
            if month is None or not 1 <= month <= 12:
                return self.invalid()
            end = _month_end(today.year, month)
            if end is not None and end >= today:
                return end
            return self.next_year(_month_end(today.year + 1, month))
        if kind == "md":
            return self.yearless(read_number(g("md_m")), read_number(g("md_d")))
        if kind == "dot":
            return self.yearless(int(g("dot_m")), int(g("dot_d")))
        if kind == "rmday":
            base = _month_end(today.year, today.month + _ahead(g("rmday_p")))
            if base is None:
                return self.invalid()
            return self.checked(_make_date(base.year, base.month, read_number(g("rmday_d"))))
        if kind == "rmend":
            return self.checked(_month_end(today.year, today.month + _ahead(g("rmend_p"))))
        if kind == "within":
            return self.checked(self.within(read_number(g("within_n")), g("within_u")))
        if kind == "period":
            unit = g("period_u")
            if unit == "月":
                return self.checked(_month_end(today.year, today.month))
            if unit == "年":
                return self.checked(_make_date(today.year, 12, 31))
            return self.checked(_shift(today, 6 - today.weekday()))
        if kind == "rel":
            offsets = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
            return self.checked(_shift(today, offsets[g("rel")]))
        if kind == "weekend":
            return self.checked(_shift(today, 6 - today.weekday() + 7 * _ahead(g("weekend_p"))))
        if kind == "week":
            return self.checked(self.weekday(g("week_p"), _WEEKDAYS[g("week_d")]))
        if kind == "day":
            return self.monthless(read_number(g("day_d")))
        return self.invalid()

    def within(self, count: int | None, unit: str) -> date | None:
        if not count:
            return None
        if unit in ("天", "日"):
            return _shift(self.today, count) if count <= 366 else None
        if unit == "月":
            if count > 12:
                return None
            end = _month_end(self.today.year, self.today.month + count)
            return None if end is None else end.replace(day=min(self.today.day, end.day))
        return _shift(self.today, 7 * count) if count <= 52 else None

    def weekday(self, prefix: str | None, target: int) -> date | None:
        if not prefix:
            return _shift(self.today, (target - self.today.weekday()) % 7)
        return _shift(self.today, target - self.today.weekday() + 7 * _ahead(prefix))


def find_dates(text: str, today: date, protected: list[Span]) -> list[_DateHit]:
    hits: list[_DateHit] = []
    for match in _DEADLINE.finditer(text):
        span = (match.start(), match.end())
        if overlaps(span, protected):
            continue
        kind = next((k for k in _KINDS if match.group(k) is not None), "")
        marked = bool(match.group("pre") or match.group("suf")) or kind in _ALWAYS_MARKED
        if kind in _NEEDS_MARKER and not marked:
            continue
        reading = _Reading(match, today)
        outcome = reading.resolve()
        if isinstance(outcome, ParseProblem):
            hits.append(_DateHit(span, reading.seen, marked, None, outcome))
        else:
            hits.append(_DateHit(span, reading.seen, marked, outcome, None, reading.note))
    return hits


@dataclass(frozen=True, slots=True)
class _Deadline:
    value: date | None
    problems: tuple[ParseProblem, ...]
    notes: tuple[ParseProblem, ...]
    spans: tuple[Span, ...]


def read_deadline(hits: list[_DateHit]) -> _Deadline:
    chosen = [hit for hit in hits if hit.marked]
    spans = tuple(hit.span for hit in chosen)
    if not chosen:
        distinct = {hit.value if hit.problem is None else hit.seen for hit in hits}
        if len(distinct) > 1:
            seen = "、".join(dict.fromkeys(hit.seen for hit in hits))
            return _Deadline(None, (), (ParseProblem("parse.deadline_ambiguous", (("seen", seen),)),), ())
        chosen = hits[:1]
    problems = tuple(dict.fromkeys(hit.problem for hit in chosen if hit.problem is not None))
    if problems:
        return _Deadline(None, problems, (), spans)
    if len({hit.value for hit in chosen}) > 1:
        seen = "、".join(dict.fromkeys(hit.seen for hit in chosen))
        return _Deadline(None, (ParseProblem("parse.deadline_conflicting", (("seen", seen),)),), (), spans)
    notes = tuple(dict.fromkeys(hit.note for hit in chosen if hit.note is not None))
    return _Deadline(chosen[0].value if chosen else None, (), notes, spans)


@dataclass(frozen=True, slots=True)
class DeadlineReading:
    """A deadline read on its own (``/extend 12 12月20日``): the day and maybe a time, or why it could not be read."""

    day: date | None
    at: time | None
    problem: ParseProblem | None


def read_deadline_phrase(text: str, today: date) -> DeadlineReading:
    """Read a phrase that is only a deadline (as typed after ``/extend N``), with the wish texts' conventions."""
    hits = find_dates(" " + text.strip() + "前", today, [])
    if not hits:
        return DeadlineReading(None, None, ParseProblem("parse.deadline_invalid", (("seen", text.strip()),)))
    chosen = read_deadline(hits)
    if chosen.problems:
        return DeadlineReading(None, None, chosen.problems[0])
    if chosen.value is None:
        return DeadlineReading(None, None, ParseProblem("parse.deadline_invalid", (("seen", text.strip()),)))
    return DeadlineReading(chosen.value, None, None)
