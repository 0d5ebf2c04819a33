"""Delivery at the limit: nudges through OutboxDelivery to the sandbox at 30 msg/s, with kill -9 and restart."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.populate import BranchWorld, seed_branch
from bot.delivery.outbox import OutboxDelivery
from bot.domain.model import ChatRef
from bot.notices.outbox import Text
from bot.ports.chat import ChatGateway, OutgoingMessage
from bot.ports.clock import SystemClock
from bot.usecases.base import record
from handlers.sandbox import FakeBotApi, FloodLimits
from storage.sqlite import open_database
from storage.uow import SqlStore

NAME = "delivery"
LIMIT_PER_S = 30.0
NUDGE_TEXT = "您好，{name}同志：本季度您还没有参加志愿服务。支部还有这些微心愿等您认领，每季度至少服务一次。"


def _gateway(bot: Any) -> tuple[ChatGateway, str]:
    """The real Telegram gateway if this checkout has it, else a minimal one over PTB's Bot (labelled as such)."""
    try:
        from handlers.telegram.gateway import TelegramGateway
    except ImportError:
        return _MinimalGateway(bot), "minimal gateway over PTB Bot (handlers.telegram.gateway not present)"
    return TelegramGateway(bot), "handlers.telegram.gateway.TelegramGateway"


class _MinimalGateway:
    """send/edit over PTB's Bot, turning 429 into RetryLater; used only when the real gateway is absent."""

    platform = "telegram"
    max_file_bytes = 50_000_000

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def send(self, chat: ChatRef, message: OutgoingMessage) -> str:
        """Send a text message."""
        from telegram.error import RetryAfter

        from bot.ports.chat import RetryLater

        try:
            sent = await self.bot.send_message(chat_id=chat.chat_id, text=message.text)
        except RetryAfter as error:
            retry = error.retry_after
            raise RetryLater(float(retry if isinstance(retry, int | float) else retry.total_seconds())) from error
        return str(sent.message_id)

    async def edit(self, chat: ChatRef, message_id: str, message: OutgoingMessage) -> None:
        """Edit a message's text."""
        await self.bot.edit_message_text(message.text, chat_id=chat.chat_id, message_id=int(message_id))


def _delivery(store: SqlStore, gateway: ChatGateway, per_second: float | None) -> tuple[OutboxDelivery, str]:
    """OutboxDelivery with the platform's pacer when this checkout has one (else the default pacer, else none)."""
    kwargs: dict[str, Any] = {}
    pacing = "none (OutboxDelivery has no limiter in this checkout)"
    if per_second == 0:
        pacing = "none (--per-second=0: OutboxDelivery as handlers.telegram.TelegramPlatform builds it, no limiter)"
    elif "limiter" in inspect.signature(OutboxDelivery.__init__).parameters:
        import handlers.telegram.platform as telegram_platform
        from bot.delivery.pacing import RateLimiter  # type: ignore[import-not-found, unused-ignore]

        platform_pace = getattr(telegram_platform, "telegram_pace", None)
        if per_second is None and platform_pace is not None:
            kwargs["limiter"] = platform_pace()
            pacing = "handlers.telegram.platform.telegram_pace() (the platform's own pacer)"
        elif per_second is None:
            kwargs["limiter"] = RateLimiter()
            pacing = "bot.delivery.pacing.RateLimiter() as shipped (30/s overall, 20/min per group)"
        else:
            kwargs["limiter"] = RateLimiter(per_second=per_second)
            pacing = f"bot.delivery.pacing.RateLimiter(per_second={per_second}) (a variant, not the shipped setting)"
    return OutboxDelivery(store, gateway, SystemClock(), **kwargs), pacing


