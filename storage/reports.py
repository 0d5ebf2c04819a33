"""The SQL behind nudges, reminders, the weekly digest and the ledger, kept apart from the transactional unit."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from functools import lru_cache, partial
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.model import BranchStats, Claim, Member, ServiceKind, Wish
from bot.domain.reports import (
    LedgerData,
    LedgerMember,
    LedgerPairing,
    LedgerService,
    LedgerVisit,
    LedgerWish,
    WorkplaceFeedback,
    WorkplaceMember,
)
from bot.ports.reports import NudgeCandidate
from storage import rows
from storage.dialect import SqlFunctions, functions, numbered
from storage.engine import Engine
from storage.rows import ts

_COUNTED = "(s.confirmed = 1 OR b.done_counts_as_served = 1)"
TOP_MEMBERS = 3
READ_CHUNK = 2000
READ_TIMEOUT_S = 5.0
SWEEP_SPAN = 4  # pages' worth of member ids read at a time by the nudge sweep

T = TypeVar("T")

_EMERGENCY = f"{rows.service_kind('w', 'e')} = 'emergency'"
# 战时 services are those of these wishes: the list is read once per statement, and a service is looked up in it
# rather than each service's wish and call being joined (on SQLite about half the cost, on PostgreSQL a third).
_OF_EMERGENCY_WISH = (
    f"s.wish_id IN (SELECT w.id FROM wishes w LEFT JOIN emergencies e ON e.id = w.emergency_id WHERE {_EMERGENCY})"
)
_OPEN_AT_CUT = "w.created_at < :cut AND (w.closed_at IS NULL OR w.closed_at >= :cut)"
# branch_stats on SQLite: one correlated subquery per figure and branch, each a short range of a covering index
# (migration 0003).
_STATS_CORRELATED = (
    "SELECT b.id, b.name,"
    " (SELECT count(*) FROM members m WHERE m.home_branch_id = b.id AND m.left_at IS NULL"
    "  AND m.created_at < :cut) AS members_total,"
    " (SELECT count(*) FROM members m WHERE m.home_branch_id = b.id AND m.left_at IS NULL"
    "  AND m.reported_at IS NOT NULL AND m.reported_at < :cut) AS members_reported,"
    " (SELECT count(*) FROM members m WHERE m.home_branch_id = b.id AND m.left_at IS NULL"
    "  AND m.reported_at IS NOT NULL AND m.reported_at < :cut AND EXISTS (SELECT 1 FROM services s"
    f"  WHERE s.member_id = m.id AND s.served_on >= :q_start AND s.served_on < :day_end AND {_COUNTED}))"
    "  AS served,"
    " (SELECT count(*) FROM wishes w WHERE w.branch_id = b.id AND w.created_at >= :start"
    "  AND w.created_at < :cut) AS posted,"
    " (SELECT count(DISTINCT c.wish_id) FROM claims c JOIN wishes w ON w.id = c.wish_id"
    "  WHERE w.branch_id = b.id AND c.claimed_at >= :start AND c.claimed_at < :cut) AS claimed,"
    " (SELECT count(*) FROM wishes w WHERE w.branch_id = b.id AND w.status = 'closed'"
    "  AND w.closed_at >= :start AND w.closed_at < :cut) AS completed,"
    " (SELECT count(*) FROM services s LEFT JOIN claims c ON c.id = s.claim_id WHERE s.branch_id = b.id"
    "  AND s.confirmed = 1 AND coalesce(c.confirmed_at, s.created_at) >= :start"
    "  AND coalesce(c.confirmed_at, s.created_at) < :cut) AS confirmed,"
    " (SELECT count(*) FROM wishes w WHERE w.branch_id = b.id AND w.created_at < :cut"
    "  AND (w.closed_at IS NULL OR w.closed_at >= :cut)) AS open,"
    " (SELECT min(w.created_at) FROM wishes w WHERE w.branch_id = b.id AND w.created_at < :cut"
    "  AND (w.closed_at IS NULL OR w.closed_at >= :cut)) AS oldest_open,"
    " (SELECT count(*) FROM claims c JOIN wishes w ON w.id = c.wish_id WHERE w.branch_id = b.id"
    "  AND c.claimed_at < :cut AND w.deadline IS NOT NULL AND w.deadline < :day_end"
    "  AND (w.closed_at IS NULL OR w.closed_at >= :cut)"
    "  AND (c.status = 'claimed' OR (c.status IN ('withdrawn', 'released') AND c.ended_at >= :cut)"
    "  OR (c.done_at IS NOT NULL AND c.done_at >= :cut))) AS overdue,"
    " (SELECT coalesce(sum(s.hours), 0) FROM services s WHERE s.branch_id = b.id"
    f"  AND s.served_on >= :q_start AND s.served_on < :day_end AND {_COUNTED}) AS hours,"
    " (SELECT coalesce(sum(s.hours), 0) FROM services s WHERE s.branch_id = b.id"
    f"  AND s.served_on >= :q_start AND s.served_on < :day_end AND {_COUNTED} AND {_OF_EMERGENCY_WISH})"
    "  AS emergency_hours"
    " FROM branches b WHERE b.committee_id = :committee ORDER BY b.id"
)
# branch_stats on PostgreSQL: each table read once, grouped by branch and joined to the branches; the correlated
# form ran its subqueries once per branch there (about 23 ms each).
_STATS_GROUPED = (
    "SELECT b.id, b.name, coalesce(mm.total, 0) AS members_total, coalesce(mm.reported, 0) AS members_reported,"
    " coalesce(mm.served, 0) AS served, coalesce(ww.posted, 0) AS posted, coalesce(cl.claimed, 0) AS claimed,"
    " coalesce(ww.completed, 0) AS completed, coalesce(cf.confirmed, 0) AS confirmed,"
    " coalesce(ww.open, 0) AS open, ww.oldest_open, coalesce(od.overdue, 0) AS overdue,"
    " coalesce(hq.hours, 0) AS hours, coalesce(eh.hours, 0) AS emergency_hours"
    " FROM branches b"
    " LEFT JOIN (SELECT m.home_branch_id AS branch_id,"
    "  sum(CASE WHEN m.created_at < :cut THEN 1 ELSE 0 END) AS total,"
    "  sum(CASE WHEN m.reported_at < :cut THEN 1 ELSE 0 END) AS reported,"
    "  sum(CASE WHEN m.reported_at < :cut AND sv.member_id IS NOT NULL"
    "   AND (sv.confirmed = 1 OR h.done_counts_as_served = 1) THEN 1 ELSE 0 END) AS served"
    "  FROM members m JOIN branches h ON h.id = m.home_branch_id"
    "  LEFT JOIN (SELECT s.member_id, max(s.confirmed) AS confirmed FROM services s"
    "   WHERE s.served_on >= :q_start AND s.served_on < :day_end GROUP BY s.member_id) sv"
    "  ON sv.member_id = m.id"
    "  WHERE h.committee_id = :committee AND m.left_at IS NULL GROUP BY m.home_branch_id) mm"
    " ON mm.branch_id = b.id"
    " LEFT JOIN (SELECT w.branch_id,"
    "  sum(CASE WHEN w.created_at >= :start AND w.created_at < :cut THEN 1 ELSE 0 END) AS posted,"
    "  sum(CASE WHEN w.status = 'closed' AND w.closed_at >= :start AND w.closed_at < :cut THEN 1 ELSE 0 END)"
    "   AS completed,"
    f"  sum(CASE WHEN {_OPEN_AT_CUT} THEN 1 ELSE 0 END) AS open,"
    f"  min(CASE WHEN {_OPEN_AT_CUT} THEN w.created_at END) AS oldest_open"
    "  FROM wishes w JOIN branches h ON h.id = w.branch_id WHERE h.committee_id = :committee"
    "  GROUP BY w.branch_id) ww ON ww.branch_id = b.id"
    " LEFT JOIN (SELECT w.branch_id, count(DISTINCT c.wish_id) AS claimed FROM claims c"
    "  JOIN wishes w ON w.id = c.wish_id JOIN branches h ON h.id = w.branch_id"
    "  WHERE h.committee_id = :committee AND c.claimed_at >= :start AND c.claimed_at < :cut"
    "  GROUP BY w.branch_id) cl ON cl.branch_id = b.id"
    " LEFT JOIN (SELECT s.branch_id, count(*) AS confirmed FROM services s"
    "  JOIN branches h ON h.id = s.branch_id LEFT JOIN claims c ON c.id = s.claim_id"
    "  WHERE h.committee_id = :committee AND s.confirmed = 1"
    "  AND coalesce(c.confirmed_at, s.created_at) >= :start AND coalesce(c.confirmed_at, s.created_at) < :cut"
    "  GROUP BY s.branch_id) cf ON cf.branch_id = b.id"
    " LEFT JOIN (SELECT w.branch_id, count(*) AS overdue FROM claims c JOIN wishes w ON w.id = c.wish_id"
    "  JOIN branches h ON h.id = w.branch_id WHERE h.committee_id = :committee"
    "  AND c.claimed_at < :cut AND w.deadline IS NOT NULL AND w.deadline < :day_end"
    "  AND (w.closed_at IS NULL OR w.closed_at >= :cut)"
    "  AND (c.status = 'claimed' OR (c.status IN ('withdrawn', 'released') AND c.ended_at >= :cut)"
    "  OR (c.done_at IS NOT NULL AND c.done_at >= :cut)) GROUP BY w.branch_id) od ON od.branch_id = b.id"
    " LEFT JOIN (SELECT s.branch_id, sum(s.hours) AS hours FROM services s JOIN branches h ON h.id = s.branch_id"
    "  WHERE h.committee_id = :committee AND s.served_on >= :q_start AND s.served_on < :day_end"
    "  AND (s.confirmed = 1 OR h.done_counts_as_served = 1) GROUP BY s.branch_id) hq ON hq.branch_id = b.id"
    " LEFT JOIN (SELECT s.branch_id, sum(s.hours) AS hours FROM services s JOIN branches h ON h.id = s.branch_id"
    "  WHERE h.committee_id = :committee AND s.served_on >= :q_start AND s.served_on < :day_end"
    f"  AND (s.confirmed = 1 OR h.done_counts_as_served = 1) AND {_OF_EMERGENCY_WISH} GROUP BY s.branch_id) eh"
    " ON eh.branch_id = b.id"
    " WHERE b.committee_id = :committee ORDER BY b.id"
)


def _midnight(day: date, tz: ZoneInfo) -> str:
    """Local midnight of a day as stored UTC text."""
    moment = datetime.combine(day, time(0), tzinfo=tz)
    return moment.astimezone(ZoneInfo("UTC")).isoformat()


class SqlReports:
    """Read-only report queries on either engine, each in a snapshot of its own that holds up no unit of work."""

    def __init__(self, db: Engine) -> None:
        self.db = db
        self.sql: SqlFunctions = functions(db.dialect)

    async def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[rows.Row]:
        async with self.db.snapshot() as conn:
            return list(await conn.execute_fetchall(sql, params))  # type: ignore[arg-type]

    async def _tuples(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        """One statement's rows by position (on SQLite plain tuples, cheaper than sqlite3.Row)."""
        if self.db.dialect != "sqlite":
            return await self._all(sql, params)  # type: ignore[return-value]
        async with self.db.snapshot() as conn, conn.execute(sql, params) as cur:
            cur.row_factory = None
            return list(await cur.fetchall())  # type: ignore[arg-type]

    async def nudge_candidates(
        self, quarter_start: date, quarter_end: date, now: datetime, *, batch: int = 2000
    ) -> AsyncIterator[list[NudgeCandidate]]:
        """Members to remind this quarter, ``batch`` at a time in id order; each read is short and its own.

        The members are read in ranges of ``SWEEP_SPAN`` pages' worth of ids, each range one query bounded on both
        ends, so PostgreSQL reads only that range of the quarter's services rather than all of them for each page;
        the pages are cut from what the ranges found. The active branches are read once per sweep, not once per
        read. A member's private chat is their account on the branch's platform, reachable ones first, then the
        newest; ``reachable`` is whether any is. Members carry only what a reminder needs (not their phone or
        workplace), which also keeps a 100,000-member sweep cheap.
        """
        sql = (
            "SELECT m.id, m.name, m.home_branch_id, m.skills, m.reported_at, m.language, b.id,"
            " (SELECT x.user_id FROM accounts x WHERE x.member_id = m.id AND x.platform = b.chat_platform"
            "  ORDER BY x.reachable DESC, x.created_at DESC LIMIT 1),"
            " (SELECT max(x.reachable) FROM accounts x WHERE x.member_id = m.id AND x.platform = b.chat_platform)"
            " FROM members m JOIN branches b ON b.id = m.home_branch_id"
            " WHERE m.id > ? AND m.id <= ? AND m.reported_at IS NOT NULL AND m.left_at IS NULL AND b.active = 1"
            " AND b.chat_id IS NOT NULL"
            " AND (m.nudges_paused_until IS NULL OR m.nudges_paused_until <= ?)"
            " AND NOT EXISTS (SELECT 1 FROM services s WHERE s.member_id = m.id AND s.member_id > ?"
            f" AND s.member_id <= ? AND s.served_on >= ? AND s.served_on < ? AND {_COUNTED}) ORDER BY m.id"
        )
        branches = {r["id"]: rows.branch(r) for r in await self._all("SELECT * FROM branches WHERE active = 1")}
        span = batch * SWEEP_SPAN
        after, last = 0, await self._last_member()
        pending: list[NudgeCandidate] = []
        while True:
            if after >= last:
                last = await self._last_member()
                if after >= last:
                    break
            upper = after + span
            found = await self._tuples(
                sql, (after, upper, ts(now), after, upper, quarter_start.isoformat(), quarter_end.isoformat())
            )
            after = upper
            new = sorted({r[6] for r in found} - branches.keys())
            if new:
                marks = ", ".join("?" for _ in new)
                for r in await self._all(f"SELECT * FROM branches WHERE id IN ({marks})", new):
                    branches[r["id"]] = rows.branch(r)
            pending.extend(
                NudgeCandidate(
                    Member(
                        r[0], r[1], r[2], skills=_skills(r[3]), reported_at=datetime.fromisoformat(r[4]), language=r[5]
                    ),
                    branches[r[6]],
                    r[7],
                    bool(r[8]),
                )
                for r in found
            )
            while len(pending) >= batch:
                yield pending[:batch]
                del pending[:batch]
        if pending:
            yield pending

    async def _last_member(self) -> int:
        """The highest member id, where a sweep's ranges end."""
        found = await self._tuples("SELECT max(id) FROM members", ())
        return int(found[0][0] or 0)

    async def unclaimed_wishes(self, created_before: datetime) -> list[Wish]:
        """Open wishes of active branches posted before a moment that nobody holds a claim on."""
        found = await self._all(
            "SELECT w.* FROM wishes w JOIN branches b ON b.id = w.branch_id WHERE w.status = 'open' AND b.active = 1"
            " AND w.created_at <= ? AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.wish_id = w.id"
            " AND c.status IN ('claimed', 'done', 'confirmed')) ORDER BY w.id",
            (ts(created_before),),
        )
        return [rows.wish(r) for r in found]

    async def overdue_claims(self, deadline_before: date) -> list[tuple[Claim, Wish]]:
        """Claims still only claimed whose open wish's deadline is before a day."""
        found = await self._all(
            "SELECT c.*, w.id AS w_id FROM claims c JOIN wishes w ON w.id = c.wish_id WHERE c.status = 'claimed'"
            " AND w.status = 'open' AND w.deadline IS NOT NULL AND w.deadline < ? ORDER BY c.id",
            (deadline_before.isoformat(),),
        )
        wishes = {
            r["id"]: rows.wish(r)
            for r in await self._all(
                "SELECT * FROM wishes WHERE status = 'open' AND deadline IS NOT NULL AND deadline < ?",
                (deadline_before.isoformat(),),
            )
        }
        return [(rows.claim(r), wishes[r["w_id"]]) for r in found]

    async def branch_stats(
        self, committee_id: int, quarter_start: date, start_day: date, end_day: date, tz: ZoneInfo
    ) -> list[BranchStats]:
        """Per-branch counts: the period is [start_day, end_day) local; the quarter runs from quarter_start."""
        start, cut = _midnight(start_day, tz), _midnight(end_day, tz)
        q_start, day_end = quarter_start.isoformat(), end_day.isoformat()
        sql = _STATS_GROUPED if self.db.dialect == "postgresql" else _STATS_CORRELATED
        found = await self._all(
            sql,
            {"cut": cut, "start": start, "q_start": q_start, "day_end": day_end, "committee": committee_id},
        )
        top = await self._all(
            "SELECT s.branch_id, m.name, sum(s.hours) AS hours FROM services s JOIN members m ON m.id = s.member_id"
            " JOIN branches b ON b.id = s.branch_id WHERE b.committee_id = ? AND m.left_at IS NULL"
            f" AND s.served_on >= ? AND s.served_on < ? AND {_COUNTED}"
            " GROUP BY s.branch_id, m.id ORDER BY s.branch_id, hours DESC, m.name",
            (committee_id, q_start, day_end),
        )
        standouts: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for r in top:
            if len(standouts[r["branch_id"]]) < TOP_MEMBERS and r["hours"] > 0:
                standouts[r["branch_id"]].append((r["name"], float(r["hours"])))
        return [
            BranchStats(
                branch_id=r["id"],
                branch_name=r["name"],
                members_total=r["members_total"],
                members_reported=r["members_reported"],
                served_this_quarter=r["served"],
                wishes_posted=r["posted"],
                wishes_claimed=r["claimed"],
                wishes_completed=r["completed"],
                confirmed_in_period=r["confirmed"],
                wishes_open=r["open"],
                oldest_open_days=(end_day - rows.must_dt(r["oldest_open"]).astimezone(tz).date()).days
                if r["oldest_open"]
                else None,
                overdue_claims=r["overdue"],
                hours_quarter=float(r["hours"]),
                top_members=tuple(standouts[r["id"]]),
                emergency_hours_quarter=float(r["emergency_hours"]),
            )
            for r in found
        ]

    async def ledger(
        self, committee_id: int, branch_id: int | None, generated_at: datetime, tz: ZoneInfo
    ) -> LedgerData:
        """The ledger (台账) of a committee, or of one of its branches.

        Members, wishes, services, pairings and visits are lazy: each is read when first iterated, on a read-only
        connection of its own and in chunks (one consistent snapshot per sheet), so neither memory nor the store's
        lock is held for the whole ledger. Iterate them in any one thread other than the event loop's, e.g. the one
        building the workbook (``asyncio.to_thread``): on PostgreSQL the chunks are fetched on the loop meanwhile.
        """
        scope = "b.committee_id = ?" + (" AND b.id = ?" if branch_id is not None else "")
        params: tuple[int, ...] = (committee_id,) if branch_id is None else (committee_id, branch_id)
        committee = await self._all("SELECT name FROM committees WHERE id = ?", (committee_id,))

        def member(r: Sequence[Any]) -> LedgerMember:
            return LedgerMember(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                _local_day(r[5], tz),
                _skills(r[6]),
                r[7],
                r[8],
                r[9],
                float(r[10]),
                round(r[11], 2) if r[11] is not None else None,
                date.fromisoformat(r[12]) if r[12] else None,
                r[13] is not None,
                r[14],
                verified_hours=float(r[15]),
                self_reported_hours=float(r[16]),
                points_spent=float(r[17]),
                emergency_hours=float(r[18]),
            )

        def wish(r: Sequence[Any]) -> LedgerWish:
            return LedgerWish(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                datetime.fromisoformat(r[7]),
                date.fromisoformat(r[8]) if r[8] else None,
                r[9] or "",
                datetime.fromisoformat(r[10]) if r[10] and r[5] == "closed" else None,
                r[11],
                rows.to_time(r[12]),
                drill=bool(r[13]),
            )

        # A member's number is their place among the committee's members in the order they reported in (the id
        # breaks ties): a home branch and a report-in time, once set, are never changed and members who leave stay
        # listed, so a number is kept; someone reporting in later comes after everyone numbered before.
        members = await self._lazy(
            "WITH numbered AS (SELECT m.id, row_number() OVER"
            f" (ORDER BY {self.sql.instant('m.reported_at')}, m.id) AS no"
            " FROM members m JOIN branches b ON b.id = m.home_branch_id"
            " WHERE b.committee_id = ? AND m.reported_at IS NOT NULL)"
            " SELECT m.id, m.name, b.name, m.workplace, m.workplace_branch, m.reported_at, m.skills, m.commitment,"
            " (SELECT count(*) FROM claims c WHERE c.member_id = m.id"
            "  AND c.status IN ('claimed', 'done', 'confirmed')),"
            " (SELECT count(*) FROM services s WHERE s.member_id = m.id AND s.confirmed = 1),"
            " (SELECT coalesce(sum(hours), 0) FROM services s WHERE s.member_id = m.id AND s.confirmed = 1),"
            " (SELECT avg(CAST(rating AS REAL)) FROM services s WHERE s.member_id = m.id AND s.rating IS NOT NULL),"
            " (SELECT max(served_on) FROM services s WHERE s.member_id = m.id), m.left_at, n.no,"
            " (SELECT coalesce(sum(hours), 0) FROM services s WHERE s.member_id = m.id AND s.provenance = 'verified'),"
            " (SELECT coalesce(sum(hours), 0) FROM services s WHERE s.member_id = m.id AND s.confirmed = 0),"
            " (SELECT coalesce(sum(points), 0) FROM points_spent p WHERE p.member_id = m.id),"
            " (SELECT coalesce(sum(s.hours), 0) FROM services s WHERE s.member_id = m.id AND s.confirmed = 1"
            f"  AND {_OF_EMERGENCY_WISH})"
            " FROM members m JOIN branches b ON b.id = m.home_branch_id LEFT JOIN numbered n ON n.id = m.id"
            f" WHERE {scope} ORDER BY b.id, n.no IS NULL, n.no, m.id",
            (committee_id, *params),
            member,
        )
        wishes = await self._lazy(
            "SELECT w.id, b.name, w.title, w.category, w.slots, w.status, w.urgency, w.created_at, w.deadline,"
            f" (SELECT {self.sql.joined('who', '、')} FROM"
            " (SELECT coalesce(t.name || '（' || m.name || '）', m.name) AS who"
            " FROM claims c JOIN members m ON m.id = c.member_id LEFT JOIN teams t ON t.id = c.team_id"
            " WHERE c.wish_id = w.id AND c.status IN ('claimed', 'done', 'confirmed') ORDER BY c.id) AS held),"
            " w.closed_at,"
            " (SELECT count(*) FROM claims c WHERE c.wish_id = w.id AND c.status IN ('claimed', 'done', 'confirmed')),"
            " w.deadline_time, coalesce(e.drill, 0) FROM wishes w JOIN branches b ON b.id = w.branch_id"
            f" LEFT JOIN emergencies e ON e.id = w.emergency_id WHERE {scope} ORDER BY w.id",
            params,
            wish,
        )
        services = await self._lazy(
            "SELECT s.served_on, CASE WHEN m.left_at IS NULL THEN m.name ELSE '' END, b.name,"
            " coalesce(nullif(w.title, ''), s.note), s.hours, s.confirmed, s.rating, s.wish_id, s.note, s.provenance,"
            f" {rows.service_kind('w', 'e')} FROM services s"
            " JOIN members m ON m.id = s.member_id JOIN branches b ON b.id = s.branch_id"
            " LEFT JOIN wishes w ON w.id = s.wish_id LEFT JOIN emergencies e ON e.id = w.emergency_id"
            f" WHERE {scope} ORDER BY s.served_on, s.id",
            params,
            _ledger_service,
        )
        pairings = await self._lazy(
            "SELECT p.id, b.name, p.alias, CASE WHEN m.left_at IS NULL THEN m.name ELSE '' END, t.name, p.rhythm,"
            " p.every_days, p.status, p.started_on, p.ended_at,"
            " (SELECT count(*) FROM pairing_visits v WHERE v.pairing_id = p.id AND v.status = 'confirmed'),"
            " (SELECT coalesce(sum(s.hours), 0) FROM pairing_visits v JOIN services s ON s.id = v.service_id"
            "  WHERE v.pairing_id = p.id AND s.confirmed = 1),"
            " p.last_visit_on, p.next_due,"
            " (SELECT count(*) FROM audit_log a WHERE a.entity = 'pairing' AND a.entity_id = p.id"
            "  AND a.action = 'pairing.handover')"
            " FROM pairings p JOIN branches b ON b.id = p.branch_id JOIN members m ON m.id = p.member_id"
            f" LEFT JOIN teams t ON t.id = p.team_id WHERE {scope} ORDER BY p.id",
            params,
            partial(_ledger_pairing, tz=tz),
        )
        visits = await self._lazy(
            "SELECT v.visited_on, p.id, p.alias, CASE WHEN m.left_at IS NULL THEN m.name ELSE '' END, b.name,"
            " coalesce(s.hours, v.hours), CASE WHEN c.left_at IS NULL THEN c.name ELSE '' END, v.confirmed_at, v.status"
            " FROM pairing_visits v JOIN pairings p ON p.id = v.pairing_id JOIN branches b ON b.id = p.branch_id"
            " JOIN members m ON m.id = v.member_id LEFT JOIN services s ON s.id = v.service_id"
            f" LEFT JOIN members c ON c.id = v.confirmed_by WHERE {scope} ORDER BY v.visited_on, v.id",
            params,
            _ledger_visit,
        )
        return LedgerData(
            committee_name=committee[0]["name"] if committee else "",
            generated_at=generated_at,
            members=members,
            wishes=wishes,
            services=services,
            pairings=pairings,
            visits=visits,
        )

    async def _lazy(self, sql: str, params: Sequence[Any], convert: Callable[[Sequence[Any]], T]) -> Iterable[T]:
        """A query's rows converted as they are iterated, read on a connection of their own.

        An in-memory database has no second connection to it: there the rows are read at once, in one snapshot.
        On PostgreSQL a server-side cursor in a read-only transaction of its own hands them over chunk by chunk.
        """
        if self.db.dialect == "postgresql":
            return _stream_postgres(self.db, asyncio.get_running_loop(), sql, params, convert)
        if self.db.path == ":memory:":
            return [convert(r) for r in await self._all(sql, params)]  # type: ignore[arg-type]
        return _read_lazily(self.db.path, sql, params, convert)

    async def workplace_feedback(
        self, committee_id: int, quarter_start: date, quarter_end: date, quarter_label: str, generated_at: datetime
    ) -> list[WorkplaceFeedback]:
        """One feedback per workplace branch (工作单位, 单位党支部) of the committee's members, for a quarter.

        Two employers' branches of the same name are two feedbacks. Members without a workplace branch are in one
        more feedback, the committee's own (``workplace_branch`` empty), listed last.
        """
        committee = await self._all("SELECT name FROM committees WHERE id = ?", (committee_id,))
        window = "s.member_id = m.id AND s.confirmed = 1 AND s.served_on >= :start AND s.served_on < :end"
        params = {"committee": committee_id, "start": quarter_start.isoformat(), "end": quarter_end.isoformat()}
        members = await self._all(
            "SELECT m.*, b.name AS branch,"
            f" (SELECT count(*) FROM services s WHERE {window}) AS services,"
            f" (SELECT coalesce(sum(hours), 0) FROM services s WHERE {window}) AS hours,"
            f" (SELECT avg(CAST(rating AS REAL)) FROM services s WHERE {window} AND s.rating IS NOT NULL) AS rating,"
            f" (SELECT max(served_on) FROM services s WHERE {window}) AS last_served"
            " FROM members m JOIN branches b ON b.id = m.home_branch_id WHERE b.committee_id = :committee"
            " AND m.reported_at IS NOT NULL AND m.left_at IS NULL"
            " ORDER BY m.workplace, m.workplace_branch, m.name, m.id",
            params,
        )
        services = await self._all(
            "SELECT s.*, m.name AS member, m.left_at, m.workplace, m.workplace_branch, b.name AS branch, w.title,"
            f" {rows.service_kind('w', 'e')} AS kind"
            " FROM services s JOIN members m ON m.id = s.member_id JOIN branches b ON b.id = s.branch_id"
            " LEFT JOIN wishes w ON w.id = s.wish_id LEFT JOIN emergencies e ON e.id = w.emergency_id"
            " WHERE b.committee_id = :committee AND s.confirmed = 1"
            " AND s.served_on >= :start AND s.served_on < :end AND m.left_at IS NULL ORDER BY s.served_on, s.id",
            params,
        )
        by_workplace: dict[tuple[str, str], list[WorkplaceMember]] = defaultdict(list)
        for r in members:
            by_workplace[_workplace_key(r["workplace"], r["workplace_branch"])].append(
                WorkplaceMember(
                    name=r["name"],
                    workplace=r["workplace"],
                    branch=r["branch"],
                    reported_at=_local_day(r["reported_at"], None),
                    services=r["services"],
                    hours=float(r["hours"]),
                    avg_rating=round(r["rating"], 2) if r["rating"] is not None else None,
                    last_served_on=rows.to_date(r["last_served"]),
                )
            )
        services_of: dict[tuple[str, str], list[LedgerService]] = defaultdict(list)
        for r in services:
            services_of[_workplace_key(r["workplace"], r["workplace_branch"])].append(_service(r))
        name = committee[0]["name"] if committee else ""
        return [
            WorkplaceFeedback(
                name,
                workplace_branch,
                quarter_label,
                generated_at,
                tuple(people),
                tuple(services_of[(workplace, workplace_branch)]),
                workplace=workplace,
            )
            for (workplace, workplace_branch), people in sorted(by_workplace.items(), key=_unassigned_last)
        ]


