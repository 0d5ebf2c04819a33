"""Sent messages with buttons that must follow the state of their wish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.model import (
    ChatRef,
)
from bot.ports import storage as ports
from bot.ports.storage import CardRow
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqlCards(Repo, ports.Cards):
    __slots__ = ()

    async def add(
        self,
        now: datetime,
        wish_id: int | None,
        chat: ChatRef,
        message_id: str,
        kind: str,
        version: int,
        *,
        claim_id: int | None = None,
        viewer_id: int | None = None,
        notice: str | None = None,
        wishes: Sequence[int] = (),
        visit_id: int | None = None,
    ) -> None:
        await self._run(
            "INSERT INTO cards (wish_id, platform, chat_id, thread_id, message_id, kind, rendered_version,"
            " last_edit_at, created_at, claim_id, viewer_id, notice, visit_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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
                claim_id,
                viewer_id,
                notice,
                visit_id,
            ),
        )
        for other in wishes:
            await self._run(
                "INSERT INTO card_wishes (card_id, wish_id, seen_version)"
                " SELECT c.id, w.id, w.version FROM cards c, wishes w"
                " WHERE c.platform = ? AND c.chat_id = ? AND c.message_id = ? AND w.id = ?"
                " ON CONFLICT DO NOTHING",
                (chat.platform, chat.chat_id, message_id, other),
            )

    async def of_wish(self, wish_id: int) -> list[CardRow]:
        found = await self._all("SELECT * FROM cards WHERE wish_id = ? ORDER BY id", (wish_id,))
        return [rows.card(r) for r in found]

    async def stale(self, platform: str, limit: int = 100) -> list[CardRow]:
        found = await self._all(
            "SELECT c.*, w.version AS wanted FROM cards c JOIN wishes w ON w.id = c.wish_id"
            " WHERE c.platform = ? AND (c.rendered_version < w.version OR EXISTS (SELECT 1 FROM card_wishes cw"
            " JOIN wishes o ON o.id = cw.wish_id WHERE cw.card_id = c.id AND cw.seen_version < o.version))"
            " UNION ALL SELECT c.*, v.version AS wanted FROM cards c JOIN pairing_visits v ON v.id = c.visit_id"
            " WHERE c.platform = ? AND c.rendered_version < v.version"
            " ORDER BY last_edit_at LIMIT ?",
            (platform, platform, limit),
        )
        return [rows.card(r) for r in found]

    async def mark_rendered(self, card_id: int, version: int, now: datetime) -> None:
        await self._run(
            "UPDATE cards SET rendered_version = CASE WHEN rendered_version > ? THEN rendered_version ELSE ? END,"
            " last_edit_at = ? WHERE id = ?",
            (version, version, ts(now), card_id),
        )
        await self._run(
            "UPDATE card_wishes SET seen_version = (SELECT version FROM wishes WHERE wishes.id = card_wishes.wish_id)"
            " WHERE card_id = ?",
            (card_id,),
        )

    async def rehandle(self, chat: ChatRef, old_prefix: str, message_id: str, *, refresh: bool) -> bool:
        found = await self._one(
            "SELECT id FROM cards WHERE platform = ? AND chat_id = ? AND substr(message_id, 1, ?) = ?",
            (chat.platform, chat.chat_id, len(old_prefix), old_prefix),
        )
        if found is None:
            return False
        await self._run(
            "UPDATE cards SET message_id = ?,"
            " rendered_version = CASE WHEN ? THEN 0 ELSE rendered_version END WHERE id = ?",
            (message_id, refresh, found["id"]),
        )
        return True

    async def drop(self, card_id: int) -> None:
        await self._run("DELETE FROM card_wishes WHERE card_id = ?", (card_id,))
        await self._run("DELETE FROM cards WHERE id = ?", (card_id,))
