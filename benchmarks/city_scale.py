"""City scale: time and peak memory of digests, the ledger and at-risk queries on a generated city-sized committee,
on SQLite (default) or PostgreSQL (--engine postgresql: the same generated data, loaded with COPY)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import common
from benchmarks.populate import NOW, CitySize, copy_city_to_postgres, generate_city, quarter_of
from bot.jobs.nudges import PAGE
from bot.reports import build_ledger_xlsx
from storage.engine import Engine, open_engine
from storage.reports import SqlReports
from storage.uow import SqlStore

NAME = "city_scale"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WHATS = ("digest", "at_risk_branch", "at_risk_all", "ledger")
TARGETS = {
    "digest": ("all digests < 10 s", 10.0),
    "at_risk_branch": ("at-risk < 1 s", 1.0),
    "at_risk_all": ("at-risk < 1 s", 1.0),
    "ledger": ("ledger for 100,000 members < 30 s", 30.0),
}
MEMORY_TARGET_MIB = 1024.0
SAMPLE_BRANCHES = 20


def _today() -> date:
    return NOW.astimezone(SHANGHAI).date()


async def _digest(db: Engine) -> int:
    """One committee's weekly digest data: this week's and last week's per-branch stats."""
    reports = SqlReports(db)
    today = _today()
    week_end = today - timedelta(days=today.weekday())
    week_start = week_end - timedelta(days=7)
    quarter_start, _ = quarter_of(week_start)
    rows = 0
    for start in (week_start, week_start - timedelta(days=7)):
        stats = await reports.branch_stats(1, quarter_start, start, start + timedelta(days=7), SHANGHAI)
        rows += len(stats)
    return rows


async def _at_risk_all(db: Engine) -> int:
    """The quarter-end sweep: every member to nudge across the committee, page by page (nudge_candidates)."""
    start, end = quarter_of(_today())
    total = 0
    async for page in SqlReports(db).nudge_candidates(start, end, NOW, batch=PAGE):
        total += len(page)
    return total


async def _ledger(db: Engine) -> int:
    """The committee's ledger as the bot builds it: rows streamed from storage into the workbook, off the loop."""
    data = await SqlReports(db).ledger(1, None, NOW, SHANGHAI)
    workbook = await asyncio.to_thread(build_ledger_xlsx, data, "zh")
    return len(workbook)


MEASURES: dict[str, Callable[[Engine], Awaitable[int]]] = {
    "digest": _digest,
    "at_risk_all": _at_risk_all,
    "ledger": _ledger,
}


async def _measure_one(database: str, what: str) -> dict[str, Any]:
    db = await open_engine(database if database.startswith("postgresql") else Path(database))
    try:
        baseline = common.peak_rss_mib()
        if what == "at_risk_branch":
            store = SqlStore(db)
            start, end = quarter_of(_today())
            async with db.snapshot() as conn:
                ids = [int(r[0]) for r in await conn.execute_fetchall("SELECT id FROM branches ORDER BY id")]
            branches = random.Random(1).sample(ids, min(SAMPLE_BRANCHES, len(ids)))
            times, found = [], 0
            for branch in branches:
                began = time.perf_counter()
                async with store.unit() as unit:
                    found += len(await unit.services.at_risk(branch, start, end, False))
                times.append(time.perf_counter() - began)
            seconds, size = max(times), found
        else:
            began = time.perf_counter()
            size = await MEASURES[what](db)
            seconds = time.perf_counter() - began
        return {"seconds": seconds, "peak_rss_mib": common.peak_rss_mib(), "baseline_rss_mib": baseline, "size": size}
    finally:
        await db.close()


def database_for(size: CitySize, *, regenerate: bool = False) -> tuple[Path, dict[str, Any]]:
    """The generated database for ``size`` (cached in benchmarks/out/city/), and how long generating it took."""
    directory = common.out_dir("city")
    path = directory / f"{size.tag}.sqlite3"
    meta = directory / f"{size.tag}.json"
    if regenerate or not path.exists() or not meta.exists():
        began = time.perf_counter()
        counts = generate_city(path, size)
        meta.write_text(json.dumps({**counts.__dict__, "generate_seconds": time.perf_counter() - began}))
    info: dict[str, Any] = json.loads(meta.read_text())
    return path, info


def postgres_for(size: CitySize, *, regenerate: bool = False) -> tuple[str, dict[str, Any]]:
    """The same generated city in PostgreSQL database ebranch_bench_city_<tag> (kept between runs, like the SQLite
    files; loaded from the SQLite file with COPY), and how long generating and loading took."""
    path, info = database_for(size, regenerate=regenerate)
    name = f"ebranch_bench_city_{size.tag}"
    meta = common.out_dir("city") / f"{size.tag}.postgresql.json"
    if regenerate or not meta.exists():
        url = asyncio.run(common.create_pg_database(name))
        loaded = asyncio.run(copy_city_to_postgres(path, url))
        meta.write_text(json.dumps({**info, "copy_seconds": loaded}))
    found: dict[str, Any] = json.loads(meta.read_text())
    return common.pg_url(name), found


