"""E-branches (e支部), the chats they live in, and their secretaries."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import (
    Branch,
    ChatRef,
    Member,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqlBranches(Repo, ports.Branches):
    __slots__ = ()

    async def create(self, now: datetime, committee_id: int, name: str, chat: ChatRef | None) -> int:
        return await self._insert(
            "INSERT INTO branches (committee_id, name, chat_platform, chat_id, thread_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                committee_id,
                name,
                chat.platform if chat else None,
                chat.chat_id if chat else None,
                chat.thread_id if chat else None,
                ts(now),
            ),
        )

    async def bind_chat(self, branch_id: int, chat: ChatRef) -> bool:
        return await self._changed(
            "UPDATE branches SET chat_platform = ?, chat_id = ?, thread_id = ? WHERE id = ? AND chat_id IS NULL"
            " RETURNING 1",
            (chat.platform, chat.chat_id, chat.thread_id, branch_id),
        )

    async def without_chat(self, name: str) -> list[Branch]:
        found = await self._all("SELECT * FROM branches WHERE name = ? AND chat_id IS NULL ORDER BY id", (name,))
        return [rows.branch(r) for r in found]

    async def get(self, branch_id: int) -> Branch | None:
        row = await self._one("SELECT * FROM branches WHERE id = ?", (branch_id,))
        return rows.branch(row) if row else None

    async def by_chat(self, platform: str, chat_id: str) -> Branch | None:
        row = await self._one("SELECT * FROM branches WHERE chat_platform = ? AND chat_id = ?", (platform, chat_id))
        return rows.branch(row) if row else None

    async def by_name(self, name: str, committee_id: int | None = None) -> Branch | None:
        if committee_id is None:
            row = await self._one("SELECT * FROM branches WHERE name = ? ORDER BY id LIMIT 1", (name,))
        else:
            row = await self._one("SELECT * FROM branches WHERE name = ? AND committee_id = ?", (name, committee_id))
        return rows.branch(row) if row else None

    async def of_committee(self, committee_id: int) -> list[Branch]:
        found = await self._all("SELECT * FROM branches WHERE committee_id = ? ORDER BY id", (committee_id,))
        return [rows.branch(r) for r in found]

    async def set_active(self, branch_id: int, active: bool) -> None:
        await self._run("UPDATE branches SET active = ? WHERE id = ?", (int(active), branch_id))

    async def set_options(self, branch_id: int, *, done_counts_as_served: bool) -> None:
        await self._run(
            "UPDATE branches SET done_counts_as_served = ? WHERE id = ?",
            (int(done_counts_as_served), branch_id),
        )

    async def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        for table in ("branches", "committees"):
            await self._run(
                f"UPDATE {table} SET chat_id = ? WHERE chat_platform = ? AND chat_id = ?",
                (new_chat_id, platform, old_chat_id),
            )
        await self._run(
            "UPDATE cards SET chat_id = ? WHERE platform = ? AND chat_id = ?",
            (new_chat_id, platform, old_chat_id),
        )
        await self._run(
            "UPDATE outbox SET chat_id = ? WHERE platform = ? AND chat_id = ? AND status = 'pending'",
            (new_chat_id, platform, old_chat_id),
        )

    async def add_secretary(self, now: datetime, branch_id: int, member_id: int) -> bool:
        return await self._changed(
            "INSERT INTO branch_secretaries (branch_id, member_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            (branch_id, member_id, ts(now)),
        )

    async def is_secretary(self, branch_id: int, member_id: int) -> bool:
        return bool(
            await self._scalar(
                "SELECT 1 FROM branch_secretaries WHERE branch_id = ? AND member_id = ?",
                (branch_id, member_id),
            )
        )

    async def secretaries(self, branch_id: int) -> list[Member]:
        found = await self._all(
            "SELECT m.* FROM members m JOIN branch_secretaries s ON s.member_id = m.id WHERE s.branch_id = ?"
            " ORDER BY s.created_at",
            (branch_id,),
        )
        return [rows.member(r) for r in found]

    async def led_by(self, member_id: int) -> list[Branch]:
        found = await self._all(
            "SELECT b.* FROM branches b JOIN branch_secretaries s ON s.branch_id = b.id WHERE s.member_id = ?"
            " ORDER BY b.id",
            (member_id,),
        )
        return [rows.branch(r) for r in found]
