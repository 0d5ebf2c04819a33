"""Dates and times written in Chinese (12月31日, 下周五, 三天内, 3小时内, 春节前, 正月十五, 今天18点前), from today."""

from __future__ import annotations

import re
from datetime import date, time

from bot.domain.wish_text.clock import PERIOD, ZH_CLOCK, ZH_TIME, read_zh_time
from bot.domain.wish_text.festivals import NAMES, festival_in, next_festival, next_lunar
from bot.domain.wish_text.reading import DateHit, Reading, make_date, month_end, shift
from bot.domain.wish_text.results import ParseProblem
from bot.domain.wish_text.spans import Span, overlaps, read_number

_M = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_D = r"(?:[0-9]{1,2}(?![0-9])\s*[日号]?|[一二三四五六七八九十]{1,3}\s*[日号])"
_N = r"(?:[0-9]{1,3}|[一二两三四五六七八九十][零〇一二两三四五六七八九十百]{0,3})"
_WEEK_LOOKBEHIND = r"(?<![每上0-9零〇一二两三四五六七八九十几])"
_LUNAR_MONTH = r"(?:十一|十二|十|正|冬|腊|[一二三四五六七八九])"
_LUNAR_DAY = (
    r"(?:初[一二三四五六七八九十]|廿[一二三四五六七八九]|二十[一二三四五六七八九]?|三十|卅"
    r"|十[一二三四五六七八九]?|[一二三四五六七八九])"
)
_LUNAR_FORMS = "|".join(
    (
        rf"(?:农历|阴历)\s*闰?\s*{_LUNAR_MONTH}\s*月\s*{_LUNAR_DAY}(?:\s*[日号])?",
        rf"闰\s*{_LUNAR_MONTH}\s*月\s*{_LUNAR_DAY}",
        rf"[正冬腊]\s*月\s*{_LUNAR_DAY}",
        rf"{_LUNAR_MONTH}\s*月\s*(?:初[一二三四五六七八九十]|廿[一二三四五六七八九]|卅)",
    )
)
_FESTIVALS = "|".join(NAMES)
_DATE_FORMS = "|".join(
    (
        rf"(?P<ymd>(?<![0-9])(?P<ymd_y>[0-9]{{4}}|[零〇一二三四五六七八九]{{4}})\s*年\s*(?P<ymd_m>{_M})\s*月\s*(?P<ymd_d>{_D}))",
        r"(?P<iso>(?<![0-9])(?P<iso_y>[0-9]{4})[-/.](?P<iso_m>[0-9]{1,2})[-/.](?P<iso_d>[0-9]{1,2})(?![0-9]))",
        r"(?P<yend>(?P<yend_y>(?<![0-9])[0-9]{4}\s*|今|本|明)?年(?:底|末))",
        rf"(?P<mend>(?<![0-9])(?P<mend_m>{_M})\s*月(?:底|末))",
        rf"(?P<lunar>{_LUNAR_FORMS})",
        rf"(?P<md>(?<![0-9])(?P<md_m>{_M})\s*月\s*(?P<md_d>{_D}))",
        rf"(?P<rmday>(?P<rmday_p>本|这个?|当|下个?)月\s*(?P<rmday_d>{_D}))",
        r"(?P<rmend>(?P<rmend_p>本|这个?|当|下个?)?月(?:底|末))",
        rf"(?P<hours>(?:(?P<hours_n>{_N})\s*个?\s*(?P<hours_half>半)?|(?P<hours_only_half>半)\s*个?\s*)"
        rf"(?:小时|钟头)\s*(?:之内|以内|内)|(?P<minutes_n>{_N})\s*分钟\s*(?:之内|以内|内))",
        rf"(?P<within>(?P<within_n>{_N})\s*个?\s*(?P<within_u>天|日|周|星期|礼拜|月)\s*(?:之内|以内|内))",
        r"(?P<period>(?P<period_p>本|这个?|今)(?P<period_u>周|星期|礼拜|月|年)\s*(?:之内|以内|内))",
        r"(?P<rel>大后天|后天|明天|明日|明晚|今天|今日|今晚)",
        r"(?P<every>每(?:周|星期|礼拜)[一二三四五六日天1-7]|每(?:天|日|晚|周末))",
        rf"(?P<weekend>{_WEEK_LOOKBEHIND}(?P<weekend_p>下下个?|下个?|本|这个?)?周末)",
        rf"(?P<week>{_WEEK_LOOKBEHIND}(?P<week_p>下下个?|下个?|本|这个?)?(?:周|星期|礼拜)(?P<week_d>[一二三四五六日天1-7]))",
        rf"(?P<fest>(?:(?P<fest_y>(?<![0-9])[0-9]{{4}}|今|明|来)\s*年\s*)?"
        rf"(?<![0-9零〇一二两三四五六七八九十百千])(?P<fest_n>{_FESTIVALS})(?:夜|当天|当日|那天)?)",
        r"(?P<dot>(?<![0-9./])(?P<dot_m>[0-9]{1,2})[./](?P<dot_d>[0-9]{1,2})(?![0-9./]))",
        r"(?P<day>(?<![0-9月第每零〇一二两三四五六七八九十])(?P<day_d>[0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*[日号])",
        rf"(?P<clock>(?<![0-9])(?:(?P<clock_p>{PERIOD})\s*)?{ZH_CLOCK})",
    )
)
_KINDS = (
    "ymd",
    "iso",
    "yend",
    "mend",
    "lunar",
    "md",
    "rmday",
    "rmend",
    "hours",
    "within",
    "period",
    "rel",
    "every",
    "weekend",
    "week",
    "fest",
    "dot",
    "day",
    "clock",
)
_ALWAYS_MARKED = frozenset(("hours", "within", "period"))
_NEEDS_MARKER = frozenset(("dot", "day"))
_STANDING_ALONE = frozenset(("fest", "lunar"))
_PRE = (
    r"(?P<pre>(?:截止|截至|最晚|最迟|不晚于|期限)(?:日期|时间)?\s*(?:到|至|为|是|于|在)?\s*[:：]?\s*)?"
    r"(?:(?:请|需|须|务必|要)?(?:于|在))?"
)
_TIME = rf"(?P<tm>\s*(?:{ZH_TIME}))?"
_SUF = (
    r"(?P<suf>\s*(?:之前|以前|前(?![往去来进面方台门排后天夕院线期])|为止|截止|截至)"
    r"(?:\s*(?:完成|办结))?)?"
)
_DEADLINE = re.compile(_PRE + "(?:" + _DATE_FORMS + ")" + _TIME + _SUF)

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS.update({str(n): n - 1 for n in range(1, 8)})
_REL_DAYS = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "明晚": 1, "后天": 2, "大后天": 3}
_EVENINGS = frozenset(("今晚", "明晚"))

