"""Recurring activities (每周六上午小区巡逻, 每月第一个周日义诊): the rule a wish text states and its days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_EN_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_NTH = {"一": 1, "1": 1, "二": 2, "2": 2, "三": 3, "3": 3, "四": 4, "4": 4, "最后一": -1, "最后": -1}
_PARTS_OF_DAY = {"早上": time(8, 0), "上午": time(9, 0), "中午": time(12, 0), "下午": time(14, 0), "晚上": time(19, 0)}

_MONTHLY_NTH = re.compile(
    r"每(?:个)?月(?:的)?第?(一|二|三|四|1|2|3|4|最后一|最后)个?(?:周|星期|礼拜)([一二三四五六日天])"
)
_MONTHLY_DAY = re.compile(r"每(?:个)?月(?:的)?([0-9]{1,2}|[一二三四五六七八九十]{1,3})[日号]")
_WEEKLY = re.compile(r"每(?:个)?(?:周|星期|礼拜)([一二三四五六日天末])")
_DAILY = re.compile(r"每天|每日|every day", re.IGNORECASE)
_EN_WEEKLY = re.compile(r"every (monday|tuesday|wednesday|thursday|friday|saturday|sunday)", re.IGNORECASE)
_EN_MONTHLY_NTH = re.compile(
    r"(first|second|third|fourth|last) (monday|tuesday|wednesday|thursday|friday|saturday|sunday) of (?:every|each) "
    r"month",
    re.IGNORECASE,
)
_WEEKLY_STATED = re.compile(r"每(?:个)?(?:周|星期|礼拜)[一二三四五六日天末](?![次回])")
"""A weekday each week, not a count (每周一次, 每周三回 say how often, not which day)."""
_BARE = re.compile(r"(?:^|\s)(每周|每月|weekly|monthly)(?:\s|$)", re.IGNORECASE)
_CLOCK = re.compile(r"(早上|上午|中午|下午|晚上)?\s*([0-9]{1,2})\s*[点:：时]\s*(半|[0-9]{2})?")
_EN_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_CN_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class Frequency(StrEnum):
    """How often an activity recurs."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """When an activity takes place: daily, on a weekday each week, on the nth weekday or a day of each month,
    at an optional local time of day."""

    frequency: Frequency
    weekday: int | None = None
    nth: int | None = None
    monthday: int | None = None
    at: time | None = None

    def rule(self, start: date) -> rrule:
        """The dateutil rule of the occurrences from ``start`` on."""
        begin = datetime.combine(start, time(0, 0))
        if self.frequency == Frequency.DAILY:
            return rrule(DAILY, dtstart=begin)
        if self.frequency == Frequency.WEEKLY:
            return rrule(WEEKLY, dtstart=begin, byweekday=self.weekday)
        if self.monthday is not None:
            return rrule(MONTHLY, dtstart=begin, bymonthday=self.monthday)
        return rrule(MONTHLY, dtstart=begin, byweekday=weekday(self.weekday or 0, self.nth or 1))

    def days(self, first: date, last: date) -> list[date]:
        """The occurrence days from ``first`` to ``last`` (both included)."""
        end = datetime.combine(last, time(23, 59))
        return [moment.date() for moment in self.rule(first).between(
            datetime.combine(first, time(0, 0)), end, inc=True
        )]  # fmt: skip


def _clock(text: str) -> time | None:
    found = _CLOCK.search(text)
    if found is not None:
        part, hour, minute = found.group(1), int(found.group(2)), found.group(3)
        if part in ("下午", "晚上") and hour < 12:
            hour += 12
        minutes = 30 if minute == "半" else int(minute) if minute else 0
        if hour <= 23 and minutes <= 59:
            return time(hour, minutes)
    for word, moment in _PARTS_OF_DAY.items():
        if word in text:
            return moment
    return None


def read_recurrence(text: str, today: date) -> Recurrence | None:
    """The recurrence a wish text states ("每周六上午", "每月第一个周日", "每月15号", "每天", "every Saturday",
    "first Sunday of every month", or a bare "每周"/"每月" meaning today's weekday or day of the month); None when
    the text states none."""
    at = _clock(text)
    if found := _MONTHLY_NTH.search(text):
        return Recurrence(Frequency.MONTHLY, _WEEKDAYS[found.group(2)], _NTH[found.group(1)], at=at)
    if found := _EN_MONTHLY_NTH.search(text):
        nth, on = _EN_ORDINAL[found.group(1).lower()], _EN_WEEKDAYS[found.group(2).lower()]
        return Recurrence(Frequency.MONTHLY, on, nth, at=at)
    if found := _MONTHLY_DAY.search(text):
        raw = found.group(1)
        day = int(raw) if raw.isdigit() else _cn_number(raw)
        if day is not None and 1 <= day <= 31:
            return Recurrence(Frequency.MONTHLY, monthday=day, at=at)
    if found := _WEEKLY.search(text):
        return Recurrence(Frequency.WEEKLY, _WEEKDAYS[found.group(1)], at=at)
    if found := _EN_WEEKLY.search(text):
        return Recurrence(Frequency.WEEKLY, _EN_WEEKDAYS[found.group(1).lower()], at=at)
    if _DAILY.search(text):
        return Recurrence(Frequency.DAILY, at=at)
    if found := _BARE.search(text):
        if found.group(1).lower() in ("每周", "weekly"):
            return Recurrence(Frequency.WEEKLY, today.weekday(), at=at)
        return Recurrence(Frequency.MONTHLY, monthday=today.day, at=at)
    return None


def stated_schedule(text: str, today: date) -> Recurrence | None:
    """The recurrence a plain wish text states beyond doubt: a weekday each week (每周六, every Saturday), the nth
    weekday or a day of each month (每月第一个周日, 每月15号); None otherwise. 每天, a bare 每周/每月 and a count
    (每周一次) are left to ``/recurring``: in a one-off wish they mostly describe the need ("老人每天需要送饭")."""
    explicit = (_MONTHLY_NTH, _EN_MONTHLY_NTH, _MONTHLY_DAY, _WEEKLY_STATED, _EN_WEEKLY)
    if not any(pattern.search(text) for pattern in explicit):
        return None
    found = read_recurrence(text, today)
    return found if found is not None and found.frequency != Frequency.DAILY else None


def _cn_number(raw: str) -> int | None:
    if raw == "十":
        return 10
    if raw.startswith("十"):
        return 10 + _CN_DAYS.get(raw[1:], 0)
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return _CN_DAYS.get(tens, 0) * 10 + (_CN_DAYS.get(ones, 0) if ones else 0)
    return _CN_DAYS.get(raw)


def window(today: date, days_ahead: int) -> tuple[date, date]:
    """The days whose occurrences are posted now: today to ``days_ahead`` days on."""
    return today, today + timedelta(days=days_ahead)
