"""Recurring activities: the storage Protocol of series, their posted occurrences and who claimed a whole series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.recurring import Recurrence


@dataclass(frozen=True, slots=True)
class Series:
    """A recurring activity of a branch: the wish text each occurrence is posted from, and its rule."""

    id: int
    branch_id: int
    text: str
    title: str
    recurrence: Recurrence
    starts_on: date
    created_by: int | None
    ended_at: datetime | None = None


class RecurringSeries(Protocol):
    """Series, their occurrences (one wish each) and the members who claimed a whole series."""

    async def add(
        self, now: datetime, *, branch_id: int, text: str, title: str, recurrence: Recurrence, starts_on: date,
        created_by: int,
    ) -> int:  # fmt: skip
        """Insert a series."""
        ...

    async def get(self, series_id: int) -> Series | None:
        """A series by id."""
        ...

    async def active(self) -> list[Series]:
        """Every series not ended, by id."""
        ...

    async def end(self, series_id: int, now: datetime) -> None:
        """No more occurrences are posted."""
        ...

    async def add_occurrence(self, series_id: int, day: date, wish_id: int) -> bool:
        """Record the wish posted for a day; False when that day was posted before."""
        ...

    async def posted_days(self, series_id: int, first: date) -> dict[date, int]:
        """The days from ``first`` on already posted, with their wish ids."""
        ...

    async def series_of_wish(self, wish_id: int) -> int | None:
        """The series a wish is an occurrence of."""
        ...

    async def join(self, now: datetime, series_id: int, member_id: int) -> bool:
        """A member claims the whole series; False when they had."""
        ...

    async def members(self, series_id: int) -> list[int]:
        """The members who claimed the whole series, in the order they did."""
        ...

    async def leave(self, series_id: int, member_id: int) -> bool:
        """A member no longer claims the whole series; False when they did not."""
        ...
