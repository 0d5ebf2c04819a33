"""start_scheduler itself: cron jobs in the configured zone at the configured times, catch-up once, stop shuts down."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.bootstrap import Core, start_enabled_scheduler, start_scheduler
from bot.config import default_config
from bot.jobs.nudges import JobDeps
from tests.conftest import World
from tests.schedule_support import at, outbox

BERLIN = ZoneInfo("Europe/Berlin")


def _core(world: World, tmp_path: Path, **settings: Any) -> Core:
    base = default_config(tmp_path / "ebranch.sqlite3", timezone="Europe/Berlin")
    scheduler = replace(base.scheduler, reminder_time=time(8, 15), feedback_time=time(7, 45), **settings)
    config = replace(base, scheduler=scheduler)
    jobs = JobDeps(world.jobs.reports, world.app, config.timezone, config.scheduler, config.locale)
    return Core(config, world.db, world.store, world.clock, world.app, world.renderer, jobs)


def _local(moment: datetime | None) -> datetime:
    assert moment is not None and moment.tzinfo is not None
    return moment.astimezone(BERLIN)


async def test_the_jobs_fire_on_cron_triggers_in_the_configured_zone_and_times(world: World, tmp_path: Path) -> None:
    scheduler = start_scheduler(_core(world, tmp_path, digest_weekday=2, digest_time=time(18, 30)))
    try:
        jobs = {job.id: job for job in scheduler.apscheduler.get_jobs()}
        assert set(jobs) == {
            "reminders", "nudges", "pairings", "recurring", "at_risk", "digest", "workplace_feedback", "prune_events",
            "deadlines", "emergencies",
        }  # fmt: skip
        assert scheduler.apscheduler.running
        now = datetime.now(BERLIN)
        for job in jobs.values():
            assert isinstance(job.trigger, CronTrigger) and job.trigger.timezone == BERLIN
            assert now < _local(job.next_run_time)
        for name in ("reminders", "nudges", "pairings", "recurring"):
            daily = _local(jobs[name].next_run_time)
            assert (daily.hour, daily.minute) == (8, 15) and daily - now <= timedelta(days=1)
        digest = _local(jobs["digest"].next_run_time)
        assert (digest.weekday(), digest.hour, digest.minute) == (2, 18, 30) and digest - now <= timedelta(days=7)
        at_risk = _local(jobs["at_risk"].next_run_time)
        assert (at_risk.weekday(), at_risk.hour, at_risk.minute) == (4, 10, 0)
        emergencies = _local(jobs["emergencies"].next_run_time)
        assert emergencies - now <= timedelta(minutes=1), "re-prompts are looked for every minute"
        deadlines = _local(jobs["deadlines"].next_run_time)
        assert deadlines.minute % 5 == 0 and deadlines - now <= timedelta(minutes=5), "every 5 minutes by default"
        feedback = _local(jobs["workplace_feedback"].next_run_time)
        assert (feedback.month, feedback.day, feedback.hour, feedback.minute) in {
            (month, 1, 7, 45) for month in (1, 4, 7, 10)
        }
    finally:
        await scheduler.stop()
    assert not scheduler.apscheduler.running


async def test_a_digest_missed_while_down_is_caught_up_once_on_start(world: World, tmp_path: Path) -> None:
    async with world.store.unit() as unit:
        await unit.jobs.set_run("digest", at(2026, 11, 9, 9, 0))  # two Mondays were missed before 23 November
    core = _core(world, tmp_path)

    first = start_scheduler(core)
    await first.stop()  # waits for the catch-up
    second = start_scheduler(core)
    await second.stop()

    digests = await outbox(world, "digest")
    assert [row["dedupe_key"] for row in digests] == ["digest:1:2026W48"]
    async with world.store.unit() as unit:
        assert await unit.jobs.last_run("digest") == world.clock.now()
        assert await unit.jobs.last_run("nudges") == world.clock.now(), "a first start records the time only"
    assert await outbox(world, "nudge") == []


async def test_a_disabled_scheduler_is_not_started(world: World, tmp_path: Path) -> None:
    assert start_enabled_scheduler(_core(world, tmp_path, enabled=False)) is None
