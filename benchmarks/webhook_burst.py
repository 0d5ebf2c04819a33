"""Claim burst over webhooks: a bare PTB webhook bot, ours on SQLite (one instance) and ours on PostgreSQL with 1, 2
and 4 instances behind a round-robin load balancer, all fed by the fake Bot API's webhook push in one run."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import common
from benchmarks.instances import (
    GROUPS,
    PUBLIC_URL,
    SECRET,
    City,
    RoundRobin,
    cards,
    free_port,
    seed,
    start_instances,
    stop_instances,
)
from handlers.sandbox import FakeBotApi, FloodLimits, SandboxMessage
from handlers.sandbox.state import CallbackQueryRecord

NAME = "webhook_burst"
VARIANTS = ("bare", "sqlite-1", "pg-1", "pg-2", "pg-4")
TICKS = os.sysconf("SC_CLK_TCK")


async def _bare_process(port: int, token: str, base_url: str, file_url: str) -> None:
    """A PTB bot in webhook mode that only answers taps: the ceiling of one Python process."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    application = common.bare_application(token, base_url, file_url)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="telegram", webhook_url=PUBLIC_URL, secret_token=SECRET
    )
    await stop.wait()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time so far of the given processes."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


async def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database`` (the database's share of a tap; other
    databases on the same server, such as other test runs, are left out)."""
    import asyncpg

    conn = await asyncpg.connect(common.ADMIN_URL)
    try:
        found = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database.rsplit("/", 1)[1])
    finally:
        await conn.close()
    return {int(r[0]): cpu_seconds([int(r[0])]) for r in found}


def backend_cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the backends used between two readings (a backend that appeared in between counts from zero)."""
    return sum(max(0.0, spent - before.get(pid, 0.0)) for pid, spent in after.items())


async def _bare_cards(api: FakeBotApi, city: City) -> None:
    """Cards with a claim button posted as the bot, for the bare bot (which posts none of its own)."""
    async with aiohttp.ClientSession() as http:
        for n, wish_id in enumerate(city.wishes):
            group = GROUPS[n % len(GROUPS)]
            markup = {"inline_keyboard": [[{"text": "认领", "callback_data": f"1:c:{wish_id}"}]]}
            body = {"chat_id": group, "text": f"微心愿 #{wish_id}\n已认领 0/2", "reply_markup": markup}
            async with http.post(f"{api.base_url}{api.token}/sendMessage", json=body) as response:
                assert response.status == 200, await response.text()


async def _database(variant: str, workdir: Path) -> str:
    if variant.startswith("sqlite"):
        path = workdir / "burst.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return str(path)
    return await common.create_pg_database(f"ebranch_bench_burst_{os.getpid()}")


async def _active_claims(database: str) -> dict[int, tuple[int, int]]:
    from storage.engine import open_engine

    db = await open_engine(database, migrate=False)
    try:
        async with db.snapshot() as conn:
            found = await conn.execute_fetchall(
                "SELECT wish_id, count(*), count(DISTINCT member_id) FROM claims"
                " WHERE status IN ('claimed', 'done', 'confirmed') GROUP BY wish_id"
            )
        return {int(r[0]): (int(r[1]), int(r[2])) for r in found}
    finally:
        await db.close()


