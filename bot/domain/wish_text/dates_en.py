"""Dates and times written in English (by next Friday, due Dec 20, before 20 December, within 3 days, by 6pm)."""

from __future__ import annotations

import re
from datetime import date, time

from bot.domain.wish_text.clock import EN_CLOCK, read_en_time
from bot.domain.wish_text.reading import DateHit, Reading, make_date, month_end, shift
from bot.domain.wish_text.results import ParseProblem
from bot.domain.wish_text.spans import Span, overlaps

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAME = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)"
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_COUNT = r"(?:[0-9]{1,3}|" + "|".join(_WORDS) + ")"
_ORD = r"(?:st|nd|rd|th)?"
_L = r"(?<![A-Za-z])"
_R = r"(?![A-Za-z])"
_DATE_FORMS = "|".join(
    (
        rf"(?P<md>(?P<md_m>{_MONTH_NAME})\.?\s+(?P<md_d>[0-9]{{1,2}}){_ORD}(?![0-9]){_R}(?:,?\s*(?P<md_y>[0-9]{{4}})(?![0-9]))?)",
        rf"(?P<dm>(?<![0-9])(?P<dm_d>[0-9]{{1,2}}){_ORD}\s+(?:of\s+)?(?P<dm_m>{_MONTH_NAME})\.?{_R}(?:,?\s*(?P<dm_y>[0-9]{{4}})(?![0-9]))?)",
        r"(?P<iso>(?<![0-9])(?P<iso_y>[0-9]{4})-(?P<iso_m>[0-9]{1,2})-(?P<iso_d>[0-9]{1,2})(?![0-9]))",
        r"(?P<num>(?<![0-9./])(?P<num_a>[0-9]{1,2})/(?P<num_b>[0-9]{1,2})(?:/(?P<num_y>[0-9]{4}|[0-9]{2}))?(?![0-9./]))",
        r"(?P<rel>(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr)",
        rf"(?P<hours>(?:within|in)\s+(?:the\s+next\s+)?(?:(?P<hours_an>an?)\s+(?P<hours_an_half>hour\s+and\s+a\s+half|half\s+hour)"
        rf"|half\s+an?\s+(?P<hours_only_half>hour)"
        rf"|(?P<hours_n>{_COUNT}(?:\.5)?)\s+(?:(?P<hours_half>and\s+a\s+half)\s+)?(?:hours?|hrs?)"
        rf"|(?P<minutes_n>{_COUNT})\s+(?:minutes?|mins?)))",
        rf"(?P<within>(?:within|in)\s+(?:the\s+next\s+)?(?P<within_n>{_COUNT})\s+(?P<within_u>days?|weeks?|months?))",
        r"(?P<end>(?:the\s+)?end\s+of\s+(?:the\s+)?(?P<end_p>this\s+|next\s+)?(?P<end_u>week|month|year))",
        r"(?P<unitend>(?P<unitend_u>month|year|week)[-\s]end)",
        r"(?P<weekend>(?P<weekend_p>this\s+|next\s+)?weekend)",
        rf"(?P<week>(?:(?P<week_p>next|this|coming|the\s+coming)\s+)?(?P<week_d>{_DAY_NAME})\.?(?P<week_after>\s+after\s+next)?)",
    )
)
_KINDS = ("md", "dm", "iso", "num", "rel", "hours", "within", "end", "unitend", "weekend", "week")
_PRE = (
    rf"(?:{_L}(?P<pre>by|before|due(?:\s+(?:by|on|before))?|deadline\s*(?:is)?\s*[:：]?|until|till"
    rf"|no\s+later\s+than|on\s+or\s+before|not\s+later\s+than|closes?(?:\s+on)?|ends?(?:\s+on)?){_R}\s*)?"
    rf"(?:{_L}(?:on|at){_R}\s+)?"
)
_DEADLINE = re.compile(
    rf"{_L}{_PRE}(?:"
    rf"(?:(?P<t1>{EN_CLOCK})\s*,?\s*(?:on\s+)?)?{_L}(?:{_DATE_FORMS}){_R}(?:\s*,?\s*(?:at\s+)?(?P<t2>{EN_CLOCK}))?"
    rf"|(?P<clock>{EN_CLOCK}))",
    re.IGNORECASE,
)


