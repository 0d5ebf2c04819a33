"""The PostgreSQL modes of the storage ceiling: our storage layer, plain asyncpg inserts, and the claim unit's own SQL
on asyncpg and on psycopg 3 (+ psycopg_pool), each on a fresh database cloned from one seeded template."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from benchmarks import common
from benchmarks.populate import NOW, ts
from bot.domain.model import Account
from bot.ports.clock import ManualClock
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.copy import copy_database
from storage.dialect import numbered
from storage.postgres import open_postgres
from storage.uow import SqlStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
Pair = tuple[int, int, int]

MODES: dict[str, str] = {
    "usecase_sequential": "UseCases.claim on PostgresDatabase (asyncpg pool), awaited one after another",
    "usecase_concurrent": "UseCases.claim, all started at once with asyncio.gather (the pool's connections in turn)",
    "asyncpg_claim_unit": "the claim unit's 13 statements in one transaction, asyncpg pool, one after another",
    "psycopg_claim_unit": "the same 13 statements, psycopg 3 AsyncConnectionPool, one after another",
    "asyncpg_claim_unit_concurrent": "the claim unit on asyncpg, all started at once",
    "psycopg_claim_unit_concurrent": "the claim unit on psycopg 3, all started at once",
    "asyncpg_insert_tx": "plain asyncpg: one INSERT per transaction on one connection, no use-case logic",
    "psycopg_insert_tx": "plain psycopg 3: one INSERT per transaction on one connection",
    "asyncpg_batched": "plain asyncpg: every INSERT in one transaction (executemany)",
}

CLAIM_INSERT = "INSERT INTO claims (wish_id, member_id, status, claimed_at) VALUES (?, ?, 'claimed', ?)"
UNIT: tuple[str, ...] = (
    "SELECT * FROM wishes WHERE id = ? FOR UPDATE",
    "SELECT * FROM branches WHERE id = ?",
    "SELECT m.* FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.platform = ? AND a.user_id = ?",
    "SELECT 1 FROM members WHERE id = ? AND home_branch_id = ? UNION ALL SELECT 1 FROM activity_branches"
    " WHERE member_id = ? AND branch_id = ? UNION ALL SELECT 1 FROM branch_secretaries WHERE member_id = ?"
    " AND branch_id = ? LIMIT 1",
    "SELECT * FROM claims WHERE wish_id = ? AND member_id = ? AND status IN ('claimed', 'done', 'confirmed')",
    "INSERT INTO claims (wish_id, member_id, team_id, status, claimed_at) VALUES (?, ?, ?, 'claimed', ?) RETURNING *",
    "DELETE FROM waitlist WHERE wish_id = ? AND member_id = ? RETURNING 1",
    "UPDATE wishes SET version = version + 1 WHERE id = ?",
    "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
    "SELECT w.*, b.name AS branch_name FROM wishes w LEFT JOIN branches b ON b.id = w.branch_id WHERE w.id = ?",
    "SELECT 0 AS waiting, c.id AS seq, c.member_id, m.name, c.status, t.name AS team_name FROM claims c"
    " JOIN members m ON m.id = c.member_id LEFT JOIN teams t ON t.id = c.team_id WHERE c.wish_id = ?"
    " AND c.status IN ('claimed', 'done', 'confirmed') UNION ALL SELECT 1, w.id, w.member_id, m.name, 'claimed',"
    " t.name FROM waitlist w JOIN members m ON m.id = w.member_id LEFT JOIN teams t ON t.id = w.team_id"
    " WHERE w.wish_id = ? ORDER BY 1, 2",
    "SELECT platform, user_id, display_name, language FROM accounts WHERE member_id = ?",
    "INSERT INTO outbox (dedupe_key, kind, platform, chat_id, thread_id, member_id, payload, not_before, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
)
PAYLOAD = '{"type":"claim_card","notice":{"claim_id":%d,"lang":"zh","intro":"claimed","reason":""},"followups":[]}'


def _dollars(sql: str) -> str:
    return numbered(sql)


def _percents(sql: str) -> str:
    return sql.replace("?", "%s")


async def _unit(run: Callable[[int, Sequence[Any]], Awaitable[list[Any]]], branch: int, pair: Pair) -> None:
    """One claim as UseCases.claim issues it, through ``run(statement index, parameters)`` in an open transaction."""
    wish, member, user = pair
    now = ts(NOW)
    await run(0, (wish,))
    await run(1, (branch,))
    await run(2, ("telegram", str(user)))
    await run(3, (member, branch, member, branch, member, branch))
    await run(4, (wish, member))
    claim = (await run(5, (wish, member, None, now)))[0][0]
    await run(6, (wish, member))
    await run(7, (wish,))
    await run(8, (now, member, "claim.create", "claim", claim, f'{{"wish_id": {wish}, "team_id": null}}'))
    await run(9, (wish,))
    await run(10, (wish, wish))
    await run(11, (member,))
    await run(12, (f"claim:{claim}", "claim_notice", "telegram", str(user), None, member, PAYLOAD % claim, now, now))


async def _usecase(url: str, pairs: Sequence[Pair], concurrent: bool, pool: int) -> float:
    db = await open_postgres(url, pool_max=pool)
    try:
        app = UseCases(SqlStore(db), ManualClock(NOW), SHANGHAI)
        commands = [cmd.ClaimWish(Account("telegram", str(user), ""), wish) for wish, _, user in pairs]
        started = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(app.claim(c) for c in commands))
        else:
            for command in commands:
                await app.claim(command)
        return time.perf_counter() - started
    finally:
        await db.close()


async def _asyncpg_unit(url: str, branch: int, pairs: Sequence[Pair], concurrent: bool, pool: int) -> float:
    statements = [_dollars(sql) for sql in UNIT]
    async with asyncpg.create_pool(url, min_size=pool, max_size=pool) as connections:

        async def one(pair: Pair) -> None:
            async with connections.acquire() as conn, conn.transaction():

                async def run(i: int, params: Sequence[Any]) -> list[Any]:
                    return list(await conn.fetch(statements[i], *params))

                await _unit(run, branch, pair)

        started = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(one(p) for p in pairs))
        else:
            for pair in pairs:
                await one(pair)
        return time.perf_counter() - started


async def _psycopg_unit(url: str, branch: int, pairs: Sequence[Pair], concurrent: bool, pool: int) -> float:
    from psycopg_pool import AsyncConnectionPool

    statements = [_percents(sql) for sql in UNIT]
    async with AsyncConnectionPool(url, min_size=pool, max_size=pool, open=False) as connections:
        await connections.wait()

        async def one(pair: Pair) -> None:
            async with connections.connection() as conn, conn.transaction():

                async def run(i: int, params: Sequence[Any]) -> list[Any]:
                    cursor = await conn.execute(statements[i], params)
                    return list(await cursor.fetchall()) if cursor.description else []

                await _unit(run, branch, pair)

        started = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(one(p) for p in pairs))
        else:
            for pair in pairs:
                await one(pair)
        return time.perf_counter() - started


async def _asyncpg_insert(url: str, pairs: Sequence[Pair], batched: bool) -> float:
    conn = await asyncpg.connect(url)
    try:
        sql, now = _dollars(CLAIM_INSERT), ts(NOW)
        started = time.perf_counter()
        if batched:
            async with conn.transaction():
                await conn.executemany(sql, [(wish, member, now) for wish, member, _ in pairs])
        else:
            for wish, member, _ in pairs:
                async with conn.transaction():
                    await conn.execute(sql, wish, member, now)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _psycopg_insert(url: str, pairs: Sequence[Pair]) -> float:
    import psycopg

    conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
    try:
        sql, now = _percents(CLAIM_INSERT), ts(NOW)
        started = time.perf_counter()
        for wish, member, _ in pairs:
            async with conn.transaction():
                await conn.execute(sql, (wish, member, now))
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM claims"))
    finally:
        await conn.close()


async def _clone(template: str, name: str) -> str:
    conn = await asyncpg.connect(common.ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return common.pg_url(name)


async def measure(
    sqlite_template: Path, branch: int, pairs: Sequence[Pair], runs: int, pool: int
) -> dict[str, list[float]]:
    """Each mode ``runs`` times (modes interleaved within a run); seconds per run and mode."""
    tag = f"ebranch_bench_ceiling_{os.getpid()}"
    template = f"{tag}_template"
    url = await common.create_pg_database(template)
    await copy_database(sqlite_template, url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    runners: dict[str, Callable[[str], Awaitable[float]]] = {
        "usecase_sequential": lambda u: _usecase(u, pairs, False, pool),
        "usecase_concurrent": lambda u: _usecase(u, pairs, True, pool),
        "asyncpg_claim_unit": lambda u: _asyncpg_unit(u, branch, pairs, False, pool),
        "psycopg_claim_unit": lambda u: _psycopg_unit(u, branch, pairs, False, pool),
        "asyncpg_claim_unit_concurrent": lambda u: _asyncpg_unit(u, branch, pairs, True, pool),
        "psycopg_claim_unit_concurrent": lambda u: _psycopg_unit(u, branch, pairs, True, pool),
        "asyncpg_insert_tx": lambda u: _asyncpg_insert(u, pairs, False),
        "psycopg_insert_tx": lambda u: _psycopg_insert(u, pairs),
        "asyncpg_batched": lambda u: _asyncpg_insert(u, pairs, True),
    }
    times: dict[str, list[float]] = {mode: [] for mode in runners}
    try:
        for _ in range(runs):
            for mode, runner in runners.items():
                fresh = await _clone(template, f"{tag}_run")
                times[mode].append(await runner(fresh))
                count = await _count(fresh)
                if count != len(pairs):
                    raise AssertionError(f"{mode}: expected {len(pairs)} claims, found {count}")
    finally:
        await common.drop_pg_database(f"{tag}_run")
        await common.drop_pg_database(template)
    return times
