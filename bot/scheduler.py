"""The scheduler as a clock only: cron triggers in the configured zone call plain job functions; the database keeps
the state. A job whose last scheduled time passed while the bot was down runs once on start (not once per missed
tick)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import SchedulerConfig
from bot.jobs.deadlines import show_deadlines_passed
from bot.jobs.digest import decide_digests, decide_workplace_feedback
from bot.jobs.housekeeping import prune_processed_events
from bot.jobs.nudges import JobDeps, daily_reminders, remind_at_risk, send_nudges
from bot.ports.clock import Clock

log = logging.getLogger(__name__)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRUNE_TIME = time(3, 40)

Wake = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Job:
    """A named job: what it does and when it is due."""

    name: str
    run: Callable[[JobDeps, datetime], Awaitable[int]]
    trigger: CronTrigger


def jobs(settings: SchedulerConfig, tz: Any) -> list[Job]:
    """Every scheduled job with its cron trigger in the configured time zone."""

    def at(moment: time, **fields: Any) -> CronTrigger:
        return CronTrigger(hour=moment.hour, minute=moment.minute, timezone=tz, **fields)

    return [
        Job("reminders", daily_reminders, at(settings.reminder_time)),
        Job("nudges", send_nudges, at(settings.reminder_time)),
        Job("at_risk", remind_at_risk, at(settings.at_risk_time, day_of_week=_DAYS[settings.at_risk_weekday])),
        Job("digest", decide_digests, at(settings.digest_time, day_of_week=_DAYS[settings.digest_weekday])),
        Job("workplace_feedback", decide_workplace_feedback, at(settings.feedback_time, month="1,4,7,10", day=1)),
        Job("prune_events", prune_processed_events, at(PRUNE_TIME)),
        Job(
            "deadlines",
            show_deadlines_passed,
            CronTrigger(minute=f"*/{settings.deadline_check_minutes}", timezone=tz),
        ),
    ]


async def run_job(deps: JobDeps, job: Job, now: datetime, wake: Wake = lambda: None) -> int:
    """Run one job as of ``now``, record that it ran, and wake the deliveries."""
    done = await job.run(deps, now)
    await deps.usecases.job_ran(job.name, now)
    wake()
    log.info("job %s recorded %d messages", job.name, done)
    return done


async def catch_up(deps: JobDeps, all_jobs: Iterable[Job], now: datetime, wake: Wake = lambda: None) -> list[str]:
    """Run once each job whose scheduled time passed since its last run; a first start only records the time."""
    ran = []
    for job in all_jobs:
        last = await deps.usecases.job_last_run(job.name)
        if last is None:
            await deps.usecases.job_ran(job.name, now)
            continue
        missed = job.trigger.get_next_fire_time(None, last + timedelta(microseconds=1))
        if missed is not None and missed <= now:
            await run_job(deps, job, now, wake)
            ran.append(job.name)
    return ran


class Scheduler:
    """APScheduler's AsyncIOScheduler firing the jobs; the catch-up runs once right after start."""

    def __init__(self, deps: JobDeps, clock: Clock, wake: Wake = lambda: None) -> None:
        self.deps = deps
        self.clock = clock
        self.wake = wake
        self.jobs = jobs(deps.settings, deps.tz)
        self._lock = asyncio.Lock()
        self._scheduler = AsyncIOScheduler(timezone=deps.tz)
        self._catch_up: asyncio.Task[None] | None = None

    async def _fire(self, job: Job) -> None:
        async with self._lock:
            try:
                await run_job(self.deps, job, self.clock.now(), self.wake)
            except Exception:
                log.exception("scheduled job %s failed", job.name)

    async def _catch_up_all(self) -> None:
        async with self._lock:
            try:
                ran = await catch_up(self.deps, self.jobs, self.clock.now(), self.wake)
                if ran:
                    log.info("caught up after downtime: %s", ", ".join(ran))
            except Exception:
                log.exception("catching up scheduled jobs failed")

    @property
    def apscheduler(self) -> AsyncIOScheduler:
        """The APScheduler instance firing the jobs (its jobs show each trigger and next run time)."""
        return self._scheduler

    def start(self) -> None:
        """Add the jobs and start firing; the catch-up runs in the background."""
        for job in self.jobs:
            self._scheduler.add_job(
                self._fire, job.trigger, args=(job,), id=job.name, coalesce=True, max_instances=1,
                misfire_grace_time=3600,
            )  # fmt: skip
        self._scheduler.start()
        self._catch_up = asyncio.get_running_loop().create_task(self._catch_up_all())

    async def stop(self) -> None:
        """Stop firing and wait for a running catch-up."""
        self._scheduler.shutdown(wait=False)
        if self._catch_up is not None:
            await self._catch_up
