"""The clock port, the real clock, and a manual one the tests and the demo move forward by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time as an aware datetime; tests and the demo control it."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move; optionally follows real time from a fixed offset."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The clock's current time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward (never backward) and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to a later moment."""
        return self.advance(moment.astimezone(UTC) - self._now)


class OffsetClock:
    """Real time shifted by an offset that only grows: the demo's clock follows the wall clock and jumps ahead."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset

    @property
    def offset(self) -> timedelta:
        """How far ahead of (or behind) real time the clock is."""
        return self._offset

    def now(self) -> datetime:
        """Real now plus the offset, in UTC."""
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward (never backward) and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._offset += delta
        return self.now()

    def set(self, moment: datetime) -> datetime:
        """Jump to a later moment."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        return self.advance(moment.astimezone(UTC) - self.now())
