"""WeCom end to end: a secretary posts a recurring activity in the app (周期活动), every member of the branch gets each
occurrence's card privately (WeCom appchats carry no buttons), a member claims the whole series (认领系列 N), the
daily job posts the next occurrence and claims them into it, and 日历 sends the .ics file."""

from __future__ import annotations

from functools import partial

from icalendar import Calendar

from bot.config import SchedulerConfig
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.scheduler import jobs, run_job
from storage.reports import SqlReports
from tests.conftest import SHANGHAI
from tests.fakes import eventually
from tests.schedule_support import at
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, find_card, has_card, rig

__all__ = ["rig"]


async def recurring_job(rig: Rig) -> int:
    """The scheduler fires the daily recurring-activity job now, waking the platform as it does."""
    deps = JobDeps(SqlReports(rig.db), rig.bench.usecases, SHANGHAI, SchedulerConfig())
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "recurring")
    return await run_job(deps, job, rig.clock.now(), rig.bench.platform.poke)


def received(rig: Rig, user_id: str, fragment: str) -> bool:
    """Whether any text the person received holds ``fragment``."""
    return any(fragment in text for text in rig.bench.fake.texts(user_id))


async def test_series_cards_reach_members_privately_and_a_series_claim_follows(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    rig.clock.set(at(2026, 12, 3, 10, 0))

    await bench.say("admin", "周期活动 每月第一个周日上午 社区义诊 名额3")

    await eventually(lambda: received(rig, "admin", "已建立周期活动 系列 #1"))
    assert any("12月6日（周日）" in text for text in bench.fake.texts("admin") if "系列 #1" in text)
    for user_id in ("zhangsan", "lisi"):
        await eventually(partial(has_card, bench, user_id, encode(Act.CLAIM, 1)))

    await bench.say("lisi", "认领系列 1")

    await eventually(lambda: has_card(bench, "lisi", encode(Act.LEAVE_SERIES, 1)))
    assert "您已认领系列 #1" in str(find_card(bench, "lisi", encode(Act.LEAVE_SERIES, 1))[1])
    rig.clock.set(at(2026, 12, 28, 10, 0))
    assert await recurring_job(rig) == 1
    await eventually(partial(has_card, bench, "zhangsan", encode(Act.CLAIM, 2)))
    await eventually(partial(has_card, bench, "lisi", "1:d:2"))  # the claim card of claim 2 (report done)
    await bench.say("lisi", "日历")
    await eventually(lambda: any(m.msgtype == "file" for m in bench.fake.inbox.get("lisi", [])))
    [sent] = [m for m in bench.fake.inbox["lisi"] if m.msgtype == "file"]
    _kind, filename, data = bench.fake.media[sent.content["media_id"]]
    assert filename.endswith(".ics")
    starts = sorted(
        e.decoded("dtstart").replace(tzinfo=None).isoformat() for e in Calendar.from_ical(data).walk("VEVENT")
    )
    assert starts == ["2026-12-06T09:00:00", "2027-01-03T09:00:00"]


async def test_a_member_leaves_a_series_by_command_or_by_the_button_of_its_confirmation(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    rig.clock.set(at(2026, 12, 3, 10, 0))
    await bench.say("admin", "周期活动 每周六上午 小区巡逻 名额1")
    await eventually(lambda: received(rig, "admin", "已建立周期活动 系列 #1"))
    await bench.say("lisi", "认领系列 1")
    await eventually(lambda: has_card(bench, "lisi", encode(Act.LEAVE_SERIES, 1)))
    task, _, leave = find_card(bench, "lisi", encode(Act.LEAVE_SERIES, 1))
    await eventually(partial(has_card, bench, "lisi", "1:d:1"))  # claimed into the first occurrence

    await rig.press("lisi", task, leave)

    await eventually(lambda: received(rig, "lisi", "已退出系列 #1"))
    assert any("已取消认领：#1" in text for text in bench.fake.texts("lisi"))
    await eventually(lambda: leave not in str(bench.fake.card_seen("lisi", task)))
    await bench.say("lisi", "退出系列 1")
    await eventually(lambda: received(rig, "lisi", "您没有认领系列 #1"))
    await bench.say("lisi", "退出系列")
    await eventually(lambda: received(rig, "lisi", "/leaveseries 2"))
    await bench.say("lisi", "认领系列 1")
    await bench.say("lisi", "/leaveseries 1")
    await eventually(lambda: len([t for t in bench.fake.texts("lisi") if "已退出系列 #1" in t]) == 2)


async def test_a_plain_wish_that_states_a_recurrence_becomes_a_series_in_the_app(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    rig.clock.set(at(2026, 12, 3, 10, 0))

    await bench.say("admin", "#微心愿 每月第一个周日上午 社区义诊 名额3")

    await eventually(lambda: received(rig, "admin", "已建立周期活动 系列 #1"))
    await eventually(partial(has_card, bench, "zhangsan", encode(Act.CLAIM, 1)))
    assert "/series 1" in str(find_card(bench, "zhangsan", encode(Act.CLAIM, 1))[1])
