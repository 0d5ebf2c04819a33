"""A burst: 300 members tap 认领 on a 5-slot wish within one second, over real HTTP against the sandbox."""

from __future__ import annotations

import asyncio
from functools import partial

from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.sandbox import SandboxUser
from tests.telegram_fixtures import Telegram, api, button, card_of, eventually, platform_for, telegram

__all__ = ["api", "telegram"]


async def test_three_hundred_taps_on_a_five_slot_wish_end_with_exactly_five_claims(telegram: Telegram) -> None:
    """The members report in while the bot is down, so their announcements cannot use up the group's send budget
    (20 a minute) before the card is posted."""
    tg = telegram
    await tg.platform.stop()
    members: list[SandboxUser] = []
    for i in range(300):
        members.append(await tg.person(1000 + i, f"党员{i:03d}"))
        await tg.world.member(str(1000 + i), f"党员{i:03d}")
    async with tg.world.store.unit() as unit:
        for row in await unit.outbox.due("telegram", tg.world.clock.now(), 1000):
            await unit.outbox.mark(row.id, "sent", tg.world.clock.now())
    tg.platform = platform_for(tg.api, tg.world)
    await tg.platform.start()
    posted = await tg.world.app.post_wish(
        cmd.PostWish(tg.world.secretary, tg.world.branch.id, "核酸检测点维持秩序 名额5")
    )
    assert isinstance(posted, outcomes.WishPosted)
    tg.platform.adapter.changed()
    await eventually(lambda: any("已认领 0/5" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    card = card_of(tg.api, tg.group, posted.view.wish.id)
    claim = button(card, "认领")

    presses = []
    for member in members:
        presses.append(await tg.api.press_button(member, card, claim, seen=[claim]))
        await asyncio.sleep(1 / 300)
    answers = await asyncio.gather(*(p.wait_answer(15) for p in presses))

    assert len(answers) == 300
    assert sum(1 for a in answers if a.text and "认领成功" in a.text) == 5
    async with tg.world.store.unit() as unit:
        assert await unit.claims.count_active(posted.view.wish.id) == 5
    await eventually(lambda: "已认领 5/5" in (card.text or ""), within=10)
    assert card.edit_count <= 10
    assert [b["text"] for b in card.buttons()] == ["候补", "取消认领"]
    winners = [m for m, a in zip(members, answers, strict=True) if a.text and "认领成功" in a.text]
    for winner in winners:
        await eventually(partial(_has_private_message, tg, winner.id))
    assert tg.api.unretried_flood_errors() == []


def _has_private_message(tg: Telegram, user_id: int) -> bool:
    return bool(tg.api.bot_messages(user_id))
