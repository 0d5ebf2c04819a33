"""Emergency reach: how long a call takes to reach every member of a committee, at Telegram's limits and WeCom's.

Both platforms run the bot's own path: the call is started by the use case (its fan-out recorded page by page),
then delivered by the real ``OutboxDelivery`` until the last member's prompt is accepted. Telegram: ``TelegramGateway``
with Telegram's pacing, to the sandbox Bot API enforcing 30 msg/s (and 20 a minute per group, 1 a second per private
chat), which runs on its own event loop in its own thread so its clock sees requests when they arrive, not when the
bot's loop lets it run. WeCom: ``WeComGateway`` to the fake WeCom API over HTTP (answering each call after a set
latency, on its own loop and thread too): identical prompts batched, one card to up to 1,000 members per
``message/send``, and for comparison one call per member (``max_recipients`` = 1, as the bot sent them before); each
against what the call limit alone allows.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
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
CALL_TEXT = "封控小区急需物资配送"


async def _telegram(path: Path, world: BranchWorld) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from telegram import Bot
    from telegram.request import HTTPXRequest

    from handlers.telegram.gateway import TelegramGateway
    from handlers.telegram.platform import telegram_pace
    from tests.fakes import OwnLoop

    own = OwnLoop()
    api = FakeBotApi(limits=FloodLimits())

    async def prepare() -> None:
        people = []
        for user_id in [world.secretary_user_id, *world.member_user_ids]:
            person = await api.add_user(user_id, f"党员{user_id}")
            person.started = True
            people.append(person)
        await api.add_group(world.group_chat_id, "幸福里e支部", people[:1])
        await api.add_group(-100, "南湖区e党委", people[:1])
        await api.start()

    await own.run(prepare())
    db = await open_database(path)
    store = SqlStore(db)
    clock = SystemClock()
    app = UseCases(store, clock, ZoneInfo(ZONE))
    bot = Bot(api.token, base_url=api.base_url, request=HTTPXRequest(connection_pool_size=64))
    await bot.initialize()
    try:
        began = time.monotonic()
        started = await app.start_emergency(
            cmd.StartEmergency(Account("telegram", "1"), ChatRef("telegram", "-100"), CALL_TEXT, by_bot_admin=True)
        )
        recorded = time.monotonic() - began
        delivery = OutboxDelivery(store, TelegramGateway(bot), clock, limiter=telegram_pace())
        stop = asyncio.Event()
        runner = asyncio.create_task(delivery.run(stop, idle_wait=0.2))
        wanted = {str(u) for u in [world.secretary_user_id, *world.member_user_ids]}
        while True:
            await asyncio.sleep(0.2)
            reached = {str(c.chat_id) for c in list(api.calls) if c.method == "sendMessage" and c.ok} & wanted
            if len(reached) == len(wanted):
                break
        total = time.monotonic() - began
        stop.set()
        await runner
        calls = list(api.calls)
        sends = [c for c in calls if c.method == "sendMessage" and c.ok]
        return {
            "members": started.members,
            "record_seconds": recorded,
            "reach_seconds": total,
            "limit_seconds": len(sends) / TELEGRAM_PER_S,
            "messages": len(sends),
            "too_many_requests": sum(1 for c in calls if c.status == 429),
            "fake_server": "its own event loop in its own thread",
        }
    finally:
        await bot.shutdown()
        await db.close()
        await own.run(api.stop())
        own.close()


def _on_wecom(path: Path, world: BranchWorld) -> list[str]:
    """Move the seeded committee onto WeCom: its chats become appchats, its members WeCom users; their ids."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE committees SET chat_platform = 'wecom', chat_id = 'wcc0'")
        conn.execute("UPDATE branches SET chat_platform = 'wecom', chat_id = 'wcb0'")
        conn.execute("UPDATE accounts SET platform = 'wecom', user_id = 'u' || user_id")
    conn.close()
    return [f"u{user_id}" for user_id in [world.secretary_user_id, *world.member_user_ids]]


