"""Storage ceiling: claims committed per second through UseCases.claim against plain driver inserts, same run, on
SQLite (default) or PostgreSQL (--engine postgresql, which also times the claim unit's SQL on asyncpg and psycopg 3)."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import common
from benchmarks.populate import NOW, BranchWorld, connect, seed_branch, ts
from bot.domain.model import Account
from bot.ports.clock import ManualClock
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.sqlite import open_database
from storage.uow import SqlStore

NAME = "storage_ceiling"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CLAIM_SQL = "INSERT INTO claims (wish_id, member_id, status, claimed_at) VALUES (?, ?, 'claimed', ?)"

MODES: dict[str, str] = {
    "usecase_sequential": "UseCases.claim, awaited one after another (units run in place, the bot's path)",
    "usecase_concurrent": "UseCases.claim, all started at once with asyncio.gather (serialised by the store's lock)",
    "aiosqlite_insert_tx": "one INSERT per transaction through Database.transaction (aiosqlite, no use-case logic)",
    "sqlite3_insert_tx": "plain sqlite3: BEGIN IMMEDIATE; one INSERT; COMMIT, per claim",
    "sqlite3_batched": "plain sqlite3: every INSERT in one transaction (executemany)",
}


def _pairs(world: BranchWorld, claims: int) -> list[tuple[int, int, int]]:
    """(wish_id, member_id, member_user_id) for ``claims`` distinct claims, wish by wish."""
    found = []
    for wish_id in world.wish_ids:
        for member_id, user_id in zip(world.member_ids, world.member_user_ids, strict=True):
            found.append((wish_id, member_id, user_id))
            if len(found) == claims:
                return found
    return found


async def _usecase(path: Path, pairs: Sequence[tuple[int, int, int]], concurrent: bool) -> float:
    db = await open_database(path)
    try:
        app = UseCases(SqlStore(db), ManualClock(NOW), SHANGHAI)
        commands = [cmd.ClaimWish(Account("telegram", str(user), ""), wish) for wish, _, user in pairs]
        started = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(app.claim(c) for c in commands))
        else:
            for command in commands:
                await app.claim(command)
        elapsed = time.perf_counter() - started
        count = await _count(db.conn)
    finally:
        await db.close()
    if count != len(pairs):
        raise AssertionError(f"expected {len(pairs)} claims, found {count}")
    return elapsed


async def _count(conn: Any) -> int:
    async with conn.execute("SELECT count(*) FROM claims") as cur:
        row = await cur.fetchone()
    return int(row[0])


async def _aiosqlite_tx(path: Path, pairs: Sequence[tuple[int, int, int]]) -> float:
    db = await open_database(path)
    try:
        now = ts(NOW)
        started = time.perf_counter()
        for wish, member, _ in pairs:
            async with db.transaction() as conn:
                await conn.execute(CLAIM_SQL, (wish, member, now))
        return time.perf_counter() - started
    finally:
        await db.close()


def _sqlite3_tx(path: Path, pairs: Sequence[tuple[int, int, int]]) -> float:
    conn = connect(path)
    now = ts(NOW)
    started = time.perf_counter()
    for wish, member, _ in pairs:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(CLAIM_SQL, (wish, member, now))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _sqlite3_batched(path: Path, pairs: Sequence[tuple[int, int, int]]) -> float:
    conn = connect(path)
    now = ts(NOW)
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(CLAIM_SQL, ((wish, member, now) for wish, member, _ in pairs))
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _fresh(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def _seed(claims: int, workdir: Path) -> tuple[Path, BranchWorld]:
    """A seeded SQLite template: one branch, 10 wishes with a slot for each of ``claims / 10`` members."""
    wishes = 10
    members = max(1, -(-claims // wishes))
    template = workdir / "template.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(template) + suffix).unlink(missing_ok=True)
    world = seed_branch(template, members=members, wishes=wishes, slots=members)
    checkpoint = sqlite3.connect(str(template))
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    return template, world


def _summary(
    pairs: Sequence[tuple[int, int, int]], runs: int, times: dict[str, list[float]], modes: dict[str, str]
) -> dict[str, Any]:
    rates = {mode: [len(pairs) / t for t in ts_] for mode, ts_ in times.items()}
    return {
        "claims": len(pairs),
        "runs": runs,
        "modes": {
            mode: {
                "what": modes[mode],
                "median_claims_per_s": common.median(rates[mode]),
                "runs_claims_per_s": [round(r, 1) for r in rates[mode]],
                "median_seconds": common.median(times[mode]),
            }
            for mode in times
        },
    }


def measure(claims: int, runs: int, workdir: Path) -> dict[str, Any]:
    """Time every mode ``runs`` times on a fresh copy of the same seeded database; claims/s per mode."""
    template, world = _seed(claims, workdir)
    pairs = _pairs(world, claims)
    runners: dict[str, Callable[[Path], float]] = {
        "usecase_sequential": lambda p: asyncio.run(_usecase(p, pairs, False)),
        "usecase_concurrent": lambda p: asyncio.run(_usecase(p, pairs, True)),
        "aiosqlite_insert_tx": lambda p: asyncio.run(_aiosqlite_tx(p, pairs)),
        "sqlite3_insert_tx": lambda p: _sqlite3_tx(p, pairs),
        "sqlite3_batched": lambda p: _sqlite3_batched(p, pairs),
    }
    times: dict[str, list[float]] = {mode: [] for mode in runners}
    for _ in range(runs):
        for mode, runner in runners.items():
            times[mode].append(runner(_fresh(template, workdir / f"{mode}.sqlite3")))
    return {"engine": "sqlite", "baseline": "sqlite3_insert_tx", **_summary(pairs, runs, times, MODES)}


def measure_postgres(claims: int, runs: int, workdir: Path, pool: int) -> dict[str, Any]:
    """The same on PostgreSQL: each mode on a fresh database cloned from one seeded template (copied in with COPY)."""
    from benchmarks import pg_ceiling

    template, world = _seed(claims, workdir)
    pairs = _pairs(world, claims)
    times = asyncio.run(pg_ceiling.measure(template, world.branch_id, pairs, runs, pool))
    result = _summary(pairs, runs, times, pg_ceiling.MODES)
    return {"engine": "postgresql", "baseline": "asyncpg_insert_tx", "pool": pool, **result}


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    modes = result["modes"]
    baseline = result.get("baseline", "sqlite3_insert_tx")
    ceiling = modes[baseline]["median_claims_per_s"]
    if result.get("engine", "sqlite") == "sqlite":
        about = "real file, WAL, synchronous=NORMAL, the real schema (indexes and the over-fill trigger)."
    else:
        about = (
            "PostgreSQL on 127.0.0.1 (default settings: fsync on, synchronous_commit on), the real schema (indexes and"
            f" the over-fill trigger), pools of {result['pool']} connections. The `*_claim_unit*` modes replay the 13"
            " statements `UseCases.claim` runs on PostgreSQL (wish FOR UPDATE, branch, member by account, membership,"
            " existing claim, INSERT claim, waitlist, wish version, audit, card view, claimers, accounts, outbox) in"
            " one transaction, the same SQL on both drivers (psycopg prepares after its default 5 executions)."
        )
    lines = [
        f"{result['claims']:,} claims per mode, {result['runs']} runs, fresh copy of the same database each run; "
        + about,
        "",
        f"| mode | what | claims/s (median) | runs | vs `{baseline}` |",
        "|---|---|---:|---|---:|",
    ]
    for mode, data in modes.items():
        rate = data["median_claims_per_s"]
        runs = ", ".join(common.fmt(r, 0) for r in data["runs_claims_per_s"])
        lines.append(f"| `{mode}` | {data['what']} | {common.fmt(rate, 0)} | {runs} | {100 * rate / ceiling:.1f}% |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, save benchmarks/out/storage_ceiling.json and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL pool size (the bot's default)")
    parser.add_argument("--name", help="result name in benchmarks/out/ (default storage_ceiling[_postgresql])")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/out/ (smoke runs)")
    args = parser.parse_args(argv)
    workdir = common.scratch_dir(NAME)
    flags = [f"--claims={args.claims}", f"--runs={args.runs}"]
    if args.engine == "postgresql":
        result = measure_postgres(args.claims, args.runs, workdir, args.pool)
        flags += ["--engine=postgresql", f"--pool={args.pool}"]
    else:
        result = measure(args.claims, args.runs, workdir)
    name = args.name or (NAME if args.engine == "sqlite" else f"{NAME}_postgresql")
    if name not in (NAME, f"{NAME}_postgresql"):
        flags.append(f"--name={name}")
    result["command"] = common.command_line(f"benchmarks.{NAME}", flags)
    if not args.no_save:
        common.save_result(name, result)
    print(render(result))
    shutil.rmtree(workdir, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
