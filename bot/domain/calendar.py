"""China's statutory holidays and their days off in lieu (调休), from the yearly-updated ``holidays`` library."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays


@cache
def _china() -> holidays.HolidayBase:
    return holidays.country_holidays("CN")


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a day off by law in China: a statutory holiday or a weekday given off in lieu (调休)."""
    return day in _china()


def holiday_name(day: date) -> str | None:
    """The holiday's name (in English, as the library gives it), or None on an ordinary day."""
    name = _china().get(day)
    return str(name) if name is not None else None
