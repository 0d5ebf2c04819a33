"""End to end on Telegram and WeCom, both engines: a member who served an emergency task (战时) and a routine wish
reads 本季度服务 X 小时（其中战时 Y 小时） in /me."""

from __future__ import annotations

from datetime import date
from functools import partial

from bot.domain.model import Account
from bot.notices.callbacks import Act, encode
from bot.usecases import commands as cmd
from tests.fakes import eventually as eventually_wecom
from tests.telegram_fixtures import GROUP_ID, SECRETARY_ID, Telegram, api, bot_said, button, eventually, telegram
from tests.test_telegram_claims_reviews_and_delivery import posted_card
from tests.test_wecom_platform import Bench, bench
from tests.test_wecom_restarts_and_delivery import committee_and_branch, find_card, has_card

__all__ = ["api", "bench", "telegram"]
COMMITTEE_ID = -100


async def test_me_on_telegram_shows_the_quarter_s_emergency_hours(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    committee = await tg.api.add_group(COMMITTEE_ID, "南湖区e党委", [tg.admin])
    await tg.says(tg.admin, committee, "/emergency 封控小区急需物资配送")
    prompt = await bot_said(tg.api, member.id, "请问您能否到岗")
    await tg.api.user_presses(member, prompt, button(prompt, "可到"))
    await tg.api.user_sends(tg.secretary, GROUP_ID, "#微心愿 物资配送 名额2 8:00-12:00")
    task = await bot_said(tg.api, member.id, "应急 · 微心愿 #1")
    await tg.api.user_presses(member, task, button(task, "认领"))
    claimed = await bot_said(tg.api, member.id, "您已认领微心愿 #1")

    await tg.api.user_presses(member, claimed, button(claimed, "已完成"))
    await bot_said(tg.api, member.id, "请回复本次服务时长")
    await tg.says(member, member.id, "3小时")
    before = len(tg.api.bot_messages(SECRETARY_ID))
    await tg.api.user_sends(member, member.id, "/skip")
    await bot_said(tg.api, member.id, "等待支部书记确认")
    await eventually(lambda: len(tg.api.bot_messages(SECRETARY_ID)) > before)
    review = tg.api.bot_messages(SECRETARY_ID)[-1]
    await tg.api.user_presses(tg.secretary, review, button(review, "确认"))
    await bot_said(tg.api, member.id, "您在微心愿 #1", within=15)
    await tg.api.user_sends(member, member.id, "/me")
    first = await bot_said(tg.api, member.id, "本季度服务", within=15)
    assert "本季度服务 3 小时（其中战时 3 小时），共 1 次" in (first.text or ""), first.text
    await tg.says(tg.admin, committee, "/emergency end")
    routine = await posted_card(tg, "帮独居老人买年货 名额1", 1)
    await tg.api.user_presses(member, routine, button(routine, "认领"))
    notice = await bot_said(tg.api, member.id, "您已认领微心愿 #2", within=15)
    await tg.api.user_presses(member, notice, button(notice, "已完成"))
    await bot_said(tg.api, member.id, "请回复本次服务时长")
    await tg.says(member, member.id, "2小时")
    before = len(tg.api.bot_messages(SECRETARY_ID))
    await tg.api.user_sends(member, member.id, "/skip")
    await bot_said(tg.api, member.id, "已报告完成微心愿 #2", within=15)
    await eventually(lambda: len(tg.api.bot_messages(SECRETARY_ID)) > before, within=15)
    review = tg.api.bot_messages(SECRETARY_ID)[-1]
    await tg.api.user_presses(tg.secretary, review, button(review, "确认"))
    await bot_said(tg.api, member.id, "您在微心愿 #2", within=15)

    await tg.api.user_sends(member, member.id, "/me")

    me = await bot_said(tg.api, member.id, "本季度服务 5 小时", within=15)
    assert "本季度服务 5 小时（其中战时 3 小时），共 2 次" in (me.text or ""), me.text
    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "/me")
    plain = await bot_said(tg.api, SECRETARY_ID, "本季度服务", within=15)
    assert "本季度服务 0 小时，共 0 次" in (plain.text or "") and "战时" not in (plain.text or "")


async def test_me_in_wecom_shows_the_quarter_s_emergency_hours(bench: Bench) -> None:
    yes = encode(Act.EMERGENCY_ANSWER, 1, "y")
    chat = await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("admin", "/应急 封控小区急需物资配送")
    await eventually_wecom(partial(has_card, bench, "zhangsan", yes))
    task_id, _, _ = find_card(bench, "zhangsan", yes)
    await bench.press("zhangsan", task_id, yes)
    await eventually_wecom(lambda: "已记录：可到" in bench.last_text("zhangsan"))
    await bench.say("admin", "#微心愿 物资配送 名额2 8:00-12:00")
    claim = encode(Act.CLAIM, 1)
    await eventually_wecom(partial(has_card, bench, "zhangsan", claim))
    task_id, _, _ = find_card(bench, "zhangsan", claim)
    await bench.press("zhangsan", task_id, claim)
    await eventually_wecom(lambda: has_card(bench, "zhangsan", "1:d:"))
    task_id, _, done = find_card(bench, "zhangsan", "1:d:")
    await bench.press("zhangsan", task_id, done)
    await eventually_wecom(lambda: "请回复本次服务时长" in bench.last_text("zhangsan"))
    await bench.say("zhangsan", "3小时")
    await bench.say("zhangsan", "/skip")
    await eventually_wecom(lambda: has_card(bench, "admin", "1:y:"))
    task_id, _, confirm = find_card(bench, "admin", "1:y:")
    await bench.press("admin", task_id, confirm)
    await eventually_wecom(lambda: any("服务已确认" in text for text in bench.fake.texts("zhangsan")), within=15)
    await bench.say("admin", "/应急结束")
    async with bench.store.unit() as unit:
        member = await unit.people.by_account("wecom", "zhangsan")
        branch = await unit.branches.by_chat(chat.platform, chat.chat_id)
    assert member is not None and branch is not None
    secretary = Account("wecom", "admin", "区委组织部")
    await bench.usecases.log_service(cmd.LogService(secretary, branch.id, member.id, date(2026, 11, 23), 1.5, "巡逻"))

    await bench.say("zhangsan", "/me")

    expected = "本季度服务 4.5 小时（其中战时 3 小时），共 2 次"
    await eventually_wecom(lambda: any(expected in text for text in bench.fake.texts("zhangsan")), within=15)
