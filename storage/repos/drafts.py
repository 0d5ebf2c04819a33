"""Wish texts a secretary sent that could not be read yet."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import (
    Account,
)
from bot.ports import storage as ports
from storage.repos.base import Repo
from storage.rows import ts


class SqlDrafts(Repo, ports.Drafts):
    __slots__ = ()

    async def save(self, now: datetime, account: Account, branch_id: int | None, text: str) -> None:
        await self._run(
            "INSERT INTO drafts (platform, user_id, branch_id, text, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET branch_id = excluded.branch_id, text = excluded.text,"
            " updated_at = excluded.updated_at",
            (account.platform, account.user_id, branch_id, text, ts(now)),
        )

    async def get(self, account: Account) -> tuple[int | None, str] | None:
        row = await self._one(
            "SELECT branch_id, text FROM drafts WHERE platform = ? AND user_id = ?",
            (account.platform, account.user_id),
        )
        return (row["branch_id"], row["text"]) if row else None

    async def delete(self, account: Account) -> None:
        await self._run("DELETE FROM drafts WHERE platform = ? AND user_id = ?", (account.platform, account.user_id))
