"""Pacing in the running bot: the outbox keeps under Telegram's limits, so a big run meets no 429 at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from bot.delivery.outbox import OutboxDelivery
from bot.delivery.pacing import Budget, RateLimiter
from bot.domain.model import ChatRef
from bot.notices.outbox import Text
from bot.usecases.base import record
from handlers.sandbox import FakeBotApi, FloodLimits, Window
from handlers.telegram import TelegramPlatform
from handlers.telegram.platform import HEADROOM, PER_GROUP, PER_PRIVATE, telegram_pace
from tests.conftest import World
from tests.fakes import OwnLoop
from tests.telegram_fixtures import GROUP_ID, eventually, platform_for
from tests.test_delivery import RecordingGateway

# Telegram's limits with the per-group minute shortened to two seconds, on both sides, so the test stays short.
SANDBOX_LIMITS = FloodLimits(overall=Window(30, 1.0), per_group=Window(20, 2.0), per_private=Window(5, 5.0))
MATCHING_PACE = {"overall": Budget(30, 1.0), "per_group": Budget(20, 2.0), "per_private": Budget(5, 5.0)}


@dataclass
class Flooded:
    """The sandbox with its flood limits on (short windows), on a loop and thread of its own: Telegram counts a
    message when it arrives, and on the bot's loop a stall would stamp a bunch of arrivals at once."""

    api: FakeBotApi
    own: OwnLoop


@pytest.fixture
async def flooded() -> AsyncIterator[Flooded]:
    own = OwnLoop()
    fake = FakeBotApi(limits=SANDBOX_LIMITS)
    await own.run(fake.start())
    yield Flooded(fake, own)
    await own.run(fake.stop())
    own.close()


async def _enqueue(world: World, chat_id: str, key: str, text: str) -> None:
    async with world.store.unit() as unit:
        await record(
            unit,
            world.clock.now(),
            key=key,
            kind="notice",
            chat=ChatRef("telegram", chat_id),
            member_id=None,
            notice=Text(text),
        )


async def test_forty_group_messages_and_a_hundred_private_notices_arrive_without_a_single_429(
    flooded: Flooded, world: World
) -> None:
    api, own = flooded.api, flooded.own
    group = await own.run(api.add_group(GROUP_ID, "幸福里e支部", []))
    people = [await own.run(api.add_user(5000 + i, f"党员{i:03d}")) for i in range(100)]
    for person in people:
        person.started = True
    for i in range(40):
        await _enqueue(world, str(GROUP_ID), f"group:{i}", f"支部通知 {i}")
    for person in people:
        await _enqueue(world, str(person.id), f"private:{person.id}", f"私信提醒 {person.id}")

    base = platform_for(api, world)
    platform = TelegramPlatform(
        base.config, world.app, world.store, world.clock, poll_timeout=1, idle_wait=0.2,
        limiter=telegram_pace(**MATCHING_PACE),
    )  # fmt: skip
    await platform.start()
    try:
        platform.adapter.changed()
        await eventually(lambda: sum("支部通知" in (m.text or "") for m in api.bot_messages(group)) == 40, within=12)
        await eventually(lambda: all(api.bot_messages(p.id) for p in people), within=5)
    finally:
        await platform.stop()

    assert [c for c in api.calls if c.status == 429] == []
    texts = [m.text or "" for m in api.bot_messages(group) if "支部通知" in (m.text or "")]
    assert sorted(texts) == sorted(f"支部通知 {i}" for i in range(40)), "each once"
    assert all(len(api.bot_messages(p.id)) == 1 for p in people)


async def test_the_running_bot_paces_at_telegrams_limits_unless_pace_is_off(world: World) -> None:
    async with FakeBotApi() as api:
        paced = platform_for(api, world)
        unpaced = TelegramPlatform(replace(paced.config, pace=False), world.app, world.store, world.clock)

    assert paced.delivery.limiter is not None
    assert (paced.delivery.limiter.per_group, paced.delivery.limiter.per_private) == (PER_GROUP, PER_PRIVATE)
    assert paced.delivery.limiter.overall == Budget(30, 1.0) and paced.delivery.limiter.headroom == HEADROOM
    assert paced.cards.limiter is paced.delivery.limiter, "card edits spend the same budget"
    assert unpaced.delivery.limiter is None and unpaced.cards.limiter is None


async def test_a_private_chat_gets_about_one_message_a_second_and_a_digest_counts_its_files() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(per_private=Budget(1, 1.0), monotonic=lambda: now[0], sleep=sleep)
    for _ in range(3):
        await limiter.acquire("42")
    assert 1.9 < now[0] < 2.1

    start = now[0]
    for _ in range(7):
        await limiter.acquire("-300", cost=3)  # text, chart and ledger
    assert 2.9 < now[0] - start < 3.1, "six digests fit the burst of 20; the seventh waits for its third token"


async def test_a_group_whose_budget_is_spent_is_paused_without_holding_up_private_chats(world: World) -> None:
    gateway = RecordingGateway()
    limiter = RateLimiter(overall=Budget(30, 1.0), per_group=Budget(2, 60.0), per_private=Budget(1, 1.0))
    delivery = OutboxDelivery(world.store, gateway, world.clock, limiter=limiter)
    async with world.store.unit() as unit:
        for row in await unit.outbox.due("telegram", world.clock.now(), 100):
            await unit.outbox.mark(row.id, "sent", world.clock.now())
    for i in range(5):
        await _enqueue(world, "-300", f"group:{i}", f"通知 {i}")
    for user in ("41", "42", "43"):
        await _enqueue(world, user, f"private:{user}", "提醒")

    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await delivery.deliver_due() == 5
    assert loop.time() - started < 0.5, "nobody sleeps a minute for the group"
    assert gateway.texts_to("-300") == ["通知 0", "通知 1"]
    assert all(gateway.texts_to(user) == ["提醒"] for user in ("41", "42", "43"))
    assert await delivery.deliver_due() == 0, "the group stays paused until its budget refills"


async def test_direct_replies_to_a_crowd_are_paced_too_and_meet_no_429(flooded: Flooded, world: World) -> None:
    api, own = flooded.api, flooded.own
    group = await own.run(api.add_group(GROUP_ID, "幸福里e支部", []))
    people = [await own.run(api.add_user(6000 + i, f"党员{i:03d}")) for i in range(61)]
    for person in people:
        person.started = True
        group.members[person.id] = "member"
    base = platform_for(api, world)
    platform = TelegramPlatform(
        base.config, world.app, world.store, world.clock, poll_timeout=1, idle_wait=0.2,
        limiter=telegram_pace(**MATCHING_PACE),
    )  # fmt: skip
    await platform.start()
    try:

        async def crowd() -> None:
            await asyncio.gather(*(api.user_sends(p, p.id, "/help") for p in people))
            await asyncio.gather(*(api.user_sends(p, group, "/wishes") for p in people[:30]))

        await own.run(crowd())
        await eventually(lambda: all(api.bot_messages(p.id) for p in people), within=20)
        await eventually(lambda: len(api.bot_messages(group)) >= 30, within=20)
    finally:
        await platform.stop()

    assert [c for c in api.calls if c.status == 429] == []
