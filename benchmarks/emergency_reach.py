"""Emergency reach: how long a call takes to reach every member of a committee, at Telegram's limits and WeCom's.

Telegram: the call is started by the use case (its fan-out recorded page by page), then delivered by the real
``OutboxDelivery`` with ``TelegramGateway`` and Telegram's pacing to the sandbox Bot API enforcing 30 msg/s (and
20 a minute per group, 1 a second per private chat); the clock runs until the last member's prompt is accepted.
WeCom: ``message/send`` to the fake WeCom API (with a per-call latency) the way the bot sends prompts today (one
template card per member) and batched (one card to up to 1,000 recipients per call, WeCom's limit), each set
against the time the call limit alone allows.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.populate import BranchWorld, seed_branch
from bot.delivery.outbox import OutboxDelivery
from bot.domain.model import Account, ChatRef
from bot.ports.clock import SystemClock
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, FloodLimits
from storage.sqlite import open_database
from storage.uow import SqlStore

NAME = "emergency_reach"
TELEGRAM_PER_S = 30.0
WECOM_BATCH = 1_000
WECOM_CALLS_PER_MIN = 10_000
"""The assumed frequency limit of one WeCom API per corp (10,000 calls a minute); a parameter, not measured."""
ZONE = "Asia/Shanghai"


async def _telegram(path: Path, world: BranchWorld) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from telegram import Bot
    from telegram.request import HTTPXRequest

    from handlers.telegram.gateway import TelegramGateway
    from handlers.telegram.platform import telegram_pace

    api = FakeBotApi(limits=FloodLimits())
    people = []
    for user_id in [world.secretary_user_id, *world.member_user_ids]:
        person = await api.add_user(user_id, f"党员{user_id}")
        person.started = True
        people.append(person)
    await api.add_group(world.group_chat_id, "幸福里e支部", people[:1])
    await api.add_group(-100, "南湖区e党委", people[:1])
    await api.start()
    db = await open_database(path)
    store = SqlStore(db)
    clock = SystemClock()
    app = UseCases(store, clock, ZoneInfo(ZONE))
    bot = Bot(api.token, base_url=api.base_url, request=HTTPXRequest(connection_pool_size=64))
    await bot.initialize()
    try:
        began = time.monotonic()
        started = await app.start_emergency(
            cmd.StartEmergency(
                Account("telegram", "1"), ChatRef("telegram", "-100"), "封控小区急需物资配送", by_bot_admin=True
            )
        )
        recorded = time.monotonic() - began
        delivery = OutboxDelivery(store, TelegramGateway(bot), clock, limiter=telegram_pace())
        stop = asyncio.Event()
        runner = asyncio.create_task(delivery.run(stop, idle_wait=0.2))
        wanted = {str(u) for u in [world.secretary_user_id, *world.member_user_ids]}
        while True:
            await asyncio.sleep(0.2)
            reached = {str(c.chat_id) for c in api.calls if c.method == "sendMessage" and c.ok} & wanted
            if len(reached) == len(wanted):
                break
        total = time.monotonic() - began
        stop.set()
        await runner
        sends = [c for c in api.calls if c.method == "sendMessage" and c.ok]
        return {
            "members": started.members,
            "record_seconds": recorded,
            "reach_seconds": total,
            "limit_seconds": len(sends) / TELEGRAM_PER_S,
            "messages": len(sends),
            "too_many_requests": sum(1 for c in api.calls if c.status == 429),
        }
    finally:
        await bot.shutdown()
        await db.close()
        await api.stop()


async def _wecom(members: int, latency: float, concurrency: int) -> dict[str, Any]:
    from handlers.wecom.api import SlidingWindowLimiter, WeComApi
    from tests.fakes.wecom_api import FakeMember, FakeWeComApi

    users = [f"m{i:05d}" for i in range(members)]
    card = {
        "card_type": "button_interaction",
        "source": {"desc": "e支部"},
        "main_title": {"title": "应急召集 #1", "desc": "封控小区急需物资配送"},
        "button_list": [{"text": "可到", "style": 1, "key": "1:E:1:y"}, {"text": "不可", "style": 2, "key": "1:E:1:n"}],
    }
    results: dict[str, Any] = {"members": members, "latency": latency, "concurrency": concurrency}
    async with FakeWeComApi(members={u: FakeMember(u) for u in users}, latency=latency) as fake:
        unlimited = SlidingWindowLimiter(10**9, 60.0)
        async with WeComApi(
            fake.corp_id, fake.secret, fake.agent_id, api_base_url=fake.base_url, max_workers=concurrency,
            user_limiter=unlimited, chat_limiter=unlimited,
        ) as api:  # fmt: skip
            gate = asyncio.Semaphore(concurrency)
            task_ids = iter(range(10**9))

            async def send(batch: Sequence[str]) -> None:
                async with gate:
                    await api.send_template_card(list(batch), {**card, "task_id": f"eb{next(task_ids)}"})

            for mode, size in (("per_member", 1), ("batched", WECOM_BATCH)):
                fake.inbox.clear()
                batches = [users[i : i + size] for i in range(0, members, size)]
                began = time.monotonic()
                await asyncio.gather(*(send(batch) for batch in batches))
                seconds = time.monotonic() - began
                results[mode] = {
                    "calls": len(batches),
                    "seconds": seconds,
                    "limit_seconds": len(batches) / (WECOM_CALLS_PER_MIN / 60),
                    "reached": sum(1 for u in users if fake.inbox.get(u)),
                }
    return results


def run(members: int, latency: float, concurrency: int) -> dict[str, Any]:
    """Both platforms at ``members`` members."""
    workdir = common.scratch_dir(NAME)
    path = workdir / "reach.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    telegram = asyncio.run(_telegram(path, seed_branch(path, members=members)))
    wecom = asyncio.run(_wecom(members, latency, concurrency))
    return {"members": members, "telegram": telegram, "wecom": wecom}


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    tg, wc = result["telegram"], result["wecom"]
    per, batched = wc["per_member"], wc["batched"]
    lines = [
        f"A call to a committee of {result['members']:,} members (one branch group, the committee chat). Telegram:"
        " the use case records the call (a board per group, a prompt per member, in pages of 500), then"
        " `OutboxDelivery` with `TelegramGateway` and Telegram's pacing sends it to the sandbox enforcing 30 msg/s."
        f" WeCom: `message/send` of a template card to the fake WeCom API answering each call after"
        f" {1000 * wc['latency']:.0f} ms, {wc['concurrency']} calls at a time; the limit assumed is"
        f" {WECOM_CALLS_PER_MIN:,} calls a minute per API (not measured).",
        "",
        "| platform, how | messages or calls | time to reach everyone | the limit alone allows | 429 / missed |",
        "|---|---:|---:|---:|---|",
        f"| Telegram, a board per group and a prompt per member | {tg['messages']:,} |"
        f" {tg['reach_seconds']:.1f} s (recording {tg['record_seconds']:.1f} s) | {tg['limit_seconds']:.1f} s at 30/s ="
        f" {100 * tg['limit_seconds'] / tg['reach_seconds']:.0f}% of it | {tg['too_many_requests']} x 429 |",
        f"| WeCom, one card per member (what the bot does today) | {per['calls']:,} | {per['seconds']:.1f} s |"
        f" {per['limit_seconds']:.1f} s | {wc['members'] - per['reached']} missed |",
        f"| WeCom, one card per {WECOM_BATCH:,} recipients | {batched['calls']:,} | {batched['seconds']:.2f} s |"
        f" {batched['limit_seconds']:.2f} s | {wc['members'] - batched['reached']} missed |",
        "",
        "Telegram's floor is the 30 messages a second: a 10,000-member committee needs five and a half minutes"
        " whatever the bot does, so the call and its prompts go ahead of everything else queued (outbox priority)."
        " On WeCom one call carries the same card to 1,000 members: the batched row is what sending identical"
        " prompts in batches would take; the bot today sends each member their own card (it names their post).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, save results and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--wecom-latency", type=float, default=0.05, help="seconds the fake WeCom takes per call")
    parser.add_argument("--wecom-concurrency", type=int, default=8)
    parser.add_argument("--name", default=NAME)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.members, args.wecom_latency, args.wecom_concurrency)
    flags = [f"--members={args.members}", f"--wecom-latency={args.wecom_latency}"]
    result["command"] = common.command_line(f"benchmarks.{NAME}", flags)
    if not args.no_save:
        common.save_result(args.name, result)
    print(render(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
