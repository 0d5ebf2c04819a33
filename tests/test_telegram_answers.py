"""A tap's answer that fails on the way to Telegram is sent again, so the member's button does not spin forever."""

from __future__ import annotations

from bot.usecases import commands as cmd
from bot.usecases import outcomes
from tests.telegram_fixtures import Telegram, api, button, card_of, eventually, telegram

__all__ = ["api", "telegram"]


async def test_a_claim_whose_answer_meets_a_bad_gateway_twice_is_still_answered_once_and_claimed_once(
    telegram: Telegram,
) -> None:
    tg = telegram
    member = await tg.reported(3001, "张伟")
    posted = await tg.world.app.post_wish(cmd.PostWish(tg.world.secretary, tg.world.branch.id, "帮老人买菜 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    tg.platform.adapter.changed()
    await eventually(lambda: any("已认领 0/2" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    card = card_of(tg.api, tg.group, posted.view.wish.id)
    claim = button(card, "认领")

    tg.api.fail_next("answerCallbackQuery", 2)
    press = await tg.api.press_button(member, card, claim, seen=[claim])
    answer = await press.wait_answer(15)

    assert answer.text and "认领成功" in answer.text
    assert tg.api.failing["answerCallbackQuery"] == 0
    answered = [c for c in tg.api.calls if c.method == "answerCallbackQuery"]
    assert [c.status for c in answered] == [502, 502, 200]
    async with tg.world.store.unit() as unit:
        assert await unit.claims.count_active(posted.view.wish.id) == 1
