"""Service records that count for the quarter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.domain.model import (
    AtRiskMember,
    ServiceRecord,
)
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqlServices(Repo, ports.Services):
    __slots__ = ()

    async def add(
        self,
        now: datetime,
        *,
        member_id: int,
        branch_id: int,
        served_on: date,
        hours: float,
        note: str,
        wish_id: int | None,
        claim_id: int | None,
        confirmed: bool,
        recorded_by: int | None,
        rating: int | None = None,
        provenance: str | None = None,
    ) -> int:
        return await self._insert(
            "INSERT INTO services (member_id, branch_id, served_on, hours, note, wish_id, claim_id, confirmed,"
            " rating, recorded_by, created_at, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                member_id,
                branch_id,
                served_on.isoformat(),
                hours,
                note,
                wish_id,
                claim_id,
                int(confirmed),
                rating,
                recorded_by,
                ts(now),
                provenance or ("confirmed" if confirmed else "self_reported"),
            ),
        )

    async def of_claim(self, claim_id: int) -> ServiceRecord | None:
        row = await self._one(f"{rows.SERVICES_WITH_KIND} WHERE s.claim_id = ?", (claim_id,))
        return rows.kinded_service(row) if row else None

    async def confirm_of_claim(self, claim_id: int, rating: int | None) -> None:
        await self._run(
            "UPDATE services SET confirmed = 1, rating = ?,"
            " provenance = CASE WHEN provenance = 'verified' THEN 'verified' ELSE 'confirmed' END WHERE claim_id = ?",
            (rating, claim_id),
        )

    async def drop_unconfirmed_of_claim(self, claim_id: int) -> None:
        await self._run("DELETE FROM services WHERE claim_id = ? AND confirmed = 0", (claim_id,))

    async def of_member(
        self, member_id: int, start: date | None = None, end: date | None = None
    ) -> list[ServiceRecord]:
        sql = f"{rows.SERVICES_WITH_KIND} WHERE s.member_id = ?"
        params: list[Any] = [member_id]
        if start is not None:
            sql += " AND s.served_on >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " AND s.served_on < ?"
            params.append(end.isoformat())
        return [rows.kinded_service(r) for r in await self._all(sql + " ORDER BY s.served_on, s.id", params)]

    async def at_risk(self, branch_id: int, start: date, end: date, done_counts: bool) -> list[AtRiskMember]:
        counted = "1 = 1" if done_counts else "s.confirmed = 1"
        found = await self._all(
            "SELECT * FROM (SELECT m.*,"
            " (SELECT max(served_on) FROM services s2 WHERE s2.member_id = m.id) AS last_served,"
            " (SELECT count(*) FROM claims c WHERE c.member_id = m.id AND c.status IN ('claimed', 'done'))"
            " AS open_claims"
            " FROM members m WHERE m.home_branch_id = ? AND m.reported_at IS NOT NULL AND m.left_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM services s WHERE s.member_id = m.id AND s.served_on >= ?"
            f" AND s.served_on < ? AND {counted})) AS r ORDER BY r.last_served IS NOT NULL, r.last_served, r.id",
            (branch_id, start.isoformat(), end.isoformat()),
        )
        return [
            AtRiskMember(rows.member(r), branch_id, rows.to_date(r["last_served"]), int(r["open_claims"]))
            for r in found
        ]
