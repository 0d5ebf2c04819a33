"""Who changed what."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.ports import storage as ports
from storage.repos.base import Repo
from storage.rows import ts


class SqlAuditLog(Repo, ports.AuditLog):
    __slots__ = ()

    async def record(
        self,
        now: datetime,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        **detail: Any,
    ) -> None:
        await self._run(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (
                ts(now),
                actor_id,
                action,
                entity,
                entity_id,
                json.dumps(detail, ensure_ascii=False, default=str),
            ),
        )

    async def of_member(self, member_id: int) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT at, action, entity, entity_id, detail FROM audit_log WHERE actor_id = ?"
            " OR (entity = 'member' AND entity_id = ?) ORDER BY id",
            (member_id, member_id),
        )
        return [dict(r) for r in found]
