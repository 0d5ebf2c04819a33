"""PostgreSQL's own storage contract: migrations shared with SQLite, claims from several instances at once that never
over-fill, a lost connection answered with try-again, snapshots, and the SQL dialect mapping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from bot.domain import errors
from bot.domain.model import Account, ChatRef
from bot.ports.clock import ManualClock
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from storage.dialect import blocks_for, named, numbered, postgres_ddl
from storage.postgres import PostgresDatabase, open_postgres, redact
from storage.reports import SqlReports
from storage.repos.base import IntegrityViolation
from storage.sqlite import SchemaTooNew, available_migrations
from storage.uow import SqlStore
from tests.conftest import SHANGHAI, START
from tests.pg_server import PostgresServer


@pytest.fixture
async def fresh(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A new, empty database of this test's own (not yet migrated)."""
    name = f"ebranch_contract_{abs(hash(request.node.nodeid)) % 10**8}"
    url = await postgres_server.create_database(name)
    yield url
    await postgres_server.drop_database(name)


async def test_migrations_apply_once_and_a_newer_schema_is_refused(fresh: str) -> None:
    db = await open_postgres(fresh, migrate=False)
    try:
        applied = await db.migrate()
        assert applied == [name for _, name, _ in available_migrations()]
        assert await db.migrate() == []
        assert await db.schema_version() == available_migrations()[-1][0]
        async with db.pool.acquire() as conn:
            await conn.execute("INSERT INTO schema_version VALUES (9999, '9999_future.sql', 'x')")
        with pytest.raises(SchemaTooNew):
            await db.migrate()
    finally:
        await db.close()


async def test_instances_starting_together_migrate_once(fresh: str) -> None:
    dbs = [PostgresDatabase(fresh) for _ in range(4)]
    for db in dbs:
        await db.open()
    try:
        results = await asyncio.gather(*(db.migrate() for db in dbs))
        assert sorted(len(r) for r in results) == [0, 0, 0, len(available_migrations())]
        async with dbs[0].pool.acquire() as conn:
            versions = [r[0] for r in await conn.fetch("SELECT version FROM schema_version ORDER BY version")]
        assert versions == [v for v, _, _ in available_migrations()]
    finally:
        for db in dbs:
            await db.close()


async def _instance(url: str) -> tuple[PostgresDatabase, UseCases]:
    db = await open_postgres(url, pool_max=8)
    return db, UseCases(SqlStore(db), ManualClock(START), SHANGHAI, reports=SqlReports(db))


