"""The SQLite store: pragmas, migrations recorded and transactional, online backup, a locked database retried."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.domain.errors import StorageBusy
from storage.sqlite import Database, _split_sql, available_migrations, open_database
from storage.uow import SqlStore

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_a_new_database_gets_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "e.sqlite3")
    try:
        async with db.conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
        async with db.conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1  # type: ignore[index]
        async with db.conn.execute("PRAGMA busy_timeout") as cur:
            assert (await cur.fetchone())[0] == 5000  # type: ignore[index]
        assert await db.schema_version() == available_migrations()[-1][0]
    finally:
        await db.close()


async def test_migrating_twice_applies_nothing_the_second_time(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "e.sqlite3")
    try:
        assert await db.migrate() == []
    finally:
        await db.close()


def test_trigger_bodies_stay_whole_when_a_migration_is_split() -> None:
    statements = _split_sql("CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n SELECT 1;\nEND;\n")
    assert len(statements) == 2 and statements[1].rstrip().endswith("END;")


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = available_migrations()
    latest = good[-1][0]
    broken = [*good, (latest + 1, f"{latest + 1:04d}_broken.sql", "CREATE TABLE half (x);\nNOT SQL;")]
    monkeypatch.setattr("storage.sqlite.available_migrations", lambda: broken)
    db = Database(tmp_path / "e.sqlite3")
    await db.open()
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.migrate()
        assert await db.schema_version() == latest
        async with db.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'") as cur:
            assert (await cur.fetchone())[0] == 0  # type: ignore[index]
    finally:
        await db.close()


async def test_a_database_held_by_another_writer_is_retried_then_reported_busy(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    db = await open_database(path)
    await db.conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageBusy):
            async with db.transaction():
                pass
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO committees (name, created_at) VALUES ('a', 'now')")
    await db.close()


async def test_a_writer_that_lets_go_soon_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    db = await open_database(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")

    async def release() -> None:
        await asyncio.sleep(0.2)
        other.execute("ROLLBACK")

    releaser = asyncio.create_task(release())
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO committees (name, created_at) VALUES ('a', 'now')")
    await releaser
    other.close()
    await db.close()


async def test_a_unit_waits_for_another_process_without_blocking_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    db = await open_database(path)
    store = SqlStore(db)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def release() -> None:
        await asyncio.sleep(0.3)
        other.execute("ROLLBACK")

    ticking = asyncio.create_task(ticker())
    releaser = asyncio.create_task(release())
    try:
        async with store.unit() as unit:
            committee_id = await unit.committees.create(NOW, "幸福里e党委", None)
        assert ticks >= 10, "the event loop kept running while the unit waited for the other writer"
        async with store.read() as unit:
            assert (await unit.committees.get(committee_id)) is not None
    finally:
        ticking.cancel()
        await releaser
        other.close()
        await db.close()


async def test_a_unit_held_out_past_the_busy_timeout_is_reported_busy_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.sqlite.BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "e.sqlite3"
    db = await open_database(path)
    store = SqlStore(db)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageBusy):
            async with store.unit() as unit:
                await unit.committees.create(NOW, "不该写入", None)
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with store.unit() as unit:
        await unit.committees.create(NOW, "幸福里e党委", None)
    async with db.conn.execute("SELECT name FROM committees") as cur:
        assert [r[0] for r in await cur.fetchall()] == ["幸福里e党委"]
    await db.close()


async def test_a_unit_that_fails_midway_is_rolled_back_on_both_connections(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "e.sqlite3")
    store = SqlStore(db)

    class Boom(Exception):
        """The use case refuses after writing."""

    with pytest.raises(Boom):
        async with store.unit() as unit:
            await unit.committees.create(NOW, "半途而废", None)
            raise Boom()
    async with db.conn.execute("SELECT count(*) FROM committees") as cur:
        assert (await cur.fetchone())[0] == 0  # type: ignore[index]
    async with store.unit() as unit:
        await unit.committees.create(NOW, "幸福里e党委", None)
    await db.close()


async def test_an_in_memory_database_shares_one_connection_between_units_and_reports() -> None:
    db = await open_database(":memory:")
    store = SqlStore(db)
    async with store.unit() as unit:
        await unit.committees.create(NOW, "幸福里e党委", None)
    async with db.conn.execute("SELECT name FROM committees") as cur:
        assert [r[0] for r in await cur.fetchall()] == ["幸福里e党委"]
    await db.close()


async def test_a_long_report_snapshot_holds_up_no_unit_and_sees_one_state(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "e.sqlite3")
    store = SqlStore(db)
    async with store.unit() as unit:
        await unit.committees.create(NOW, "幸福里e党委", None)

    async def count(conn: aiosqlite.Connection) -> int:
        async with conn.execute("SELECT count(*) FROM committees") as cur:
            return int((await cur.fetchone())[0])  # type: ignore[index]

    async with db.snapshot() as conn:
        assert await count(conn) == 1
        async with asyncio.timeout(2):
            async with store.unit() as unit:
                await unit.committees.create(NOW, "和平里e党委", None)
        assert await count(conn) == 1, "the report reads the state it started on"
    async with db.snapshot() as conn:
        assert await count(conn) == 2
    await db.close()


async def test_an_in_memory_snapshot_waits_for_units_on_the_shared_connection() -> None:
    db = await open_database(":memory:")
    store = SqlStore(db)
    async with db.snapshot() as conn:
        writing = asyncio.create_task(_create(store, "和平里e党委"))
        await asyncio.sleep(0.05)
        assert not writing.done(), "a unit waits while the one shared connection is reading"
    await writing
    async with db.snapshot() as conn, conn.execute("SELECT name FROM committees") as cur:
        assert [r[0] for r in await cur.fetchall()] == ["和平里e党委"]
    await db.close()


async def _create(store: SqlStore, name: str) -> int:
    async with store.unit() as unit:
        return await unit.committees.create(NOW, name, None)
