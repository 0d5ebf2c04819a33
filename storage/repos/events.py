"""Incoming updates already handled, so a replay changes nothing."""

from __future__ import annotations

from datetime import datetime

from bot.ports import storage as ports
from storage.repos.base import Repo
from storage.rows import ts


class SqlProcessedEvents(Repo, ports.ProcessedEvents):
    __slots__ = ()

    async def first_time(self, platform: str, key: str, now: datetime) -> bool:
        return await self._changed(
            "INSERT INTO processed_events (platform, key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
            (platform, key, ts(now)),
        )

    async def prune(self, before: datetime) -> int:
        found = await self._all("DELETE FROM processed_events WHERE at < ? RETURNING 1", (ts(before),))
        return len(found)