async def _wecom(path: Path, users: list[str], latency: float, concurrency: int, per_call: int) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from handlers.wecom.api import SlidingWindowLimiter, WeComApi
    from handlers.wecom.gateway import WeComGateway
    from tests.fakes import OwnLoop
    from tests.fakes.wecom_api import FakeMember, FakeWeComApi, _Chat

    own = OwnLoop()
    fake = FakeWeComApi(members={u: FakeMember(u) for u in users}, latency=latency)
    fake.chats["wcb0"] = _Chat("幸福里e支部", users[0], tuple(users[:2]))
    fake.chats["wcc0"] = _Chat("南湖区e党委", users[0], tuple(users[:2]))
    await own.run(fake.start())
    db = await open_database(path)
    store = SqlStore(db)
    clock = SystemClock()
    app = UseCases(store, clock, ZoneInfo(ZONE))
    unlimited = SlidingWindowLimiter(10**9, 60.0)
    api = WeComApi(
        fake.corp_id, fake.secret, fake.agent_id, api_base_url=fake.base_url, max_workers=concurrency,
        user_limiter=unlimited, chat_limiter=unlimited,
    )  # fmt: skip

    async def is_group(chat: ChatRef) -> bool:
        return chat.chat_id in ("wcb0", "wcc0")

    gateway = WeComGateway(api, is_group, clock)
    gateway.max_recipients = per_call  # type: ignore[misc]
    try:
        began = time.monotonic()
        started = await app.start_emergency(
            cmd.StartEmergency(Account("wecom", users[0]), ChatRef("wecom", "wcc0"), CALL_TEXT, by_bot_admin=True)
        )
        recorded = time.monotonic() - began
        delivery = OutboxDelivery(
            store, gateway, clock, pass_size=max(500, per_call), concurrency=max(16, 2 * concurrency)
        )
        stop = asyncio.Event()
        runner = asyncio.create_task(delivery.run(stop, idle_wait=0.2))
        while True:
            await asyncio.sleep(0.05)
            if sum(1 for u in users if fake.inbox.get(u)) == len(users):
                break
        total = time.monotonic() - began
        stop.set()
        await runner
        calls = [p for name, p in list(fake.calls) if name == "message/send"]
        return {
            "members": started.members,
            "per_call": per_call,
            "record_seconds": recorded,
            "reach_seconds": total,
            "calls": len(calls),
            "limit_seconds": len(calls) / (WECOM_CALLS_PER_MIN / 60),
            "reached": sum(1 for u in users if fake.inbox.get(u)),
            "recipients": len(users),
            "cards_per_member_max": max(len(fake.inbox.get(u, [])) for u in users),
        }
    finally:
        await api.aclose()
        await db.close()
        await own.run(fake.stop())
        own.close()


def run(members: int, latency: float, concurrency: int) -> dict[str, Any]:
    """Both platforms at ``members`` members."""
    workdir = common.scratch_dir(NAME)

    def fresh(name: str) -> Path:
        path = workdir / name
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return path

    path = fresh("reach.sqlite3")
    telegram = asyncio.run(_telegram(path, seed_branch(path, members=members)))
    wecom: dict[str, Any] = {"latency": latency, "concurrency": concurrency}
    for mode, per_call in (("batched", WECOM_BATCH), ("per_member", 1)):
        path = fresh(f"reach-wecom-{mode}.sqlite3")
        users = _on_wecom(path, seed_branch(path, members=members))
        wecom[mode] = asyncio.run(_wecom(path, users, latency, concurrency, per_call))
    return {"members": members, "telegram": telegram, "wecom": wecom}


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    tg, wc = result["telegram"], result["wecom"]
    per, batched = wc["per_member"], wc["batched"]
    lines = [
        f"A call to a committee of {result['members']:,} members (one branch group, the committee chat), on each"
        " platform through the bot's own path: the use case records the call (a board per group, a prompt per"
        " member, in pages of 500), then `OutboxDelivery` sends it; the clock runs from the command until the last"
        " member's prompt is accepted. Telegram: `TelegramGateway` with Telegram's pacing, to the sandbox Bot API"
        f" enforcing 30 msg/s, run on {tg.get('fake_server', 'the same event loop')}. WeCom: `WeComGateway` to the"
        f" fake WeCom API over HTTP (its own loop and thread too) answering each call after"
        f" {1000 * wc['latency']:.0f} ms, {wc['concurrency']} calls at a time; the limit assumed is"
        f" {WECOM_CALLS_PER_MIN:,} calls a minute per API (not measured).",
        "",
        "| platform, how | messages or calls | time to reach everyone | the limit alone allows | 429 / missed |",
        "|---|---:|---:|---:|---|",
        f"| Telegram, a board per group and a prompt per member | {tg['messages']:,} |"
        f" {tg['reach_seconds']:.1f} s (recording {tg['record_seconds']:.1f} s) | {tg['limit_seconds']:.1f} s at 30/s ="
        f" {100 * tg['limit_seconds'] / tg['reach_seconds']:.0f}% of it | {tg['too_many_requests']} x 429 |",
        f"| WeCom, identical prompts batched, up to {WECOM_BATCH:,} members a `message/send` (the bot now) |"
        f" {batched['calls']:,} | {batched['reach_seconds']:.1f} s (recording {batched['record_seconds']:.1f} s) |"
        f" {batched['limit_seconds']:.2f} s | {batched['recipients'] - batched['reached']} missed,"
        f" at most {batched['cards_per_member_max']} card a member |",
        f"| WeCom, one `message/send` per member (the bot before) | {per['calls']:,} |"
        f" {per['reach_seconds']:.1f} s (recording {per['record_seconds']:.1f} s) | {per['limit_seconds']:.1f} s |"
        f" {per['recipients'] - per['reached']} missed |",
        "",
        "Telegram's floor is the 30 messages a second: a 10,000-member committee needs five and a half minutes"
        " whatever the bot does, so the call and its prompts go ahead of everything else queued (outbox priority)."
        " On WeCom a prompt that reads the same for many members (same post and grid, language and attempt) goes to"
        " up to 1,000 of them in one call, each still their own outbox entry, marked when WeCom accepted it; the"
        " batched time is then mostly the bot's own work (recording the call, rendering and marking 10,000"
        " entries), not WeCom's limit.",
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
