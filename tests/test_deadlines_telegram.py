"""Telegram end to end: a wish past its deadline refuses claims with the reason, its cards say 已截止 once the deadline
job ran, and the secretary extends it by /extend or by the card's 延长截止 button (and is told what was wrong)."""

from __future__ import annotations

from bot.notices.callbacks import Act, encode
from bot.scheduler import jobs, run_job
from handlers.sandbox import SandboxMessage, SandboxUser
from tests.schedule_support import at
from tests.telegram_fixtures import GROUP_ID, SECRETARY_ID, Telegram, api, bot_said, button, eventually, telegram
from tests.test_telegram_claims_reviews_and_delivery import posted_card

__all__ = ["api", "telegram"]


def labels(message: SandboxMessage) -> list[str]:
    """The labels of the buttons a message shows now."""
    return [str(b.get("text")) for b in message.buttons()]


def shows(message: SandboxMessage, fragment: str) -> bool:
    """Whether the message's text holds ``fragment`` now."""
    return fragment in (message.text or message.caption or "")


async def claimed(tg: Telegram, member: SandboxUser, card: SandboxMessage) -> SandboxMessage:
    """The member claims in the group; the private claim card once it arrived."""
    await tg.api.user_presses(member, card, button(card, "认领"))
    return await bot_said(tg.api, member.id, "您已认领微心愿")


async def deadline_job_runs(tg: Telegram) -> int:
    """The scheduler fires the deadline job now, waking the deliveries as it does."""
    deps = tg.world.jobs
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "deadlines")
    return await run_job(deps, job, tg.world.clock.now(), tg.platform.poke)


async def toast(tg: Telegram, user: SandboxUser, message: SandboxMessage, data: str) -> str:
    """A press on a button the person's client still shows; the bot's answer."""
    record = await tg.api.press_button(user, message, data, seen=(data,))
    return (await record.wait_answer(5.0)).text or ""


async def test_a_tap_past_the_deadline_is_refused_with_the_reason_and_the_card_follows(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)
    claim = button(card, "认领")
    tg.world.clock.set(at(2026, 11, 26, 0, 0))

    answer = await toast(tg, member, card, claim)

    assert "已过截止时间" in answer
    assert (await tg.world.app.wish_view(1)).claimers == ()
    await eventually(lambda: shows(card, "已截止") and labels(card) == ["延长截止", "结束认领"])
    assert not any("您已认领微心愿" in (m.text or "") for m in tg.api.bot_messages(member.id))


async def test_after_the_deadline_job_the_cards_say_expired_and_a_claim_made_can_still_be_reported_done(
    telegram: Telegram,
) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)
    private = await claimed(tg, member, card)
    tg.world.clock.set(at(2026, 11, 26, 0, 5))

    assert await deadline_job_runs(tg) == 1

    await eventually(lambda: shows(card, "⌛ 已截止 · 已认领 1/2") and labels(card) == ["延长截止", "结束认领"])
    await eventually(lambda: shows(private, "已截止") and labels(private) == ["已完成", "放弃"])
    assert await deadline_job_runs(tg) == 0
    await tg.api.user_presses(member, private, button(private, "已完成"))
    await bot_said(tg.api, member.id, "请回复本次服务时长")
    await tg.says(member, member.id, "2小时")
    await tg.api.user_sends(member, member.id, "买好了")
    await bot_said(tg.api, member.id, "等待支部书记确认")


async def test_extend_n_date_gives_the_buttons_back_and_tells_the_claimers(telegram: Telegram) -> None:
    tg = telegram
    first, second = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    card = await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)
    await claimed(tg, first, card)
    tg.world.clock.set(at(2026, 11, 26, 9, 0))
    await deadline_job_runs(tg)
    await eventually(lambda: shows(card, "已截止"))

    answer = await tg.says(tg.secretary, GROUP_ID, "/extend 1 12月5日")

    assert "#1" in (answer.text or "") and "2026年12月5日" in (answer.text or "") and "1 人" in (answer.text or "")
    await eventually(lambda: labels(card) == ["认领", "取消认领"] and shows(card, "截止：2026年12月5日"))
    await bot_said(tg.api, first.id, "截止时间已延长至 2026年12月5日")
    await tg.api.user_presses(second, card, button(card, "认领"))
    await bot_said(tg.api, second.id, "您已认领微心愿 #1")


