"""Where each person is in a multi-step conversation."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain.model import (
    Account,
)
from bot.ports import storage as ports
from storage.repos.base import Repo
from storage.rows import ts


class SqlConversations(Repo, ports.Conversations):
    __slots__ = ()

    async def get(self, account: Account) -> dict[str, Any] | None:
        row = await self._one(
            "SELECT state FROM conversations WHERE platform = ? AND user_id = ?", (account.platform, account.user_id)
        )
        return dict(json.loads(row["state"])) if row else None

    async def set(self, now: datetime, account: Account, state: dict[str, Any] | None) -> None:
        if state is None:
            await self._run(
                "DELETE FROM conversations WHERE platform = ? AND user_id = ?", (account.platform, account.user_id)
            )
            return
        await self._run(
            "INSERT INTO conversations (platform, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (account.platform, account.user_id, json.dumps(state, ensure_ascii=False), ts(now)),
        )