_BOUNDARY_BEFORE = frozenset(" \t\n，,。；;、！!？?：:（）()【】[]#")
_ALONE_AFTER = re.compile(
    r"(?:$|[\s，,。；;、！!？?：:）)】]|[0-9]|" + PERIOD + r"|为|给|帮|去|到|来|在|陪|和|与|一起|举办|开展)"
)
_LUNAR_PARTS = re.compile(
    rf"(?:农历|阴历)?\s*(?P<leap>闰)?\s*(?P<m>{_LUNAR_MONTH})\s*月\s*(?P<d>{_LUNAR_DAY})(?:\s*[日号])?"
)
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
_RANGE = "至到~～-—"


def _ahead(prefix: str | None) -> int:
    """How many weeks (or months) ahead a ``下``/``下下`` prefix points; ``本``/``这`` or none is zero."""
    if not prefix:
        return 0
    if prefix.startswith("下下"):
        return 2
    if prefix.startswith("下"):
        return 1
    return 0


def _lunar_day(text: str) -> int | None:
    if text.startswith("初"):
        return read_number(text[1:])
    if text.startswith("廿"):
        rest = read_number(text[1:])
        return None if rest is None else 20 + rest
    if text == "卅":
        return 30
    return read_number(text)


class _ZhReading(Reading):
    """One Chinese date phrase."""

    def __init__(self, match: re.Match[str], today: date, now: time | None) -> None:
        super().__init__(match.group(0).strip(), today, now)
        self.match = match

    def hours(self) -> float | None:
        """How many hours ``3小时内``, ``两个半小时内``, ``半小时内`` or ``30分钟内`` give."""
        g = self.match.group
        if g("minutes_n") is not None:
            minutes = read_number(g("minutes_n"))
            return None if minutes is None else minutes / 60
        if g("hours_only_half") is not None:
            return 0.5
        whole = read_number(g("hours_n"))
        return None if whole is None else whole + (0.5 if g("hours_half") else 0.0)

    def resolve(self, kind: str) -> date | ParseProblem:
        g = self.match.group
        today = self.today
        if kind == "ymd":
            return self.checked(make_date(read_number(g("ymd_y")), read_number(g("ymd_m")), read_number(g("ymd_d"))))
        if kind == "iso":
            return self.checked(make_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d"))))
        if kind == "yend":
            marker = (g("yend_y") or "").strip()
            year = read_number(marker) if marker.isdigit() else today.year + (marker == "明")
            return self.checked(make_date(year, 12, 31))
        if kind == "mend":
            month = read_number(g("mend_m"))
            if month is None or not 1 <= month <= 12:
                return self.invalid()
            end = month_end(today.year, month)
            if end is not None and end >= today:
                return end
            return self.next_year(month_end(today.year + 1, month))
        if kind == "lunar":
            return self.lunar(g("lunar"))
        if kind == "md":
            return self.yearless(read_number(g("md_m")), read_number(g("md_d")))
        if kind == "dot":
            first, second = int(g("dot_m")), int(g("dot_d"))
            return self.yearless(*((second, first) if first > 12 >= second else (first, second)))
        if kind == "rmday":
            base = month_end(today.year, today.month + _ahead(g("rmday_p")))
            if base is None:
                return self.invalid()
            return self.checked(make_date(base.year, base.month, read_number(g("rmday_d"))))
        if kind == "rmend":
            return self.checked(month_end(today.year, today.month + _ahead(g("rmend_p"))))
        if kind == "within":
            units = {"天": "day", "日": "day", "月": "month"}
            return self.within(read_number(g("within_n")), units.get(g("within_u"), "week"))
        if kind == "period":
            unit = g("period_u")
            if unit == "月":
                return self.checked(month_end(today.year, today.month))
            if unit == "年":
                return self.checked(make_date(today.year, 12, 31))
            return self.week_end(0)
        if kind == "rel":
            return self.checked(shift(today, _REL_DAYS[g("rel")]))
        if kind == "weekend":
            return self.week_end(_ahead(g("weekend_p")))
        if kind == "week":
            prefix = g("week_p")
            return self.weekday(_ahead(prefix) if prefix else None, _WEEKDAYS[g("week_d")])
        if kind == "fest":
            marker = g("fest_y")
            if marker:
                year = int(marker) if marker.isdigit() else today.year + (marker != "今")
                return self.checked(festival_in(g("fest_n"), year))
            found = next_festival(g("fest_n"), today)
            return self.invalid() if found is None else found
        if kind == "day":
            return self.monthless(read_number(g("day_d")))
        if kind == "clock":
            return today
        return self.invalid()

    def lunar(self, text: str) -> date | ParseProblem:
        parts = _LUNAR_PARTS.search(text)
        if parts is None:
            return self.invalid()
        month = _LUNAR_MONTHS.get(parts.group("m")) or read_number(parts.group("m"))
        day = _lunar_day(parts.group("d"))
        if month is None or day is None or not 1 <= month <= 12 or not 1 <= day <= 30:
            return self.invalid()
        found = next_lunar(month, day, self.today, leap=parts.group("leap") is not None)
        return self.invalid() if found is None else found


def _stands_alone(text: str, match: re.Match[str]) -> bool:
    """An unmarked festival or lunar date is a date only as a phrase of its own (``重阳节为老人包饺子``), not inside
    another word (``庆祝国庆``, ``春节期间``, ``五一路``)."""
    start = match.start("fest") if match.group("fest") is not None else match.start("lunar")
    before = text[start - 1] if start > 0 else " "
    if before not in _BOUNDARY_BEFORE and not text[:start].endswith(("在", "于")):
        return False
    return _ALONE_AFTER.match(text, match.end()) is not None


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether a phrase stands on its own (``12.5 社区义诊``, ``10点``, ``1日-5日``), not inside a number or a word
    (``2.5小时``, ``3号楼``, ``快一点``)."""
    before = text[:start].rstrip(" \t")
    after = text[end:].lstrip(" \t")
    before_ok = not before or before[-1] in _BOUNDARY_BEFORE or before[-1] in _RANGE or start > len(before)
    after_ok = not after or after[0] in _BOUNDARY_BEFORE or after[0] in _RANGE or len(text) - end > len(after)
    return before_ok and after_ok


def find_zh_dates(
    text: str, today: date, now: time | None, protected: list[Span], *, all_marked: bool
) -> list[DateHit]:
    """Every Chinese date or time phrase outside ``protected``; ``all_marked`` reads each as a deadline."""
    hits: list[DateHit] = []
    for match in _DEADLINE.finditer(text):
        span = (match.start(), match.end())
        if overlaps(span, protected):
            continue
        kind = next((k for k in _KINDS if match.group(k) is not None), "")
        marked = all_marked or bool(match.group("pre") or match.group("suf")) or kind in _ALWAYS_MARKED
        if not marked and kind in _NEEDS_MARKER and not _bounded(text, match.start(kind), match.end()):
            continue
        if not marked and kind in _STANDING_ALONE and not _stands_alone(text, match):
            continue
        clock_text = match.group("clock") if kind == "clock" else match.group("tm") or ""
        evening = kind == "rel" and match.group("rel") in _EVENINGS
        clock = read_zh_time(
            ("晚上" if evening and not re.match(r"\s*(?:" + PERIOD + ")", clock_text) else "") + clock_text
        )
        reading = _ZhReading(match, today, now)
        if kind == "hours":
            hits.append(reading.hit(span, True, *reading.after_hours(reading.hours())))
            continue
        if kind == "every" or (kind == "clock" and not marked):
            bare = kind == "clock" and match.group("clock_p") is None and not re.search("[:：]", clock_text)
            if bare and not _bounded(text, match.start(kind), match.end()):
                continue
            hits.append(DateHit(span, reading.seen, False, None, clock.at, exact=False, mention=True))
            continue
        if not clock.valid:
            hits.append(reading.hit(span, marked, reading.bad_time()))
            continue
        exact = clock.clock or (not clock_text.strip() and not evening)
        hits.append(reading.hit(span, marked, reading.resolve(kind), clock.at, exact=exact))
    return hits
