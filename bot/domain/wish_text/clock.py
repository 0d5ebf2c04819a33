"""Times of day as people write them: 下午3点半, 18:00, 晚上8点, 6:30 pm, noon; read into a local ``time``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.domain.wish_text.spans import read_number

_MORNING = ("上午", "早上", "早晨", "清晨", "凌晨")
_EVENING = ("下午", "傍晚", "晚上", "晚间", "夜里", "夜间")
_NOON = ("中午",)
PERIOD = "|".join((*_MORNING, *_EVENING, *_NOON))
_CN_HOUR = r"[零一二两三四五六七八九十]{1,3}"
_CN_MINUTE = r"[一二三四五]?十[一二三四五六七八九]?|[零〇][一二三四五六七八九]"
ZH_CLOCK = (
    r"(?:[0-9]{1,2}\s*[:：]\s*[0-9]{2}(?![0-9])"
    rf"|(?:[0-9]{{1,2}}|{_CN_HOUR})\s*(?:点钟?|时(?![间候]))"
    rf"(?:\s*(?:半|整|一刻|三刻|[0-9]{{1,2}}\s*分|[0-9]{{2}}(?![0-9])|(?:{_CN_MINUTE})\s*分?|[一二三四五六七八九]\s*分))?)"
)
"""A clock time in Chinese writing (the hour, with minutes, 半 or 一刻 if given)."""
ZH_TIME = rf"(?:(?:{PERIOD})\s*(?:{ZH_CLOCK})?|{ZH_CLOCK})"
"""A part of the day, a clock time, or both (``下午``, ``3点``, ``下午3点半``)."""

EN_CLOCK = (
    r"(?:(?<![0-9:.])(?:[0-9]{1,2}(?:[:.][0-9]{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?![A-Za-z])"
    r"|(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?![0-9])"
    r"|noon|midday|midnight)(?![A-Za-z]))"
)
"""A clock time in English writing: ``6pm``, ``6:30 p.m.``, ``18:00``, ``noon``."""

_ZH_PARTS = re.compile(
    rf"(?P<period>{PERIOD})?\s*(?:(?P<h>[0-9]{{1,2}}|{_CN_HOUR})\s*(?:点钟?|时|[:：](?=\s*[0-9]))\s*(?P<rest>.*))?",
    re.DOTALL,
)
_EN_PARTS = re.compile(r"(?P<h>[0-9]{1,2})(?:[:.](?P<m>[0-9]{2}))?\s*(?P<half>[ap])?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Clock:
    """A time of day read from text: ``at`` (None for the end of the day, e.g. 24点 or midnight), whether it was a
    valid time at all, and whether it named a clock time rather than only a part of the day (``上午``)."""

    at: time | None
    valid: bool
    clock: bool


_NO_TIME = Clock(None, True, False)
_INVALID = Clock(None, False, True)


def _minutes(rest: str) -> int | None:
    rest = re.sub(r"\s|分|整|钟", "", rest)
    if not rest:
        return 0
    return {"半": 30, "一刻": 15, "三刻": 45}.get(rest, read_number(rest.lstrip("零〇")) if rest else 0)


def _clock(hour: int | None, minute: int | None, pm: bool) -> Clock:
    if hour is None or minute is None or not 0 <= minute <= 59:
        return _INVALID
    if pm and 1 <= hour <= 11:
        hour += 12
    if hour == 24 and minute == 0:
        return Clock(None, True, True)
    if not 0 <= hour <= 23:
        return _INVALID
    return Clock(time(hour, minute), True, True)


def read_zh_time(text: str) -> Clock:
    """The time a Chinese time phrase names (``下午3点半`` -> 15:30, ``晚上8点`` -> 20:00, ``中午1点`` -> 13:00)."""
    text = text.strip()
    match = _ZH_PARTS.fullmatch(text)
    if not text or match is None:
        return _NO_TIME
    period, hour_text = match.group("period"), match.group("h")
    if hour_text is None:
        return _NO_TIME
    hour = read_number(hour_text)
    minute = _minutes(match.group("rest") or "")
    evening = period in _EVENING or (period in _NOON and hour is not None and 1 <= hour <= 5)
    if period in _EVENING and hour == 12:
        return Clock(None, True, True)
    return _clock(hour, minute, evening)


def read_en_time(text: str) -> Clock:
    """The time an English time phrase names (``6pm`` -> 18:00, ``6:30 p.m.`` -> 18:30, ``noon`` -> 12:00)."""
    text = text.strip().lower()
    if text in ("noon", "midday"):
        return Clock(time(12, 0), True, True)
    if text == "midnight":
        return Clock(None, True, True)
    match = _EN_PARTS.match(text)
    if match is None:
        return _NO_TIME
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    half = (match.group("half") or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return _INVALID
        if half == "a" and hour == 12:
            hour = 0
        elif half == "p" and hour == 12:
            return _clock(12, minute, False)
    return _clock(hour, minute, half == "p")
