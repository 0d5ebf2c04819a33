"""What the parser could not read it asks about, keeping the draft: a wish text without a count of people is kept
(in the database) while the secretary is asked how many, and the answer posts it; through the use cases and the
stored conversation on a real SQLite file, across a restart, and end to end on Telegram and WeCom."""

from __future__ import annotations

from datetime import date

from bot.domain.model import Account
from bot.domain.wish_text import ParseProblem
from bot.flows.base import Cancel, Ctx, Text
from bot.flows.runner import Conversations
from bot.flows.states import DraftStep, ReportState, ReportStep, WishDraftState
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from storage.uow import SqlStore
from tests.conftest import World, reopen, wired
from tests.telegram_fixtures import Telegram, api, bot_said, eventually, telegram
from tests.test_wecom_platform import Bench
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, rig

__all__ = ["api", "rig", "telegram"]

TEXT = "12月15日下午2点 社区义诊 需要医生"
MISSING = (ParseProblem("parse.slots_missing"),)


def ctx_of(world: World) -> Ctx:
    return Ctx(world.secretary, "zh")


async def test_a_text_without_a_count_is_kept_as_a_draft_and_the_count_asked(world: World) -> None:
    result = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, TEXT))

    assert isinstance(result, outcomes.WishNeedsFix) and result.problems == MISSING
    assert await world.app.draft_of(world.secretary) == (world.branch.id, TEXT)
    assert await world.app.open_wishes(world.branch.id) == []


async def test_the_answered_count_posts_the_kept_text_with_its_title_and_deadline(world: World) -> None:
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, TEXT, slots=2))

    assert isinstance(posted, outcomes.WishPosted)
    wish = posted.view.wish
    assert (wish.title, wish.slots, wish.deadline) == ("社区义诊", 2, date(2026, 12, 15))
    assert await world.app.draft_of(world.secretary) is None


async def test_the_question_is_stored_and_a_number_answers_it(world: World) -> None:
    talks = Conversations(world.app)
    asked = await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, TEXT))
    assert isinstance(asked, outcomes.WishNeedsFix)
    assert await talks.current(world.secretary) == WishDraftState(world.branch.id, TEXT, "", DraftStep.SLOTS)

    again = await talks.feed(ctx_of(world), Text("好的"))
    assert again is not None and [p.key for p in again.prompts] == ["flow.wish.slots_again"]
    assert isinstance(await talks.current(world.secretary), WishDraftState)
    too_many = await talks.feed(ctx_of(world), Text("900人"))
    assert too_many is not None and [p.key for p in too_many.prompts] == ["flow.wish.slots_again"]

    answered = await talks.feed(ctx_of(world), Text("两名"))
    assert answered is not None and isinstance(answered.outcome, outcomes.WishPosted)
    assert (answered.outcome.view.wish.title, answered.outcome.view.wish.slots) == ("社区义诊", 2)
    assert await talks.current(world.secretary) is None
    assert await world.app.draft_of(world.secretary) is None


async def test_the_draft_and_its_question_survive_a_restart(world: World) -> None:
    talks = Conversations(world.app)
    await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, TEXT))
    reopened = await reopen(world.db)
    try:
        app, _ = wired(reopened, SqlStore(reopened), world.clock)
        assert await app.draft_of(world.secretary) == (world.branch.id, TEXT)
        answered = await Conversations(app).feed(ctx_of(world), Text("3 people"))
        assert answered is not None and isinstance(answered.outcome, outcomes.WishPosted)
        assert answered.outcome.view.wish.slots == 3
    finally:
        await reopened.close()


async def test_cancel_leaves_the_draft_kept_and_a_corrected_text_replaces_the_question(world: World) -> None:
    talks = Conversations(world.app)
    await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, TEXT))
    left = await talks.feed(ctx_of(world), Cancel())
    assert left is not None and [p.key for p in left.prompts] == ["flow.wish.draft_kept"]
    assert await talks.current(world.secretary) is None
    assert await world.app.draft_of(world.secretary) == (world.branch.id, TEXT)

    await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, TEXT))
    fixed = await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, TEXT + "2名"))
    assert isinstance(fixed, outcomes.WishPosted) and fixed.view.wish.slots == 2
    assert await talks.current(world.secretary) is None