def _workplace_key(workplace: str, workplace_branch: str) -> tuple[str, str]:
    """Which feedback a member belongs to: their (工作单位, 单位党支部), or ("", "") without a 单位党支部."""
    workplace, workplace_branch = workplace.strip(), workplace_branch.strip()
    return (workplace, workplace_branch) if workplace_branch else ("", "")


def _unassigned_last(item: tuple[tuple[str, str], object]) -> tuple[bool, str, str]:
    (workplace, workplace_branch), _ = item
    return (not workplace_branch, workplace, workplace_branch)


def _local_day(value: str | None, tz: ZoneInfo | None) -> date | None:
    moment = rows.to_dt(value)
    if moment is None:
        return None
    return moment.astimezone(tz).date() if tz else moment.date()


def _read_lazily(path: str, sql: str, params: Sequence[Any], convert: Callable[[Sequence[Any]], T]) -> Iterator[T]:
    """Open a read-only connection when first iterated, yield converted rows chunk by chunk, close at the end.

    One read transaction covers the query, so the rows are one snapshot; in WAL mode writers go on meanwhile.
    """
    conn = sqlite3.connect(path, timeout=READ_TIMEOUT_S, check_same_thread=False)
    try:
        conn.execute("PRAGMA query_only = ON")
        cursor = conn.execute(sql, params)
        while chunk := cursor.fetchmany(READ_CHUNK):
            yield from map(convert, chunk)
    finally:
        conn.close()


