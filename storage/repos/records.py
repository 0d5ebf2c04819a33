"""Sign-in codes and check-ins; certificates, their key, corrections and points spent."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Branch, Member, ServiceRecord
from bot.domain.records import Certificate, CertificateContent, Correction, CorrectionStatus, SigninCode
from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import Row, must_dt, to_dt, ts


def _signin(row: Row) -> SigninCode:
    return SigninCode(
        id=row["id"],
        wish_id=row["wish_id"],
        salt=row["salt"],
        code_hash=row["code_hash"],
        hours=float(row["hours"]),
        opened_by=row["opened_by"],
        opened_at=must_dt(row["opened_at"]),
        expires_at=must_dt(row["expires_at"]),
        closed_at=to_dt(row["closed_at"]),
    )


def _correction(row: Row) -> Correction:
    return Correction(
        id=row["id"],
        service_id=row["service_id"],
        member_id=row["member_id"],
        hours=row["hours"],
        reason=row["reason"],
        status=CorrectionStatus(row["status"]),
        requested_at=must_dt(row["requested_at"]),
        decided_by=row["decided_by"],
        decided_at=to_dt(row["decided_at"]),
        answer=row["answer"],
    )


class SqlSignins(Repo, ports.Signins):
    __slots__ = ()

    async def open(
        self,
        now: datetime,
        *,
        wish_id: int,
        salt: str,
        code_hash: str,
        hours: float,
        opened_by: int | None,
        expires_at: datetime,
    ) -> int:
        await self._run(
            "UPDATE signin_codes SET closed_at = ? WHERE wish_id = ? AND closed_at IS NULL", (ts(now), wish_id)
        )
        return await self._insert(
            "INSERT INTO signin_codes (wish_id, salt, code_hash, hours, opened_by, opened_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (wish_id, salt, code_hash, hours, opened_by, ts(now), ts(expires_at)),
        )

    async def open_at(self, now: datetime) -> list[SigninCode]:
        found = await self._all(
            "SELECT * FROM signin_codes WHERE closed_at IS NULL AND expires_at > ? AND opened_at <= ? ORDER BY id",
            (ts(now), ts(now)),
        )
        return [_signin(r) for r in found]

    async def add_checkin(self, now: datetime, wish_id: int, member_id: int, signin_id: int) -> bool:
        return await self._changed(
            "INSERT INTO checkins (wish_id, member_id, signin_id, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (wish_id, member_id) DO NOTHING RETURNING wish_id",
            (wish_id, member_id, signin_id, ts(now)),
        )

    async def checkin_of(self, wish_id: int, member_id: int) -> SigninCode | None:
        row = await self._one(
            "SELECT s.* FROM checkins c JOIN signin_codes s ON s.id = c.signin_id"
            " WHERE c.wish_id = ? AND c.member_id = ?",
            (wish_id, member_id),
        )
        return _signin(row) if row else None

    async def checked_in(self, wish_id: int) -> list[int]:
        found = await self._all("SELECT member_id FROM checkins WHERE wish_id = ? ORDER BY at, member_id", (wish_id,))
        return [int(r["member_id"]) for r in found]

    async def add_failure(self, now: datetime, member_id: int) -> None:
        await self._run("INSERT INTO checkin_failures (member_id, at) VALUES (?, ?)", (member_id, ts(now)))

    async def failures_since(self, member_id: int, since: datetime) -> list[datetime]:
        found = await self._all(
            "SELECT at FROM checkin_failures WHERE member_id = ? AND at >= ? ORDER BY at", (member_id, ts(since))
        )
        return [must_dt(r["at"]) for r in found]


class SqlCertificates(Repo, ports.Certificates):
    __slots__ = ()

    async def key(self, now: datetime, candidate: str) -> str:
        found = await self._scalar("SELECT secret FROM certificate_keys ORDER BY id LIMIT 1")
        if found is not None or not candidate:
            return str(found or "")
        await self._run("INSERT INTO certificate_keys (secret, created_at) VALUES (?, ?)", (candidate, ts(now)))
        return str(await self._scalar("SELECT secret FROM certificate_keys ORDER BY id LIMIT 1"))

    async def count_of_committee(self, committee_id: int) -> int:
        return int(await self._scalar("SELECT count(*) FROM certificates WHERE committee_id = ?", (committee_id,)))

    async def add(
        self,
        now: datetime,
        *,
        content: CertificateContent,
        code: str,
        member_id: int,
        committee_id: int,
        issued_by: int | None,
    ) -> int:
        return await self._insert(
            "INSERT INTO certificates (number, code, member_id, committee_id, period_start, period_end, total_hours,"
            " content, digest, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                content.number,
                code,
                member_id,
                committee_id,
                content.period_start.isoformat(),
                content.period_end.isoformat(),
                content.total_hours,
                content.canonical(),
                content.digest(),
                issued_by,
                ts(now),
            ),
        )

    async def by_code(self, code: str) -> Certificate | None:
        row = await self._one("SELECT * FROM certificates WHERE code = ?", (code,))
        if row is None:
            return None
        return Certificate(
            id=row["id"],
            number=row["number"],
            code=row["code"],
            member_id=row["member_id"],
            committee_id=row["committee_id"],
            content=CertificateContent.from_canonical(row["content"]),
            digest=row["digest"],
            issued_at=must_dt(row["issued_at"]),
        )

    async def service(self, service_id: int) -> ServiceRecord | None:
        row = await self._one(f"{rows.SERVICES_WITH_KIND} WHERE s.id = ?", (service_id,))
        return rows.kinded_service(row) if row else None

    async def set_hours(self, service_id: int, hours: float) -> None:
        await self._run("UPDATE services SET hours = ? WHERE id = ?", (hours, service_id))

    async def add_correction(
        self, now: datetime, *, service_id: int, member_id: int, hours: float | None, reason: str
    ) -> int:
        return await self._insert(
            "INSERT INTO corrections (service_id, member_id, hours, reason, requested_at) VALUES (?, ?, ?, ?, ?)",
            (service_id, member_id, hours, reason, ts(now)),
        )

    async def correction(self, correction_id: int) -> Correction | None:
        row = await self._one("SELECT * FROM corrections WHERE id = ?", (correction_id,))
        return _correction(row) if row else None

    async def pending_correction(self, service_id: int) -> Correction | None:
        row = await self._one("SELECT * FROM corrections WHERE service_id = ? AND status = 'pending'", (service_id,))
        return _correction(row) if row else None

    async def decide(
        self, correction_id: int, status: CorrectionStatus, decided_by: int, now: datetime, answer: str
    ) -> None:
        await self._run(
            "UPDATE corrections SET status = ?, decided_by = ?, decided_at = ?, answer = ? WHERE id = ?",
            (status.value, decided_by, ts(now), answer, correction_id),
        )

    async def points_spent(self, member_id: int) -> float:
        found = await self._scalar(
            "SELECT coalesce(sum(points), 0) FROM points_spent WHERE member_id = ?", (member_id,)
        )
        return float(found or 0)

    async def spend(self, now: datetime, member_id: int, points: float, note: str) -> None:
        await self._run(
            "INSERT INTO points_spent (member_id, points, note, at) VALUES (?, ?, ?, ?)",
            (member_id, points, note, ts(now)),
        )


class SqlGridWorkers(Repo, ports.GridWorkers):
    __slots__ = ()

    async def appoint(self, now: datetime, branch_id: int, member_id: int, appointed_by: int | None) -> bool:
        return await self._changed(
            "INSERT INTO branch_grid_workers (branch_id, member_id, appointed_by, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            (branch_id, member_id, appointed_by, ts(now)),
        )

    async def remove(self, branch_id: int, member_id: int) -> bool:
        return await self._changed(
            "DELETE FROM branch_grid_workers WHERE branch_id = ? AND member_id = ? RETURNING 1", (branch_id, member_id)
        )

    async def is_grid_worker(self, branch_id: int, member_id: int) -> bool:
        return bool(
            await self._scalar(
                "SELECT 1 FROM branch_grid_workers WHERE branch_id = ? AND member_id = ?", (branch_id, member_id)
            )
        )

    async def branches_of(self, member_id: int) -> list[Branch]:
        found = await self._all(
            "SELECT b.* FROM branches b JOIN branch_grid_workers g ON g.branch_id = b.id WHERE g.member_id = ?"
            " ORDER BY b.id",
            (member_id,),
        )
        return [rows.branch(r) for r in found]

    async def of_branch(self, branch_id: int) -> list[Member]:
        found = await self._all(
            "SELECT m.* FROM members m JOIN branch_grid_workers g ON g.member_id = m.id WHERE g.branch_id = ?"
            " ORDER BY g.created_at, m.id",
            (branch_id,),
        )
        return [rows.member(r) for r in found]