async def _worker(db_path: Path, base_url: str, token: str, per_second: float | None) -> None:
    """Deliver the outbox until nothing is pending (run as a subprocess so it can be killed)."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    db = await open_database(db_path)
    store = SqlStore(db)
    bot = Bot(token, base_url=base_url, request=HTTPXRequest(connection_pool_size=64))
    await bot.initialize()
    gateway, gateway_label = _gateway(bot)
    delivery, pacing = _delivery(store, gateway, per_second)
    print(json.dumps({"gateway": gateway_label, "pacing": pacing}), flush=True)
    stop = asyncio.Event()
    runner = asyncio.create_task(delivery.run(stop, idle_wait=0.2))
    while True:
        await asyncio.sleep(0.5)
        async with store.unit() as unit:
            if (await unit.outbox.counts()).get("pending", 0) == 0:
                break
    stop.set()
    await runner
    await bot.shutdown()
    await db.close()


async def _enqueue(db_path: Path, member_user_ids: Sequence[tuple[int, int]]) -> float:
    """Record one nudge per member in the outbox in one transaction, as the nudge job does; returns seconds."""
    db = await open_database(db_path)
    store = SqlStore(db)
    clock = SystemClock()
    began = time.perf_counter()
    async with store.unit() as unit:
        for member_id, user_id in member_user_ids:
            await record(
                unit,
                clock.now(),
                key=f"nudge:2026Q4:early:{member_id}",
                kind="nudge",
                chat=ChatRef("telegram", str(user_id)),
                member_id=member_id,
                notice=Text(NUDGE_TEXT.format(name=f"党员{member_id}")),
            )
    elapsed = time.perf_counter() - began
    await db.close()
    return elapsed


def _spawn(db_path: Path, api: FakeBotApi, per_second: float | None) -> subprocess.Popen[str]:
    log = (db_path.parent / "worker.log").open("a")
    worker = ["--worker", "--db", str(db_path), "--base-url", api.base_url, "--token", api.token]
    if per_second is not None:
        worker.append(f"--per-second={per_second}")
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.delivery", *worker],
        cwd=common.ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )


def _sends(api: FakeBotApi) -> list[tuple[float, int]]:
    return [(c.at, int(c.chat_id or 0)) for c in api.calls if c.method == "sendMessage" and c.ok]


def _rate(times: list[float]) -> float:
    """Messages per second between the first and the last of a phase."""
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def run_once(messages: int, kills: int, workdir: Path, per_second: float | None = None) -> dict[str, Any]:
    """Nudge ``messages`` members; kill -9 the deliverer ``kills`` times at even fractions; count the damage."""
    db_path = workdir / "delivery.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    world = seed_branch(db_path, members=messages)
    return asyncio.run(_run(world, db_path, messages, kills, per_second))


async def _run(
    world: BranchWorld, db_path: Path, messages: int, kills: int, per_second: float | None
) -> dict[str, Any]:
    enqueue_seconds = await _enqueue(db_path, list(zip(world.member_ids, world.member_user_ids, strict=True)))
    api = FakeBotApi(limits=FloodLimits())
    for user_id in world.member_user_ids:
        (await api.add_user(user_id, f"党员{user_id}")).started = True
    await api.start()
    phases: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    try:
        marks = [messages * (k + 1) // (kills + 1) for k in range(kills)]
        began = time.monotonic()
        while True:
            proc = _spawn(db_path, api, per_second)
            phase_start = time.monotonic()
            killed = False
            while proc.poll() is None:
                await asyncio.sleep(0.01)
                if marks and len(_sends(api)) >= marks[0]:
                    marks.pop(0)
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
                    break
            await asyncio.to_thread(proc.wait)
            if proc.stdout is not None:
                first = proc.stdout.readline().strip()
                if first:
                    labels = json.loads(first)
                proc.stdout.close()
            phases.append({"start": phase_start, "end": time.monotonic(), "killed": killed, "rc": proc.returncode})
            if not killed:
                break
            if time.monotonic() - began > messages / 10 + 120:
                raise TimeoutError("delivery did not finish")
        total_seconds = time.monotonic() - began
    finally:
        await api.stop()
    sends = _sends(api)
    per_chat = Counter(chat for _, chat in sends)
    expected = set(world.member_user_ids)
    lost = len(expected - set(per_chat))
    duplicated = sum(n - 1 for n in per_chat.values() if n > 1)
    phase_rates = []
    for phase in phases:
        times = [at for at, _ in sends if phase["start"] <= at <= phase["end"]]
        floods = sum(1 for c in api.calls if c.status == 429 and phase["start"] <= c.at <= phase["end"])
        phase_rates.append({"messages": len(times), "rate": _rate(times), "killed": phase["killed"], "429": floods})
    steady = max((p for p in phase_rates), key=lambda p: p["messages"])
    all_times = sorted(at for at, _ in sends)
    return {
        "messages": messages,
        "kills": kills,
        "enqueue_seconds": enqueue_seconds,
        "total_seconds": total_seconds,
        "overall_rate": _rate(all_times),
        "steady_rate": steady["rate"],
        "phases": phase_rates,
        "too_many_requests": api.stats.too_many_requests,
        "calls": api.stats.calls,
        "lost": lost,
        "duplicated": duplicated,
        **labels,
    }


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    runs = result["results"]
    steady = common.median([r["steady_rate"] for r in runs])
    overall = common.median([r["overall_rate"] for r in runs])
    too_many = sum(r["too_many_requests"] for r in runs)
    lost = sum(r["lost"] for r in runs)
    duplicated = sum(r["duplicated"] for r in runs)
    first = runs[0]
    lines = [
        f"{result['messages']:,} nudges (one per at-risk member, private chats), recorded in the outbox in one"
        f" transaction ({first['enqueue_seconds']:.2f} s), delivered by `OutboxDelivery` in a subprocess to the"
        f" sandbox enforcing 30 msg/s overall (and 5 per 5 s per private chat). Gateway: {first.get('gateway')};"
        f" pacing: {first.get('pacing')}. The deliverer is killed with SIGKILL {result['kills']} time(s), at even"
        f" fractions of the messages, and restarted at once; {len(runs)} run(s).",
        "",
        "| figure | value (median over runs) | target |",
        "|---|---:|---|",
        f"| rate in the longest uninterrupted phase | {steady:.2f} msg/s = {100 * steady / LIMIT_PER_S:.1f}% of 30"
        f" | >= 90%: {common.verdict(steady >= 0.9 * LIMIT_PER_S)} |",
        f"| rate first to last message, restarts included | {overall:.2f} msg/s ="
        f" {100 * overall / LIMIT_PER_S:.1f}% of 30 | |",
        f"| 429 answers (all runs) | {too_many} | 0: {common.verdict(too_many == 0)} |",
        f"| lost nudges (all runs) | {lost} | 0: {common.verdict(lost == 0)} |",
        f"| duplicated nudges (all runs) | {duplicated} | 0: {common.verdict(duplicated == 0)} |",
        "",
        "Per run: "
        + "; ".join(
            f"{r['total_seconds']:.0f} s, phases "
            + ", ".join(
                f"{p['messages']} msgs @ {p['rate']:.1f}/s, {p['429']} x 429{' (killed)' if p['killed'] else ''}"
                for p in r["phases"]
            )
            for r in runs
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark (or, with --worker, the deliverer), save results and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--per-second", type=float, help="pace with RateLimiter(per_second=...); 0: no pacer")
    parser.add_argument("--name", default=NAME, help="result name in benchmarks/out/ (for variants)")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/out/<name>.json")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(_worker(Path(args.db), args.base_url, args.token, args.per_second))
        return {}
    workdir = common.scratch_dir(NAME)
    results = [run_once(args.messages, args.kills, workdir, args.per_second) for _ in range(args.runs)]
    flags = [f"--messages={args.messages}", f"--kills={args.kills}", f"--runs={args.runs}"]
    if args.per_second is not None:
        flags.append(f"--per-second={args.per_second}")
    if args.name != NAME:
        flags.append(f"--name={args.name}")
    result: dict[str, Any] = {
        "messages": args.messages,
        "kills": args.kills,
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