def _hours(match: re.Match[str]) -> float | None:
    """How many hours ``within 3 hours``, ``in 2.5 hours``, ``in an hour and a half``, ``within half an hour`` or
    ``in 30 minutes`` give."""
    g = match.group
    if g("minutes_n") is not None:
        minutes = _count(g("minutes_n"))
        return None if minutes is None else minutes / 60
    if g("hours_only_half") is not None:
        return 0.5
    if g("hours_an") is not None:
        return 1.5 if g("hours_an_half").lower().startswith("hour") else 0.5
    number = g("hours_n")
    if number.endswith(".5"):
        whole = _count(number[:-2])
        return None if whole is None else whole + 0.5
    whole = _count(number)
    return None if whole is None else whole + (0.5 if g("hours_half") else 0.0)


def _month(name: str) -> int:
    name = name.lower()
    return next(index for index, full in enumerate(_MONTHS, start=1) if full.startswith(name[:3]))


def _weekday(name: str) -> int:
    name = name.lower()
    return next(index for index, full in enumerate(_DAYS) if full.startswith(name[:3]))


def _count(text: str) -> int | None:
    text = text.lower()
    return int(text) if text.isdigit() else _WORDS.get(text)


class _EnReading(Reading):
    """One English date phrase."""

    def __init__(self, match: re.Match[str], today: date, now: time | None) -> None:
        super().__init__(match.group(0).strip(), today, now)
        self.match = match

    def dated(self, year: str | None, month: int, day: int) -> date | ParseProblem:
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return self.checked(make_date(full, month, day))
        return self.yearless(month, day)

    def resolve(self, kind: str) -> date | ParseProblem:
        g = self.match.group
        today = self.today
        if kind == "md":
            return self.dated(g("md_y"), _month(g("md_m")), int(g("md_d")))
        if kind == "dm":
            return self.dated(g("dm_y"), _month(g("dm_m")), int(g("dm_d")))
        if kind == "iso":
            return self.checked(make_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d"))))
        if kind == "num":
            first, second = int(g("num_a")), int(g("num_b"))
            month, day = (second, first) if first > 12 >= second else (first, second)
            return self.dated(g("num_y"), month, day)
        if kind == "rel":
            word = g("rel").lower()
            days = 2 if "after" in word else 1 if word.startswith("t") and word not in ("today", "tonight") else 0
            return self.checked(shift(today, days))
        if kind == "within":
            unit = g("within_u").lower().rstrip("s")
            return self.within(_count(g("within_n")), unit)
        if kind in ("end", "unitend"):
            unit = g(kind + "_u").lower()
            ahead = 1 if kind == "end" and (g("end_p") or "").strip().lower() == "next" else 0
            if unit == "week":
                return self.week_end(ahead)
            if unit == "month":
                return self.checked(month_end(today.year, today.month + ahead))
            return self.checked(make_date(today.year + ahead, 12, 31))
        if kind == "weekend":
            return self.week_end(1 if (g("weekend_p") or "").strip().lower() == "next" else 0)
        if kind == "week":
            prefix = (g("week_p") or "").lower()
            target = _weekday(g("week_d"))
            if g("week_after"):
                return self.weekday(2, target)
            if prefix == "next":
                return self.weekday(1, target)
            if prefix == "this":
                return self.weekday(0, target)
            return self.weekday(None, target)
        return today


def find_en_dates(
    text: str, today: date, now: time | None, protected: list[Span], *, all_marked: bool
) -> list[DateHit]:
    """Every English date or time phrase outside ``protected``; ``all_marked`` reads each as a deadline."""
    hits: list[DateHit] = []
    for match in _DEADLINE.finditer(text):
        span = (match.start(), match.end())
        if overlaps(span, protected):
            continue
        kind = next((k for k in _KINDS if match.group(k) is not None), "clock")
        marked = all_marked or match.group("pre") is not None or kind in ("within", "hours")
        if kind == "num" and not marked:
            continue
        clock_text = match.group("clock") or match.group("t1") or match.group("t2") or ""
        clock = read_en_time(clock_text)
        evening = kind == "rel" and match.group("rel").lower() == "tonight"
        reading = _EnReading(match, today, now)
        if kind == "hours":
            hits.append(reading.hit(span, True, *reading.after_hours(_hours(match))))
            continue
        if kind == "clock" and not marked:
            hits.append(DateHit(span, reading.seen, False, None, clock.at, exact=False, mention=True))
            continue
        if not clock.valid:
            hits.append(reading.hit(span, marked, reading.bad_time()))
            continue
        exact = clock.clock or not evening
        hits.append(reading.hit(span, marked, reading.resolve(kind), clock.at, exact=exact))
    return hits
