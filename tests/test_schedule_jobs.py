"""Scheduled jobs: catch-up after downtime, unclaimed and overdue reminders once each, stale claims released, pacing."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.pacing import RateLimiter
from bot.domain.model import ClaimStatus
from bot.jobs.nudges import daily_reminders, remind_at_risk
from bot.scheduler import catch_up, jobs, run_job
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from tests.conftest import World
from tests.schedule_support import at, deps_for, outbox


async def test_three_missed_weekly_digests_are_caught_up_as_one(world: World) -> None:
    deps = deps_for(world)
    schedule = {job.name: job for job in jobs(deps.settings, deps.tz)}
    assert await catch_up(deps, schedule.values(), world.clock.now()) == [], "a first start only records the time"

    world.clock.set(at(2026, 11, 30, 9, 0))
    await run_job(deps, schedule["digest"], world.clock.now())
    world.clock.set(at(2026, 12, 23, 15, 0))
    ran = await catch_up(deps, [schedule["digest"]], world.clock.now())
    again = await catch_up(deps, [schedule["digest"]], world.clock.now())

    assert ran == ["digest"] and again == []
    keys = [row["dedupe_key"] for row in await outbox(world, "digest")]
    assert keys == ["digest:1:2026W49", "digest:1:2026W52"]


async def test_a_job_not_yet_due_is_not_caught_up(world: World) -> None:
    deps = deps_for(world)
    often = ("deadlines", "emergencies")  # due every few minutes, every minute
    schedule = [job for job in jobs(deps.settings, deps.tz) if job.name not in often]
    await catch_up(deps, schedule, world.clock.now())
    world.clock.set(at(2026, 11, 23, 23, 0))
    assert await catch_up(deps, schedule, world.clock.now()) == []
    world.clock.set(at(2026, 11, 24, 10, 1))
    caught = sorted(await catch_up(deps, schedule, world.clock.now()))
    assert caught == ["nudges", "pairings", "prune_events", "recurring", "reminders"]


async def _deadline_wish(world: World) -> tuple[int, int]:
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙修水管 名额1 截止12月1日"))
    assert isinstance(posted, outcomes.WishPosted)
    claimed = await world.app.claim(cmd.ClaimWish(zhang, posted.view.wish.id))
    await world.app.join_waitlist(cmd.JoinWaitlist(li, posted.view.wish.id))
    return posted.view.wish.id, claimed.claim.id


async def test_unclaimed_and_overdue_each_get_one_reminder_to_the_right_person(world: World) -> None:
    _, claim_id = await _deadline_wish(world)
    lonely = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(lonely, outcomes.WishPosted)
    deps = deps_for(world)

    for day in range(24, 31):
        world.clock.set(at(2026, 11, day))
        await daily_reminders(deps, world.clock.now())
    (unclaimed,) = await outbox(world, "unclaimed")
    assert unclaimed["chat_id"] == world.secretary.user_id and f"#{lonely.view.wish.id}" in unclaimed["payload"]
    assert unclaimed["created_at"].startswith("2026-11-26"), "three days after it was posted"
    assert await outbox(world, "overdue") == []

    for day in (2, 3, 4):
        world.clock.set(at(2026, 12, day))
        await daily_reminders(deps, world.clock.now())
    (overdue,) = await outbox(world, "overdue")
    assert overdue["chat_id"] == "10" and overdue["dedupe_key"] == f"overdue:{claim_id}"


async def test_a_claim_still_not_done_after_the_grace_days_is_released_to_the_waitlist(world: World) -> None:
    wish_id, claim_id = await _deadline_wish(world)
    before = await world.app.wish_view(wish_id)
    deps = deps_for(world)

    world.clock.set(at(2026, 12, 4))
    await daily_reminders(deps, world.clock.now())
    assert (await world.app.wish_view(wish_id)).claimers[0].name == "张伟"
    world.clock.set(at(2026, 12, 5))
    await daily_reminders(deps, world.clock.now())
    await daily_reminders(deps, world.clock.now())

    after = await world.app.wish_view(wish_id)
    assert [c.name for c in after.claimers] == ["李娜"] and after.wish.version > before.wish.version
    async with world.store.unit() as unit:
        released = await unit.claims.get(claim_id)
    assert released is not None and released.status == ClaimStatus.RELEASED
    notices = {row["chat_id"] for row in await outbox(world, "released")}
    assert notices == {"10", world.secretary.user_id}


async def test_secretaries_get_the_weekly_at_risk_list_once(world: World) -> None:
    await world.member("10", "张伟")
    deps = deps_for(world)
    world.clock.set(at(2026, 11, 27, 10, 0))
    assert await remind_at_risk(deps, world.clock.now()) == 1
    assert await remind_at_risk(deps, world.clock.now()) == 0
    (row,) = await outbox(world, "at_risk")
    assert row["chat_id"] == world.secretary.user_id and "张伟" in row["payload"]
    assert row["dedupe_key"].endswith(":2026W48")


async def test_the_pacer_keeps_to_thirty_a_second_and_twenty_a_minute_per_group() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(monotonic=lambda: now[0], sleep=sleep)
    for _ in range(20):
        await limiter.acquire("-200")
    assert now[0] == 0.0
    await limiter.acquire("-200")
    assert 2.9 < now[0] < 3.1, "the 21st message to a group waits for the per-minute bucket"

    start = now[0]
    for user in range(40):
        await limiter.acquire(str(1000 + user))
    assert 0.3 < now[0] - start < 0.5, "forty private messages take about a third of a second beyond the burst"


async def test_the_daily_pruning_forgets_updates_older_than_a_week_and_keeps_the_recent_ones(world: World) -> None:
    deps = deps_for(world)
    async with world.store.unit() as unit:
        for days_ago, key in ((9, "u1"), (8, "u2"), (6, "u3"), (0, "u4")):
            await unit.events.first_time("telegram", key, world.clock.now() - timedelta(days=days_ago))
    prune = next(job for job in jobs(deps.settings, deps.tz) if job.name == "prune_events")

    assert await run_job(deps, prune, world.clock.now()) == 2
    assert await run_job(deps, prune, world.clock.now()) == 0
    async with world.store.unit() as unit:
        assert [await unit.events.first_time("telegram", key, world.clock.now()) for key in ("u1", "u3", "u4")] == [
            True,
            False,
            False,
        ]
