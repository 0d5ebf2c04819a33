"""Outbox entries are taken on a lease: two deliverers at once send each entry once, a dead deliverer's entries are
sent by another after its lease ends, and an entry another deliverer took is never sent by the first as well."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery.outbox import OutboxDelivery
from bot.domain.model import ChatRef
from bot.notices.outbox import Text
from bot.ports.chat import OutgoingMessage
from bot.usecases.base import record
from tests.conftest import World
from tests.test_delivery import RecordingGateway


async def _enqueue(world: World, count: int) -> None:
    """``count`` notices to as many people, after the world's own (its report-in note) went out."""
    now = world.clock.now()
    async with world.store.unit() as unit:
        for row in await unit.outbox.due("telegram", now, 100):
            await unit.outbox.mark(row.id, "sent", now)
        for i in range(count):
            await record(
                unit, now, key=f"lease:{i}", kind="notice", chat=ChatRef("telegram", str(5000 + i)),
                member_id=None, notice=Text(f"第{i}条"),
            )  # fmt: skip


def _texts(gateway: RecordingGateway) -> list[str]:
    return [message.text for _, message in gateway.sent]


class SlowGateway(RecordingGateway):
    """A platform that takes a moment per send, so two deliverers overlap."""

    async def send(self, chat: ChatRef, message: OutgoingMessage) -> str:
        await asyncio.sleep(0.002)
        return await super().send(chat, message)


async def test_two_deliverers_at_once_send_every_entry_exactly_once(world: World) -> None:
    await _enqueue(world, 300)
    first, second = SlowGateway(), SlowGateway()
    a = OutboxDelivery(world.store, first, world.clock, alone=False)
    b = OutboxDelivery(world.store, second, world.clock, alone=False)

    while sum(await asyncio.gather(a.deliver_due(limit=40), b.deliver_due(limit=40))):
        pass

    sent = _texts(first) + _texts(second)
    assert sorted(sent) == sorted(f"第{i}条" for i in range(300))
    assert _texts(first) and _texts(second), "both took a share"


async def test_a_dead_deliverers_entries_wait_for_its_lease_then_go_once(world: World) -> None:
    await _enqueue(world, 5)
    async with world.store.unit() as unit:
        taken = await unit.outbox.due("telegram", world.clock.now(), 100, owner="dead:1")
    assert len(taken) == 5
    gateway = RecordingGateway()
    survivor = OutboxDelivery(world.store, gateway, world.clock, alone=False)

    assert await survivor.deliver_due() == 0, "the dead one's lease still holds"
    world.clock.advance(timedelta(seconds=16))
    assert await survivor.deliver_due() == 5
    assert await survivor.deliver_due() == 0
    assert sorted(_texts(gateway)) == sorted(f"第{i}条" for i in range(5))


async def test_an_entry_taken_over_after_its_lease_ran_out_is_not_sent_by_its_first_holder(world: World) -> None:
    await _enqueue(world, 1)
    async with world.store.unit() as unit:
        [mine] = await unit.outbox.due("telegram", world.clock.now(), 1, owner="slow:1")
    world.clock.advance(timedelta(seconds=16))
    async with world.store.unit() as unit:
        [theirs] = await unit.outbox.due("telegram", world.clock.now(), 1, owner="new:2")
        assert theirs.id == mine.id
        assert not await unit.outbox.renew(mine.id, "slow:1", world.clock.now())
        assert await unit.outbox.renew(theirs.id, "new:2", world.clock.now())


async def test_a_single_process_restarting_takes_back_what_it_held_before(world: World) -> None:
    await _enqueue(world, 3)
    async with world.store.unit() as unit:
        await unit.outbox.due("telegram", world.clock.now(), 100, owner="before-restart")
    gateway = RecordingGateway()
    restarted = OutboxDelivery(world.store, gateway, world.clock)

    assert await restarted.deliver_due() == 3
    assert sorted(_texts(gateway)) == ["第0条", "第1条", "第2条"]


async def test_a_batch_key_is_kept_by_its_holder_and_a_retry_takes_the_whole_batch(world: World) -> None:
    await _enqueue(world, 4)
    now = world.clock.now()
    async with world.store.unit() as unit:
        taken = await unit.outbox.due("telegram", now, 100, owner="a")
        ids = [row.id for row in taken]
        assert await unit.outbox.hold_batch(ids[:3], "b", now, "k1") == []  # not b's to hold
        assert await unit.outbox.hold_batch(ids[:3], "a", now, "k1") == sorted(ids[:3])
        await unit.outbox.release(ids, "a")
    async with world.store.unit() as unit:
        again = await unit.outbox.due("telegram", now, 1, owner="c")  # a later pass takes one of the batch...
        assert [row.batch for row in again] == ["k1"]
        rest = await unit.outbox.batch_rows("k1", "c", now)  # ...and the retry takes the batch's others too
        assert [row.id for row in rest] == sorted(ids[:3]) and {row.batch for row in rest} == {"k1"}
        assert await unit.outbox.batch_rows("k1", "d", now) == []  # held by c now
        assert await unit.outbox.hold_batch(ids[:3], "c", now, None) == sorted(ids[:3])
        assert await unit.outbox.batch_rows("k1", "c", now) == []  # the key dropped
