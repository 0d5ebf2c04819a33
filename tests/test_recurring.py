"""Recurring activities through the use cases on both engines: the rule read from the text, each occurrence its own
wish with its own slots posted ahead once, claiming one occurrence or the series, ending a series, the .ics file;
rules across month ends and time zones."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.domain import errors
from bot.domain.recurring import Frequency, Recurrence, read_recurrence, stated_schedule
from bot.jobs.recurring import post_recurring
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from bot.usecases.outcomes import WishNeedsFix, WishPosted
from storage.reports import SqlReports
from tests.conftest import World, query
from tests.schedule_support import at, deps_for, outbox

TODAY = date(2026, 12, 3)  # a Thursday


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("每周六上午小区巡逻 名额4 每周", Recurrence(Frequency.WEEKLY, 5, at=time(9, 0))),
        ("每月第一个周日 义诊 名额3", Recurrence(Frequency.MONTHLY, 6, 1)),
        ("每月最后一个周五下午3点 学习", Recurrence(Frequency.MONTHLY, 4, -1, at=time(15, 0))),
        ("每月15号 理发", Recurrence(Frequency.MONTHLY, monthday=15)),
        ("每月十五号 理发", Recurrence(Frequency.MONTHLY, monthday=15)),
        ("每天晚上 送餐", Recurrence(Frequency.DAILY, at=time(19, 0))),
        ("every Saturday 9:00 patrol", Recurrence(Frequency.WEEKLY, 5, at=time(9, 0))),
        ("first Sunday of every month clinic", Recurrence(Frequency.MONTHLY, 6, 1)),
        ("小区巡逻 每周", Recurrence(Frequency.WEEKLY, 3)),
    ],
)
def test_rules_are_read_from_the_wish_text(text: str, rule: Recurrence) -> None:
    assert read_recurrence(text, TODAY) == rule


def test_a_text_without_a_rule_is_not_a_series() -> None:
    assert read_recurrence("帮独居老人买年货 名额2", TODAY) is None


def test_occurrence_days_across_month_and_year_ends() -> None:
    first_sunday = Recurrence(Frequency.MONTHLY, 6, 1).days(date(2026, 12, 1), date(2027, 3, 31))
    assert first_sunday == [date(2026, 12, 6), date(2027, 1, 3), date(2027, 2, 7), date(2027, 3, 7)]
    last_friday = Recurrence(Frequency.MONTHLY, 4, -1).days(date(2026, 12, 1), date(2027, 3, 31))
    assert last_friday == [date(2026, 12, 25), date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)]
    thirty_first = Recurrence(Frequency.MONTHLY, monthday=31).days(date(2027, 1, 1), date(2027, 5, 31))
    assert thirty_first == [date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)], "months without one are skipped"
    saturdays = Recurrence(Frequency.WEEKLY, 5).days(date(2026, 12, 25), date(2027, 1, 10))
    assert saturdays == [date(2026, 12, 26), date(2027, 1, 2), date(2027, 1, 9)]


async def test_a_series_posts_its_first_occurrence_then_the_job_posts_ahead_once_each(world: World) -> None:
    world.clock.set(at(2026, 12, 3, 10, 0))
    posted = await world.app.post_series(
        cmd.PostSeries(world.secretary, world.branch.id, "每周六上午小区巡逻 名额4 每周")
    )

    assert [day for day, _ in posted.posted] == [date(2026, 12, 5)]
    assert posted.next_days[:2] == (date(2026, 12, 12), date(2026, 12, 19))
    first = await world.app.wish_view(posted.posted[0][1])
    assert first.wish.slots == 4 and first.wish.deadline == date(2026, 12, 5)
    assert first.wish.deadline_time == time(9, 0) and "12月5日（周六）" in first.wish.title
    assert f"/series {posted.series_id}" in first.wish.description

    deps = deps_for(world, recurring_post_days_ahead=16)
    assert await post_recurring(deps, world.clock.now()) == 2
    assert await post_recurring(deps, world.clock.now()) == 0, "each day posted once"
    days = await query(world.db, "SELECT occurs_on FROM recurring_occurrences ORDER BY occurs_on")
    assert [row["occurs_on"] for row in days] == ["2026-12-05", "2026-12-12", "2026-12-19"]
    assert len(await outbox(world, "wish_card")) == 3, "each occurrence its own card in the branch chat"
    world.clock.set(at(2026, 12, 5, 9, 30))
    assert await post_recurring(deps, world.clock.now()) == 0
    world.clock.set(at(2026, 12, 10, 10, 0))
    assert await post_recurring(deps, world.clock.now()) == 1, "the 26th comes within 16 days"


async def test_claiming_the_series_claims_each_occurrence_while_slots_are_free(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    world.clock.set(at(2026, 12, 3, 10, 0))
    posted = await world.app.post_series(cmd.PostSeries(world.secretary, world.branch.id, "每周六上午 小区巡逻 名额1"))
    first_wish = posted.posted[0][1]
    await world.app.claim(cmd.ClaimWish(li, first_wish))

    joined = await world.app.join_series(cmd.JoinSeries(zhang, posted.series_id))

    assert joined.claimed == () and not joined.already, "the one slot of 5 December is taken"
    deps = deps_for(world, recurring_post_days_ahead=7)
    world.clock.set(at(2026, 12, 6, 10, 0))
    assert await post_recurring(deps, world.clock.now()) == 1
    mine = await world.app.my_claims(zhang)
    assert [wish.deadline for _, wish in mine.claims] == [date(2026, 12, 12)]
    again = await world.app.join_series(cmd.JoinSeries(zhang, posted.series_id))
    assert again.already

    ics = await world.app.calendar(zhang)
    calendar = Calendar.from_ical(ics.content)
    [event] = calendar.walk("VEVENT")
    assert ics.events == 1 and "小区巡逻" in str(event["summary"])
    assert event.decoded("dtstart").replace(tzinfo=None).isoformat() == "2026-12-12T09:00:00"
    assert str(event["dtstart"].params["TZID"]) == "Asia/Shanghai"


async def test_ending_a_series_stops_new_occurrences_and_only_secretaries_may(world: World) -> None:
    zhang = await world.member("10", "张伟")
    world.clock.set(at(2026, 12, 3, 10, 0))
    posted = await world.app.post_series(cmd.PostSeries(world.secretary, world.branch.id, "每月第一个周日 义诊 名额3"))
    with pytest.raises(errors.NotSecretary):
        await world.app.end_series(cmd.EndSeries(zhang, posted.series_id))
    with pytest.raises(errors.NotSecretary):
        await world.app.post_series(cmd.PostSeries(zhang, world.branch.id, "每周六 巡逻 名额2"))
    with pytest.raises(errors.InvalidInput):
        await world.app.post_series(cmd.PostSeries(world.secretary, world.branch.id, "帮忙买年货 名额2"))

    await world.app.end_series(cmd.EndSeries(world.secretary, posted.series_id))

    world.clock.set(at(2026, 12, 30, 10, 0))
    assert await post_recurring(deps_for(world, recurring_post_days_ahead=7), world.clock.now()) == 0
    with pytest.raises(errors.NotFound):
        await world.app.join_series(cmd.JoinSeries(zhang, posted.series_id))


async def test_occurrence_days_follow_the_configured_time_zone(world: World) -> None:
    new_york = ZoneInfo("America/New_York")
    app = UseCases(world.store, world.clock, new_york, reports=SqlReports(world.db))
    world.clock.set(at(2026, 12, 5, 10, 0))  # Saturday 10:00 in Shanghai, still Friday 21:00 in New York
    posted = await app.post_series(cmd.PostSeries(world.secretary, world.branch.id, "每周六 巡逻 名额2"))
    assert [day for day, _ in posted.posted] == [date(2026, 12, 5)], "Saturday has not begun in New York"
    shanghai = await world.app.post_series(cmd.PostSeries(world.secretary, world.branch.id, "每周六上午 巡逻 名额2"))
    assert [day for day, _ in shanghai.posted] == [date(2026, 12, 12)], "Saturday 9:00 has passed in Shanghai"


async def test_leaving_a_series_withdraws_the_coming_occurrences_only_and_frees_their_slots(world: World) -> None:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    world.clock.set(at(2026, 12, 3, 10, 0))
    posted = await world.app.post_series(cmd.PostSeries(world.secretary, world.branch.id, "每周六上午 巡逻 名额1"))
    await world.app.join_series(cmd.JoinSeries(zhang, posted.series_id))
    deps = deps_for(world, recurring_post_days_ahead=16)
    assert await post_recurring(deps, world.clock.now()) == 2
    days = {r["occurs_on"]: r["wish_id"] for r in await query(world.db, "SELECT * FROM recurring_occurrences")}
    await world.app.join_waitlist(cmd.JoinWaitlist(li, days["2026-12-12"]))
    world.clock.set(at(2026, 12, 5, 10, 0))  # the 5 December patrol has begun

    left = await world.app.leave_series(cmd.LeaveSeries(zhang, posted.series_id))

    assert left.withdrawn == (days["2026-12-12"], days["2026-12-19"])
    mine = await world.app.my_claims(zhang)
    assert [wish.deadline for _, wish in mine.claims] == [date(2026, 12, 5)], "the one that began stays"
    assert [wish.deadline for _, wish in (await world.app.my_claims(li)).claims] == [date(2026, 12, 12)]
    assert any(row["chat_id"] == "11" for row in await outbox(world, "claim_notice")), "李娜 is told she is in"
    world.clock.set(at(2026, 12, 10, 10, 0))
    assert await post_recurring(deps, world.clock.now()) == 1
    assert len((await world.app.my_claims(zhang)).claims) == 1, "not claimed into new occurrences"
    with pytest.raises(errors.NotInSeries):
        await world.app.leave_series(cmd.LeaveSeries(zhang, posted.series_id))
    [audit] = await query(world.db, "SELECT actor_id FROM audit_log WHERE action = 'series.leave'")
    assert audit["actor_id"] == mine.claims[0][0].member_id


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("每周六上午 小区巡逻 名额4", Recurrence(Frequency.WEEKLY, 5, at=time(9, 0))),
        ("每月第一个周日 义诊 名额3", Recurrence(Frequency.MONTHLY, 6, 1)),
        ("每月15号 理发 名额2", Recurrence(Frequency.MONTHLY, monthday=15)),
        ("every Saturday patrol 4 people", Recurrence(Frequency.WEEKLY, 5)),
        ("老人每天需要送饭 名额1", None),
        ("帮老人打扫卫生，每周一次，名额2", None),
        ("每周 读书会 名额3", None),
        ("帮独居老人买年货 名额2", None),
    ],
)
def test_a_plain_wish_states_a_schedule_only_by_a_weekday_or_a_day_of_the_month(
    text: str, rule: Recurrence | None
) -> None:
    assert stated_schedule(text, TODAY) == rule


async def test_a_wish_stating_a_recurrence_becomes_a_series_as_recurring_would(world: World) -> None:
    world.clock.set(at(2026, 12, 3, 10, 0))

    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "每周六上午 小区巡逻 名额2"))

    assert isinstance(posted, WishPosted) and posted.series is not None
    assert posted.view.wish.deadline == date(2026, 12, 5) and posted.view.wish.slots == 2
    assert posted.series.posted == ((date(2026, 12, 5), posted.view.wish.id),)
    [series] = await query(world.db, "SELECT text, frequency, weekday FROM recurring_series")
    assert (series["frequency"], series["weekday"]) == ("weekly", 5)
    assert await post_recurring(deps_for(world, recurring_post_days_ahead=9), world.clock.now()) == 1
    once = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮老人打扫卫生，每周一次，名额2"))
    assert isinstance(once, WishPosted) and once.series is None, "a count of visits is no weekday"

    asked = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "每月第一个周日 义诊"))
    assert isinstance(asked, WishNeedsFix), "no count yet: the draft asks, as for any wish"
    answered = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "每月第一个周日 义诊", slots=3))
    assert isinstance(answered, WishPosted) and answered.series is not None
    assert answered.view.wish.slots == 3 and answered.view.wish.deadline == date(2026, 12, 6)
    [second] = await query(world.db, "SELECT text FROM recurring_series WHERE id = ?", (answered.series.series_id,))
    assert second["text"] == "每月第一个周日 义诊 名额3", "each occurrence reads the count again"