def _stream_postgres(
    db: Any, loop: asyncio.AbstractEventLoop, sql: str, params: Sequence[Any], convert: Callable[[Sequence[Any]], T]
) -> Iterator[T]:
    """Take a pooled connection when first iterated, open a REPEATABLE READ, read-only transaction (one snapshot)
    and a server-side cursor in it, yield converted rows chunk by chunk, give the connection back at the end.
    The planner is told every row will be read (a cursor is otherwise planned for its first tenth).

    The connection lives on ``loop``; this runs in another thread (the workbook's) and waits for each chunk there.
    """

    def on_loop() -> bool:
        try:
            return asyncio.get_running_loop() is loop
        except RuntimeError:
            return False

    def run(step: Any) -> Any:
        if on_loop():
            step.close()
            raise RuntimeError("iterate the ledger's rows off the event loop (asyncio.to_thread)")
        return asyncio.run_coroutine_threadsafe(step, loop).result()

    async def begin() -> tuple[Any, Any, Any]:
        conn = await db.pool.acquire()
        try:
            transaction = conn.transaction(isolation="repeatable_read", readonly=True)
            await transaction.start()
            await conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")  # every row is read: plan for all of them
            cursor = await conn.cursor(numbered(sql), *params)
        except BaseException:
            await db.pool.release(conn)
            raise
        return conn, transaction, cursor

    async def end(conn: Any, transaction: Any) -> None:
        try:
            await transaction.rollback()
        finally:
            await db.pool.release(conn)

    conn, transaction, cursor = run(begin())
    try:
        while chunk := run(cursor.fetch(READ_CHUNK)):
            yield from map(convert, chunk)
    finally:
        ended = asyncio.run_coroutine_threadsafe(end(conn, transaction), loop)
        if not on_loop():  # an abandoned iterator collected on the loop gives its connection back later
            ended.result()


