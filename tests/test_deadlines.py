"""Deadlines are kept: a wish past its deadline takes no new claims, the deadline job has its cards follow once,
/wishes and the nudges leave it out, and a secretary can extend it (bad input told exactly why)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time
from pathlib import Path

import pytest

from bot.domain import errors
from bot.domain.deadlines import closes_at, deadline_passed
from bot.domain.model import ClaimStatus, Urgency
from bot.domain.reports import LedgerWish, WishState
from bot.jobs.nudges import daily_reminders, send_nudges
from bot.notices import views
from bot.notices.callbacks import Act, Payload, decode
from bot.notices.outbox import NudgeCard
from bot.notices.outbox import decode as decode_notice
from bot.scheduler import catch_up, jobs, run_job
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from storage.sqlite import Database, available_migrations
from storage.uow import SqlStore
from tests.conftest import SHANGHAI, World
from tests.schedule_support import at, deps_for, outbox


async def posted(world: World, text: str) -> int:
    """The secretary posts a wish; its number."""
    result = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, text))
    assert isinstance(result, outcomes.WishPosted), result
    return result.view.wish.id


async def with_time(world: World, title: str, day: date, moment: time, slots: int = 2) -> int:
    """A wish closing at a time of day, stored as the parser will hand it over (``ParsedWish.deadline_time``)."""
    async with world.store.unit() as unit:
        secretary = await unit.people.by_account(world.secretary.platform, world.secretary.user_id)
        assert secretary is not None
        return await unit.wishes.add(
            world.clock.now(),
            branch_id=world.branch.id,
            title=title,
            description="",
            category="",
            slots=slots,
            team_claim=False,
            deadline=day,
            urgency=Urgency.NORMAL,
            created_by=secretary.id,
            deadline_time=moment,
        )


def deadline_job(world: World):  # type: ignore[no-untyped-def]
    """The scheduled deadline job, as the scheduler runs it."""
    deps = deps_for(world)
    return deps, next(job for job in jobs(deps.settings, deps.tz) if job.name == "deadlines")


def test_a_date_alone_closes_at_the_end_of_that_local_day_a_time_at_that_moment() -> None:
    day = date(2026, 12, 20)
    assert closes_at(day, None, SHANGHAI) == datetime(2026, 12, 21, 0, 0, tzinfo=SHANGHAI)
    assert closes_at(day, time(15, 0), SHANGHAI) == datetime(2026, 12, 20, 15, 0, tzinfo=SHANGHAI)
    assert not deadline_passed(day, None, datetime(2026, 12, 20, 23, 59, tzinfo=SHANGHAI), SHANGHAI)
    assert deadline_passed(day, None, datetime(2026, 12, 21, 0, 0, tzinfo=SHANGHAI), SHANGHAI)
    assert deadline_passed(day, time(15, 0), datetime(2026, 12, 20, 15, 0, tzinfo=SHANGHAI), SHANGHAI)
    assert not deadline_passed(None, None, datetime(2099, 1, 1, tzinfo=SHANGHAI), SHANGHAI)


async def test_a_claim_past_the_deadline_is_refused_with_the_reason_and_nothing_is_claimed(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    wish_id = await posted(world, "帮忙买年货 名额1 截止11月25日")
    world.clock.set(at(2026, 11, 25, 23, 59))
    await world.app.claim(cmd.ClaimWish(zhang, wish_id))  # the last minute of the day still counts

    world.clock.set(at(2026, 11, 26, 0, 0))
    with pytest.raises(errors.DeadlinePassed) as refused:
        await world.app.join_waitlist(cmd.JoinWaitlist(li, wish_id))

    assert "已过截止时间" in views.describe_error(refused.value, "zh")
    assert "deadline has passed" in views.describe_error(refused.value, "en")
    view = await world.app.wish_view(wish_id)
    assert [c.name for c in view.claimers] == ["张伟"] and view.waitlist == ()
    assert view.wish.expired_at is not None, "the refusal had the cards follow at once"


async def test_a_deadline_with_a_time_of_day_closes_at_that_moment_not_at_the_end_of_the_day(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    wish_id = await with_time(world, "送老人去医院", date(2026, 11, 23), time(15, 0))
    world.clock.set(at(2026, 11, 23, 14, 59))
    await world.app.claim(cmd.ClaimWish(zhang, wish_id))

    world.clock.set(at(2026, 11, 23, 15, 0))
    with pytest.raises(errors.DeadlinePassed):
        await world.app.claim(cmd.ClaimWish(li, wish_id))

    wish = (await world.app.wish_view(wish_id)).wish
    assert wish.deadline_time == time(15, 0), "the time of day is stored and read back"
    card = views.wish_card(await world.app.wish_view(wish_id), "zh")
    assert "截止：2026年11月23日（周一）15:00" in card.text
    assert "Mon 23 Nov 2026, 15:00" in views.wish_card(await world.app.wish_view(wish_id), "en").text


async def test_a_time_of_day_typed_in_the_wish_text_closes_it_at_that_moment(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    wish_id = await posted(world, "送老人去医院复查 名额2 今天下午3点前")
    assert (await world.app.wish_view(wish_id)).wish.deadline_time == time(15, 0)

    world.clock.set(at(2026, 11, 23, 14, 59))
    await world.app.claim(cmd.ClaimWish(zhang, wish_id))
    world.clock.set(at(2026, 11, 23, 15, 0))
    with pytest.raises(errors.DeadlinePassed):
        await world.app.claim(cmd.ClaimWish(li, wish_id))


async def test_an_urgent_wish_due_in_hours_closes_that_many_hours_after_it_was_posted(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    wish_id = await posted(world, "紧急 为隔离户送药 名额2 3小时内")  # posted at 10:00
    wish = (await world.app.wish_view(wish_id)).wish
    assert (wish.deadline, wish.deadline_time) == (date(2026, 11, 23), time(13, 0))
    assert "截止：2026年11月23日（周一）13:00" in views.wish_card(await world.app.wish_view(wish_id), "zh").text

    world.clock.set(at(2026, 11, 23, 12, 59))
    await world.app.claim(cmd.ClaimWish(zhang, wish_id))
    world.clock.set(at(2026, 11, 23, 13, 0))
    with pytest.raises(errors.DeadlinePassed):
        await world.app.claim(cmd.ClaimWish(li, wish_id))


async def test_extending_by_hours_counts_them_from_now(world: World) -> None:
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月23日")
    world.clock.set(at(2026, 11, 23, 22, 30))
    await world.app.extend_deadline(cmd.ExtendDeadline(world.secretary, wish_id, "2小时内"))
    wish = (await world.app.wish_view(wish_id)).wish
    assert (wish.deadline, wish.deadline_time) == (date(2026, 11, 24), time(0, 30))


async def test_extending_to_a_time_of_day_closes_it_then(world: World) -> None:
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月23日")
    await world.app.extend_deadline(cmd.ExtendDeadline(world.secretary, wish_id, "明天18点"))
    wish = (await world.app.wish_view(wish_id)).wish
    assert (wish.deadline, wish.deadline_time) == (date(2026, 11, 24), time(18, 0))

    world.clock.set(at(2026, 11, 24, 18, 0))
    with pytest.raises(errors.DeadlinePassed):
        await world.app.claim(cmd.ClaimWish(await world.member("10", "张伟"), wish_id))


async def test_the_deadline_job_records_each_passed_wish_once_and_a_restart_neither_forgets_nor_repeats(
    world: World,
) -> None:
    early = await posted(world, "帮忙买年货 名额2 截止11月24日")
    later = await posted(world, "帮忙修水管 名额2 截止11月30日")
    afternoon = await with_time(world, "送老人去医院", date(2026, 11, 25), time(15, 0))
    deps, job = deadline_job(world)
    assert await catch_up(deps, [job], world.clock.now()) == []  # a first start records the time

    world.clock.set(at(2026, 11, 25, 14, 0))
    assert await run_job(deps, job, world.clock.now()) == 1
    before = (await world.app.wish_view(early)).wish.version
    assert await run_job(deps, job, world.clock.now()) == 0, "nothing is done twice"
    assert (await world.app.wish_view(early)).wish.version == before

    world.clock.set(at(2026, 11, 25, 16, 0))  # the bot was down over 15:00
    assert await catch_up(deps, [job], world.clock.now()) == ["deadlines"]
    assert await catch_up(deps, [job], world.clock.now()) == []
    shown = {wish_id: (await world.app.wish_view(wish_id)).wish.expired_at is not None for wish_id in (early, later)}
    assert shown == {early: True, later: False}
    assert (await world.app.wish_view(afternoon)).wish.expired_at is not None


async def test_claims_made_before_the_deadline_stay_and_can_still_be_reported_done(world: World) -> None:
    zhang = await world.member("10", "张伟")
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月24日")
    claimed = await world.app.claim(cmd.ClaimWish(zhang, wish_id))
    world.clock.set(at(2026, 11, 25, 9, 0))
    deps, job = deadline_job(world)
    await run_job(deps, job, world.clock.now())

    done = await world.app.mark_done(cmd.MarkDone(zhang, claimed.claim.id, 2.0, "买好了"))

    assert done.claim.status == ClaimStatus.DONE
    assert (await world.app.wish_view(wish_id)).claimers[0].status == ClaimStatus.DONE


async def test_extending_restores_claims_and_buttons_and_tells_the_claimers(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月24日")
    await world.app.claim(cmd.ClaimWish(zhang, wish_id))
    world.clock.set(at(2026, 11, 25, 9, 0))
    deps, job = deadline_job(world)
    await run_job(deps, job, world.clock.now())
    expired = await world.app.wish_view(wish_id)
    assert views.wish_buttons(expired, "zh") == ()
    (group_row,) = views.wish_buttons(expired, "zh", in_group=True)
    assert [(b.label, decode(b.payload)) for b in group_row] == [
        ("延长截止", Payload(Act.EXTEND, wish_id)),
        ("结束认领", Payload(Act.CLOSE_WISH, wish_id)),
    ]

    extended = await world.app.extend_deadline(cmd.ExtendDeadline(world.secretary, wish_id, "12月5日"))

    assert extended.view.wish.deadline == date(2026, 12, 5) and extended.view.wish.expired_at is None
    assert extended.told == 1
    labels = [b.label for b in views.wish_buttons(extended.view, "zh")[0]]
    assert labels == ["认领", "取消认领"]
    (notice,) = await outbox(world, "extended")
    assert notice["chat_id"] == "10" and "已延长至 2026年12月5日" in notice["payload"]
    claimed = await world.app.claim(cmd.ClaimWish(li, wish_id))
    assert claimed.claim.member_id == (await world.get_member(li)).id


async def test_closing_an_expired_wish_goes_the_existing_way_and_tells_the_claimers(world: World) -> None:
    zhang = await world.member("10", "张伟")
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月24日")
    await world.app.claim(cmd.ClaimWish(zhang, wish_id))
    world.clock.set(at(2026, 11, 25, 9, 0))

    closed = await world.app.close_wish(cmd.CloseWish(world.secretary, wish_id))

    assert closed.told == 1 and "已结束认领" in views.wish_status_line(closed.view, "zh")
    with pytest.raises(errors.WishClosed):
        await world.app.extend_deadline(cmd.ExtendDeadline(world.secretary, wish_id, "12月5日"))


@pytest.mark.parametrize(
    ("who", "wish", "text", "refusal", "zh"),
    [
        ("secretary", 99, "12月5日", errors.WishNotFound, "没有找到这条微心愿"),
        ("member", 1, "12月5日", errors.NotSecretary, "只有支部书记"),
        ("secretary", 1, "11月1日", errors.DeadlineInPast, "“11月1日”已经过去了"),
        ("secretary", 1, "2026年11月22日", errors.DeadlineInPast, "已经过去了"),
        ("secretary", 1, "过几天吧", errors.DeadlineUnreadable, "没看懂新的截止时间“过几天吧”"),
        ("secretary", 1, "", errors.DeadlineUnreadable, "没看懂"),
        ("secretary", 1, "今天9点", errors.DeadlineInPast, "已经过去了"),
    ],
)
async def test_a_bad_extension_is_refused_with_a_clear_message_and_changes_nothing(
    world: World, who: str, wish: int, text: str, refusal: type[errors.DomainError], zh: str
) -> None:
    member = await world.member("10", "张伟")
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月24日")
    actor = world.secretary if who == "secretary" else member
    before = await world.app.wish_view(wish_id)

    with pytest.raises(refusal) as refused:
        await world.app.extend_deadline(cmd.ExtendDeadline(actor, wish, text))

    assert zh in views.describe_error(refused.value, "zh")
    assert views.describe_error(refused.value, "en") != views.describe_error(refused.value, "zh")
    assert await world.app.wish_view(wish_id) == before


async def test_extended_to_today_it_takes_claims_until_the_end_of_the_day(world: World) -> None:
    wish_id = await posted(world, "帮忙买年货 名额2 截止11月24日")
    world.clock.set(at(2026, 11, 23, 23, 0))
    await world.app.extend_deadline(cmd.ExtendDeadline(world.secretary, wish_id, "今天"))
    world.clock.set(at(2026, 11, 24, 0, 0))
    with pytest.raises(errors.DeadlinePassed):
        await world.app.claim(cmd.ClaimWish(await world.member("10", "张伟"), wish_id))


async def test_wishes_lists_free_full_and_expired_apart(world: World) -> None:
    zhang = await world.member("10", "张伟")
    free = await posted(world, "帮忙买年货 名额2")
    full = await posted(world, "帮忙修水管 名额1")
    gone = await posted(world, "陪老人聊天 名额2 截止11月24日")
    await world.app.claim(cmd.ClaimWish(zhang, full))
    world.clock.set(at(2026, 11, 25, 9, 0))  # the deadline job has not run yet: /wishes knows all the same

    lists = await world.app.wish_lists(world.branch.id)

    assert [[v.wish.id for v in part] for part in (lists.claimable, lists.full, lists.expired)] == [
        [free],
        [full],
        [gone],
    ]
    zh = views.wish_list_text(lists.branch_name, lists.claimable, lists.full, lists.expired, "zh")
    assert zh.index("待认领（1）") < zh.index("#1 帮忙买年货") < zh.index("已满（1）") < zh.index("#2 帮忙修水管")
    assert zh.index("已截止（1）") < zh.index("#3 陪老人聊天")
    en = views.wish_list_text(lists.branch_name, lists.claimable, lists.full, lists.expired, "en")
    assert "Open, with free slots (1)" in en and "Full (1)" in en and "Deadline passed (1)" in en


async def test_quarterly_nudges_suggest_no_wish_past_its_deadline(world: World) -> None:
    member = await world.member("10", "张伟")
    await posted(world, "帮忙买年货 名额2 截止12月1日")
    afternoon = await with_time(world, "送老人去医院", date(2026, 12, 2), time(9, 30))
    fresh = await posted(world, "帮忙修水管 名额2 截止12月31日")
    world.clock.set(at(2026, 12, 2, 10, 0))  # the quarter's second step, after both deadlines

    assert await send_nudges(deps_for(world), world.clock.now()) == 2  # 张伟 and the secretary

    zhang = (await world.get_member(member)).id
    (nudge,) = [row for row in await outbox(world, "nudge") if row["member_id"] == zhang]
    notice = decode_notice(nudge["payload"]).notice
    assert isinstance(notice, NudgeCard) and notice.wish_ids == (fresh,), afternoon


async def test_a_wish_past_its_deadline_is_left_out_of_the_unclaimed_reminders_until_extended(world: World) -> None:
    gone = await posted(world, "陪老人聊天 名额2 截止11月24日")
    fresh = await posted(world, "帮忙买年货 名额2")
    deps = deps_for(world)

    for day in range(24, 31):
        world.clock.set(at(2026, 11, day))
        await daily_reminders(deps, world.clock.now())
    (reminder,) = await outbox(world, "unclaimed")
    assert f"#{fresh}" in reminder["payload"] and f"#{gone}" not in reminder["payload"]

    await world.app.extend_deadline(cmd.ExtendDeadline(world.secretary, gone, "12月10日"))
    await daily_reminders(deps, world.clock.now())
    assert sorted(f"#{gone}" in row["payload"] for row in await outbox(world, "unclaimed")) == [False, True]


async def test_a_nudge_sent_before_the_deadline_loses_that_wishs_claim_button_once_it_passed(world: World) -> None:
    gone = await posted(world, "陪老人聊天 名额2 截止11月24日")
    fresh = await posted(world, "帮忙买年货 名额2")
    world.clock.set(at(2026, 11, 25, 9, 0))
    deps, job = deadline_job(world)
    await run_job(deps, job, world.clock.now())

    views_now = [await world.app.wish_view(wish_id) for wish_id in (gone, fresh)]
    card = views.nudge_card("本季度您还没有服务记录", views_now, 14, "zh")

    claims = [decode(b.payload) for row in card.buttons for b in row]
    assert Payload(Act.CLAIM, fresh) in claims and Payload(Act.CLAIM, gone) not in claims
    assert "已截止" in next(line for line in card.text.splitlines() if f"#{gone}" in line)


def test_the_ledger_says_expired_from_the_deadlines_time_of_day() -> None:
    wish = LedgerWish(
        1, "b", "t", "", 2, "open", "normal", datetime(2026, 11, 1, tzinfo=SHANGHAI), date(2026, 11, 23), "",
        active_claims=1, deadline_time=time(15, 0),
    )  # fmt: skip
    assert wish.state(datetime(2026, 11, 23, 14, 59, tzinfo=SHANGHAI)) == WishState.CLAIMING
    assert wish.state(datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)) == WishState.EXPIRED


async def test_wishes_stored_before_deadlines_had_a_time_stay_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    shipped = available_migrations()
    monkeypatch.setattr("storage.sqlite.available_migrations", lambda: [m for m in shipped if m[0] < 7])
    old = Database(path)
    await old.open()
    await old.migrate()
    await old.close()
    raw = sqlite3.connect(path)
    raw.executescript(
        "INSERT INTO committees (id, name, created_at) VALUES (1, 'c', '2026-11-01T00:00:00+00:00');"
        "INSERT INTO branches (id, committee_id, name, chat_platform, chat_id, created_at)"
        " VALUES (1, 1, 'b', 'telegram', '-1', '2026-11-01T00:00:00+00:00');"
        "INSERT INTO members (id, name, created_at) VALUES (1, 's', '2026-11-01T00:00:00+00:00');"
        "INSERT INTO wishes (id, branch_id, title, slots, deadline, created_by, created_at)"
        " VALUES (1, 1, '帮忙买年货', 2, '2026-11-24', 1, '2026-11-01T00:00:00+00:00');"
    )
    raw.commit()
    raw.close()
    monkeypatch.setattr("storage.sqlite.available_migrations", lambda: shipped)

    db = Database(path)
    await db.open()
    try:
        assert "0007_deadline_time.sql" in await db.migrate()
        async with SqlStore(db).unit() as unit:
            wish = await unit.wishes.get(1)
            assert wish is not None and wish.deadline == date(2026, 11, 24)
            assert wish.deadline_time is None and wish.expired_at is None
            assert [w.id for w in await unit.wishes.unmarked_due(date(2026, 11, 25))] == [1]
    finally:
        await db.close()
