"""An hour-by-hour shift in a wish text (班次: "8:00-12:00", "8点到12点半", "14:30～18:00"): when the work is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

_CLOCK = r"(\d{1,2})(?:[:：](\d{2})|点(?:(半)|(\d{1,2})分?)?|时)"
_SHIFT = re.compile(rf"{_CLOCK}\s*(?:-|–|—|~|～|至|到)\s*{_CLOCK}")


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift's local start and end; an end at or before the start runs past midnight."""

    start: time
    end: time

    def label(self) -> str:
        """``08:00-12:00``."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def hours(self) -> float:
        """How long the shift lasts."""
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return (minutes if minutes > 0 else minutes + 24 * 60) / 60


def _clock(hour: str, minute: str | None, half: str | None, minute_word: str | None) -> time | None:
    value = int(hour)
    minutes = int(minute or minute_word or 0) + (30 if half else 0)
    if not (0 <= value <= 24 and 0 <= minutes < 60) or (value == 24 and minutes):
        return None
    return time(value % 24, minutes)


def read_shift(text: str) -> Shift | None:
    """The first shift written in ``text``, or None."""
    for found in _SHIFT.finditer(text):
        groups = found.groups()
        start, end = _clock(*groups[:4]), _clock(*groups[4:])
        if start is not None and end is not None and start != end:
            return Shift(start, end)
    return None
