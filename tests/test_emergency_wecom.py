"""WeCom end to end: an admin calls privately, every branch appchat and the committee appchat get the call, members
answer on a template card, non-responders get a second card, /人数 shows the board, /应急结束 sends the summary and
takes the buttons off every open prompt."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from bot.config import SchedulerConfig
from bot.domain.emergency import EmergencyPost
from bot.domain.model import Account
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.ports.clock import ManualClock
from bot.scheduler import jobs, run_job
from bot.usecases import commands as cmd
from storage.reports import SqlReports
from storage.sqlite import Database
from tests.conftest import SHANGHAI, query
from tests.fakes import eventually
from tests.telegram_fixtures import eventually as until
from tests.test_cards_wecom import keys, seen
from tests.test_wecom_platform import Bench, bench
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, find_card, has_card, rig

__all__ = ["bench", "rig"]

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


async def test_report_in_asks_the_emergency_post_numbered_and_the_form_takes_it_as_fields_five_and_six(
    bench: Bench,
) -> None:
    await committee_and_branch(bench, "zhangsan", "lisi", "wangwu")
    await bench.say("lisi", "/报到 市税务局 | 第一党支部 | 维修 | 每月服务一次 | 医疗救护 | 3号楼")
    assert "李四，您已到「幸福里e支部」报到" in bench.last_text("lisi")
    await bench.say("wangwu", "/报到 市财政局 | 第二党支部 | 助老 | 每周一次")
    await bench.say("zhangsan", "/报到")
    for answer in ("区教育局", "无", "助学"):
        await bench.say("zhangsan", answer)

    await bench.say("zhangsan", "每周辅导一次功课")

    asked = bench.last_text("zhangsan")
    assert "战时应急岗位" in asked and "1 物资配送、2 秩序维护、3 环境消杀、4 治安巡逻、5 医疗救护、6 信息联络" in asked
    await bench.say("zhangsan", "2")
    assert "网格或楼栋" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "一网格")
    _, summary, _ = find_card(bench, "zhangsan", "1:R:")
    assert "秩序维护" in str(summary) and "一网格" in str(summary)
    await bench.say("zhangsan", "确认")
    done = bench.last_text("zhangsan")
    assert "您已到「幸福里e支部」报到" in done and "/post" not in done and "应急岗位" not in done

    posts = {user: await bench.usecases.emergency_post(Account("wecom", user)) for user in ("zhangsan", "lisi")}
    assert posts == {"zhangsan": EmergencyPost("秩序维护", "一网格"), "lisi": EmergencyPost("医疗救护", "3号楼")}
    assert await bench.usecases.emergency_post(Account("wecom", "wangwu")) == EmergencyPost()
    async with bench.store.read() as unit:
        lisi = await unit.people.by_account("wecom", "lisi")
    assert lisi is not None and lisi.commitment == "每月服务一次"


async def test_a_member_changes_the_answer_by_text_after_the_card_closed_and_a_secretary_is_told_who_ends(
    bench: Bench,
) -> None:
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    branch = (await bench.usecases.roles(Account("wecom", "admin"))).secretary_of[0]
    await bench.usecases.add_secretary(
        cmd.AddSecretary(Account("wecom", "admin"), branch.id, Account("wecom", "lisi", "李四"), by_bot_admin=True)
    )
    await bench.say("admin", "/应急 封控小区急需物资配送")
    await eventually(partial(has_card, bench, "zhangsan", YES))
    task, _, _ = find_card(bench, "zhangsan", YES)
    await bench.press("zhangsan", task, YES)
    await eventually(lambda: "已记录：可到" in bench.last_text("zhangsan"))
    assert "如需更改，回复“可到”“稍后可到”或“不可”" in bench.last_text("zhangsan")
    await eventually(lambda: keys(bench.fake.card_seen("zhangsan", task) or {}) == ["wc:noop"])

    await bench.say("zhangsan", "不可 临时有事")

    said = bench.last_text("zhangsan")
    assert "已记录您对应急召集 #1 的回复：不可" in said and "备注：临时有事" in said
    await bench.say("admin", "/人数")
    assert any("✅ 可到 0 · 🕒 稍后可到 0 · ❌ 不可 1" in text for text in bench.fake.texts("admin"))
    await bench.say("zhangsan", "/answer 稍后可到")
    assert "回复：稍后可到" in bench.last_text("zhangsan")
    await bench.say("zhangsan", "/answer")
    assert "发送“可到”“稍后可到”或“不可”" in bench.last_text("zhangsan")

    await bench.say("lisi", "/应急结束")

    assert "应急召集 #1 是「南湖区e党委」发起的全体召集，只能由党委管理员结束" in bench.last_text("lisi")
    await bench.say("admin", "/应急结束")
    await eventually(lambda: any("应急召集 #1 已结束" in text for text in bench.fake.texts("admin")))
    await bench.say("zhangsan", "可到")
    assert "已记录" not in bench.last_text("zhangsan")


async def test_a_member_who_leaves_is_named_in_no_outbox_entry_on_wecom(
    bench: Bench, db: Database, clock: ManualClock
) -> None:
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("admin", "/应急 暴雨")
    await bench.say("admin", "可到")
    for minutes in (10, 30, 40):
        await bench.usecases.record_reprompts(clock.now() + timedelta(minutes=minutes))
    bench.platform.poke()
    await eventually(lambda: any("经 3 次提醒仍未回复" in text for text in bench.fake.texts("admin")))
    listed = next(text for text in bench.fake.texts("admin") if "经 3 次提醒仍未回复" in text)
    assert "张三" in listed and "李四" in listed
    sql = "SELECT status FROM outbox WHERE kind = 'emergency_unanswered'"

    async def sent() -> bool:
        return [r[0] for r in await query(db, sql)] == ["sent"]

    await until(sent)

    await bench.usecases.leave(cmd.Leave(Account("wecom", "zhangsan")))

    payloads = [str(r[0]) for r in await query(db, "SELECT payload FROM outbox")]
    assert payloads and not [p for p in payloads if "张三" in p]
    assert any("李四" in p for p in payloads)