async def test_claims_from_four_instances_at_once_never_overfill_nor_claim_twice(fresh: str) -> None:
    db, app = await _instance(fresh)
    admin, secretary = Account("telegram", "1", "组织部"), Account("telegram", "2", "王书记")
    await app.create_committee(
        cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
    )
    made = await app.create_branch(
        cmd.CreateBranch(secretary, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
    )
    branch = made.branch  # type: ignore[union-attr]
    await app.report_in(cmd.ReportIn(secretary, branch.id, "王书记", "社区", "社区党委", (), "服务"))
    members = [Account("telegram", str(100 + i), f"党员{i}") for i in range(60)]
    for account in members:
        await app.report_in(cmd.ReportIn(account, branch.id, account.display_name, "单位", "支部", (), "每月"))
    wishes = []
    for i in range(6):
        posted = await app.post_wish(cmd.PostWish(secretary, branch.id, f"第{i}个心愿 名额3"))
        assert isinstance(posted, outcomes.WishPosted)
        wishes.append(posted.view.wish.id)
    others = [await _instance(fresh) for _ in range(3)]
    apps = [app, *(a for _, a in others)]

    async def tap(n: int, account: Account, wish_id: int) -> str:
        try:
            await apps[n % 4].claim(cmd.ClaimWish(account, wish_id))
            return "claimed"
        except errors.DomainError as error:
            return type(error).__name__

    try:
        taps = [tap(n, account, wish) for wish in wishes for n, account in enumerate(members) for _ in range(2)]
        results = await asyncio.gather(*taps)
        assert results.count("claimed") == 6 * 3
        assert set(results) - {"claimed"} <= {"WishFull", "AlreadyClaimed"}
        async with db.pool.acquire() as conn:
            per_wish = await conn.fetch(
                "SELECT wish_id, count(*) AS n, count(DISTINCT member_id) AS who FROM claims"
                " WHERE status IN ('claimed', 'done', 'confirmed') GROUP BY wish_id ORDER BY wish_id"
            )
        assert [(r["wish_id"], r["n"], r["who"]) for r in per_wish] == [(w, 3, 3) for w in wishes]
    finally:
        for other, _ in others:
            await other.close()
        await db.close()


async def test_the_trigger_refuses_an_overfill_whatever_path_inserts(db: Any, backend: str) -> None:
    async with db.unit_transaction() as conn:
        await conn.execute_fetchall("INSERT INTO committees (id, name, created_at) VALUES (1, 'c', 'x')")
        await conn.execute_fetchall("INSERT INTO branches (id, committee_id, name, created_at) VALUES (1, 1, 'b', 'x')")
        for i in (1, 2):
            await conn.execute_fetchall("INSERT INTO members (id, name, created_at) VALUES (?, ?, 'x')", (i, f"m{i}"))
        await conn.execute_fetchall(
            "INSERT INTO wishes (id, branch_id, title, slots, created_by, created_at) VALUES (1, 1, 'w', 1, 1, 'x')"
        )
        await conn.execute_fetchall(
            "INSERT INTO claims (wish_id, member_id, status, claimed_at) VALUES (1, 1, 'claimed', 'x')"
        )
    with pytest.raises(IntegrityViolation, match="wish_full"):
        async with db.unit_transaction() as conn:
            await conn.execute_fetchall(
                "INSERT INTO claims (wish_id, member_id, status, claimed_at) VALUES (1, 2, 'claimed', 'x')"
            )
    with pytest.raises(IntegrityViolation, match="UNIQUE"):
        async with db.unit_transaction() as conn:
            await conn.execute_fetchall("UPDATE wishes SET slots = 5")
            await conn.execute_fetchall(
                "INSERT INTO claims (wish_id, member_id, status, claimed_at) VALUES (1, 1, 'claimed', 'x')"
            )


async def test_a_unit_that_fails_midway_leaves_nothing(db: Any, backend: str) -> None:
    with pytest.raises(RuntimeError):
        async with db.unit_transaction() as conn:
            await conn.execute_fetchall("INSERT INTO committees (name, created_at) VALUES ('半途', 'x')")
            raise RuntimeError("midway")
    assert await _count(db, "committees") == 0


async def _count(db: Any, table: str) -> int:
    async with db.snapshot() as conn:
        return int((await conn.execute_fetchall(f"SELECT count(*) FROM {table}"))[0][0])


async def test_a_lost_connection_is_answered_with_try_again_and_the_next_unit_works(
    postgres_server: PostgresServer, fresh: str
) -> None:
    db = await open_postgres(fresh, pool_max=2)
    admin = await asyncpg.connect(postgres_server.admin_url)
    try:
        store = SqlStore(db)
        with pytest.raises(errors.StorageUnavailable):
            async with store.unit() as unit:
                await unit.committees.create(START, "南湖区e党委", None)
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()",
                    fresh.rsplit("/", 1)[1],
                )
                await unit.committees.by_name("南湖区e党委")
        async with store.unit() as unit:
            await unit.committees.create(START, "南湖区e党委", None)
        async with store.read() as unit:
            assert await unit.committees.by_name("南湖区e党委") is not None
    finally:
        await admin.close()
        await db.close()


async def test_a_report_snapshot_sees_one_state_while_units_commit(db: Any, backend: str) -> None:
    async with db.unit_transaction() as conn:
        await conn.execute_fetchall("INSERT INTO committees (name, created_at) VALUES ('甲', 'x')")
    async with db.snapshot() as snap:
        before = len(list(await snap.execute_fetchall("SELECT * FROM committees")))
        async with db.unit_transaction() as conn:
            await conn.execute_fetchall("INSERT INTO committees (name, created_at) VALUES ('乙', 'x')")
        assert len(list(await snap.execute_fetchall("SELECT * FROM committees"))) == before == 1
    assert await _count(db, "committees") == 2


def test_placeholders_are_numbered_outside_quotes_and_comments() -> None:
    assert numbered("SELECT ? , '?' , \"a?\" FROM t WHERE a = ? -- why?\n AND b = ?") == (
        "SELECT $1 , '?' , \"a?\" FROM t WHERE a = $2 -- why?\n AND b = $3"
    )
    assert numbered("SELECT 'it''s ?' , ?") == "SELECT 'it''s ?' , $1"
    assert named("SELECT :a, :b, ':c', :a", {"a": 1, "b": 2}) == ("SELECT $1, $2, ':c', $1", [1, 2])


def test_a_migration_keeps_the_blocks_of_its_engine_and_maps_types() -> None:
    script = (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, x REAL, y TEXT);\n"
        "-- dialect: sqlite\nA;\n-- dialect: postgresql\nB;\n-- dialect: all\nC;\n"
    )
    assert (
        blocks_for(script, "sqlite").split() == "CREATE TABLE t (id INTEGER PRIMARY KEY, x REAL, y TEXT); A; C;".split()
    )
    assert "B;" in blocks_for(script, "postgresql") and "A;" not in blocks_for(script, "postgresql")
    ddl = postgres_ddl(blocks_for(script, "postgresql"))
    assert "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in ddl
    assert "x DOUBLE PRECISION" in ddl and 'y TEXT COLLATE "C"' in ddl


def test_a_url_in_a_log_line_has_no_password() -> None:
    assert redact("postgresql://bot:s3cret@db.example:5432/ebranch") == "postgresql://bot@db.example:5432/ebranch"
    assert redact("postgresql://db.example/ebranch") == "postgresql://db.example/ebranch"
