"""Telegram end to end: every private card follows its claim, loses its buttons once they no longer apply, and an
old button pressed anyway says exactly why."""

from __future__ import annotations

from bot.notices.callbacks import Act, encode
from handlers.sandbox import SandboxMessage, SandboxUser
from tests.telegram_fixtures import GROUP_ID, SECRETARY_ID, Telegram, api, bot_said, button, eventually, telegram
from tests.test_telegram_claims_reviews_and_delivery import posted_card, review_request

__all__ = ["api", "telegram"]


def labels(message: SandboxMessage) -> list[str]:
    """The labels of the buttons a message shows now."""
    return [str(b.get("text")) for b in message.buttons()]


def shows(message: SandboxMessage, fragment: str) -> bool:
    """Whether the message's text (or caption) holds ``fragment`` now."""
    return fragment in (message.text or message.caption or "")


async def claimed(tg: Telegram, member: SandboxUser, card: SandboxMessage) -> SandboxMessage:
    """The member claims in the group; the private claim card once it arrived."""
    await tg.api.user_presses(member, card, button(card, "认领"))
    return await bot_said(tg.api, member.id, "您已认领微心愿")


def button_data(message: SandboxMessage, label: str, wish_id: int) -> str:
    """The data a card's button with this label carried (the card may no longer show it)."""
    acts = {"认领": Act.CLAIM, "候补": Act.WAITLIST, "取消认领": Act.WITHDRAW}
    assert message is not None
    return encode(acts[label], wish_id)


async def press_old(tg: Telegram, member: SandboxUser, message: SandboxMessage, data: str) -> str:
    """A press on a button the client still showed before the card changed; the toast."""
    record = await tg.api.press_button(member, message, data, seen=(data,))
    answer = await record.wait_answer(5.0)
    return answer.text or ""


async def test_withdrawing_in_the_group_ends_the_private_card_and_its_old_done_button_says_why(
    telegram: Telegram,
) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    private = await claimed(tg, member, card)
    assert labels(private) == ["已完成", "放弃"]
    done = button(private, "已完成")

    await tg.api.user_presses(member, card, button(card, "取消认领"))

    await eventually(lambda: not labels(private) and shows(private, "已取消认领"))
    toast = await press_old(tg, member, private, done)
    assert "已取消认领" in toast and "当前状态" not in toast
    assert not any("请回复本次服务时长" in (m.text or "") for m in tg.api.bot_messages(member.id))


