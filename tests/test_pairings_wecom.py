"""WeCom end to end: the secretary pairs a member with a household privately in the app (结对 / /pair), the member is
reminded by the daily sweep, reports the visit with hours and a photo (走访 N), the secretary confirms it
(确认走访 V) and it counts as service; 结对列表 shows the contact to the secretary only; pause, handover and end."""

from __future__ import annotations

from bot.config import SchedulerConfig
from bot.domain.model import Account
from bot.jobs.nudges import JobDeps
from bot.scheduler import jobs, run_job
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, query
from tests.fakes import eventually
from tests.schedule_support import at
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, rig

__all__ = ["rig"]


async def sweep(rig: Rig) -> int:
    """The scheduler fires the daily pairing sweep now, waking the platform as it does."""
    deps = JobDeps(SqlReports(rig.db), rig.bench.usecases, SHANGHAI, SchedulerConfig())
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "pairings")
    return await run_job(deps, job, rig.clock.now(), rig.bench.platform.poke)


def received(rig: Rig, user_id: str, fragment: str) -> bool:
    """Whether any text the person received holds ``fragment``."""
    return any(fragment in text for text in rig.bench.fake.texts(user_id))


async def test_pair_remind_visit_with_photo_and_confirm_in_the_app(rig: Rig) -> None:
    bench = rig.bench
    chat = await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    rig.clock.set(at(2026, 12, 31, 9, 0))

    await bench.say("admin", "结对 张三 王奶奶 每月 联系:13800138000")

    assert "已建立结对 #1" in bench.last_text("admin") and "2027年1月31日" in bench.last_text("admin")
    await eventually(lambda: received(rig, "zhangsan", "支部书记为您安排了结对帮扶"))
    await bench.say("admin", "结对列表")
    assert "13800138000" in bench.last_text("admin") and "王奶奶" in bench.last_text("admin")
    rig.clock.set(at(2027, 2, 1, 10, 0))
    assert await sweep(rig) == 1
    await eventually(lambda: received(rig, "zhangsan", "已逾期 1 天"))

    await bench.say("zhangsan", "走访 1")
    assert "走访「王奶奶」的时长" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "1.5小时")
    assert "照片" in bench.last_text("zhangsan")
    await rig.image("zhangsan", "MEDIA_VISIT")
    await eventually(lambda: received(rig, "zhangsan", "已报告结对 #1 的走访"))
    await eventually(lambda: received(rig, "admin", "/confirmvisit 1"))

    await bench.say("admin", "确认走访 1")

    assert "已确认" in bench.last_text("admin")
    await eventually(lambda: received(rig, "zhangsan", "已由支部书记确认"))
    status = await bench.usecases.my_quarter(Account("wecom", "zhangsan", "张三"))
    assert status.served and status.hours == 1.5
    [row] = await query(rig.db, "SELECT photo_ref FROM pairing_visits")
    assert row["photo_ref"] == "MEDIA_VISIT"
    in_group = " ".join(str(m) for m in bench.fake.chats[chat.chat_id].messages)
    assert "13800138000" not in in_group


async def test_pause_handover_and_end_in_the_app(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("admin", "/pair 张三 李爷爷 每两周")
    await eventually(lambda: received(rig, "zhangsan", "安排了结对帮扶"))

    await bench.say("zhangsan", "暂停结对 1")
    await eventually(lambda: received(rig, "zhangsan", "只有支部书记"))
    await bench.say("admin", "暂停结对 1")
    assert "已暂停" in bench.last_text("admin")
    await bench.say("admin", "恢复结对 1")
    await bench.say("admin", "移交结对 1 李四")
    assert "已移交给 李四" in bench.last_text("admin")
    await eventually(lambda: received(rig, "lisi", "已移交给您"))
    await bench.say("lisi", "走访")
    await eventually(lambda: received(rig, "lisi", "您的结对"))
    assert any("李爷爷" in text and "每两周" in text for text in bench.fake.texts("lisi") if "您的结对" in text)
    await bench.say("admin", "结束结对 1")
    assert "已结束" in bench.last_text("admin")
    await bench.say("lisi", "/visit 1")
    await eventually(lambda: received(rig, "lisi", "已暂停或已结束"))
