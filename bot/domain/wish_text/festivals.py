"""Chinese festivals and lunar dates (春节, 中秋, 重阳, 腊月二十三): the next such day on or after today.

Statutory and half-day holidays come from the yearly-updated ``holidays`` library (China's published calendar),
lunar dates from ``lunar_python`` (an astronomical lunisolar calendar); only days fixed on the solar calendar by
definition (七一, 教师节) are listed here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from lunar_python import Lunar, Solar

_STATUTORY: dict[str, str] = {
    "元旦": "元旦",
    "元旦节": "元旦",
    "春节": "春节",
    "大年初一": "春节",
    "过年": "春节",
    "清明": "清明节",
    "清明节": "清明节",
    "劳动节": "劳动节",
    "五一": "劳动节",
    "五一节": "劳动节",
    "五一劳动节": "劳动节",
    "端午": "端午节",
    "端午节": "端午节",
    "端阳节": "端午节",
    "中秋": "中秋节",
    "中秋节": "中秋节",
    "国庆": "国庆节",
    "国庆节": "国庆节",
    "十一国庆": "国庆节",
    "妇女节": "国际妇女节",
    "三八妇女节": "国际妇女节",
    "三八节": "国际妇女节",
    "青年节": "五四青年节",
    "五四青年节": "五四青年节",
    "五四": "五四青年节",
    "儿童节": "六一儿童节",
    "六一": "六一儿童节",
    "六一儿童节": "六一儿童节",
    "建军节": "建军节",
    "八一": "建军节",
    "八一建军节": "建军节",
}
"""Names people write -> the holiday's name in the library's Chinese calendar."""

EVE = (0, 0)
_LUNAR: dict[str, tuple[int, int]] = {
    "除夕": EVE,
    "大年三十": EVE,
    "年三十": EVE,
    "元宵": (1, 15),
    "元宵节": (1, 15),
    "龙抬头": (2, 2),
    "七夕": (7, 7),
    "七夕节": (7, 7),
    "中元节": (7, 15),
    "八月十五": (8, 15),
    "重阳": (9, 9),
    "重阳节": (9, 9),
    "腊八": (12, 8),
    "腊八节": (12, 8),
    "小年": (12, 23),
}
"""Festivals of the lunar calendar -> (lunar month, day); 小年 is the northern 腊月二十三, 除夕 the last day of 腊月."""

_FIXED: dict[str, tuple[int, int]] = {
    "植树节": (3, 12),
    "建党节": (7, 1),
    "七一": (7, 1),
    "教师节": (9, 10),
}

NAMES: tuple[str, ...] = tuple(sorted({*_STATUTORY, *_LUNAR, *_FIXED}, key=len, reverse=True))
"""Every festival name the parser knows, longest first (for a regular expression)."""


@cache
def _holiday_starts(year: int) -> dict[str, date]:
    """The first day of each named holiday of ``year`` in China's calendar (statutory and half-day holidays)."""
    try:
        calendar = holidays.country_holidays(
            "CN", years=year, categories=(holidays.PUBLIC, holidays.HALF_DAY), language="zh_CN"
        )
    except (KeyError, NotImplementedError, ValueError, OverflowError):
        return {}
    starts: dict[str, date] = {}
    for day, names in sorted(calendar.items()):
        for name in str(names).split("; "):
            starts.setdefault(name.strip(), day)
    return starts


@cache
def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date | None:
    """The solar day of a lunar date (``month`` 1..12, ``leap`` for a leap month), None if there is no such day."""
    if not 1 <= year <= 9998:
        return None
    try:
        solar = Lunar.fromYmd(year, -month if leap else month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())
    except Exception:  # lunar_python raises a bare Exception for a day its month does not have
        return None


def _lunar_year(today: date) -> int | None:
    try:
        return int(Solar.fromYmd(today.year, today.month, today.day).getLunar().getYear())
    except Exception:  # out of the library's range
        return None


def next_lunar(month: int, day: int, today: date, *, leap: bool = False) -> date | None:
    """The next solar day on or after today that is lunar ``month``/``day`` (腊月三十 in a short 腊月: its last day)."""
    base = _lunar_year(today)
    if base is None:
        return None
    for year in (base - 1, base, base + 1, base + 2):
        if (month, day) in (EVE, (12, 30)) and not leap:
            new_year = lunar_to_solar(year + 1, 1, 1)
            found = None if new_year is None else new_year - timedelta(days=1)
        else:
            found = lunar_to_solar(year, month, day, leap)
        if found is not None and found >= today:
            return found
    return None


def festival_in(name: str, year: int) -> date | None:
    """The day the festival ``name`` falls on in the solar ``year`` (the first, if a lunar one falls twice)."""
    if not 1 <= year <= 9999:
        return None
    if name in _LUNAR:
        month, day = _LUNAR[name]
        found = next_lunar(month, day, date(year, 1, 1))
        return found if found is not None and found.year == year else None
    if name in _FIXED:
        return date(year, *_FIXED[name])
    return _holiday_starts(year).get(_STATUTORY.get(name, ""))


def next_festival(name: str, today: date) -> date | None:
    """The next day on or after today that the festival ``name`` (one of :data:`NAMES`) falls on, or None."""
    if name in _LUNAR:
        month, day = _LUNAR[name]
        return next_lunar(month, day, today)
    for year in (today.year, today.year + 1):
        found = festival_in(name, year)
        if found is not None and found >= today:
            return found
    return None
