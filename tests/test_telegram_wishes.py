"""Micro-wishes on Telegram end to end: the real bot polls the sandbox Bot API over HTTP, on a real SQLite file."""

from __future__ import annotations

from bot.notices.callbacks import Act, encode
from bot.usecases import commands as cmd
from tests.telegram_fixtures import SECRETARY_ID, Telegram, api, bot_said, button, card_of, eventually, telegram

__all__ = ["api", "telegram"]


async def latest_wish_id(tg: Telegram) -> int:
    views = await tg.world.app.open_wishes(tg.world.branch.id)
    return max(v.wish.id for v in views)


async def test_secretary_posts_a_wish_and_the_group_gets_a_card_with_claim_buttons(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 为独居老人王奶奶安装一键通 名额2 截止12月31日 #居家养老")

    await eventually(lambda: any("已认领 0/2" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    card = card_of(tg.api, tg.group, await latest_wish_id(tg))
    assert "为独居老人王奶奶安装一键通" in (card.text or "") and "居家养老" in (card.text or "")
    assert [b["text"] for b in card.buttons()] == ["认领", "取消认领"]


async def test_a_hash_tag_message_posts_a_wish_too(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.user_sends(tg.secretary, tg.group, "#微心愿 给留守儿童送书包 名额3")

    await eventually(lambda: any("已认领 0/3" in (m.text or "") for m in tg.api.bot_messages(tg.group)))


async def test_unreadable_wish_is_explained_and_kept_then_fixed_by_editing_the_message(telegram: Telegram) -> None:
    tg = telegram
    sent = await tg.api.user_sends(tg.secretary, tg.group, "#微心愿 辅导功课 名额0")
    answer = await bot_said(tg.api, tg.group, "草稿已保存")
    assert "名额" in (answer.text or "")

    await tg.api.user_edits(sent, "#微心愿 辅导功课 名额2")

    await eventually(lambda: any("已认领 0/2" in (m.text or "") for m in tg.api.bot_messages(tg.group)))


async def test_member_claims_gets_private_notice_reports_done_and_secretary_confirms(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额1")
    await eventually(lambda: any("已认领 0/1" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    wish_id = await latest_wish_id(tg)
    card = card_of(tg.api, tg.group, wish_id)

    answer = await tg.api.user_presses(member, card, button(card, "认领"))
    assert answer.text and "认领成功" in answer.text
    await eventually(lambda: "已认领 1/1" in (card.text or "") and "张伟" in (card.text or ""))
    notice = await tg.api.wait_for_bot_message(member.id)
    assert "您已认领微心愿" in (notice.text or "")

    await tg.api.user_presses(member, notice, button(notice, "已完成"))
    asked = await tg.api.wait_for_bot_message(member.id, after=notice)
    assert "时长" in (asked.text or "")
    note_prompt = await tg.says(member, member.id, "2小时")
    done = await tg.says(member, member.id, "老人很满意")
    assert "等待支部书记确认" in (done.text or ""), note_prompt.text

    review = await tg.api.wait_for_bot_message(SECRETARY_ID)
    assert "张伟" in (review.text or "") and "2 小时" in (review.text or "")
    toast = await tg.api.user_presses(tg.secretary, review, button(review, "确认"))
    assert toast.text and "已确认" in toast.text
    await eventually(lambda: "已完成 1/1" in (card.text or ""))
    await eventually(lambda: any("已确认" in (m.text or "") for m in tg.api.bot_messages(member.id)))


async def test_secretary_returns_a_report_with_a_reason_and_the_member_is_told(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙修水管 名额1")
    await eventually(lambda: any("已认领 0/1" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    card = card_of(tg.api, tg.group, await latest_wish_id(tg))
    await tg.api.user_presses(member, card, button(card, "认领"))
    notice = await tg.api.wait_for_bot_message(member.id)
    await tg.api.user_presses(member, notice, button(notice, "已完成"))
    await tg.api.wait_for_bot_message(member.id, after=notice)
    await tg.says(member, member.id, "1.5")
    await tg.says(member, member.id, "/skip")
    review = await tg.api.wait_for_bot_message(SECRETARY_ID)

    await tg.api.user_presses(tg.secretary, review, button(review, "退回"))
    await tg.api.wait_for_bot_message(SECRETARY_ID, after=review)
    await tg.says(tg.secretary, SECRETARY_ID, "请补充照片")

    await eventually(lambda: any("被退回：请补充照片" in (m.text or "") for m in tg.api.bot_messages(member.id)))


async def test_member_who_has_not_reported_in_gets_a_start_link_and_the_claim_follows_report_in(
    telegram: Telegram,
) -> None:
    tg = telegram
    stranger = await tg.person(20, "李娜")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额2")
    await eventually(lambda: any("已认领 0/2" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    wish_id = await latest_wish_id(tg)
    card = card_of(tg.api, tg.group, wish_id)

    answer = await tg.api.user_presses(stranger, card, button(card, "认领"))
    assert answer.url == f"https://t.me/ebranch_bot?start=c{wish_id}"

    start = await tg.api.user_starts_bot(stranger, f"c{wish_id}")
    asked = await tg.api.wait_for_bot_message(stranger.id, after=start)
    assert "姓名" in (asked.text or "")
    await tg.says(stranger, stranger.id, "李娜")
    await tg.says(stranger, stranger.id, "市税务局")
    skills = await tg.says(stranger, stranger.id, "无")
    await tg.api.user_presses(stranger, skills, button(skills, "助学"))
    await eventually(lambda: any(b["text"] == "✅ 助学" for b in skills.buttons()))
    await tg.api.user_presses(stranger, skills, button(skills, "完成 ✔"))
    await eventually(lambda: "服务承诺" in (skills.text or ""))
    posts = await tg.says(stranger, stranger.id, "每周辅导一次功课")
    await tg.api.user_presses(stranger, posts, button(posts, "跳过"))
    await eventually(lambda: "网格或楼栋" in (posts.text or ""))
    summary = await tg.says(stranger, stranger.id, "/skip")
    assert "助学" in (summary.text or "")
    await tg.api.user_presses(stranger, summary, button(summary, "确认报到"))

    await eventually(lambda: "已认领 1/2" in (card.text or "") and "李娜" in (card.text or ""))
    await eventually(
        lambda: any("李娜（市税务局）已到本支部报到" in (m.text or "") for m in tg.api.bot_messages(tg.group))
    )


async def test_full_wish_offers_the_waitlist_and_a_withdrawal_promotes_the_first_waiting(telegram: Telegram) -> None:
    tg = telegram
    first = await tg.reported(10, "张伟")
    second = await tg.reported(11, "李娜")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额1")
    await eventually(lambda: any("已认领 0/1" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    card = card_of(tg.api, tg.group, await latest_wish_id(tg))
    await tg.api.user_presses(first, card, button(card, "认领"))
    await eventually(lambda: any(b["text"] == "候补" for b in card.buttons()))

    waiting = await tg.api.user_presses(second, card, button(card, "候补"))
    assert waiting.text and "第 1 位" in waiting.text
    withdrawn = await tg.api.user_presses(first, card, button(card, "取消认领"))
    assert withdrawn.text and "已取消认领" in withdrawn.text

    await eventually(lambda: "李娜" in (card.text or "") and "张伟" not in (card.text or ""))
    await eventually(lambda: any("候补转为认领" in (m.text or "") for m in tg.api.bot_messages(second.id)))


async def test_old_and_foreign_buttons_are_answered_as_outdated(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    old = await tg.api.user_sends(tg.secretary, tg.group, "/help")
    help_reply = await tg.api.wait_for_bot_message(tg.group, after=old)
    help_reply.reply_markup = {
        "inline_keyboard": [
            [{"text": "旧", "callback_data": "0:c:1"}, {"text": "步骤", "callback_data": encode(Act.SKILL, 1)}]
        ]
    }

    assert (await tg.api.user_presses(member, help_reply, "0:c:1")).text == "这个按钮已过期。"
    assert (await tg.api.user_presses(member, help_reply, encode(Act.SKILL, 1))).text == "这个按钮已过期。"


async def test_a_member_who_never_opened_the_bot_is_mentioned_once_in_the_group(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.person(30, "赵六", started=False)
    await tg.world.member("30", "赵六")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额2")
    await eventually(lambda: any("已认领 0/2" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    card = card_of(tg.api, tg.group, await latest_wish_id(tg))

    await tg.api.user_presses(member, card, button(card, "认领"))

    await eventually(lambda: any("/start" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    assert tg.api.stats.forbidden >= 1


async def test_a_duplicate_update_after_a_restart_changes_nothing(telegram: Telegram) -> None:
    tg = telegram
    sent = await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额1")
    await eventually(lambda: any("已认领 0/1" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    await tg.restart()

    assert tg.api.replay(tg.api.update_id_of(sent)) == 1
    await eventually(lambda: tg.api.updates.pending == 0)
    await tg.world.app.post_wish(cmd.PostWish(tg.world.secretary, tg.world.branch.id, "帮忙修水管 名额1"))
    tg.platform.adapter.changed()
    await eventually(lambda: any("帮忙修水管" in (m.text or "") for m in tg.api.bot_messages(tg.group)))

    assert len(await tg.world.app.open_wishes(tg.world.branch.id)) == 2