@lru_cache(maxsize=4096)
def _skills(value: str | None) -> tuple[str, ...]:
    """A member's skills from their JSON text; few distinct lists, so each is parsed once."""
    return tuple(json.loads(value or "[]"))


def _ledger_service(r: Sequence[Any]) -> LedgerService:
    return LedgerService(
        date.fromisoformat(r[0]),
        r[1],
        r[2],
        r[3],
        float(r[4]),
        bool(r[5]),
        r[6],
        r[7],
        r[8],
        provenance=r[9],
        kind=ServiceKind(r[10]),
    )


def _ledger_pairing(r: Sequence[Any], tz: ZoneInfo) -> LedgerPairing:
    return LedgerPairing(
        id=int(r[0]),
        branch=r[1],
        alias=r[2],
        member=r[3],
        team=r[4],
        rhythm=r[5],
        every_days=int(r[6]),
        status=r[7],
        started_on=date.fromisoformat(r[8]),
        ended_on=_local_day(r[9], tz),
        visits_confirmed=int(r[10]),
        hours=float(r[11]),
        last_visit_on=rows.to_date(r[12]),
        next_due=date.fromisoformat(r[13]),
        handovers=int(r[14]),
    )


def _ledger_visit(r: Sequence[Any]) -> LedgerVisit:
    return LedgerVisit(
        visited_on=date.fromisoformat(r[0]),
        pairing_id=int(r[1]),
        alias=r[2],
        member=r[3],
        branch=r[4],
        hours=float(r[5]),
        confirmed_by=r[6] if r[7] is not None else None,
        confirmed_at=rows.to_dt(r[7]),
        returned=r[8] == "returned",
    )


def _service(r: rows.Row) -> LedgerService:
    return LedgerService(
        served_on=date.fromisoformat(r["served_on"]),
        member=r["member"] if r["left_at"] is None else "",
        branch=r["branch"],
        subject=r["title"] or r["note"],
        hours=float(r["hours"]),
        confirmed=bool(r["confirmed"]),
        rating=r["rating"],
        wish_id=r["wish_id"],
        note=r["note"],
        provenance=r["provenance"],
        kind=ServiceKind(r["kind"]),
    )