async def test_the_extend_button_asks_the_secretary_privately_and_others_are_refused(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)
    tg.world.clock.set(at(2026, 11, 26, 9, 0))
    await deadline_job_runs(tg)
    await eventually(lambda: "延长截止" in labels(card))
    in_group = len(tg.api.bot_messages(GROUP_ID))

    refused = await tg.api.user_presses(member, card, button(card, "延长截止"))
    assert refused.text and "只有支部书记" in refused.text

    pressed = await tg.api.user_presses(tg.secretary, card, button(card, "延长截止"))
    assert pressed.text == "请看私聊消息。"
    await bot_said(tg.api, SECRETARY_ID, "请回复微心愿 #1 新的截止时间")
    again = await tg.says(tg.secretary, SECRETARY_ID, "过几天吧")
    assert "没看懂新的截止时间“过几天吧”" in (again.text or "")
    await bot_said(tg.api, SECRETARY_ID, "请再回复一次微心愿 #1 新的截止时间")
    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "12月5日")

    await bot_said(tg.api, SECRETARY_ID, "微心愿 #1 的截止时间已改为 2026年12月5日")
    await eventually(lambda: labels(card) == ["认领", "取消认领"])
    assert len(tg.api.bot_messages(GROUP_ID)) == in_group, "the group sees nothing of the conversation"


async def test_the_manage_card_of_an_expired_wish_offers_extend_close_and_cancel(telegram: Telegram) -> None:
    tg = telegram
    await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)
    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "/manage 1")
    manage = await bot_said(tg.api, SECRETARY_ID, "帮忙买年货")
    await eventually(lambda: labels(manage) == ["结束认领", "取消心愿"])
    tg.world.clock.set(at(2026, 11, 26, 9, 0))

    await deadline_job_runs(tg)

    await eventually(lambda: labels(manage) == ["延长截止", "结束认领", "取消心愿"] and shows(manage, "已截止"))
    await tg.api.user_presses(tg.secretary, manage, button(manage, "延长截止"))
    await bot_said(tg.api, SECRETARY_ID, "请回复微心愿 #1 新的截止时间")
    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "/cancel")
    await bot_said(tg.api, SECRETARY_ID, "已取消。")
    await tg.api.user_presses(tg.secretary, manage, button(manage, "结束认领"))
    await eventually(lambda: not labels(manage) and shows(manage, "已结束认领"))


async def test_bad_extend_commands_each_say_what_is_wrong(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)

    said = {
        text: (await tg.says(tg.secretary, SECRETARY_ID, text)).text or ""
        for text in ("/extend", "/extend 1", "/extend 一 12月5日", "/extend 99 12月5日", "/extend 1 11月1日")
    }
    said["/extend 1 过几天吧"] = (await tg.says(tg.secretary, SECRETARY_ID, "/extend 1 过几天吧")).text or ""
    by_member = (await tg.says(member, member.id, "/extend 1 12月5日")).text or ""

    for usage in ("/extend", "/extend 1", "/extend 一 12月5日"):
        assert said[usage].startswith("用法：/extend 心愿编号 新的截止时间"), said[usage]
    assert said["/extend 99 12月5日"] == "没有找到这条微心愿。"
    assert "“11月1日”已经过去了" in said["/extend 1 11月1日"]
    assert "没看懂新的截止时间“过几天吧”" in said["/extend 1 过几天吧"]
    assert by_member == "只有支部书记可以这样做。"
    assert (await tg.world.app.wish_view(1)).wish.deadline.isoformat() == "2026-11-25"  # type: ignore[union-attr]


async def test_wishes_in_the_group_lists_free_full_and_expired_apart(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await posted_card(tg, "帮忙买年货 名额2", 2)
    full = await posted_card(tg, "帮忙修水管 名额1", 1)
    await posted_card(tg, "陪老人聊天 名额2 截止11月25日", 2)
    await claimed(tg, member, full)
    tg.world.clock.set(at(2026, 11, 26, 9, 0))

    answer = await tg.says(member, GROUP_ID, "/wishes")

    text = answer.text or ""
    assert text.index("待认领（1）") < text.index("帮忙买年货") < text.index("已满（1）") < text.index("帮忙修水管")
    assert text.index("已截止（1）") < text.index("陪老人聊天")


async def test_a_stale_waitlist_button_is_refused_past_the_deadline(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    card = await posted_card(tg, "帮忙买年货 名额2 截止11月25日", 2)
    tg.world.clock.set(at(2026, 11, 26, 9, 0))

    answer = await toast(tg, member, card, encode(Act.WAITLIST, 1))

    assert "已过截止时间" in answer
    assert (await tg.world.app.wish_view(1)).waitlist == ()
