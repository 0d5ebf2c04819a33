"""Members waiting for a slot of a full wish (候补), first come first served."""

from __future__ import annotations

from datetime import datetime

from bot.domain import errors
from bot.ports import storage as ports
from storage.repos.base import IntegrityViolation, Repo
from storage.rows import ts


class SqlWaitlist(Repo, ports.Waitlist):
    __slots__ = ()

    async def add(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> int:
        try:
            await self._run(
                "INSERT INTO waitlist (wish_id, member_id, team_id, created_at) VALUES (?, ?, ?, ?)",
                (wish_id, member_id, team_id, ts(now)),
            )
        except IntegrityViolation as error:
            raise errors.AlreadyWaitlisted(wish_id=wish_id) from error
        return await self.position(wish_id, member_id) or 0

    async def position(self, wish_id: int, member_id: int) -> int | None:
        own = await self._scalar("SELECT id FROM waitlist WHERE wish_id = ? AND member_id = ?", (wish_id, member_id))
        if own is None:
            return None
        return int(await self._scalar("SELECT count(*) FROM waitlist WHERE wish_id = ? AND id <= ?", (wish_id, own)))

    async def remove(self, wish_id: int, member_id: int) -> bool:
        return await self._changed(
            "DELETE FROM waitlist WHERE wish_id = ? AND member_id = ? RETURNING 1", (wish_id, member_id)
        )

    async def pop(self, wish_id: int) -> tuple[int, int | None] | None:
        row = await self._one(
            "SELECT id, member_id, team_id FROM waitlist WHERE wish_id = ? ORDER BY id LIMIT 1", (wish_id,)
        )
        if row is None:
            return None
        await self._run("DELETE FROM waitlist WHERE id = ?", (row["id"],))
        return int(row["member_id"]), row["team_id"]

    async def clear(self, wish_id: int) -> list[int]:
        found = await self._all("SELECT member_id FROM waitlist WHERE wish_id = ?", (wish_id,))
        await self._run("DELETE FROM waitlist WHERE wish_id = ?", (wish_id,))
        return [int(r["member_id"]) for r in found]
