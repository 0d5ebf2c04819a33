"""Recurring series, their occurrences and the members who claimed a whole series."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.domain.recurring import Frequency, Recurrence
from bot.ports import storage as ports
from bot.ports.storage.recurring import Series
from storage.repos.base import Repo
from storage.rows import to_date, to_dt, ts


def _series(row: Any) -> Series:
    starts = to_date(row["starts_on"])
    assert starts is not None
    recurrence = Recurrence(
        Frequency(row["frequency"]),
        row["weekday"],
        row["nth"],
        row["monthday"],
        time.fromisoformat(row["at_time"]) if row["at_time"] else None,
    )
    return Series(
        id=int(row["id"]),
        branch_id=int(row["branch_id"]),
        text=str(row["text"]),
        title=str(row["title"]),
        recurrence=recurrence,
        starts_on=starts,
        created_by=row["created_by"],
        ended_at=to_dt(row["ended_at"]),
    )


class SqlRecurringSeries(Repo, ports.RecurringSeries):
    __slots__ = ()

    async def add(
        self, now: datetime, *, branch_id: int, text: str, title: str, recurrence: Recurrence, starts_on: date,
        created_by: int,
    ) -> int:  # fmt: skip
        r = recurrence
        return await self._insert(
            "INSERT INTO recurring_series (branch_id, text, title, frequency, weekday, nth, monthday, at_time,"
            " starts_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                branch_id,
                text,
                title,
                r.frequency.value,
                r.weekday,
                r.nth,
                r.monthday,
                r.at.isoformat(timespec="minutes") if r.at else None,
                starts_on.isoformat(),
                created_by,
                ts(now),
            ),
        )

    async def get(self, series_id: int) -> Series | None:
        row = await self._one(f"SELECT * FROM recurring_series WHERE id = ?{self.conn.lock_rows}", (series_id,))
        return _series(row) if row else None

    async def active(self) -> list[Series]:
        return [
            _series(r) for r in await self._all("SELECT * FROM recurring_series WHERE ended_at IS NULL ORDER BY id")
        ]

    async def end(self, series_id: int, now: datetime) -> None:
        await self._run("UPDATE recurring_series SET ended_at = ? WHERE id = ?", (ts(now), series_id))

    async def add_occurrence(self, series_id: int, day: date, wish_id: int) -> bool:
        return await self._changed(
            "INSERT INTO recurring_occurrences (series_id, occurs_on, wish_id) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            (series_id, day.isoformat(), wish_id),
        )

    async def posted_days(self, series_id: int, first: date) -> dict[date, int]:
        found = await self._all(
            "SELECT occurs_on, wish_id FROM recurring_occurrences WHERE series_id = ? AND occurs_on >= ?"
            " ORDER BY occurs_on",
            (series_id, first.isoformat()),
        )
        return {date.fromisoformat(r["occurs_on"]): int(r["wish_id"]) for r in found}

    async def series_of_wish(self, wish_id: int) -> int | None:
        value = await self._scalar("SELECT series_id FROM recurring_occurrences WHERE wish_id = ?", (wish_id,))
        return int(value) if value is not None else None

    async def join(self, now: datetime, series_id: int, member_id: int) -> bool:
        return await self._changed(
            "INSERT INTO recurring_members (series_id, member_id, joined_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            (series_id, member_id, ts(now)),
        )

    async def members(self, series_id: int) -> list[int]:
        found = await self._all(
            "SELECT member_id FROM recurring_members WHERE series_id = ? ORDER BY joined_at, member_id", (series_id,)
        )
        return [int(r["member_id"]) for r in found]

    async def leave(self, series_id: int, member_id: int) -> bool:
        return await self._changed(
            "DELETE FROM recurring_members WHERE series_id = ? AND member_id = ? RETURNING 1", (series_id, member_id)
        )
