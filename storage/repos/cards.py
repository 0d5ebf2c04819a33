"""Sent messages with buttons that must follow the state of their wish."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import (
    ChatRef,
)
from bot.ports import storage as ports
from bot.ports.storage import CardRow
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqliteCards(Repo, ports.Cards):
    __slots__ = ()

    async def add(self, now: datetime, wish_id: int, chat: ChatRef, message_id: str, kind: str, version: int) -> None:
        await self._run(
            "INSERT INTO cards (wish_id, platform, chat_id, thread_id, message_id, kind, rendered_version,"
            " last_edit_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                wish_id,
                chat.platform,
                chat.chat_id,
                chat.thread_id,
                message_id,
                kind,
                version,
                ts(now),
                ts(now),
            ),
        )

    async def of_wish(self, wish_id: int) -> list[CardRow]:
        found = await self._all("SELECT * FROM cards WHERE wish_id = ? ORDER BY id", (wish_id,))
        return [rows.card(r) for r in found]

    async def stale(self, platform: str, limit: int = 100) -> list[CardRow]:
        found = await self._all(
            "SELECT c.*, w.version AS wanted FROM cards c JOIN wishes w ON w.id = c.wish_id"
            " WHERE c.platform = ? AND c.rendered_version < w.version ORDER BY c.last_edit_at LIMIT ?",
            (platform, limit),
        )
        return [rows.card(r) for r in found]

    async def mark_rendered(self, card_id: int, version: int, now: datetime) -> None:
        await self._run(
            "UPDATE cards SET rendered_version = CASE WHEN rendered_version > ? THEN rendered_version ELSE ? END,"
            " last_edit_at = ? WHERE id = ?",
            (version, version, ts(now), card_id),
        )

    async def drop(self, card_id: int) -> None:
        await self._run("DELETE FROM cards WHERE id = ?", (card_id,))
