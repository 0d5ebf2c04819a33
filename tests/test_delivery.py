"""The outbox and card sync: recorded before sent, sent once, 429 and 403 survived, cards end on the true state."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import pytest

from bot.delivery.cards import CardSync
from bot.delivery.outbox import OutboxDelivery, fit_files
from bot.delivery.pacing import Budget, RateLimiter
from bot.domain import errors
from bot.domain.model import ChatRef
from bot.ports.chat import Attachment, OutgoingMessage, RecipientUnreachable, RetryLater
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from tests.conftest import World


@dataclass
class RecordingGateway:
    """A chat platform in memory: records sends and edits; can refuse a user (403) or flood-limit a chat (429)."""

    platform: str = "telegram"
    max_file_bytes: int = 50_000_000
    sent: list[tuple[ChatRef, OutgoingMessage]] = field(default_factory=list)
    edits: list[tuple[str, str, OutgoingMessage]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    flood_once: set[str] = field(default_factory=set)

    async def send(self, chat: ChatRef, message: OutgoingMessage) -> str:
        if chat.chat_id in self.blocked:
            raise RecipientUnreachable("Forbidden: bot can't initiate conversation with a user")
        if chat.chat_id in self.flood_once:
            self.flood_once.discard(chat.chat_id)
            raise RetryLater(0.01)
        self.sent.append((chat, message))
        return str(len(self.sent))

    async def edit(self, chat: ChatRef, message_id: str, message: OutgoingMessage) -> None:
        if chat.chat_id in self.flood_once:
            self.flood_once.discard(chat.chat_id)
            raise RetryLater(0.01)
        self.edits.append((chat.chat_id, message_id, message))

    def texts_to(self, chat_id: str) -> list[str]:
        return [m.text for c, m in self.sent if c.chat_id == chat_id]


async def drain(delivery: OutboxDelivery, rounds: int = 20) -> None:
    for _ in range(rounds):
        await delivery.deliver_due()
        await asyncio.sleep(0.02)


async def test_posted_wish_card_is_sent_once_and_remembered_for_edits(world: World) -> None:
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)

    await drain(delivery)
    await drain(delivery)

    cards = [m for c, m in gateway.sent if c.chat_id == "-200" and "微心愿" in m.text]
    assert len(cards) == 1 and "已认领 0/2" in cards[0].text
    async with world.store.unit() as unit:
        assert len(await unit.cards.of_wish(posted.view.wish.id)) == 1


async def test_a_burst_of_claims_is_coalesced_into_few_edits_ending_on_the_final_state(world: World) -> None:
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    sync = CardSync(world.store, gateway, world.clock, interval=0.2)
    members = await world.members(30)
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "核酸检测点维持秩序 名额5"))
    assert isinstance(posted, outcomes.WishPosted)
    await drain(delivery)
    stop = asyncio.Event()
    runner = asyncio.create_task(sync.run(stop, idle_wait=0.05))

    for member in members:
        with contextlib.suppress(errors.WishFull):
            await world.app.claim(cmd.ClaimWish(member, posted.view.wish.id))
        sync.poke()
    await asyncio.sleep(0.6)
    stop.set()
    await runner

    assert 1 <= len(gateway.edits) <= 3
    assert "已认领 5/5 · 已满" in gateway.edits[-1][2].text


async def test_flood_limit_on_one_chat_does_not_lose_the_message_or_stall_others(world: World) -> None:
    gateway = RecordingGateway(flood_once={"-200"})
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    member = await world.member("10", "张伟")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(member, posted.view.wish.id))

    await delivery.deliver_due()
    assert gateway.texts_to("10"), "the private notice went out while the group was flood-limited"
    await drain(delivery)

    assert len([t for t in gateway.texts_to("-200") if "微心愿" in t]) == 1
    async with world.store.unit() as unit:
        assert (await unit.outbox.counts()).get("pending", 0) == 0


async def test_member_who_never_started_the_bot_gets_one_mention_in_the_group(world: World) -> None:
    gateway = RecordingGateway(blocked={"10"})
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    member = await world.member("10", "张伟")
    first = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    second = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙修水管 名额2"))
    assert isinstance(first, outcomes.WishPosted) and isinstance(second, outcomes.WishPosted)

    await world.app.claim(cmd.ClaimWish(member, first.view.wish.id))
    await world.app.claim(cmd.ClaimWish(member, second.view.wish.id))
    await drain(delivery)

    mentions = [t for t in gateway.texts_to("-200") if "/start" in t]
    assert len(mentions) == 1 and "张伟" in mentions[0]
    async with world.store.unit() as unit:
        assert await unit.people.reachable("telegram", "10") is False


async def test_a_restart_resumes_the_outbox_without_repeating_what_was_sent(world: World) -> None:
    gateway = RecordingGateway()
    members = await world.members(5)
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额5"))
    assert isinstance(posted, outcomes.WishPosted)
    for member in members:
        await world.app.claim(cmd.ClaimWish(member, posted.view.wish.id))

    await OutboxDelivery(world.store, gateway, world.clock).deliver_due(limit=3)
    await drain(OutboxDelivery(world.store, gateway, world.clock))

    keys = [(c.chat_id, m.text) for c, m in gateway.sent]
    assert len(keys) == len(set(keys)) == 6 + 1 + 5  # report-in notes, the card, the claim notices


async def test_edits_of_many_cards_in_one_group_stay_within_the_groups_budget_and_end_true(world: World) -> None:
    gateway = RecordingGateway()
    limiter = RateLimiter(overall=Budget(100, 1.0), per_group=Budget(4, 0.5))
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    sync = CardSync(world.store, gateway, world.clock, interval=0.05, limiter=limiter)
    members = await world.members(6)
    wishes = []
    for n in range(6):
        posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, f"帮忙{n}号楼老人买菜 名额6"))
        assert isinstance(posted, outcomes.WishPosted)
        wishes.append(posted.view.wish.id)
    await drain(delivery)
    stop = asyncio.Event()
    runner = asyncio.create_task(sync.run(stop, idle_wait=0.05))
    started = asyncio.get_running_loop().time()

    for member in members:
        for wish_id in wishes:
            await world.app.claim(cmd.ClaimWish(member, wish_id))
        sync.poke()
    while True:
        async with world.store.unit() as unit:
            if not await unit.cards.stale("telegram"):
                break
        await asyncio.sleep(0.05)
    stop.set()
    await runner

    elapsed = asyncio.get_running_loop().time() - started
    assert len(gateway.edits) <= 4 + 8 * elapsed + 1, "edits to one group stayed within 4 per half second"
    finals = {message_id: m.text for _, message_id, m in gateway.edits}
    assert len(finals) == 6 and all("已认领 6/6 · 已满" in text for text in finals.values())


async def test_notices_wait_while_taps_are_queueing_and_go_once_the_platform_is_quiet(world: World) -> None:
    gateway = RecordingGateway()
    busy = True
    delivery = OutboxDelivery(world.store, gateway, world.clock, foreground_busy=lambda: busy)
    member = await world.member("10", "张伟")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(member, posted.view.wish.id))

    passing = asyncio.create_task(delivery.deliver_due())
    await asyncio.sleep(0.3)
    assert not gateway.sent, "nothing is sent while every update slot is taken"
    busy = False
    assert await passing > 0
    assert gateway.texts_to("10"), "the claim notice went out once the taps were answered"


async def test_a_platform_that_stays_saturated_slows_notices_but_cannot_stop_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.delivery.outbox.FOREGROUND_MAX_DEFER", 0.2)
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock, foreground_busy=lambda: True)
    member = await world.member("10", "张伟")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(member, posted.view.wish.id))

    await drain(delivery, rounds=3)

    assert gateway.texts_to("10") and [t for t in gateway.texts_to("-200") if "微心愿" in t]
    async with world.store.unit() as unit:
        assert (await unit.outbox.counts()).get("pending", 0) == 0


def test_files_over_the_platforms_limit_become_notes_and_the_rest_still_goes() -> None:
    chart = Attachment("周报.png", b"\x89PNG" + b"0" * 100, is_image=True)
    ledger = Attachment("台账_南湖区<e>党委.xlsx", b"x" * 3_000_000)
    message = OutgoingMessage("本周简报", attachments=(chart, ledger))

    fitted = fit_files(message, 2_000_000, "zh")

    assert fitted.attachments == (chart,)
    assert fitted.text.startswith("本周简报\n") and "台账_南湖区&lt;e&gt;党委.xlsx" in fitted.text
    assert "3 MB" in fitted.text and "2 MB" in fitted.text
    assert fit_files(message, 5_000_000, "zh") is message
    assert "over this platform's 2 MB limit" in fit_files(message, 2_000_000, "en").text
