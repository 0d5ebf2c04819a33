"""Telegram end to end: an emergency call from the committee chat is pinned in the branch group with a live board,
every member is prompted privately (可到 / 稍后可到 / 不可), non-responders are prompted again, /headcount shows the
board, and /emergency end removes the buttons and sends the committee its summary."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import jobs, run_job
from handlers.sandbox import SandboxMessage
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
