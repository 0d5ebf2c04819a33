"""WeCom end to end: the secretary pairs a member with a household privately in the app (结对 / /pair), the member is
reminded by the daily sweep, reports the visit with hours and a photo (走访 N), the secretary confirms it
(确认走访 V) and it counts as service; 结对列表 shows the contact to the secretary only; pause, handover and end."""

from __future__ import annotations

from bot.config import SchedulerConfig
from bot.domain.model import Account
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.scheduler import jobs, run_job
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, query
from tests.fakes import eventually
from tests.schedule_support import at
from tests.test_cards_wecom import eventually_followed, keys, press_stale, seen
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, find_card, has_card, rig

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
    await eventually(lambda: has_card(bench, "admin", encode(Act.VISIT_CONFIRM, 1)))
    await eventually(lambda: photo_sent(rig, "admin", "MEDIA_VISIT"))

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


def photo_sent(rig: Rig, user_id: str, media_id: str) -> bool:
    """Whether the person received the picture WeCom keeps as ``media_id``."""
    return any(d.msgtype == "image" and d.content["media_id"] == media_id for d in rig.bench.fake.inbox[user_id])


async def visit_reported(rig: Rig, note: str) -> str:
    """张三 reports a visit of pairing 1 (1 hour and a note); the task id of the secretary's review card."""
    bench = rig.bench
    before = set(bench.fake.cards.get("admin", {}))
    await bench.say("zhangsan", "走访 1")
    await bench.say("zhangsan", f"1小时 {note}")
    await eventually(lambda: received(rig, "zhangsan", "已报告结对 #1 的走访"))
    await eventually(
        lambda: any(t not in before and note in str(c) for t, c in bench.fake.cards.get("admin", {}).items())
    )
    task = next(t for t, c in bench.fake.cards["admin"].items() if t not in before and note in str(c))
    await eventually_followed(rig, task)
    return task


async def test_the_visit_review_card_confirms_and_returns_by_button_in_the_app(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("admin", "结对 张三 王奶奶 每月 联系:13800138000")
    await eventually(lambda: received(rig, "zhangsan", "安排了结对帮扶"))
    await bench.say("zhangsan", "走访 1")
    await bench.say("zhangsan", "2")
    await rig.image("zhangsan", "MEDIA_VISIT")

    await eventually(lambda: has_card(bench, "admin", encode(Act.VISIT_CONFIRM, 1)))
    task, card, confirm = find_card(bench, "admin", encode(Act.VISIT_CONFIRM, 1))
    assert "王奶奶" in str(card) and "2 小时" in str(card) and "13800138000" not in str(card)
    await eventually(lambda: photo_sent(rig, "admin", "MEDIA_VISIT"))
    await eventually_followed(rig, task)
    await rig.press("admin", task, confirm)

    await eventually(lambda: "走访已确认" in str(seen(rig, "admin", task)))
    assert confirm not in keys(seen(rig, "admin", task))
    await eventually(lambda: received(rig, "zhangsan", "已由支部书记确认"))
    await press_stale(rig, "admin", task, encode(Act.VISIT_RETURN, 1))
    await eventually(lambda: "已确认过" in bench.last_text("admin"))

    second = await visit_reported(rig, "没带照片")
    await rig.press("admin", second, encode(Act.VISIT_RETURN, 2))
    await eventually(lambda: "退回走访记录 2 的原因" in bench.last_text("admin"))
    await bench.say("admin", "请补一张照片")

    await eventually(lambda: "走访已退回" in str(seen(rig, "admin", second)))
    assert "请补一张照片" in str(seen(rig, "admin", second))
    assert encode(Act.VISIT_CONFIRM, 2) not in keys(seen(rig, "admin", second))
    await eventually(lambda: received(rig, "zhangsan", "被支部书记退回"))
    await press_stale(rig, "admin", second, encode(Act.VISIT_CONFIRM, 2))
    await eventually(lambda: "已被退回" in bench.last_text("admin"))
    status = await bench.usecases.my_quarter(Account("wecom", "zhangsan", "张三"))
    assert status.hours == 2.0, "the returned visit does not count"
