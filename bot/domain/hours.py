"""Service hours as people write them: 两个半小时, 三刻钟, 90分钟, 2小时30分, 半天, 2.5h, "1,5 hours"."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

HALF_DAY_HOURS = 4.0
WHOLE_DAY_HOURS = 8.0

_CN = "零〇一二两三四五六七八九十百"
_NUM = rf"(?:\d+(?:[.,，]\d+)?|[{_CN}]+)"
_HOUR_UNIT = r"(?:个?小时|个?钟头|hours?|hrs?|h(?![a-z]))"
_MINUTE_UNIT = r"(?:分钟|分(?!之)|minutes?|mins?|m(?![a-z]))"
_FORMS = re.compile(
    "|".join(
        (
            rf"(?P<hm>(?P<hm_h>{_NUM})\s*{_HOUR_UNIT}\s*(?P<hm_m>{_NUM})\s*{_MINUTE_UNIT})",
            rf"(?P<half_more>(?P<half_more_n>{_NUM})\s*个?半\s*{_HOUR_UNIT})",
            r"(?P<half>半\s*个?\s*(?:小时|钟头))",
            rf"(?P<quarters>(?P<quarters_n>{_NUM})\s*刻钟?)",
            rf"(?P<minutes>(?P<minutes_n>{_NUM})\s*{_MINUTE_UNIT})",
            r"(?P<halfday>半天|半日)",
            r"(?P<day>(?:一|1)\s*(?:整)?天|全天|一整天)",
            rf"(?P<hours>(?P<hours_n>\d+(?:[.,，]\d+)?)\s*{_HOUR_UNIT}?|(?P<hours_cn>[{_CN}]+)\s*{_HOUR_UNIT})",
        )
    ),
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Duration:
    """Hours read from a reply, the rest of the reply (a note said in the same breath), and how a word was read."""

    hours: float
    rest: str = ""
    meaning: str | None = None
    """A message key saying how an inexact word was counted (半天 -> 4 hours), to tell the member."""


def number(text: str) -> float | None:
    """A number written in digits (1.5, "1,5") or Chinese numerals (两, 十五); None when it is neither."""
    text = text.strip().replace("，", ".").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def read_duration(text: str) -> Duration | None:
    """The first duration in ``text`` and what follows it; None when the text holds none."""
    text = unicodedata.normalize("NFKC", text)
    match = _FORMS.search(text)
    if match is None:
        return None
    found = _value(match)
    if found is None:
        return None
    hours, meaning = found
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(" ，,。.;；:：")
    return Duration(round(hours, 2), " ".join(rest.split()), meaning)


def _value(match: re.Match[str]) -> tuple[float, str | None] | None:
    group = match.group
    if group("hm"):
        h, m = number(group("hm_h")), number(group("hm_m"))
        return (h + m / 60, None) if h is not None and m is not None else None
    if group("half_more"):
        n = number(group("half_more_n"))
        return (n + 0.5, None) if n is not None else None
    if group("half"):
        return 0.5, None
    if group("quarters"):
        n = number(group("quarters_n"))
        return (n * 0.25, None) if n is not None else None
    if group("minutes"):
        n = number(group("minutes_n"))
        return (n / 60, None) if n is not None else None
    if group("halfday"):
        return HALF_DAY_HOURS, "hours.half_day"
    if group("day"):
        return WHOLE_DAY_HOURS, "hours.whole_day"
    n = number(group("hours_n") or group("hours_cn"))
    return (n, None) if n is not None else None
