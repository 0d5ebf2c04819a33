"""Telegram end to end: a secretary posts a recurring activity (/recurring), each occurrence is its own card with
its own slots posted ahead by the daily job; a member claims one occurrence on its card, another the whole series
(/series N) and is claimed into the next one when it is posted; /calendar sends the .ics of what a member claimed."""

from __future__ import annotations

from icalendar import Calendar

from bot.scheduler import jobs, run_job
from tests.schedule_support import at
from tests.telegram_fixtures import GROUP_ID, Telegram, api, bot_said, button, card_of, eventually, telegram

__all__ = ["api", "telegram"]


async def recurring_job(tg: Telegram) -> int:
    """The scheduler fires the daily recurring-activity job now, waking the deliveries as it does."""
    deps = tg.world.jobs
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "recurring")
    return await run_job(deps, job, tg.world.clock.now(), tg.platform.poke)


async def test_occurrence_cards_series_claims_and_the_calendar(telegram: Telegram) -> None:
    tg = telegram
    zhang, li = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    tg.world.clock.set(at(2026, 12, 3, 10, 0))

    await tg.api.user_sends(tg.secretary, GROUP_ID, "/recurring 每周六上午 小区巡逻 名额2")

    answer = await bot_said(tg.api, GROUP_ID, "已建立周期活动 系列 #1")
    assert "12月5日（周六）" in (answer.text or "") and "12月12日（周六）" in (answer.text or "")
    await eventually(lambda: any("微心愿 #1" in (m.text or "") for m in tg.api.bot_messages(GROUP_ID)))
    first = card_of(tg.api, GROUP_ID, 1)
    assert "小区巡逻" in (first.text or "") and "/series 1" in (first.text or "")
    await tg.api.user_presses(zhang, first, button(first, "认领"))
    await bot_said(tg.api, zhang.id, "您已认领微心愿 #1")

    series = await tg.says(li, li.id, "/series 1")
    assert "您已认领系列 #1" in (series.text or "") and "#1" in (series.text or "")
    await bot_said(tg.api, li.id, "您已认领微心愿 #1")

    tg.world.clock.set(at(2026, 12, 6, 10, 0))
    assert await recurring_job(tg) == 1
    await eventually(lambda: any("微心愿 #2" in (m.text or "") for m in tg.api.bot_messages(GROUP_ID)))
    second = card_of(tg.api, GROUP_ID, 2)
    assert "12月12日" in (second.text or "")
    await bot_said(tg.api, li.id, "您已认领微心愿 #2")
    await eventually(lambda: "李娜" in (card_of(tg.api, GROUP_ID, 2).text or ""))

    await tg.api.user_sends(li, li.id, "/calendar")
    sent = await bot_said(tg.api, li.id, "您认领的 2 项活动")
    assert sent.document is not None and (sent.document.file_name or "").endswith(".ics")
    events = Calendar.from_ical(sent.document.data).walk("VEVENT")
    starts = sorted(e.decoded("dtstart").replace(tzinfo=None).isoformat() for e in events)
    assert starts == ["2026-12-05T09:00:00", "2026-12-12T09:00:00"]

    ended = await tg.says(tg.secretary, GROUP_ID, "/endseries 1")
    assert "已停止" in (ended.text or "")
    tg.world.clock.set(at(2026, 12, 13, 10, 0))
    assert await recurring_job(tg) == 0


async def test_a_member_leaves_a_series_by_its_button_or_by_command(telegram: Telegram) -> None:
    tg = telegram
    zhang, li = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    tg.world.clock.set(at(2026, 12, 3, 10, 0))
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/recurring 每周六上午 小区巡逻 名额1")
    await bot_said(tg.api, GROUP_ID, "已建立周期活动 系列 #1")
    joined = await tg.says(li, li.id, "/series 1")
    await bot_said(tg.api, li.id, "您已认领微心愿 #1")

    answer = await tg.api.user_presses(li, joined, button(joined, "退出系列"))

    assert answer.text == "好的。"
    left = await bot_said(tg.api, li.id, "已退出系列 #1")
    assert "已取消认领：#1" in (left.text or "")
    await eventually(lambda: not list(joined.buttons()))
    await eventually(lambda: "李娜" not in (card_of(tg.api, GROUP_ID, 1).text or ""), 10.0)
    await tg.api.user_presses(zhang, card_of(tg.api, GROUP_ID, 1), button(card_of(tg.api, GROUP_ID, 1), "认领"))
    await bot_said(tg.api, zhang.id, "您已认领微心愿 #1")
    again = await tg.says(li, li.id, "/leaveseries 1")
    assert "您没有认领系列 #1" in (again.text or "")
    usage = await tg.says(li, li.id, "/leaveseries")
    assert "/leaveseries 2" in (usage.text or "")
    await tg.says(zhang, zhang.id, "/series 1")
    by_command = await tg.says(zhang, zhang.id, "/leaveseries 1")
    assert "已退出系列 #1" in (by_command.text or "") and "#1" in (by_command.text or "")


async def test_a_plain_wish_that_states_a_recurrence_becomes_a_series(telegram: Telegram) -> None:
    tg = telegram
    tg.world.clock.set(at(2026, 12, 3, 10, 0))

    await tg.api.user_sends(tg.secretary, GROUP_ID, "/wish 每周六上午 小区巡逻 名额2")

    answer = await bot_said(tg.api, GROUP_ID, "已建立周期活动 系列 #1")
    assert "12月5日（周六）" in (answer.text or "")
    await eventually(lambda: any("微心愿 #1" in (m.text or "") for m in tg.api.bot_messages(GROUP_ID)))
    assert "/series 1" in (card_of(tg.api, GROUP_ID, 1).text or "")
    tg.world.clock.set(at(2026, 12, 6, 10, 0))
    assert await recurring_job(tg) == 1, "the next Saturday is posted by the daily job"
