"""Small values every instance of the bot shares, each with an optional expiry."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.ports import storage as ports
from storage.repos.base import Repo


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class SqlSharedState(Repo, ports.SharedState):
    __slots__ = ()

    async def get(self, key: str, now: datetime) -> str | None:
        found = await self._scalar(
            "SELECT value FROM shared_state WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)", (key, _utc(now))
        )
        return str(found) if found is not None else None

    async def put(self, key: str, value: str, expires_at: datetime | None) -> None:
        await self._run(
            "INSERT INTO shared_state (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            (key, value, _utc(expires_at) if expires_at is not None else None),
        )

    async def claim(self, key: str, value: str, expires_at: datetime, now: datetime) -> bool:
        return await self._changed(
            "INSERT INTO shared_state (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"
            " WHERE shared_state.expires_at IS NOT NULL AND shared_state.expires_at <= ? RETURNING 1",
            (key, value, _utc(expires_at), _utc(now)),
        )

    async def delete(self, key: str, value: str | None = None) -> bool:
        if value is None:
            return await self._changed("DELETE FROM shared_state WHERE key = ? RETURNING 1", (key,))
        return await self._changed("DELETE FROM shared_state WHERE key = ? AND value = ? RETURNING 1", (key, value))
