"""WeCom end to end: an admin calls privately, every branch appchat and the committee appchat get the call, members
answer on a template card, non-responders get a second card, /人数 shows the board, /应急结束 sends the summary and
takes the buttons off every open prompt."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from bot.config import SchedulerConfig
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.scheduler import jobs, run_job
from storage.reports import SqlReports
from tests.conftest import SHANGHAI
from tests.fakes import eventually
from tests.test_cards_wecom import keys, seen
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, find_card, has_card, rig

__all__ = ["rig"]

YES = encode(Act.EMERGENCY_ANSWER, 1, "y")
LATER = encode(Act.EMERGENCY_ANSWER, 1, "l")


async def emergency_job_runs(rig: Rig, after: timedelta) -> int:
    """The scheduler fires the emergency job ``after`` now, waking the platform."""
    deps = JobDeps(SqlReports(rig.db), rig.bench.usecases, SHANGHAI, SchedulerConfig())
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "emergencies")
    return await run_job(deps, job, rig.clock.now() + after, rig.bench.platform.poke)


def chat_texts(rig: Rig, name: str) -> list[str]:
    """What an appchat (by name) received, as text."""
    chat = next(c for c in rig.bench.fake.chats.values() if c.name == name)
    return [str(m.content.get("content", "")) for m in chat.messages]


def cards_with(rig: Rig, user_id: str, key: str) -> list[str]:
    """The task ids of this member's cards that show a button ``key`` now."""
    return [task for task, card in rig.bench.fake.cards.get(user_id, {}).items() if key in keys(card)]


async def test_call_answer_reprompt_headcount_end_and_summary(rig: Rig) -> None:
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("zhangsan", "/应急岗位 物资配送 一网格")
    assert "应急岗位已记录：物资配送；网格 / 楼栋：一网格" in bench.last_text("zhangsan")

    await bench.say("admin", "/应急 封控小区急需物资配送")

    assert "已发起应急召集 #1：1 个支部群" in bench.last_text("admin")
    await eventually(lambda: any("应急召集 #1" in text for text in chat_texts(rig, "幸福里e支部")))
    await eventually(lambda: any("南湖区e党委全体党员" in text for text in chat_texts(rig, "南湖区e党委")))
    await eventually(partial(has_card, bench, "zhangsan", YES))
    await eventually(partial(has_card, bench, "lisi", YES))
    task, card, _ = find_card(bench, "zhangsan", YES)
    assert "物资配送" in str(card) and keys(card) == [YES, LATER, encode(Act.EMERGENCY_ANSWER, 1, "n")]

    await rig.press("zhangsan", task, YES)

    await eventually(lambda: "已记录：可到" in bench.last_text("zhangsan"))
    assert keys(seen(rig, "zhangsan", task)) == ["wc:noop"]
    await bench.say("zhangsan", "30分钟后到")
    assert "备注已记录" in bench.last_text("zhangsan")

    await bench.say("admin", "#微心愿 物资配送 名额2 8:00-12:00")
    claim = encode(Act.CLAIM, 1)
    await eventually(partial(has_card, bench, "zhangsan", claim))
    assert len(cards_with(rig, "zhangsan", claim)) == 1
    task_card = find_card(bench, "zhangsan", claim)
    assert "应急" in str(task_card[1]) and "8:00-12:00" in str(task_card[1])
    await rig.press("zhangsan", task_card[0], claim)
    await eventually(lambda: "认领" in bench.last_text("zhangsan"))

    assert await emergency_job_runs(rig, timedelta(minutes=10)) >= 1
    await eventually(lambda: len(cards_with(rig, "lisi", YES)) == 2)
    assert cards_with(rig, "zhangsan", YES) == []

    await bench.say("admin", "/人数")
    assert any("✅ 可到 1 · 🕒 稍后可到 0 · ❌ 不可 0" in text for text in bench.fake.texts("admin"))
    await eventually(lambda: any("尚未回复 1 人" in text for text in bench.fake.texts("admin")))
    assert "张三" not in next(text for text in bench.fake.texts("admin") if "尚未回复" in text)

    await bench.say("admin", "/应急结束")

    assert "应急召集 #1 已结束" in bench.last_text("admin")
    await eventually(lambda: any("应急召集 #1 总结" in text for text in chat_texts(rig, "南湖区e党委")))
    summary = next(text for text in chat_texts(rig, "南湖区e党委") if "应急召集 #1 总结" in text)
    assert "应急任务：发布 1，认领 1" in summary
    await eventually(lambda: cards_with(rig, "lisi", YES) == [])
    for lisi_task in rig.bench.fake.cards["lisi"]:
        if "应急召集" in str(seen(rig, "lisi", lisi_task)):
            assert "本次应急召集已结束" in str(seen(rig, "lisi", lisi_task))
