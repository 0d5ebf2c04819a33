"""Calendar quarters in the configured time zone: what "served this quarter" is measured against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Quarter:
    """A calendar quarter: [start, end) as local dates."""

    year: int
    number: int

    @property
    def start(self) -> date:
        """First day of the quarter."""
        return date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> date:
        """First day after the quarter."""
        return self.next().start

    @property
    def days(self) -> int:
        """Length of the quarter in days."""
        return (self.end - self.start).days

    def next(self) -> Quarter:
        """The following quarter."""
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        """The preceding quarter."""
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def contains(self, day: date) -> bool:
        """Whether a local date falls inside the quarter."""
        return self.start <= day < self.end

    def day_index(self, day: date) -> int:
        """1-based day of the quarter."""
        return (day - self.start).days + 1

    def elapsed(self, day: date) -> float:
        """Share of the quarter gone by the end of ``day`` (0..1)."""
        return min(1.0, max(0.0, self.day_index(day) / self.days))

    def label(self, lang: str = "zh") -> str:
        """ "2026年第4季度" or "2026 Q4"."""
        return f"{self.year} Q{self.number}" if lang == "en" else f"{self.year}年第{self.number}季度"

    @property
    def key(self) -> str:
        """Stable identifier such as "2026Q4" (used in dedupe keys)."""
        return f"{self.year}Q{self.number}"


def quarter_of(day: date) -> Quarter:
    """The quarter containing a local date."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of an aware moment."""
    return moment.astimezone(tz).date()


def current_quarter(moment: datetime, tz: ZoneInfo) -> Quarter:
    """The quarter a moment falls in, in the configured time zone."""
    return quarter_of(local_date(moment, tz))


def week_start(day: date) -> date:
    """The Monday of the week containing ``day``."""
    return day - timedelta(days=day.weekday())