async def test_giving_up_on_the_private_card_ends_it(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    private = await claimed(tg, member, card)
    done, give_up = button(private, "已完成"), button(private, "放弃")

    await tg.api.user_presses(member, private, give_up)

    await eventually(lambda: not labels(private) and shows(private, "已放弃"))
    assert "已放弃" in await press_old(tg, member, private, done)
    assert "已放弃" in await press_old(tg, member, private, give_up)
    await eventually(lambda: shows(card, "已认领 0/1"))


async def test_a_claim_released_by_the_daily_job_ends_its_card(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙修水管 名额1 截止12月1日", 1)
    private = await claimed(tg, member, card)
    done = button(private, "已完成")
    async with tg.world.store.unit() as unit:
        claim = (await unit.claims.of_wish(1))[0]

    assert await tg.world.app.release_stale_claim(claim.id, 3) == 1
    tg.platform.poke()

    await eventually(lambda: not labels(private) and shows(private, "已被释放"))
    assert "已被释放" in await press_old(tg, member, private, done)


async def test_promotion_from_the_waitlist_sends_a_live_card_and_ends_the_old_one(telegram: Telegram) -> None:
    tg = telegram
    first, second = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    private = await claimed(tg, first, card)
    await eventually(lambda: "候补" in labels(card))
    await tg.api.user_presses(second, card, button(card, "候补"))

    await tg.api.user_presses(first, private, button(private, "放弃"))

    promoted = await bot_said(tg.api, second.id, "从候补转为认领")
    assert labels(promoted) == ["已完成", "放弃"]
    await eventually(lambda: not labels(private))
    await tg.api.user_presses(second, card, button(card, "取消认领"))
    await eventually(lambda: not labels(promoted) and shows(promoted, "已取消认领"))


async def test_reporting_done_leaves_the_card_waiting_for_confirmation_without_buttons(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    await review_request(tg, card, 10, "买好了", None)
    private = next(m for m in tg.api.bot_messages(member.id) if shows(m, "您已认领微心愿"))
    async with tg.world.store.unit() as unit:
        done = encode(Act.DONE, (await unit.claims.of_wish(1))[0].id)

    await eventually(lambda: not labels(private) and shows(private, "待确认"))
    assert "等待书记确认" in await press_old(tg, member, private, done)


async def test_returning_ends_the_review_card_and_its_old_confirm_says_returned(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    review = await review_request(tg, card, 10, "买好了", None)
    confirm = button(review, "确认")

    answer = await tg.api.user_presses(tg.secretary, review, button(review, "退回"))
    assert answer.text != "请看私聊消息。"
    await tg.says(tg.secretary, SECRETARY_ID, "缺少签字")

    await eventually(lambda: not labels(review) and shows(review, "已退回"))
    toast = await press_old(tg, tg.secretary, review, confirm)
    assert "已退回" in toast and "当前状态" not in toast
    returned = await bot_said(tg.api, member.id, "缺少签字")
    assert labels(returned) == ["已完成", "放弃"]


async def test_confirming_and_rating_follow_on_the_review_and_the_claim_card(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    review = await review_request(tg, card, 10, "买好了", None)
    private = next(m for m in tg.api.bot_messages(member.id) if shows(m, "您已认领微心愿"))
    confirm = button(review, "确认")

    await tg.api.user_presses(tg.secretary, review, confirm)

    await eventually(lambda: shows(review, "已确认") and labels(review) == ["★", "★★", "★★★", "★★★★", "★★★★★"])
    await eventually(lambda: shows(private, "已确认") and not labels(private))
    await tg.api.user_presses(tg.secretary, review, button(review, "★★★"))
    await eventually(lambda: shows(review, "已确认 ★★★") and not labels(review))
    assert "已确认" in await press_old(tg, tg.secretary, review, confirm)


async def test_done_pressed_in_the_private_chat_is_asked_there(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    private = await claimed(tg, member, card)

    answer = await tg.api.user_presses(member, private, button(private, "已完成"))

    assert answer.text != "请看私聊消息。"
    await bot_said(tg.api, member.id, "请回复本次服务时长")
    assert not any("请回复本次服务时长" in (m.text or "") for m in tg.api.bot_messages(GROUP_ID))


async def test_cancel_n_ends_every_card_and_tells_everyone_who_claimed(telegram: Telegram) -> None:
    tg = telegram
    first, second, third = await tg.reported(10, "张伟"), await tg.reported(11, "李娜"), await tg.reported(12, "王芳")
    card = await posted_card(tg, "帮忙买年货 名额2", 2)
    private = await claimed(tg, first, card)
    await review_request(tg, card, 11, "买好了", None)
    await eventually(lambda: "候补" in labels(card))
    await tg.api.user_presses(third, card, button(card, "候补"))
    done = button(private, "已完成")

    answer = await tg.says(tg.secretary, SECRETARY_ID, "/cancel 1")

    assert "已取消微心愿 #1" in (answer.text or "") and "3 人" in (answer.text or "")
    await eventually(lambda: shows(card, "已取消") and not labels(card))
    await eventually(lambda: shows(private, "已取消") and not labels(private))
    for person in (first, second, third):
        await bot_said(tg.api, person.id, "已被支部书记取消")
    assert "已取消" in await press_old(tg, first, private, done)
    assert "已取消" in await press_old(tg, third, card, button_data(card, "认领", 1))


async def test_plain_cancel_still_leaves_the_conversation_step(telegram: Telegram) -> None:
    tg = telegram
    answer = await tg.says(tg.secretary, SECRETARY_ID, "/cancel")
    assert answer.text == "已取消。"


async def test_close_n_ends_claiming_and_claims_made_can_still_be_reported(telegram: Telegram) -> None:
    tg = telegram
    first, second = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    card = await posted_card(tg, "帮忙买年货 名额1", 1)
    private = await claimed(tg, first, card)
    await eventually(lambda: "候补" in labels(card))
    await tg.api.user_presses(second, card, button(card, "候补"))

    answer = await tg.says(tg.secretary, SECRETARY_ID, "/close 1")

    assert "已结束认领" in (answer.text or "")
    await eventually(lambda: shows(card, "已结束") and not labels(card))
    await bot_said(tg.api, first.id, "结束认领。您的认领仍有效")
    await bot_said(tg.api, second.id, "候补名单已清空")
    assert "已结束" in await press_old(tg, second, card, button_data(card, "认领", 1))
    await eventually(lambda: labels(private) == ["已完成", "放弃"])
    await tg.api.user_presses(first, private, button(private, "已完成"))
    await bot_said(tg.api, first.id, "请回复本次服务时长")


async def test_the_secretarys_manage_card_ends_the_wish_and_follows_it(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额2", 2)
    private = await claimed(tg, member, card)
    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "/manage 1")
    manage = await bot_said(tg.api, SECRETARY_ID, "帮忙买年货")
    await eventually(lambda: labels(manage) == ["结束认领", "取消心愿"])
    close = button(manage, "结束认领")

    answer = await tg.api.user_presses(tg.secretary, manage, button(manage, "取消心愿"))

    assert answer.text and "已取消微心愿 #1" in answer.text
    await eventually(lambda: not labels(manage) and shows(manage, "已取消"))
    await eventually(lambda: not labels(card) and not labels(private))
    await bot_said(tg.api, member.id, "已被支部书记取消")
    assert "已取消" in await press_old(tg, tg.secretary, manage, close)
