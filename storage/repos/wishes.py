"""Micro-wishes (微心愿) and what their cards show."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.domain.model import (
    Claimer,
    ClaimStatus,
    Urgency,
    Wish,
    WishStatus,
    WishView,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import clock_text, ts


class SqlWishes(Repo, ports.Wishes):
    __slots__ = ()

    async def add(
        self,
        now: datetime,
        *,
        branch_id: int,
        title: str,
        description: str,
        category: str,
        slots: int,
        team_claim: bool,
        deadline: date | None,
        urgency: Urgency,
        created_by: int,
        deadline_time: time | None = None,
    ) -> int:
        return await self._insert(
            "INSERT INTO wishes (branch_id, title, description, category, slots, team_claim, deadline, urgency,"
            " created_by, created_at, deadline_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                branch_id,
                title,
                description,
                category,
                slots,
                int(team_claim),
                deadline.isoformat() if deadline else None,
                str(urgency),
                created_by,
                ts(now),
                clock_text(deadline_time) if deadline else None,
            ),
        )

    async def get(self, wish_id: int) -> Wish | None:
        row = await self._one(f"SELECT * FROM wishes WHERE id = ?{self.conn.lock_rows}", (wish_id,))
        return rows.wish(row) if row else None

    async def touch(self, wish_id: int) -> None:
        await self._run("UPDATE wishes SET version = version + 1 WHERE id = ?", (wish_id,))

    async def set_status(
        self, wish_id: int, status: WishStatus, now: datetime | None, *, closed_by: int | None = None
    ) -> None:
        closed = ts(now) if status != WishStatus.OPEN else None
        await self._run(
            "UPDATE wishes SET status = ?, closed_at = ?, closed_by = ?, version = version + 1 WHERE id = ?",
            (str(status), closed, closed_by, wish_id),
        )

    async def set_deadline(self, wish_id: int, deadline: date, deadline_time: time | None) -> None:
        await self._run(
            "UPDATE wishes SET deadline = ?, deadline_time = ?, expired_at = NULL, version = version + 1 WHERE id = ?",
            (deadline.isoformat(), clock_text(deadline_time), wish_id),
        )

    async def mark_expired(self, wish_id: int, now: datetime) -> bool:
        return await self._changed(
            "UPDATE wishes SET expired_at = ?, version = version + 1"
            " WHERE id = ? AND status = 'open' AND expired_at IS NULL RETURNING id",
            (ts(now), wish_id),
        )

    async def unmarked_due(self, day: date, limit: int = 500) -> list[Wish]:
        found = await self._all(
            "SELECT * FROM wishes WHERE status = 'open' AND expired_at IS NULL AND deadline IS NOT NULL"
            " AND deadline <= ? ORDER BY deadline, deadline_time IS NULL, deadline_time, id LIMIT ?",
            (day.isoformat(), limit),
        )
        return [rows.wish(r) for r in found]

    async def view(self, wish_id: int) -> WishView | None:
        head = await self._one(
            "SELECT w.*, b.name AS branch_name FROM wishes w LEFT JOIN branches b ON b.id = w.branch_id WHERE w.id = ?",
            (wish_id,),
        )
        if head is None:
            return None
        people = await self._all(
            "SELECT 0 AS waiting, c.id AS seq, c.member_id, m.name, c.status, t.name AS team_name FROM claims c"
            " JOIN members m ON m.id = c.member_id LEFT JOIN teams t ON t.id = c.team_id"
            f" WHERE c.wish_id = ? AND c.status IN {rows.ACTIVE_SQL}"
            " UNION ALL SELECT 1, w.id, w.member_id, m.name, 'claimed', t.name FROM waitlist w"
            " JOIN members m ON m.id = w.member_id LEFT JOIN teams t ON t.id = w.team_id WHERE w.wish_id = ?"
            " ORDER BY 1, 2",
            (wish_id, wish_id),
        )
        claimers = [r for r in people if not r["waiting"]]
        waiting = [r for r in people if r["waiting"]]
        return WishView(
            wish=rows.wish(head),
            branch_name=head["branch_name"] or "",
            claimers=tuple(
                Claimer(r["member_id"], r["name"], ClaimStatus(r["status"]), r["team_name"]) for r in claimers
            ),
            waitlist=tuple(Claimer(r["member_id"], r["name"], ClaimStatus.CLAIMED, r["team_name"]) for r in waiting),
        )

    async def open_views(self, branch_id: int, limit: int = 50) -> list[WishView]:
        ids = await self._all(
            "SELECT id FROM wishes WHERE branch_id = ? AND status = 'open'"
            " ORDER BY urgency = 'emergency' DESC, deadline IS NULL, deadline, id LIMIT ?",
            (branch_id, limit),
        )
        views = [await self.view(r["id"]) for r in ids]
        return [v for v in views if v is not None]

    async def with_free_slots(
        self, branch_id: int, limit: int = 20, *, due_from: date | None = None
    ) -> list[tuple[Wish, int]]:
        due = " AND w.expired_at IS NULL AND (w.deadline IS NULL OR w.deadline >= ?)" if due_from is not None else ""
        params = (branch_id, *((due_from.isoformat(),) if due_from is not None else ()), limit)
        found = await self._all(
            "SELECT * FROM (SELECT w.*, (SELECT count(*) FROM claims c WHERE c.wish_id = w.id AND c.status IN "
            f"{rows.ACTIVE_SQL}) AS taken FROM wishes w WHERE w.branch_id = ? AND w.status = 'open'{due}) AS w"
            " WHERE w.taken < w.slots ORDER BY w.taken, w.deadline IS NULL, w.deadline, w.id LIMIT ?",
            params,
        )
        return [(rows.wish(r), int(r["taken"])) for r in found]