def measure(
    sizes: Sequence[int],
    runs: int,
    branches: int,
    members: int,
    regenerate: bool,
    ledger_runs: int | None = None,
    queries: Sequence[str] = WHATS,
    engine: str = "sqlite",
) -> dict[str, Any]:
    """Generate each size and time each of ``queries`` ``runs`` times, each run in a fresh interpreter."""
    levels = []
    for claims in sizes:
        size = CitySize(branches=branches, members=members, claims=claims)
        path: Path | str
        if engine == "postgresql":
            path, info = postgres_for(size, regenerate=regenerate)
        else:
            path, info = database_for(size, regenerate=regenerate)
        results: dict[str, Any] = {}
        for what in queries:
            times = ledger_runs if what == "ledger" and ledger_runs else runs
            samples = [
                common.run_child("benchmarks.city_scale", ["--child", what, "--db", str(path)]) for _ in range(times)
            ]
            results[what] = {
                "median_seconds": common.median([s["seconds"] for s in samples]),
                "runs_seconds": [round(s["seconds"], 3) for s in samples],
                "peak_rss_mib": max(s["peak_rss_mib"] for s in samples),
                "baseline_rss_mib": common.median([s["baseline_rss_mib"] for s in samples]),
                "size": samples[0]["size"],
            }
        levels.append({"claims": claims, "data": info, "results": results})
    return {"engine": engine, "runs": runs, "branches": branches, "members": members, "levels": levels}


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    engine = result.get("engine", "sqlite")
    where = (
        "SQLite file (WAL)"
        if engine == "sqlite"
        else "PostgreSQL on 127.0.0.1 (the same generated rows, loaded with COPY, then ANALYZE)"
    )
    lines = [
        f"{where}. One committee, {result['branches']:,} branches, {result['members']:,} members; claims spread"
        " over the year before Monday 23 Nov 2026 (about 4 per wish, 80% served). Each figure is the median of"
        f" {result['runs']} runs, each in a fresh interpreter; peak RSS is the child's ru_maxrss (includes the"
        " interpreter and imports, shown as baseline).",
        "",
        "| claims | wishes | services | query | seconds (median) | runs | peak RSS MiB (baseline) | rows/bytes |"
        " target |",
        "|---:|---:|---:|---|---:|---|---:|---:|---|",
    ]
    for level in result["levels"]:
        data = level["data"]
        for what, r in level["results"].items():
            label, limit = TARGETS[what]
            ok = r["median_seconds"] < limit and r["peak_rss_mib"] < MEMORY_TARGET_MIB
            runs = ", ".join(f"{s:.2f}" for s in r["runs_seconds"])
            lines.append(
                f"| {level['claims']:,} | {data['wishes']:,} | {data['services']:,} | `{what}` |"
                f" {r['median_seconds']:.3f} | {runs} | {r['peak_rss_mib']:.0f} ({r['baseline_rss_mib']:.0f}) |"
                f" {r['size']:,} | {label}, < 1 GiB: {common.verdict(ok)} |"
            )
    first, last = result["levels"][0], result["levels"][-1]
    factor = last["claims"] / first["claims"]
    lines += ["", f"Growth from the smallest to the largest level (x{factor:.0f} claims):", ""]
    for what in first["results"]:
        a, b = first["results"][what]["median_seconds"], last["results"][what]["median_seconds"]
        ratio = b / a if a > 0 else 0.0
        lines.append(
            f"- `{what}`: {a:.3f} s -> {b:.3f} s, x{ratio:.1f} for x{factor:.0f} claims"
            f" ({'no worse than linear' if ratio <= factor * 1.1 else '**worse than linear**'})"
        )
    lines.append("")
    lines.append(
        "`at_risk_branch` is the slowest of 20 sampled branches (`SqlUnit.at_risk`, the /atrisk command);"
        " `at_risk_all` pages through `SqlReports.nudge_candidates` for the whole committee (the quarter-end"
        " nudge sweep); `digest` is `SqlReports.branch_stats` for this week and last week (one committee's"
        " weekly digest data); `ledger` is `SqlReports.ledger` plus `build_ledger_xlsx`."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark (or, with --child, one measurement), save results and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="claims per level, comma-separated")
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ledger-runs", type=int, help="runs for the (slow) ledger; default --runs")
    parser.add_argument("--queries", default=",".join(WHATS), help=f"what to time, comma-separated: {','.join(WHATS)}")
    parser.add_argument("--regenerate", action="store_true", help="regenerate cached databases")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--name", default=NAME, help="result name in benchmarks/out/ (for variants)")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/out/<name>.json")
    parser.add_argument("--child", choices=WHATS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        measured = asyncio.run(_measure_one(args.db, args.child))
        print(json.dumps(measured))
        return measured
    sizes = [int(s) for s in args.sizes.split(",") if s]
    queries = [q for q in args.queries.split(",") if q]
    unknown = sorted(set(queries) - set(WHATS))
    if unknown or not queries:
        parser.error(f"--queries: choose from {', '.join(WHATS)} (got {args.queries!r})")
    result = measure(
        sizes, args.runs, args.branches, args.members, args.regenerate, args.ledger_runs, queries, args.engine
    )
    flags = [f"--sizes={args.sizes}", f"--runs={args.runs}"]
    if args.ledger_runs:
        flags.append(f"--ledger-runs={args.ledger_runs}")
    if (args.branches, args.members) != (1000, 100_000):
        flags += [f"--branches={args.branches}", f"--members={args.members}"]
    if queries != list(WHATS):
        flags.append(f"--queries={','.join(queries)}")
    if args.engine != "sqlite":
        flags.append(f"--engine={args.engine}")
    if args.name != NAME:
        flags.append(f"--name={args.name}")
    result["command"] = common.command_line(f"benchmarks.{NAME}", flags)
    if not args.no_save:
        common.save_result(args.name, result)
    print(render(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
