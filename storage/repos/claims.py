"""Claims (认领) of wishes; the database refuses an over-fill or a second active claim."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import errors
from bot.domain.model import (
    ACTIVE_CLAIM_STATUSES,
    Claim,
    ClaimStatus,
    Wish,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import IntegrityViolation, Repo
from storage.rows import ts


class SqlClaims(Repo, ports.Claims):
    __slots__ = ()

    async def active(self, wish_id: int, member_id: int) -> Claim | None:
        row = await self._one(
            f"SELECT * FROM claims WHERE wish_id = ? AND member_id = ? AND status IN {rows.ACTIVE_SQL}",
            (wish_id, member_id),
        )
        return rows.claim(row) if row else None

    async def count_active(self, wish_id: int) -> int:
        return int(
            await self._scalar(
                f"SELECT count(*) FROM claims WHERE wish_id = ? AND status IN {rows.ACTIVE_SQL}", (wish_id,)
            )
        )

    async def add(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> Claim:
        try:
            found = await self._all(
                "INSERT INTO claims (wish_id, member_id, team_id, status, claimed_at) VALUES (?, ?, ?, 'claimed', ?)"
                " RETURNING *",
                (wish_id, member_id, team_id, ts(now)),
            )
            return rows.claim(found[0])
        except IntegrityViolation as error:
            if "wish_full" in str(error):
                raise errors.WishFull(wish_id=wish_id) from error
            if "UNIQUE" in str(error):
                raise errors.AlreadyClaimed(wish_id=wish_id) from error
            raise

    async def get(self, claim_id: int) -> Claim | None:
        row = await self._one("SELECT * FROM claims WHERE id = ?", (claim_id,))
        return rows.claim(row) if row else None

    async def save(self, claim: Claim) -> None:
        await self._run(
            "UPDATE claims SET status = ?, done_at = ?, hours = ?, note = ?, photo_ref = ?, rating = ?,"
            " confirmed_by = ?, confirmed_at = ?, return_reason = ?, ended_at = ? WHERE id = ?",
            (
                str(claim.status),
                ts(claim.done_at),
                claim.hours,
                claim.note,
                claim.photo_ref,
                claim.rating,
                claim.confirmed_by,
                ts(claim.confirmed_at),
                claim.return_reason,
                ts(claim.ended_at),
                claim.id,
            ),
        )

    async def of_member(
        self, member_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES
    ) -> list[tuple[Claim, Wish]]:
        marks = ", ".join("?" for _ in statuses)
        found = await self._all(
            f"SELECT c.*, w.id AS w_id FROM claims c JOIN wishes w ON w.id = c.wish_id WHERE c.member_id = ?"
            f" AND c.status IN ({marks}) ORDER BY c.id DESC",
            (member_id, *[str(s) for s in statuses]),
        )
        result = []
        for r in found:
            wish = await self._one("SELECT * FROM wishes WHERE id = ?", (r["w_id"],))
            if wish is not None:
                result.append((rows.claim(r), rows.wish(wish)))
        return result

    async def of_wish(self, wish_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES) -> list[Claim]:
        marks = ", ".join("?" for _ in statuses)
        found = await self._all(
            f"SELECT * FROM claims WHERE wish_id = ? AND status IN ({marks}) ORDER BY id",
            (wish_id, *[str(s) for s in statuses]),
        )
        return [rows.claim(r) for r in found]
