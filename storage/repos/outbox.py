"""Everything the bot decided to send, recorded before it is sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.model import (
    ChatRef,
)
from bot.ports import storage as ports
from bot.ports.storage import OutboxRow
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts

_ERASED = "payload = '', chat_id = NULL, thread_id = NULL, member_id = NULL, message_id = NULL"
_ABOUT_MEMBER = ("report_note", "fallback", "nudge_unreachable")
"""Dedupe-key prefixes of entries sent to others that name a member (their first id part is the member's)."""
TAKEN = timedelta(seconds=15)
"""How long an entry taken for delivery is kept from other deliverers before its holder renews it to send it."""
SENDING = timedelta(minutes=3)
"""How long an entry being sent is kept: longer than one send with the platform's own waits and retries."""


URGENT_KINDS = ("emergency",)
"""Kind prefixes delivered before anything else queued: a call in a crisis (战时应急) goes first."""


def priority(kind: str) -> int:
    """An entry's place in the queue: 1 for an emergency's, 0 for the rest (ties in the order recorded)."""
    return 1 if kind.startswith(URGENT_KINDS) else 0


class SqlOutbox(Repo, ports.Outbox):
    __slots__ = ()

    async def enqueue(
        self,
        now: datetime,
        *,
        dedupe_key: str,
        kind: str,
        platform: str,
        chat: ChatRef | None,
        member_id: int | None,
        payload: str,
        not_before: datetime | None = None,
    ) -> bool:
        return await self._changed(
            "INSERT INTO outbox (dedupe_key, kind, platform, chat_id, thread_id, member_id, payload,"
            " not_before, created_at, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            (
                dedupe_key,
                kind,
                platform,
                chat.chat_id if chat else None,
                rows.thread(chat),
                member_id,
                payload,
                ts(not_before or now),
                ts(now),
                priority(kind),
            ),
        )

    async def due(
        self, platform: str, now: datetime, limit: int = 100, *, owner: str = "", lease: timedelta = TAKEN
    ) -> list[OutboxRow]:
        found = await self._all(
            "UPDATE outbox SET leased_until = ?, leased_by = ? WHERE id IN (SELECT id FROM outbox"
            " WHERE status = 'pending' AND platform = ? AND not_before <= ?"
            f" AND (leased_until IS NULL OR leased_until <= ?) ORDER BY priority DESC, id LIMIT ?{self._skip_locked})"
            " RETURNING *",
            (ts(now + lease), owner, platform, ts(now), ts(now), limit),
        )
        taken = sorted(found, key=lambda r: (-int(r["priority"]), int(r["id"])))
        return [rows.outbox(r) for r in taken]

    async def renew(self, outbox_id: int, owner: str, now: datetime, lease: timedelta = SENDING) -> bool:
        return await self._changed(
            "UPDATE outbox SET leased_until = ? WHERE id = ? AND status = 'pending' AND leased_by = ? RETURNING 1",
            (ts(now + lease), outbox_id, owner),
        )

    async def release(self, outbox_ids: Sequence[int], owner: str = "") -> None:
        if not outbox_ids:
            return
        marks = ", ".join("?" for _ in outbox_ids)
        await self._run(
            f"UPDATE outbox SET leased_until = NULL, leased_by = NULL WHERE id IN ({marks}) AND leased_by = ?",
            (*outbox_ids, owner),
        )

    async def release_all(self, platform: str) -> int:
        found = await self._all(
            "UPDATE outbox SET leased_until = NULL, leased_by = NULL WHERE platform = ? AND status = 'pending'"
            " AND leased_until IS NOT NULL RETURNING 1",
            (platform,),
        )
        return len(found)

    async def next_time(self, platform: str) -> datetime | None:
        return rows.to_dt(
            await self._scalar(
                "SELECT min(not_before) FROM outbox WHERE status = 'pending' AND platform = ?", (platform,)
            )
        )

    async def mark(
        self,
        outbox_id: int,
        status: str,
        now: datetime,
        *,
        message_id: str | None = None,
        error: str | None = None,
        not_before: datetime | None = None,
    ) -> None:
        await self._run(
            "UPDATE outbox SET status = ?, leased_until = NULL, leased_by = NULL, attempts = attempts + 1,"
            " sent_at = CASE WHEN ? = 'sent' THEN ? END, message_id = coalesce(?, message_id), error = ?,"
            " not_before = coalesce(?, not_before) WHERE id = ?",
            (status, status, ts(now), message_id, error, ts(not_before), outbox_id),
        )

    async def by_key(self, dedupe_key: str) -> OutboxRow | None:
        row = await self._one("SELECT * FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
        return rows.outbox(row) if row else None

    async def erase_for_member(self, member_id: int, user_ids: Sequence[str]) -> int:
        marks = ", ".join("?" for _ in user_ids) or "NULL"
        about = [f"{prefix}:{member_id}:%" for prefix in _ABOUT_MEMBER]
        found = await self._all(
            f"UPDATE outbox SET {_ERASED}, status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END,"
            " error = CASE WHEN status = 'pending' THEN 'member left' ELSE error END"
            f" WHERE member_id = ? OR chat_id IN ({marks}) OR {' OR '.join('dedupe_key LIKE ?' for _ in about)}"
            " RETURNING 1",
            (member_id, *user_ids, *about),
        )
        return len(found)

    async def erase_sent_before(self, before: datetime) -> int:
        found = await self._all(
            f"UPDATE outbox SET {_ERASED} WHERE status != 'pending' AND created_at < ? AND payload != '' RETURNING 1",
            (ts(before),),
        )
        return len(found)

    async def delete_finished_before(self, before: datetime) -> int:
        found = await self._all(
            "DELETE FROM outbox WHERE status != 'pending' AND created_at < ? RETURNING 1", (ts(before),)
        )
        return len(found)

    async def counts(self, kind_prefix: str = "") -> dict[str, int]:
        found = await self._all(
            "SELECT status, count(*) AS n FROM outbox WHERE kind LIKE ? GROUP BY status", (kind_prefix + "%",)
        )
        return {r["status"]: int(r["n"]) for r in found}

    async def existing_keys(self, dedupe_keys: Sequence[str]) -> set[str]:
        if not dedupe_keys:
            return set()
        marks = ", ".join("?" for _ in dedupe_keys)
        found = await self._all(f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})", tuple(dedupe_keys))
        return {r["dedupe_key"] for r in found}

    async def hold_batch(self, outbox_ids: Sequence[int], owner: str, now: datetime, batch: str | None) -> list[int]:
        if not outbox_ids:
            return []
        marks = ", ".join("?" for _ in outbox_ids)
        found = await self._all(
            f"UPDATE outbox SET leased_until = ?, batch = ? WHERE id IN ({marks}) AND status = 'pending'"
            " AND leased_by = ? RETURNING id",
            (ts(now + SENDING), batch, *outbox_ids, owner),
        )
        return sorted(int(r["id"]) for r in found)

    async def batch_rows(self, batch: str, owner: str, now: datetime) -> list[OutboxRow]:
        found = await self._all(
            "UPDATE outbox SET leased_until = ?, leased_by = ? WHERE batch = ? AND status = 'pending'"
            " AND (leased_by = ? OR leased_until IS NULL OR leased_until <= ?) RETURNING *",
            (ts(now + TAKEN), owner, batch, owner, ts(now)),
        )
        return sorted((rows.outbox(r) for r in found), key=lambda r: r.id)
