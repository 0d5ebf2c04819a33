"""Migration 0003: the digest's per-branch and per-member counts are answered from covering indexes."""

from __future__ import annotations

import pytest

from storage.sqlite import Database


async def plan(db: Database, sql: str) -> str:
    async with db.conn.execute("EXPLAIN QUERY PLAN " + sql) as cur:
        return " | ".join(str(row[3]) for row in await cur.fetchall())


@pytest.mark.sqlite_only  # SQLite's query planner (EXPLAIN QUERY PLAN)
async def test_served_members_are_counted_from_indexes_alone(db: Database) -> None:
    found = await plan(
        db,
        "SELECT count(*) FROM members m WHERE m.home_branch_id = 1 AND m.left_at IS NULL"
        " AND m.reported_at IS NOT NULL AND EXISTS (SELECT 1 FROM services s WHERE s.member_id = m.id"
        " AND s.served_on >= '2026-10-01' AND s.served_on < '2026-11-23' AND s.confirmed = 1)",
    )

    assert "COVERING INDEX members_branch_status" in found
    assert "COVERING INDEX services_member_counted" in found


@pytest.mark.sqlite_only  # SQLite's query planner (EXPLAIN QUERY PLAN)
async def test_wish_counts_per_branch_use_covering_indexes(db: Database) -> None:
    completed = await plan(
        db, "SELECT count(*) FROM wishes WHERE branch_id = 1 AND status = 'closed' AND closed_at >= '2026-11-16'"
    )
    claimed = await plan(db, "SELECT count(*) FROM claims WHERE wish_id = 1 AND claimed_at >= '2026-11-16'")

    assert "COVERING INDEX wishes_branch_closed" in completed
    assert "COVERING INDEX claims_wish_claimed" in claimed
