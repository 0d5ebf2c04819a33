"""What people type after the service-record commands (/signin, /certificate, /correct, /gridworker), read once for
every platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.hours import read_duration
from bot.flows.base import wish_number

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass(frozen=True, slots=True)
class SigninArgs:
    """``/signin N [时长]``."""

    wish_id: int
    hours: float | None


@dataclass(frozen=True, slots=True)
class CertificateArgs:
    """``/certificate [姓名] [开始 结束]``: whose (None: mine) and the period (default: this calendar year)."""

    name: str | None
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class CorrectionArgs:
    """``/correct N [时长] 理由``."""

    service_id: int
    hours: float | None
    reason: str


def signin_args(text: str) -> SigninArgs | None:
    """The wish and the activity's length; None when no wish number leads the text."""
    number, _, rest = text.strip().partition(" ")
    wish_id = wish_number(number)
    if wish_id is None:
        return None
    duration = read_duration(rest) if rest.strip() else None
    if rest.strip() and duration is None:
        return None
    return SigninArgs(wish_id, duration.hours if duration else None)


def _day(text: str) -> date | None:
    found = _DATE.match(text.strip())
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def certificate_args(text: str, today: date) -> CertificateArgs | None:
    """A name, then optionally two dates; None when the dates cannot be read."""
    words = text.split()
    days = [d for d in (_day(w) for w in words) if d is not None]
    names = [w for w in words if _day(w) is None]
    if len(days) not in (0, 2) or len(names) > 1:
        return None
    start, end = (days[0], days[1]) if days else (date(today.year, 1, 1), date(today.year, 12, 31))
    return CertificateArgs(names[0] if names else None, start, end)


def correction_args(text: str) -> CorrectionArgs | None:
    """The record number, optional hours right after it (a number, ``1.5小时``), then the reason."""
    number, _, rest = text.strip().partition(" ")
    service_id = wish_number(number)
    rest = rest.strip()
    if service_id is None or not rest:
        return None
    first, _, after = rest.partition(" ")
    duration = read_duration(first) if first else None
    if duration is not None and not duration.rest and after.strip():
        return CorrectionArgs(service_id, duration.hours, after.strip())
    return CorrectionArgs(service_id, None, rest)


@dataclass(frozen=True, slots=True)
class GridWorkerArgs:
    """``/gridworker 姓名`` or ``/gridworker off 姓名``."""

    name: str
    off: bool


_OFF_WORDS = frozenset({"off", "remove", "取消", "撤销", "免去"})


def gridworker_args(text: str) -> GridWorkerArgs | None:
    """The member's name and whether the appointment ends (``off`` / ``取消`` before or after it); None without a
    name."""
    words = text.split()
    off = bool(words) and (words[0].lower() in _OFF_WORDS or words[-1].lower() in _OFF_WORDS)
    if words and words[0].lower() in _OFF_WORDS:
        words = words[1:]
    elif words and words[-1].lower() in _OFF_WORDS:
        words = words[:-1]
    name = " ".join(words)
    return GridWorkerArgs(name, off) if name else None
