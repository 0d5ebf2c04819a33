"""Pairing sweep: the daily pairing job (reminders before a visit is due and once overdue) over a city's pairings,
on SQLite (default) or PostgreSQL (--engine postgresql: the same generated data, loaded with COPY)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import common
from benchmarks.populate import NOW, CitySize, connect, copy_city_to_postgres, generate_city, ts
from bot.ports.clock import ManualClock
from bot.usecases import UseCases
from storage.engine import open_engine
from storage.reports import SqlReports
from storage.uow import SqlStore

NAME = "pairing_sweep"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCENARIOS = ("spread", "all_due")
"""``spread``: monthly pairings begun over the last month, so those due within two days (about 3 in 30) are reminded
(a usual day); ``all_due``: every pairing overdue at once (the first sweep after a long outage, the worst day)."""
TARGET_SECONDS = 60.0
MEMORY_TARGET_MIB = 1024.0
REMIND_DAYS_BEFORE = 2


def generate(path: Path, branches: int, members: int, pairings: int, scenario: str) -> dict[str, int]:
    """A committee of ``branches`` branches and ``members`` members (no claims), with ``pairings`` monthly pairings
    spread over the reported-in members."""
    generate_city(path, CitySize(branches=branches, members=members, claims=0))
    conn = connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(11)
    today = NOW.astimezone(SHANGHAI).date()
    people = [
        (int(r[0]), int(r[1]))
        for r in conn.execute(
            "SELECT id, home_branch_id FROM members WHERE reported_at IS NOT NULL AND left_at IS NULL ORDER BY id"
        )
    ]

    def rows() -> Any:
        for n in range(pairings):
            member_id, branch_id = people[n % len(people)]
            if scenario == "all_due":
                started = today - timedelta(days=40)
                due = today - timedelta(days=1 + rng.randrange(9))
            else:
                started = today - timedelta(days=rng.randrange(30))
                due = started + timedelta(days=30)
            yield (branch_id, member_id, f"住户{n:06d}", "monthly", started.isoformat(), due.isoformat(), ts(NOW))

    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO pairings (branch_id, member_id, alias, rhythm, started_on, next_due, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return {"branches": branches, "members": members, "pairings": pairings}


async def _measure(database: str) -> dict[str, Any]:
    """Two sweeps on the same day: the first records the reminders, the second finds them all recorded."""
    db = await open_engine(database if database.startswith("postgresql") else Path(database))
    try:
        baseline = common.peak_rss_mib()
        usecases = UseCases(SqlStore(db), ManualClock(NOW), SHANGHAI, reports=SqlReports(db))
        passes = []
        for _ in range(2):
            began = time.perf_counter()
            recorded = await usecases.record_pairing_reminders(
                NOW, remind_days_before=REMIND_DAYS_BEFORE, not_before=None, lang="zh"
            )
            passes.append({"seconds": time.perf_counter() - began, "recorded": recorded})
        counts: dict[str, int] = {}
        async with db.snapshot() as conn:
            for kind in ("pairing_due", "pairing_overdue"):
                for row in await conn.execute_fetchall("SELECT count(*) FROM outbox WHERE kind = ?", (kind,)):
                    counts[kind] = int(row[0])
        due, overdue = counts["pairing_due"], counts["pairing_overdue"]
        return {
            "passes": passes,
            "due": int(due),
            "overdue": int(overdue),
            "peak_rss_mib": common.peak_rss_mib(),
            "baseline_rss_mib": baseline,
        }
    finally:
        await db.close()


async def _pg_base(base: Path, name: str) -> float:
    """The generated SQLite file loaded into a fresh PostgreSQL database ``name`` (COPY, then ANALYZE); seconds."""
    url = await common.create_pg_database(name)
    return await copy_city_to_postgres(base, url)


async def _pg_copy(base: str, name: str) -> str:
    """A fresh database ``name`` made from the loaded one (CREATE DATABASE ... TEMPLATE); its URL."""
    import asyncpg

    conn = await asyncpg.connect(common.ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
    finally:
        await conn.close()
    return common.pg_url(name)


def measure(
    branches: int, members: int, pairings: int, runs: int, scenarios: Sequence[str], engine: str = "sqlite"
) -> dict[str, Any]:
    """Generate each scenario once, then time ``runs`` sweeps, each on a fresh copy in a fresh interpreter (on
    PostgreSQL: a fresh database made from the loaded one)."""
    results = []
    directory = common.out_dir("pairings")
    for scenario in scenarios:
        base = directory / f"{scenario}_b{branches}_m{members}_p{pairings}.sqlite3"
        began = time.perf_counter()
        data: dict[str, float] = {**generate(base, branches, members, pairings, scenario)}
        generated = time.perf_counter() - began
        pg_base = f"ebranch_bench_pairings_{scenario}"
        if engine == "postgresql":
            data["copy_seconds"] = round(asyncio.run(_pg_base(base, pg_base)), 1)
        samples = []
        for run in range(runs):
            if engine == "postgresql":
                name = f"{pg_base}_{run}"
                url = asyncio.run(_pg_copy(pg_base, name))
                samples.append(common.run_child(f"benchmarks.{NAME}", ["--child", "--db", url]))
                asyncio.run(common.drop_pg_database(name))
                continue
            copy = common.scratch_dir(NAME) / f"{scenario}_{run}.sqlite3"
            shutil.copyfile(base, copy)
            samples.append(common.run_child(f"benchmarks.{NAME}", ["--child", "--db", str(copy)]))
            copy.unlink()
        if engine == "postgresql":
            asyncio.run(common.drop_pg_database(pg_base))
        results.append(
            {
                "scenario": scenario,
                "data": data,
                "generate_seconds": round(generated, 1),
                "first_seconds": common.median([s["passes"][0]["seconds"] for s in samples]),
                "first_runs": [round(s["passes"][0]["seconds"], 2) for s in samples],
                "second_seconds": common.median([s["passes"][1]["seconds"] for s in samples]),
                "recorded": samples[0]["passes"][0]["recorded"],
                "recorded_again": samples[0]["passes"][1]["recorded"],
                "due": samples[0]["due"],
                "overdue": samples[0]["overdue"],
                "peak_rss_mib": max(s["peak_rss_mib"] for s in samples),
                "baseline_rss_mib": common.median([s["baseline_rss_mib"] for s in samples]),
            }
        )
    return {
        "engine": engine,
        "branches": branches,
        "members": members,
        "pairings": pairings,
        "runs": runs,
        "results": results,
    }


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    postgres = result.get("engine") == "postgresql"
    engine = "PostgreSQL (127.0.0.1, default settings; loaded with COPY)" if postgres else "SQLite"
    lines = [
        f"{result['pairings']:,} monthly pairings (结对) over {result['members']:,} members in"
        f" {result['branches']:,} branches on {engine}; the daily job `pairings`"
        f" (`UseCases.record_pairing_reminders`, {REMIND_DAYS_BEFORE} days ahead) pages through the due index 500"
        " pairings per transaction and records one outbox row per reminder. The second sweep the same day records"
        f" nothing (the outbox keys). Medians of {result['runs']} runs, each on a fresh copy in a fresh interpreter.",
        "",
        "| scenario | reminders recorded (due / overdue) | first sweep s (runs) | same-day sweep again s |"
        " peak RSS MiB (baseline) | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in result["results"]:
        ok = r["first_seconds"] < TARGET_SECONDS and r["peak_rss_mib"] < MEMORY_TARGET_MIB and r["recorded_again"] == 0
        runs = ", ".join(f"{s:.1f}" for s in r["first_runs"])
        lines.append(
            f"| `{r['scenario']}` | {r['recorded']:,} ({r['due']:,} / {r['overdue']:,}) | {r['first_seconds']:.1f}"
            f" ({runs}) | {r['second_seconds']:.1f} | {r['peak_rss_mib']:.0f} ({r['baseline_rss_mib']:.0f}) |"
            f" < {TARGET_SECONDS:.0f} s, < 1 GiB, nothing twice: {common.verdict(ok)} |"
        )
    lines += [
        "",
        "`spread`: pairings begun over the last 30 days, so those due within two days (about 3 in 30) are reminded"
        " (a usual day). `all_due`: every pairing overdue at once, the worst day (the first sweep after an outage).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark (or, with --child, one measurement), save results and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--pairings", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--name", default=NAME, help="result name in benchmarks/out/ (for variants)")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/out/<name>.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        measured = asyncio.run(_measure(args.db))
        print(json.dumps(measured))
        return measured
    scenarios = [s for s in args.scenarios.split(",") if s]
    if not scenarios or set(scenarios) - set(SCENARIOS):
        parser.error(f"--scenarios: choose from {', '.join(SCENARIOS)}")
    result = measure(args.branches, args.members, args.pairings, args.runs, scenarios, args.engine)
    flags = [f"--pairings={args.pairings}", f"--runs={args.runs}"]
    if args.engine != "sqlite":
        flags += [f"--engine={args.engine}", f"--name={args.name}"]
    if (args.branches, args.members) != (1000, 100_000):
        flags += [f"--branches={args.branches}", f"--members={args.members}"]
    if scenarios != list(SCENARIOS):
        flags.append(f"--scenarios={','.join(scenarios)}")
    result["command"] = common.command_line(f"benchmarks.{NAME}", flags)
    if not args.no_save:
        common.save_result(args.name, result)
    print(render(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
