"""Telegram end to end: an emergency call from the committee chat is pinned in the branch group with a live board,
every member is prompted privately (可到 / 稍后可到 / 不可), non-responders are prompted again, /headcount shows the
board, and /emergency end removes the buttons and sends the committee its summary."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import Account
from bot.notices.outbox import EmergencyUnanswered, decode
from bot.scheduler import jobs, run_job
from handlers.sandbox import SandboxMessage
from tests.conftest import query
from tests.telegram_fixtures import (
    ADMIN_ID,
    GROUP_ID,
    SECRETARY_ID,
    Telegram,
    api,
    bot_said,
    button,
    eventually,
    telegram,
)

__all__ = ["api", "telegram"]
COMMITTEE_ID = -100


def labels(message: SandboxMessage) -> list[str]:
    """The labels of the buttons a message shows now."""
    return [str(b.get("text")) for b in message.buttons()]


async def emergency_job_runs(tg: Telegram, after: timedelta) -> int:
    """The scheduler fires the emergency job ``after`` the call, waking the deliveries."""
    deps = tg.world.jobs
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "emergencies")
    return await run_job(deps, job, tg.world.clock.now() + after, tg.platform.poke)


async def test_call_answers_reprompt_board_headcount_end_and_summary(telegram: Telegram) -> None:
    tg = telegram
    first, second = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    tg.group.bot_status = "administrator"
    committee = await tg.api.add_group(COMMITTEE_ID, "南湖区e党委", [tg.admin])
    posted = await tg.says(first, first.id, "/post 物资配送 一网格")
    assert "应急岗位已记录：物资配送；网格 / 楼栋：一网格" in (posted.text or "")

    started = await tg.says(tg.admin, committee, "/emergency 封控小区急需物资配送")

    assert "已发起应急召集 #1：1 个支部群、3 名党员" in (started.text or "")
    board = await bot_said(tg.api, GROUP_ID, "🚨 应急召集 #1")
    assert "封控小区急需物资配送" in (board.text or "")
    await eventually(lambda: tg.group.pinned == [board.message_id])
    committee_board = await bot_said(tg.api, COMMITTEE_ID, "🚨 应急召集 #1")
    assert "南湖区e党委全体党员" in (committee_board.text or "")
    prompt = await bot_said(tg.api, first.id, "请问您能否到岗")
    assert "物资配送" in (prompt.text or "") and labels(prompt) == ["可到", "稍后可到", "不可"]
    other = await bot_said(tg.api, second.id, "请问您能否到岗")

    answered = await tg.api.user_presses(first, prompt, button(prompt, "可到"))

    assert answered.text and "已记录：可到" in answered.text
    await eventually(lambda: "✅ 可到 1 · 🕒 稍后可到 0 · ❌ 不可 0 · ⏳ 未回复 2" in (board.text or ""))
    await eventually(lambda: "物资配送：可到 1" in (committee_board.text or ""))
    note = await tg.says(first, first.id, "30分钟后到")
    assert "备注已记录" in (note.text or "")

    await tg.api.user_sends(tg.secretary, GROUP_ID, "#微心愿 物资配送 名额2 8:00-12:00")
    task = await bot_said(tg.api, first.id, "应急 · 微心愿 #1")
    assert "8:00-12:00" in (task.text or "") and "认领" in labels(task)
    assert not any("微心愿 #1" in (m.text or "") for m in tg.api.bot_messages(second.id))
    await tg.api.user_presses(first, task, button(task, "认领"))
    await bot_said(tg.api, first.id, "您已认领微心愿 #1")

    assert await emergency_job_runs(tg, timedelta(minutes=10)) == 2
    again = await bot_said(tg.api, second.id, "第 2 次提醒")
    assert labels(again) == ["可到", "稍后可到", "不可"]
    assert not any("第 2 次提醒" in (m.text or "") for m in tg.api.bot_messages(first.id))

    shown = await tg.says(tg.secretary, GROUP_ID, "/headcount")
    assert "⏳ 未回复 2" in (shown.text or "")
    names = await bot_said(tg.api, SECRETARY_ID, "尚未回复 2 人")
    assert "李娜" in (names.text or "") and "张伟" not in (names.text or "")

    ended = await tg.says(tg.admin, committee, "/应急结束")

    assert "应急召集 #1 已结束" in (ended.text or "")
    summary = await bot_said(tg.api, COMMITTEE_ID, "应急召集 #1 总结")
    assert "召集 3 人，私聊送达 3 人，回复 1 人（33%）" in (summary.text or summary.caption or "")
    assert "应急任务：发布 1，认领 1，完成 0" in (summary.text or summary.caption or "")

    def ledger_sent() -> bool:
        files = [m.document for m in tg.api.bot_messages(COMMITTEE_ID) if m.document is not None]
        return any((f.file_name or "").startswith("应急台账_1_") for f in files)

    await eventually(ledger_sent)
    await eventually(lambda: labels(other) == [] and labels(again) == [] and labels(prompt) == [])
    assert "本次应急召集已结束" in (other.text or "")
    await eventually(lambda: "本次召集已结束" in (board.text or ""))
    late = await tg.api.press_button(second, other, button_data(again), seen=(button_data(again),))
    assert "已结束" in ((await late.wait_answer(5.0)).text or "")
    assert not any("请问您能否到岗" in (m.text or "") for m in tg.api.bot_messages(ADMIN_ID))


async def test_a_drill_from_the_branch_group_by_its_secretary_is_marked_and_reaches_only_that_branch(
    telegram: Telegram,
) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")

    await tg.api.user_sends(tg.secretary, GROUP_ID, "/应急 演练 防汛应急演练")

    await bot_said(tg.api, GROUP_ID, "已发起应急演练 #1：1 个支部群、2 名党员")
    board = await bot_said(tg.api, GROUP_ID, "🧪 应急演练 #1")
    assert "范围：幸福里e支部" in (board.text or "")
    prompt = await bot_said(tg.api, member.id, "应急演练 #1")
    await tg.api.user_presses(member, prompt, button(prompt, "稍后可到"))
    await eventually(lambda: "🕒 稍后可到 1" in (board.text or ""))
    await tg.api.user_sends(member, GROUP_ID, "/emergency end")
    await bot_said(tg.api, GROUP_ID, "只有支部书记")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/emergency end")
    await bot_said(tg.api, GROUP_ID, "应急演练 #1 已结束")
    await bot_said(tg.api, GROUP_ID, "应急演练 #1 总结")


def button_data(message: SandboxMessage) -> str:
    """The callback data of a prompt's first button, as the member's client kept it."""
    return "1:E:1:y"


async def test_report_in_asks_the_emergency_post_with_buttons_and_where_one_can_serve(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.person(20, "李娜")
    await tg.api.user_starts_bot(member, f"j{tg.world.branch.id}")
    await bot_said(tg.api, member.id, "姓名")
    for answer in ("李娜", "市教育局"):
        await tg.says(member, member.id, answer)
    skills = await tg.says(member, member.id, "第二党支部")
    await tg.api.user_presses(member, skills, button(skills, "完成 ✔"))
    posts = await tg.says(member, member.id, "每月辅导功课一次")
    assert "战时应急岗位" in (posts.text or "") and posts.reply_markup is not None
    assert [[str(b["text"]) for b in row] for row in posts.reply_markup["inline_keyboard"]] == [
        ["物资配送", "秩序维护"],
        ["环境消杀", "治安巡逻"],
        ["医疗救护", "信息联络"],
        ["跳过"],
    ]

    await tg.api.user_presses(member, posts, button(posts, "医疗救护"))

    await eventually(lambda: "网格或楼栋" in (posts.text or "") and labels(posts) == [])
    summary = await tg.says(member, member.id, "3号楼")
    assert "战时应急岗位：医疗救护" in (summary.text or "") and "网格 / 楼栋：3号楼" in (summary.text or "")
    await tg.api.user_presses(member, summary, button(summary, "确认报到"))
    await eventually(lambda: "您已到「幸福里e支部」报到" in (summary.text or ""))
    assert "/post" not in (summary.text or "")
    shown = await tg.says(member, member.id, "/me")
    assert "应急岗位：医疗救护；网格 / 楼栋：3号楼" in (shown.text or "")


async def test_a_member_answers_and_changes_the_answer_by_text_in_the_private_chat(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    tg.group.bot_status = "administrator"
    await tg.api.add_group(COMMITTEE_ID, "南湖区e党委", [tg.admin])
    await tg.says(tg.admin, COMMITTEE_ID, "/emergency 封控小区急需物资配送")
    board = await bot_said(tg.api, GROUP_ID, "🚨 应急召集 #1")
    prompt = await bot_said(tg.api, member.id, "请问您能否到岗")
    assert "直接回复“可到”“稍后可到”“不可”" in (prompt.text or "")

    refused = await tg.says(member, member.id, "不可 在外地出差")

    assert "已记录您对应急召集 #1 的回复：不可" in (refused.text or "") and "备注：在外地出差" in (refused.text or "")
    await eventually(lambda: "❌ 不可 1" in (board.text or ""))
    changed = await tg.says(member, member.id, "/answer 可到")
    assert "回复：可到" in (changed.text or "")
    await eventually(lambda: "✅ 可到 1 · 🕒 稍后可到 0 · ❌ 不可 0" in (board.text or ""))
    usage = await tg.says(member, member.id, "/answer 也许吧")
    assert "发送“可到”“稍后可到”或“不可”" in (usage.text or "")
    member_id = (await tg.world.get_member(Account("telegram", "10"))).id
    rows = await query(tg.world.db, "SELECT answer, note FROM emergency_calls WHERE member_id = ?", (member_id,))
    assert [tuple(r) for r in rows] == [("yes", "在外地出差")]

    await tg.says(tg.admin, COMMITTEE_ID, "/emergency end")
    after = await tg.says(member, member.id, "可到")
    assert "已记录" not in (after.text or "") and "/join" in (after.text or "")
    late = await tg.says(member, member.id, "/answer 可到")
    assert "没有正在进行的应急召集" in (late.text or "")


async def test_a_secretary_ending_a_committee_call_in_the_group_is_told_who_can_end_it(telegram: Telegram) -> None:
    tg = telegram
    await tg.reported(10, "张伟")
    await tg.api.add_group(COMMITTEE_ID, "南湖区e党委", [tg.admin])
    await tg.says(tg.admin, COMMITTEE_ID, "/应急 暴雨，请到岗")
    board = await bot_said(tg.api, GROUP_ID, "🚨 应急召集 #1")

    await tg.api.user_sends(tg.secretary, GROUP_ID, "/emergency end")

    await bot_said(tg.api, GROUP_ID, "应急召集 #1 是「南湖区e党委」发起的全体召集，只能由党委管理员结束")
    assert "本次召集已结束" not in (board.text or "")
    ended = await tg.says(tg.admin, COMMITTEE_ID, "/emergency end")
    assert "应急召集 #1 已结束" in (ended.text or "")
    await eventually(lambda: "本次召集已结束" in (board.text or ""))


async def test_a_member_who_leaves_is_named_in_no_outbox_entry_of_the_lists_sent_to_the_secretary(
    telegram: Telegram,
) -> None:
    tg = telegram
    leaver, stays = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    await tg.api.add_group(COMMITTEE_ID, "南湖区e党委", [tg.admin])
    await tg.says(tg.admin, COMMITTEE_ID, "/emergency 封控小区急需物资配送")
    await bot_said(tg.api, stays.id, "请问您能否到岗")
    await tg.says(tg.secretary, SECRETARY_ID, "可到")
    for minutes in (10, 30, 40):
        await emergency_job_runs(tg, timedelta(minutes=minutes))
    listed = await bot_said(tg.api, SECRETARY_ID, "经 3 次提醒仍未回复")
    assert "张伟" in (listed.text or "") and "李娜" in (listed.text or "")
    sql = "SELECT status, payload FROM outbox WHERE kind = 'emergency_unanswered'"

    async def sent() -> bool:
        return [r[0] for r in await query(tg.world.db, sql)] == ["sent"]

    await eventually(sent)
    rows = await query(tg.world.db, sql)
    assert "张伟" not in str(rows[0][1])

    await tg.api.user_sends(leaver, leaver.id, "/leave")
    ask = await bot_said(tg.api, leaver.id, "确定要退出吗")
    await tg.api.user_presses(leaver, ask, button(ask, "确认退出"))
    await eventually(lambda: "个人信息已删除" in (ask.text or ""))

    payloads = [str(r[0]) for r in await query(tg.world.db, "SELECT payload FROM outbox")]
    assert not [p for p in payloads if "张伟" in p]
    notice = decode(str(rows[0][1])).notice
    assert isinstance(notice, EmergencyUnanswered)
    again = await tg.world.renderer.render(notice)
    assert again is not None and "张伟" not in again.text and "李娜" in again.text
