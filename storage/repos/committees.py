"""E-party-committees (e党委) and their admins."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import (
    ChatRef,
    Committee,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqlCommittees(Repo, ports.Committees):
    __slots__ = ()

    async def create(self, now: datetime, name: str, chat: ChatRef | None) -> int:
        return await self._insert(
            "INSERT INTO committees (name, chat_platform, chat_id, thread_id, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, chat.platform if chat else None, chat.chat_id if chat else None, rows.thread(chat), ts(now)),
        )

    async def set_chat(self, committee_id: int, chat: ChatRef | None) -> None:
        await self._run(
            "UPDATE committees SET chat_platform = ?, chat_id = ?, thread_id = ? WHERE id = ?",
            (chat.platform if chat else None, chat.chat_id if chat else None, rows.thread(chat), committee_id),
        )

    async def get(self, committee_id: int) -> Committee | None:
        row = await self._one("SELECT * FROM committees WHERE id = ?", (committee_id,))
        return rows.committee(row) if row else None

    async def by_name(self, name: str) -> Committee | None:
        row = await self._one("SELECT * FROM committees WHERE name = ?", (name,))
        return rows.committee(row) if row else None

    async def by_chat(self, platform: str, chat_id: str) -> Committee | None:
        row = await self._one("SELECT * FROM committees WHERE chat_platform = ? AND chat_id = ?", (platform, chat_id))
        return rows.committee(row) if row else None

    async def all(self) -> list[Committee]:
        return [rows.committee(r) for r in await self._all("SELECT * FROM committees ORDER BY id")]

    async def add_admin(self, now: datetime, committee_id: int, member_id: int) -> None:
        await self._run(
            "INSERT INTO committee_admins (committee_id, member_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (committee_id, member_id, ts(now)),
        )

    async def is_admin(self, committee_id: int, member_id: int) -> bool:
        return bool(
            await self._scalar(
                "SELECT 1 FROM committee_admins WHERE committee_id = ? AND member_id = ?",
                (committee_id, member_id),
            )
        )

    async def administered_by(self, member_id: int) -> list[Committee]:
        found = await self._all(
            "SELECT c.* FROM committees c JOIN committee_admins a ON a.committee_id = c.id WHERE a.member_id = ?"
            " ORDER BY c.id",
            (member_id,),
        )
        return [rows.committee(r) for r in found]
