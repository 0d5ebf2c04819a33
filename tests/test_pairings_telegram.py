"""Telegram end to end: a secretary pairs a member with a household by alias (/pair), the member is reminded before
the visit is due and more firmly once it is overdue (the daily sweep), reports the visit with hours and a photo
(/visit N), the secretary confirms it (/confirmvisit V) and it counts as service; /pairings lists them privately with
the contact the group never sees; pause, handover and end."""

from __future__ import annotations

from bot.domain.model import Account
from bot.scheduler import jobs, run_job
from handlers.sandbox import SandboxMessage, SandboxUser
from tests.conftest import query
from tests.schedule_support import at
from tests.telegram_fixtures import GROUP_ID, SECRETARY_ID, Telegram, api, bot_said, button, eventually, telegram

__all__ = ["api", "telegram"]

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def sweep(tg: Telegram) -> int:
    """The scheduler fires the daily pairing sweep now, waking the deliveries as it does."""
    deps = tg.world.jobs
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "pairings")
    return await run_job(deps, job, tg.world.clock.now(), tg.platform.poke)


def group_texts(tg: Telegram) -> str:
    """Everything the bot said in the branch group."""
    return "\n".join(m.text or m.caption or "" for m in tg.api.bot_messages(GROUP_ID))


async def test_pair_remind_visit_confirm_and_the_group_sees_only_the_alias(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    tg.world.clock.set(at(2026, 12, 31, 9, 0))

    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pair 张伟 王奶奶 每月 联系:13800138000")
    made = await bot_said(tg.api, GROUP_ID, "已建立结对")

    assert "结对 #1" in (made.text or "") and "王奶奶" in (made.text or "") and "2027年1月31日" in (made.text or "")
    told = await bot_said(tg.api, member.id, "支部书记为您安排了结对帮扶")
    assert "王奶奶" in (told.text or "") and "/visit 1" in (told.text or "")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pairings")
    await bot_said(tg.api, GROUP_ID, "已私信发给您。")
    listed = await bot_said(tg.api, SECRETARY_ID, "幸福里e支部的结对")
    assert "13800138000" in (listed.text or "") and "张伟" in (listed.text or "")
    assert "13800138000" not in group_texts(tg)

    tg.world.clock.set(at(2027, 1, 29, 10, 0))
    assert await sweep(tg) == 1
    due = await bot_said(tg.api, member.id, "将于 2027年1月31日 到期")
    assert "还有 2 天" in (due.text or "")
    tg.world.clock.set(at(2027, 2, 1, 10, 0))
    assert await sweep(tg) == 1
    await bot_said(tg.api, member.id, "已逾期 1 天")
    assert await sweep(tg) == 0, "each reminder once per due day"

    asked = await tg.says(member, member.id, "/visit 1")
    assert "走访「王奶奶」的时长" in (asked.text or "")
    await tg.says(member, member.id, "两个小时")
    await tg.api.user_sends(member, member.id, photo=PHOTO)  # type: ignore[call-arg]
    sent = await bot_said(tg.api, member.id, "已报告结对 #1 的走访")
    assert "2027年3月1日" in (sent.text or "")
    review = await bot_said(tg.api, SECRETARY_ID, "结对 #1「王奶奶」走访待确认")
    assert "2 小时" in (review.caption or "") and "/confirmvisit 1" in (review.caption or "")

    confirmed = await tg.says(tg.secretary, SECRETARY_ID, "/confirmvisit 1")

    assert "已确认" in (confirmed.text or "") and "王奶奶" in (confirmed.text or "")
    await bot_said(tg.api, member.id, "已由支部书记确认")
    status = await tg.world.app.my_quarter(Account("telegram", "10", "张伟"))
    assert status.served and status.hours == 2.0
    photo_ref = (await query(tg.world.db, "SELECT photo_ref FROM pairing_visits"))[0]["photo_ref"]
    assert photo_ref, "the photo is kept with the visit"
    assert "13800138000" not in group_texts(tg)


async def test_pause_handover_and_end_by_command_and_who_may_not(telegram: Telegram) -> None:
    tg = telegram
    first, second = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pair 张伟 王奶奶 每周")
    await bot_said(tg.api, GROUP_ID, "已建立结对")

    await tg.api.user_sends(first, GROUP_ID, "/pausepair 1")
    await bot_said(tg.api, GROUP_ID, "只有支部书记")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pausepair 1")
    await bot_said(tg.api, GROUP_ID, "已暂停")
    await bot_said(tg.api, first.id, "暂停期间不再提醒您走访")
    not_now = await tg.says(first, first.id, "/visit 1")
    assert "已暂停或已结束" in (not_now.text or "")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/resumepair 1")
    await bot_said(tg.api, GROUP_ID, "已恢复")

    handed = await tg.says(tg.secretary, GROUP_ID, "/handover 1 李娜")

    assert "已移交给 李娜" in (handed.text or "")
    await bot_said(tg.api, second.id, "已移交给您")
    await bot_said(tg.api, first.id, "已移交给其他同志")
    mine = await tg.says(second, second.id, "/visit")
    assert "王奶奶" in (mine.text or "") and "每周" in (mine.text or "")
    wrong = await tg.says(first, first.id, "/visit 1")
    assert "不由您负责" in (wrong.text or "")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/endpair 1")
    await bot_said(tg.api, GROUP_ID, "已结束")
    await bot_said(tg.api, second.id, "感谢您的长期帮扶")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pair")
    await bot_said(tg.api, GROUP_ID, "/pair 成员姓名 住户别名")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pair 赵六 李爷爷")
    await bot_said(tg.api, GROUP_ID, "没有唯一一位已报到的“赵六”")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pair 张伟 13800138000")
    await bot_said(tg.api, GROUP_ID, "不能含电话号码")


async def visit_reported(tg: Telegram, member: SandboxUser, note: str) -> SandboxMessage:
    """The member reports a visit of pairing 1 with 1.5 hours, a note and a photo; the secretary's review card."""
    await tg.says(member, member.id, "/visit 1")
    await tg.says(member, member.id, "1.5")
    await tg.api.user_sends(member, member.id, note, photo=PHOTO)
    return await bot_said(tg.api, SECRETARY_ID, note)


async def test_the_visit_review_card_shows_the_photo_and_follows_confirm_and_return(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/pair 张伟 王奶奶 每月 联系:13800138000")
    await bot_said(tg.api, GROUP_ID, "已建立结对")

    card = await visit_reported(tg, member, "陪老人聊天")

    assert card.photo, "the visit's photo is the card, its text the caption"
    assert "王奶奶" in (card.caption or "") and "1.5 小时" in (card.caption or "")
    assert "13800138000" not in (card.caption or ""), "the contact never leaves /pairings"
    confirm = button(card, "确认走访")
    answer = await tg.api.user_presses(tg.secretary, card, confirm)
    assert "已确认" in (answer.text or "")
    await eventually(lambda: "走访已确认（王书记）" in (card.caption or "") and not list(card.buttons()), 10.0)
    await bot_said(tg.api, member.id, "已由支部书记确认")
    stale = await tg.api.press_button(tg.secretary, card, confirm, seen=(confirm,))
    assert "已确认过" in ((await stale.wait_answer(5.0)).text or "")

    second = await visit_reported(tg, member, "照片模糊的那次")
    returning = button(second, "退回")
    await tg.api.user_presses(tg.secretary, second, returning)
    await bot_said(tg.api, SECRETARY_ID, "退回走访记录 2 的原因")
    await tg.says(tg.secretary, SECRETARY_ID, "没有看到老人")

    await eventually(
        lambda: "走访已退回（王书记）：没有看到老人" in (second.caption or "") and not list(second.buttons()), 10.0
    )
    told = await bot_said(tg.api, member.id, "被支部书记退回")
    assert "没有看到老人" in (told.text or "") and "/visit 1" in (told.text or "")
    confirm_second = confirm.rsplit(":", 1)[0] + ":2"
    late = await tg.api.press_button(tg.secretary, second, confirm_second, seen=(confirm_second,))
    assert "已被退回" in ((await late.wait_answer(5.0)).text or "")
    status = await tg.world.app.my_quarter(Account("telegram", "10", "张伟"))
    assert status.hours == 1.5, "the returned visit does not count"
    [due] = await query(tg.world.db, "SELECT next_due, last_visit_on FROM pairings")
    [first] = await query(tg.world.db, "SELECT visited_on FROM pairing_visits WHERE id = 1")
    assert due["last_visit_on"] == first["visited_on"], "due again as after the visit that counts"
    still = await tg.says(tg.secretary, SECRETARY_ID, "/confirmvisit 2")
    assert "已被退回" in (still.text or "")