async def _run(
    variant: str, taps: int, spread: float, per_branch: int, wishes_per_branch: int, workdir: Path
) -> dict[str, Any]:
    api = FakeBotApi(limits=FloodLimits.off(), callback_answer_window=600.0)
    await api.start()
    database = await _database(variant, workdir)
    city = await seed(database, api, per_branch=per_branch, wishes_per_branch=wishes_per_branch)
    processes: list[Any] = []
    balancer: RoundRobin | None = None
    try:
        if variant == "bare":
            port = free_port()
            balancer = RoundRobin([f"http://127.0.0.1:{port}/telegram"])
            await balancer.start()
            api.route_webhook(PUBLIC_URL, f"http://127.0.0.1:{balancer.port}/telegram")
            urls = ["--base-url", api.base_url, "--file-url", api.base_file_url, "--token", api.token]
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", f"benchmarks.{NAME}", "--bot", "bare", "--port", str(port), *urls,
                    cwd=common.ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                )
            )  # fmt: skip
            await _bare_cards(api, city)
        else:
            count = int(variant.split("-")[1])
            processes, balancer = await start_instances(workdir, city, count)
        deadline = time.monotonic() + 120
        while sum(len(c) for c in cards(api).values()) < len(city.wishes) or api.webhook_push is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{variant}: the cards or the webhook never came")
            await asyncio.sleep(0.2)
        plan = []
        for group, posted in cards(api).items():
            for card in posted:
                claim = next(b["callback_data"] for b in card.buttons() if b.get("text") == "认领")
                plan += [(member, card, claim) for member in city.members[group]]
        random.Random(7).shuffle(plan)
        plan = (plan * (taps // len(plan) + 1))[:taps]
        pids = [p.pid for p in processes]
        measured_db = variant.startswith("pg")
        db_before = await backend_cpu(database) if measured_db else {}
        cpu_before = [cpu_seconds([pid]) for pid in pids]
        sent_before = list(balancer.sent)
        latencies, first = await _burst(api, plan, spread)
        elapsed = time.monotonic() - first
        each = [cpu_seconds([pid]) - before for pid, before in zip(pids, cpu_before, strict=True)]
        cpu = sum(each)
        handled = [after - before for after, before in zip(balancer.sent, sent_before, strict=True)]
        per_instance = common.median([c / h for c, h in zip(each, handled, strict=True) if h])
        db_cpu = backend_cpu_since(db_before, await backend_cpu(database)) if measured_db else 0.0
        answered = [x for x in latencies if x is not None]
        wrong = 0
        if variant != "bare":
            held = await _active_claims(database)
            tappers: dict[int, set[int]] = {}
            for member, _card, claim in plan:
                tappers.setdefault(int(claim.rsplit(":", 1)[1]), set()).add(member.id)
            for wish_id, slots in city.wishes.items():
                expected = min(slots, len(tappers.get(wish_id, ())))
                if held.get(wish_id, (0, 0)) != (expected, expected):
                    wrong += 1
        return {
            "variant": variant,
            "instances": len(processes),
            "taps": taps,
            "answered": len(answered),
            "taps_per_s": len(answered) / elapsed if elapsed > 0 else 0.0,
            "p50": common.percentile(answered, 50),
            "p95": common.percentile(answered, 95),
            "p99": common.percentile(answered, 99),
            "cpu_s_per_tap": cpu / taps,
            "cpu_s_per_tap_per_instance": per_instance,
            "db_cpu_s_per_tap": db_cpu / taps,
            "wrong_wishes": wrong,
            "per_instance": balancer.sent if balancer else [],
        }
    finally:
        await stop_instances(processes)
        if balancer is not None:
            await balancer.stop()
        await api.stop()
        if not variant.startswith("sqlite"):
            await common.drop_pg_database(database.rsplit("/", 1)[1])


async def _burst(
    api: FakeBotApi, plan: list[tuple[Any, SandboxMessage, str]], spread: float
) -> tuple[list[float | None], float]:
    """Press every planned button evenly within ``spread`` seconds; each tap's answer latency (None: unanswered)."""
    latencies: list[float | None] = [None] * len(plan)

    async def wait(i: int, record: CallbackQueryRecord, at: float) -> None:
        try:
            await record.wait_answer(300)
            latencies[i] = time.monotonic() - at
        except Exception:
            latencies[i] = None

    waiters = []
    began = time.monotonic()
    for i, (member, card, claim) in enumerate(plan):
        target = began + spread * i / len(plan)
        if target > time.monotonic():
            await asyncio.sleep(target - time.monotonic())
        at = time.monotonic()
        record = await api.press_button(member, card, claim, seen=[claim])
        waiters.append(asyncio.create_task(wait(i, record, at)))
    await asyncio.gather(*waiters)
    return latencies, began


def render(result: dict[str, Any]) -> str:
    """The results as a Markdown table, the medians of each variant's runs, and the projection to N machines."""
    variants = list(dict.fromkeys(r["variant"] for r in result["results"]))
    lines = [
        f"{result['taps']:,} claim taps spread over {result['spread']} s, pushed by the fake Bot API's webhook to a"
        " round-robin balancer in front of the instances (5 branch groups, "
        f"{result['members']} members and {result['wishes']} wishes each); latency is from the tap to"
        " answerCallbackQuery. CPU from /proc (user + system) over the burst; PostgreSQL's is its backends serving"
        " the benchmark's database. Medians over the runs first, then every run.",
        "",
        "| variant | runs | taps/s (median) | p50 s | p99 s | CPU ms/tap per instance | PostgreSQL CPU ms/tap |"
        " answered | wrong wishes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for variant in variants:
        mine = [r for r in result["results"] if r["variant"] == variant]

        def med(key: str, runs: list[dict[str, Any]] = mine) -> float:
            return common.median([r[key] for r in runs])

        lines.append(
            f"| {variant} | {len(mine)} | {med('taps_per_s'):.0f} | {med('p50'):.2f} | {med('p99'):.2f} |"
            f" {1000 * med('cpu_s_per_tap_per_instance'):.2f} | {1000 * med('db_cpu_s_per_tap'):.2f} |"
            f" {sum(r['answered'] for r in mine)}/{sum(r['taps'] for r in mine)} |"
            f" {sum(r['wrong_wishes'] for r in mine)} |"
        )
    lines += [
        "",
        "| variant | instances | taps/s | p50 s | p95 s | p99 s | CPU s/tap (bot, all instances) | CPU s/tap per"
        " instance (its CPU / taps it took) | PostgreSQL CPU s/tap | answered | wrong wishes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["results"]:
        lines.append(
            f"| {r['variant']} | {r['instances']} | {r['taps_per_s']:.0f} | {r['p50']:.2f} | {r['p95']:.2f} |"
            f" {r['p99']:.2f} | {1000 * r['cpu_s_per_tap']:.2f} ms | {1000 * r['cpu_s_per_tap_per_instance']:.2f} ms |"
            f" {1000 * r['db_cpu_s_per_tap']:.2f} ms | {r['answered']}/{r['taps']} | {r['wrong_wishes']} |"
        )
    pg = [r for r in result["results"] if r["variant"].startswith("pg")]
    if pg:
        per_tap = common.median([r["cpu_s_per_tap_per_instance"] for r in pg])
        db = common.median([r["db_cpu_s_per_tap"] for r in pg])
        lines += [
            "",
            f"Projection: a tap costs an instance {1000 * per_tap:.2f} ms of CPU and the database {1000 * db:.2f} ms"
            f" (medians over the PostgreSQL runs; an instance's CPU includes its share of delivery and card sync)."
            " N machines of 2 cores each running bot instances only, with the"
            f" database on its own server, answer about N x {2 / per_tap:.0f} taps/s while the database server keeps"
            f" up ({2 / db if db else float('inf'):.0f} taps/s per 2 database cores). It assumes CPU is the limit,"
            " the load balancer spreads evenly, and the per-tap cost stays what one shared 2-core machine showed.",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run every variant (or, with --bot, the bare bot under test), save results and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--taps", type=int, default=3000)
    parser.add_argument("--spread", type=float, default=5.0, help="seconds over which the taps arrive")
    parser.add_argument("--members", type=int, default=40, help="members per branch (5 branches)")
    parser.add_argument("--wishes", type=int, default=10, help="wishes per branch")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--name", default=NAME)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--bot", choices=("bare",), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--file-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bot:
        asyncio.run(_bare_process(args.port, args.token, args.base_url, args.file_url))
        return {}
    workdir = common.scratch_dir(NAME)
    variants = [v for v in args.variants.split(",") if v]
    results = []
    for _ in range(args.runs):
        for variant in variants:
            results.append(asyncio.run(_run(variant, args.taps, args.spread, args.members, args.wishes, workdir)))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    flags = [f"--{k}={getattr(args, k)}" for k in ("taps", "spread", "members", "wishes", "runs", "variants")]
    result: dict[str, Any] = {
        **{k: getattr(args, k) for k in ("taps", "spread", "members", "wishes", "runs")},
        "results": results,
        "command": common.command_line(f"benchmarks.{NAME}", flags),
    }
    shutil.rmtree(workdir, ignore_errors=True)
    if not args.no_save:
        common.save_result(args.name, result)
    print(render(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