async def test_other_problems_are_listed_and_no_question_is_stored(world: World) -> None:
    talks = Conversations(world.app)
    result = await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, "社区义诊 2月30日前"))
    assert isinstance(result, outcomes.WishNeedsFix)
    assert [p.key for p in result.problems] == ["parse.deadline_invalid", "parse.slots_missing"]
    assert await talks.current(world.secretary) is None


async def test_posting_a_wish_leaves_another_conversation_in_progress_alone(world: World) -> None:
    talks = Conversations(world.app)
    other = ReportState(world.branch.id, world.branch.name, ReportStep.WORKPLACE, name="王书记")
    await talks.save(world.secretary, other)
    await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额1"))
    assert await talks.current(world.secretary) == other


async def test_a_group_message_answers_only_an_open_question_and_only_with_a_count(world: World) -> None:
    talks = Conversations(world.app)
    assert await talks.answer_draft(ctx_of(world), "2") is None
    await talks.post_wish(ctx_of(world), cmd.PostWish(world.secretary, world.branch.id, TEXT))
    assert await talks.answer_draft(ctx_of(world), "大家辛苦了") is None
    stranger = Ctx(Account("telegram", "77", "路人"), "zh")
    assert await talks.answer_draft(stranger, "2") is None
    answered = await talks.answer_draft(ctx_of(world), "2人")
    assert answered is not None and isinstance(answered.outcome, outcomes.WishPosted)


async def test_a_deadline_today_at_an_hour_already_gone_is_refused(world: World) -> None:
    result = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "为王奶奶送药 2人 今天9点前"))
    assert isinstance(result, outcomes.WishNeedsFix)
    assert result.problems == (
        ParseProblem("parse.deadline_past", (("seen", "今天9点前"), ("date", "2026-11-23 09:00"))),
    )
    later = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "为王奶奶送药 2人 今天18点前"))
    assert isinstance(later, outcomes.WishPosted) and later.view.wish.deadline == date(2026, 11, 23)


async def test_telegram_asks_in_the_group_and_a_count_sent_there_posts_the_wish(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.user_sends(tg.secretary, tg.group, f"#微心愿 {TEXT}")
    asked = await bot_said(tg.api, tg.group, "需要几个人")
    assert "草稿已保存" in (asked.text or "")
    assert await tg.world.app.draft_of(tg.world.secretary) is not None

    await tg.api.user_sends(tg.secretary, tg.group, "两人")

    await eventually(lambda: any("已认领 0/2" in (m.text or "") for m in tg.api.bot_messages(tg.group)))
    (view,) = await tg.world.app.open_wishes(tg.world.branch.id)
    assert (view.wish.title, view.wish.slots) == ("社区义诊", 2)
    assert await tg.world.app.conversation(tg.world.secretary) is None


async def test_telegram_asks_privately_again_until_the_answer_is_a_count(telegram: Telegram) -> None:
    tg = telegram
    await tg.api.user_sends(tg.secretary, tg.secretary.id, f"/wish {TEXT}")
    await bot_said(tg.api, tg.secretary.id, "需要几个人")
    await tg.api.user_sends(tg.secretary, tg.secretary.id, "很多")
    await bot_said(tg.api, tg.secretary.id, "没看懂人数")
    await tg.api.user_sends(tg.secretary, tg.secretary.id, "3")

    await bot_said(tg.api, tg.secretary.id, "已发布")
    (view,) = await tg.world.app.open_wishes(tg.world.branch.id)
    assert (view.wish.title, view.wish.slots) == ("社区义诊", 3)


async def wecom_secretary(bench: Bench) -> None:
    await committee_and_branch(bench, "zhangsan")


async def test_wecom_asks_for_the_count_and_the_question_survives_a_restart(rig: Rig) -> None:
    bench = rig.bench
    await wecom_secretary(bench)
    await bench.say("admin", f"#微心愿 {TEXT}")
    assert "需要几个人" in bench.last_text("admin")
    await rig.restart()
    bench = rig.bench
    await bench.say("admin", "好的")
    assert "没看懂人数" in bench.last_text("admin")
    await bench.say("admin", "4人")

    assert "已发布" in bench.last_text("admin")
    branch = (await bench.usecases.roles(Account("wecom", "admin"))).secretary_of[0]
    (view,) = await bench.usecases.open_wishes(branch.id)
    assert (view.wish.title, view.wish.slots) == ("社区义诊", 4)
