"""Quarterly nudges: the cadence over a whole quarter, quiet hours, time zones, a year end, suggestions and pausing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import SchedulerConfig
from bot.delivery.outbox import OutboxDelivery
from bot.domain.calendar import is_public_holiday
from bot.domain.model import Urgency, Wish, WishStatus
from bot.domain.quarters import Quarter
from bot.jobs.nudges import due_step, quiet_until, send_nudges
from bot.notices.callbacks import Act, decode
from bot.usecases import commands as cmd
from bot.usecases.reminders import suggest
from tests.conftest import SHANGHAI, World
from tests.schedule_support import at, deps_for, outbox
from tests.test_delivery import RecordingGateway, drain


async def _nudged_days(world: World) -> dict[int, list[date]]:
    days: dict[int, list[date]] = defaultdict(list)
    for row in await outbox(world, "nudge"):
        days[row["member_id"]].append(datetime.fromisoformat(row["created_at"]).astimezone(SHANGHAI).date())
    return days


async def test_each_member_is_nudged_exactly_at_the_steps_of_a_whole_quarter(world: World) -> None:
    idle, served, paused = [await world.member(str(10 + i), name) for i, name in enumerate(("张伟", "李娜", "王芳"))]
    deps = deps_for(world)
    day = date(2027, 1, 1)
    while day < date(2027, 4, 1):
        world.clock.set(at(day.year, day.month, day.day))
        if day == date(2027, 2, 10):
            target = await world.get_member(served)
            await world.app.log_service(cmd.LogService(world.secretary, world.branch.id, target.id, day, 2, "巡逻"))
        if day == date(2027, 3, 1):
            await world.app.pause_nudges(cmd.PauseNudges(paused, 14))
        await send_nudges(deps, world.clock.now())
        day += timedelta(days=1)

    days = await _nudged_days(world)
    steps = [date(2027, 1, 31), date(2027, 3, 2), date(2027, 3, 11), date(2027, 3, 18), date(2027, 3, 25)]
    assert days[(await world.get_member(idle)).id] == steps
    assert days[(await world.get_member(served)).id] == [date(2027, 1, 31)]
    assert days[(await world.get_member(paused)).id] == [date(2027, 1, 31), date(2027, 3, 15), *steps[3:]]


async def test_last_weeks_are_firmer_and_carry_claim_and_pause_buttons(world: World) -> None:
    member = await world.member("10", "张伟", skills=("维修",))
    await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙修水管 名额2 #维修"))
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    deps = deps_for(world)

    world.clock.set(at(2026, 12, 1))
    await send_nudges(deps, world.clock.now())
    world.clock.set(at(2026, 12, 11))
    await send_nudges(deps, world.clock.now())
    await drain(delivery, rounds=3)

    gentle, firm = [m for c, m in gateway.sent if c.chat_id == member.user_id and "季度" in m.text]
    assert "只剩21天" in firm.text and "只剩" not in gentle.text
    payloads = [decode(b.payload) for row in firm.buttons for b in row]
    assert [p.act for p in payloads if p] == [Act.CLAIM, Act.PAUSE_NUDGES]
    assert payloads[-1] is not None and payloads[-1].target == 14


async def test_a_decision_in_quiet_hours_waits_for_the_morning(world: World) -> None:
    member = await world.member("10", "张伟")
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    world.clock.set(at(2026, 12, 1, 22, 30))

    await send_nudges(deps_for(world), world.clock.now())
    await drain(delivery, rounds=2)
    assert not gateway.texts_to(member.user_id)

    world.clock.set(at(2026, 12, 2, 7, 59))
    await drain(delivery, rounds=2)
    assert not gateway.texts_to(member.user_id)
    world.clock.set(at(2026, 12, 2, 8, 0))
    await drain(delivery, rounds=2)
    assert len(gateway.texts_to(member.user_id)) == 1


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = (time(21), time(8))
    assert quiet_until(at(2026, 12, 1, 20, 59), SHANGHAI, *night) is None
    assert quiet_until(at(2026, 12, 1, 21, 0), SHANGHAI, *night) == at(2026, 12, 2, 8, 0)
    assert quiet_until(at(2026, 12, 2, 3, 0), SHANGHAI, *night) == at(2026, 12, 2, 8, 0)
    assert quiet_until(at(2026, 12, 2, 8, 0), SHANGHAI, *night) is None
    lunch = (time(12), time(14))
    assert quiet_until(at(2026, 12, 2, 13, 0), SHANGHAI, *lunch) == at(2026, 12, 2, 14, 0)
    assert quiet_until(at(2026, 12, 2, 14, 0), SHANGHAI, *lunch) is None


async def test_the_quarter_and_quiet_hours_follow_the_configured_time_zone(world: World) -> None:
    member = await world.member("10", "张伟")
    moment = datetime(2027, 1, 30, 17, 0, tzinfo=UTC)
    world.clock.set(moment)

    await send_nudges(deps_for(world, tz=ZoneInfo("UTC")), moment)
    assert await outbox(world, "nudge") == [], "30 January in UTC: day 31 of Q1 has not begun"

    await send_nudges(deps_for(world), moment)
    rows = [r for r in await outbox(world, "nudge") if r["chat_id"] == member.user_id]
    assert rows and rows[0]["dedupe_key"].endswith(":2027Q1:d30")
    assert datetime.fromisoformat(rows[0]["not_before"]) == at(2027, 1, 31, 8, 0), "01:00 in Shanghai is quiet"


async def test_a_year_end_starts_the_new_quarter_afresh(world: World) -> None:
    member = await world.member("10", "张伟")
    deps = deps_for(world)
    for moment in (at(2026, 12, 25), at(2026, 12, 31), at(2027, 1, 1), at(2027, 1, 31)):
        world.clock.set(moment)
        await send_nudges(deps, moment)

    target = await world.get_member(member)
    keys = [r["dedupe_key"] for r in await outbox(world, "nudge") if r["member_id"] == target.id]
    assert keys == [f"nudge:{target.id}:2026Q4:w1", f"nudge:{target.id}:2027Q1:d30"]
    assert due_step(date(2027, 1, 30), SchedulerConfig()) is None


def test_steps_of_every_quarter_are_distinct_and_in_order() -> None:
    for number in range(1, 5):
        quarter = Quarter(2027, number)
        step = due_step(quarter.end - timedelta(days=1), SchedulerConfig())
        assert step is not None and step[1] == "w1" and step[2]
        assert due_step(quarter.start + timedelta(days=30), SchedulerConfig()) == (quarter, "d30", False)


def _wish(wish_id: int, category: str = "", deadline: date | None = None) -> Wish:
    return Wish(
        wish_id, 1, f"心愿{wish_id}", "", category, 2, False, deadline, Urgency.NORMAL, WishStatus.OPEN, 1,
        datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip


def test_suggestions_fit_the_skills_and_favour_wishes_nobody_claimed() -> None:
    wishes = [(_wish(1, "维修"), 1), (_wish(2, "法律"), 0), (_wish(3), 1), (_wish(4, "维修"), 0), (_wish(5), 0)]
    assert [w.id for w in suggest(wishes, ("维修",))] == [4, 5, 1]
    assert [w.id for w in suggest(wishes, ())] == [2, 4, 5]


def test_suggestions_skip_wishes_the_member_already_claimed_and_fall_back_to_any_open_wish() -> None:
    wishes = [(_wish(1, "维修"), 1), (_wish(2, "法律"), 0), (_wish(3, "医疗"), 1)]
    assert [w.id for w in suggest(wishes, ("维修",), exclude={1})] == [2, 3]


async def test_an_unreachable_member_is_reported_to_the_secretary_instead(world: World) -> None:
    member = await world.member("10", "张伟")
    gateway = RecordingGateway(blocked={"10"})
    delivery = OutboxDelivery(world.store, gateway, world.clock)
    deps = deps_for(world)
    world.clock.set(at(2026, 12, 1))

    await send_nudges(deps, world.clock.now())
    await drain(delivery, rounds=3)
    world.clock.set(at(2026, 12, 11))
    await send_nudges(deps, world.clock.now())
    await drain(delivery, rounds=3)

    told = [text for text in gateway.texts_to(world.secretary.user_id) if "张伟" in text and "当面提醒" in text]
    assert len(told) == 1
    assert not gateway.texts_to(member.user_id)


async def test_a_fan_out_interrupted_by_a_restart_reaches_everyone_exactly_once(world: World) -> None:
    await world.members(2000)
    await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    world.clock.set(at(2026, 12, 1))
    recorded = await send_nudges(deps_for(world), world.clock.now())
    assert recorded == 2001

    class Crash(BaseException):
        """The process is killed: nothing catches this."""

    class DyingGateway(RecordingGateway):
        async def send(self, chat, message):  # type: ignore[no-untyped-def]
            if len(self.sent) >= 700:
                raise Crash()
            return await super().send(chat, message)

    first = DyingGateway()
    try:
        await OutboxDelivery(world.store, first, world.clock, concurrency=64).deliver_due(limit=5000)
    except Crash:
        pass
    await _sends_in_flight_settle()
    second = RecordingGateway()
    resumed = OutboxDelivery(world.store, second, world.clock, concurrency=64)
    while await resumed.deliver_due(limit=5000):
        pass
    assert await send_nudges(deps_for(world), world.clock.now()) == 0

    nudged = [c.chat_id for c, m in first.sent + second.sent if "季度" in m.text]
    assert 0 < len([m for _, m in first.sent if "季度" in m.text]) < 2001, "the first delivery died midway"
    assert len(nudged) == len(set(nudged)) == 2001


async def _sends_in_flight_settle() -> None:
    """The sends already handed to the platform when the first delivery died finish and are recorded."""
    for _ in range(500):
        if len(asyncio.all_tasks()) <= 1:
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(("skip", "expected"), [(True, date(2027, 5, 5)), (False, date(2027, 5, 1))])
async def test_a_reminder_due_on_a_public_holiday_waits_for_the_next_working_day(
    world: World, skip: bool, expected: date
) -> None:
    member = await world.member("10", "张伟")
    deps = deps_for(world, skip_public_holidays=skip)
    day = date(2027, 4, 28)
    while day <= date(2027, 5, 7):
        world.clock.set(at(day.year, day.month, day.day))
        await send_nudges(deps, world.clock.now())
        day += timedelta(days=1)
    target = await world.get_member(member)
    rows = [r for r in await outbox(world, "nudge") if r["member_id"] == target.id]
    assert [r["dedupe_key"] for r in rows] == [f"nudge:{target.id}:2027Q2:d30"]
    assert datetime.fromisoformat(rows[0]["created_at"]).astimezone(SHANGHAI).date() == expected


@pytest.mark.parametrize(
    ("day", "off"),
    [
        (date(2026, 10, 1), True),  # National Day
        (date(2026, 10, 7), True),  # a weekday off in lieu (调休)
        (date(2026, 10, 8), False),
        (date(2026, 2, 17), True),  # Spring Festival
        (date(2026, 2, 14), False),  # a Saturday worked in lieu
        (date(2027, 2, 8), True),  # Spring Festival 2027
        (date(2027, 5, 1), True),  # Labour Day 2027
        (date(2027, 10, 1), True),  # National Day 2027
        (date(2027, 3, 10), False),
    ],
)
def test_statutory_holidays_of_2026_and_2027(day: date, off: bool) -> None:
    assert is_public_holiday(day) is off
