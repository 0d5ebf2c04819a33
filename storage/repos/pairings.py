"""Pairings (结对) and their visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.domain.pairings import Pairing, PairingStatus, Rhythm, RhythmKind, Visit, VisitStatus
from bot.ports import storage as ports
from storage.repos.base import Repo
from storage.rows import to_date, to_dt, ts


def _pairing(row: Any) -> Pairing:
    started = to_date(row["started_on"])
    due = to_date(row["next_due"])
    created = to_dt(row["created_at"])
    assert started is not None and due is not None and created is not None
    return Pairing(
        id=int(row["id"]),
        branch_id=int(row["branch_id"]),
        member_id=int(row["member_id"]),
        team_id=int(row["team_id"]) if row["team_id"] is not None else None,
        alias=str(row["alias"]),
        contact=str(row["contact"]),
        rhythm=Rhythm(RhythmKind(row["rhythm"]), int(row["every_days"])),
        status=PairingStatus(row["status"]),
        started_on=started,
        last_visit_on=to_date(row["last_visit_on"]),
        next_due=due,
        created_at=created,
        ended_at=to_dt(row["ended_at"]),
    )


def _visit(row: Any) -> Visit:
    visited = to_date(row["visited_on"])
    created = to_dt(row["created_at"])
    assert visited is not None and created is not None
    return Visit(
        id=int(row["id"]),
        pairing_id=int(row["pairing_id"]),
        member_id=int(row["member_id"]),
        visited_on=visited,
        hours=float(row["hours"]),
        note=str(row["note"]),
        photo_ref=row["photo_ref"],
        status=VisitStatus(row["status"]),
        service_id=int(row["service_id"]) if row["service_id"] is not None else None,
        created_at=created,
        confirmed_by=int(row["confirmed_by"]) if row["confirmed_by"] is not None else None,
        confirmed_at=to_dt(row["confirmed_at"]),
        version=int(row["version"]),
        returned_by=int(row["returned_by"]) if row["returned_by"] is not None else None,
        returned_at=to_dt(row["returned_at"]),
        return_reason=str(row["return_reason"]),
    )


class SqlPairings(Repo, ports.Pairings):
    __slots__ = ()

    async def add(
        self,
        now: datetime,
        *,
        branch_id: int,
        member_id: int,
        team_id: int | None,
        alias: str,
        contact: str,
        rhythm: Rhythm,
        started_on: date,
        next_due: date,
        created_by: int,
    ) -> int:
        return await self._insert(
            "INSERT INTO pairings (branch_id, member_id, team_id, alias, contact, rhythm, every_days, status,"
            " started_on, next_due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
            (
                branch_id,
                member_id,
                team_id,
                alias,
                contact,
                rhythm.kind.value,
                rhythm.days,
                started_on.isoformat(),
                next_due.isoformat(),
                created_by,
                ts(now),
            ),
        )

    async def get(self, pairing_id: int) -> Pairing | None:
        row = await self._one(f"SELECT * FROM pairings WHERE id = ?{self.conn.lock_rows}", (pairing_id,))
        return _pairing(row) if row else None

    async def of_branch(self, branch_id: int, *, include_ended: bool = False) -> list[Pairing]:
        ended = "" if include_ended else " AND status <> 'ended'"
        found = await self._all(
            f"SELECT * FROM pairings WHERE branch_id = ?{ended} ORDER BY status, next_due, id", (branch_id,)
        )
        return [_pairing(r) for r in found]

    async def of_member(self, member_id: int) -> list[Pairing]:
        found = await self._all(
            "SELECT * FROM pairings WHERE member_id = ? AND status <> 'ended' ORDER BY next_due, id", (member_id,)
        )
        return [_pairing(r) for r in found]

    async def due_by(self, day: date, *, after_id: int = 0, limit: int = 500) -> list[Pairing]:
        found = await self._all(
            "SELECT * FROM pairings WHERE status = 'active' AND next_due <= ? AND id > ? ORDER BY id LIMIT ?",
            (day.isoformat(), after_id, limit),
        )
        return [_pairing(r) for r in found]

    async def set_status(self, pairing_id: int, status: PairingStatus, now: datetime) -> None:
        ended = ts(now) if status == PairingStatus.ENDED else None
        await self._run("UPDATE pairings SET status = ?, ended_at = ? WHERE id = ?", (status.value, ended, pairing_id))

    async def set_member(self, pairing_id: int, member_id: int) -> None:
        await self._run("UPDATE pairings SET member_id = ?, team_id = NULL WHERE id = ?", (member_id, pairing_id))

    async def set_due(self, pairing_id: int, last_visit_on: date | None, next_due: date) -> None:
        await self._run(
            "UPDATE pairings SET last_visit_on = ?, next_due = ? WHERE id = ?",
            (last_visit_on.isoformat() if last_visit_on else None, next_due.isoformat(), pairing_id),
        )

    async def add_visit(
        self,
        now: datetime,
        *,
        pairing_id: int,
        member_id: int,
        visited_on: date,
        hours: float,
        note: str,
        photo_ref: str | None,
        service_id: int,
    ) -> int:
        return await self._insert(
            "INSERT INTO pairing_visits (pairing_id, member_id, visited_on, hours, note, photo_ref, status,"
            " service_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 'reported', ?, ?)",
            (pairing_id, member_id, visited_on.isoformat(), hours, note, photo_ref, service_id, ts(now)),
        )

    async def visit(self, visit_id: int) -> Visit | None:
        row = await self._one(f"SELECT * FROM pairing_visits WHERE id = ?{self.conn.lock_rows}", (visit_id,))
        return _visit(row) if row else None

    async def visits(self, pairing_id: int) -> list[Visit]:
        found = await self._all("SELECT * FROM pairing_visits WHERE pairing_id = ? ORDER BY id", (pairing_id,))
        return [_visit(r) for r in found]

    async def confirm_visit(self, visit_id: int, by: int, now: datetime) -> None:
        await self._run(
            "UPDATE pairing_visits SET status = 'confirmed', confirmed_by = ?, confirmed_at = ?, version = version + 1"
            " WHERE id = ?",
            (by, ts(now), visit_id),
        )
        await self._run(
            "UPDATE services SET confirmed = 1 WHERE id = (SELECT service_id FROM pairing_visits WHERE id = ?)",
            (visit_id,),
        )

    async def return_visit(self, visit_id: int, by: int, now: datetime, reason: str) -> None:
        service = await self._scalar("SELECT service_id FROM pairing_visits WHERE id = ?", (visit_id,))
        await self._run(
            "UPDATE pairing_visits SET status = 'returned', returned_by = ?, returned_at = ?, return_reason = ?,"
            " service_id = NULL, version = version + 1 WHERE id = ?",
            (by, ts(now), reason, visit_id),
        )
        if service is not None:
            await self._run(
                "DELETE FROM services WHERE id = ? AND confirmed = 0"
                " AND NOT EXISTS (SELECT 1 FROM corrections WHERE service_id = ?)",
                (service, service),
            )
