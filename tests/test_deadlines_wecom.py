"""WeCom end to end: a member's card of a wish past its deadline leads with 已截止 and loses its buttons, a press on
it is refused with the reason, and a secretary extends it by /extend or from the manage card's 延长截止."""

from __future__ import annotations

from functools import partial

from bot.config import SchedulerConfig
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.scheduler import jobs, run_job
from storage.reports import SqlReports
from tests.conftest import SHANGHAI
from tests.fakes import eventually
from tests.schedule_support import at
from tests.test_cards_wecom import eventually_followed, keys, seen
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, find_card, has_card, rig

__all__ = ["rig"]

CLAIM = encode(Act.CLAIM, 1)


async def posted(rig: Rig, text: str = "#微心愿 帮独居老人买年货 名额2 截止11月25日") -> tuple[str, str]:
    """The branch of 张三 and 李四 (both reported in) gets wish 1; the task ids of their cards of it."""
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("admin", text)
    cards = []
    for user_id in ("zhangsan", "lisi"):
        await eventually(partial(has_card, bench, user_id, CLAIM))
        task_id = find_card(bench, user_id, CLAIM)[0]
        await eventually_followed(rig, task_id)
        cards.append(task_id)
    return cards[0], cards[1]


def titled(rig: Rig, user_id: str, task_id: str, fragment: str) -> bool:
    """Whether the member's card has ``fragment`` in its title now."""
    return fragment in seen(rig, user_id, task_id)["main_title"]["title"]


async def deadline_job_runs(rig: Rig) -> int:
    """The scheduler fires the deadline job now, waking the platform as it does."""
    deps = JobDeps(SqlReports(rig.db), rig.bench.usecases, SHANGHAI, SchedulerConfig())
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "deadlines")
    return await run_job(deps, job, rig.clock.now(), rig.bench.platform.poke)


async def test_after_the_deadline_a_members_card_says_expired_without_buttons(rig: Rig) -> None:
    zhang_card, li_card = await posted(rig)
    rig.clock.set(at(2026, 11, 26, 0, 5))

    assert await deadline_job_runs(rig) == 1

    for user_id, task_id in (("zhangsan", zhang_card), ("lisi", li_card)):
        await eventually(partial(titled, rig, user_id, task_id, "已截止"))
        assert CLAIM not in keys(seen(rig, user_id, task_id))


async def test_a_press_past_the_deadline_is_refused_with_the_reason_and_the_card_catches_up(rig: Rig) -> None:
    zhang_card, _ = await posted(rig)
    rig.clock.set(at(2026, 11, 26, 9, 0))  # the deadline job has not run: the card still offers 认领

    await rig.press("zhangsan", zhang_card, CLAIM)

    await eventually(lambda: "已过截止时间" in rig.bench.last_text("zhangsan"))
    await eventually(lambda: CLAIM not in keys(seen(rig, "zhangsan", zhang_card)))
    assert "已截止" in seen(rig, "zhangsan", zhang_card)["main_title"]["title"]
    assert (await rig.bench.usecases.wish_view(1)).claimers == ()


async def test_extend_reopens_the_wish_and_tells_the_claimer(rig: Rig) -> None:
    zhang_card, li_card = await posted(rig)
    await rig.press("lisi", li_card, CLAIM)
    await eventually(lambda: has_card(rig.bench, "lisi", "1:d:"))
    rig.clock.set(at(2026, 11, 26, 9, 0))
    await deadline_job_runs(rig)

    await rig.bench.say("admin", "/extend 1 12月5日")

    assert "已改为 2026年12月5日" in rig.bench.last_text("admin") and "1 人" in rig.bench.last_text("admin")
    await eventually(lambda: any("已延长至 2026年12月5日" in text for text in rig.bench.fake.texts("lisi")))
    await rig.press("zhangsan", zhang_card, CLAIM)
    await eventually(lambda: "认领成功" in rig.bench.last_text("zhangsan"))


async def test_the_manage_cards_extend_button_asks_for_the_new_deadline(rig: Rig) -> None:
    bench = rig.bench
    await posted(rig)
    await bench.say("admin", "/manage 1")
    await eventually(lambda: has_card(bench, "admin", encode(Act.CLOSE_WISH, 1)))
    manage = find_card(bench, "admin", encode(Act.CLOSE_WISH, 1))[0]
    await eventually_followed(rig, manage)
    rig.clock.set(at(2026, 11, 26, 9, 0))
    await deadline_job_runs(rig)
    extend = encode(Act.EXTEND, 1)
    await eventually(lambda: extend in keys(seen(rig, "admin", manage)))

    await rig.press("admin", manage, extend)
    await eventually(lambda: "请回复微心愿 #1 新的截止时间" in bench.last_text("admin"))
    await bench.say("admin", "过几天吧")
    await eventually(lambda: "请再回复一次" in bench.last_text("admin"))  # the answer is two texts: wait for both
    assert "没看懂新的截止时间“过几天吧”" in "".join(bench.fake.texts("admin")[-2:])
    await bench.say("admin", "12月5日")

    assert "已改为 2026年12月5日" in bench.last_text("admin")
    assert (await bench.usecases.wish_view(1)).wish.expired_at is None


async def test_bad_extend_commands_say_what_is_wrong(rig: Rig) -> None:
    bench = rig.bench
    await posted(rig)

    await bench.say("admin", "/extend 1")
    assert bench.last_text("admin").startswith("格式：/extend 心愿编号 新的截止时间")
    await bench.say("admin", "/extend 1 11月1日")
    assert "“11月1日”已经过去了" in bench.last_text("admin")
    await bench.say("lisi", "/extend 1 12月5日")
    assert bench.last_text("lisi") == "只有支部书记可以这样做。"
