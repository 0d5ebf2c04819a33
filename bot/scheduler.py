"""The scheduler as a clock only: cron triggers in the configured zone call plain job functions; SQLite keeps the state.

A job whose last scheduled time passed while the bot was down runs once on start (not once per missed tick).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import SchedulerConfig
from bot.jobs.digest import ReportService, decide_digests, decide_workplace_feedback, renderers
from bot.jobs.nudges import JobDeps, daily_reminders, remind_at_risk, send_nudges
from bot.ports.clock import Clock

if TYPE_CHECKING:
    from bot.bootstrap import Core

log = logging.getLogger(__name__)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Job:
    """A named job: what it does and when it is due."""

    name: str
    run: Callable[[JobDeps, datetime], Awaitable[int]]
    trigger: CronTrigger


class Pokeable(Protocol):
    """An outbox delivery loop that can be woken up."""

    def poke(self) -> None: ...


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
    ]


async def run_job(deps: JobDeps, job: Job, now: datetime, pokes: Iterable[Pokeable] = ()) -> int:
    """Run one job as of ``now``, record that it ran, and wake the deliveries."""
    done = await job.run(deps, now)
    async with deps.store.unit() as unit:
        await unit.jobs.set_run(job.name, now)
    for delivery in pokes:
        delivery.poke()
    log.info("job %s recorded %d messages", job.name, done)
    return done


async def catch_up(deps: JobDeps, all_jobs: Iterable[Job], now: datetime, pokes: Iterable[Pokeable] = ()) -> list[str]:
    """Run once each job whose scheduled time passed since its last run; a first start only records the time."""
    ran = []
    for job in all_jobs:
        async with deps.store.unit() as unit:
            last = await unit.jobs.last_run(job.name)
        if last is None:
            async with deps.store.unit() as unit:
                await unit.jobs.set_run(job.name, now)
            continue
        missed = job.trigger.get_next_fire_time(None, last + timedelta(microseconds=1))
        if missed is not None and missed <= now:
            await run_job(deps, job, now, pokes)
            ran.append(job.name)
    return ran


def job_deps(core: Core) -> JobDeps:
    """The jobs' dependencies from the composition root."""
    from storage.reports import SqliteReports

    return JobDeps(
        store=core.store,
        reports=SqliteReports(core.db),
        usecases=core.usecases,
        tz=core.config.timezone,
        settings=core.config.scheduler,
        lang=core.config.locale,
    )


def deliveries(core: Core) -> list[Any]:
    """The outbox deliveries of the running platforms that expose one (an optional ``delivery`` attribute)."""
    return [d for d in (getattr(p, "delivery", None) for p in core.platforms) if d is not None]


def wire_reports(core: Core) -> None:
    """Let every platform's outbox delivery render digests and feedback files, and its /digest and /export work."""
    deps = job_deps(core)
    for delivery in deliveries(core):
        if hasattr(delivery, "renderers"):
            delivery.renderers.update(renderers(deps.store, deps.reports, deps.tz, deps.lang))
    service = ReportService(deps)
    for platform in core.platforms:
        use_reports = getattr(platform, "use_reports", None)
        if use_reports is not None:
            use_reports(service)


class Scheduler:
    """APScheduler's AsyncIOScheduler firing the jobs; the catch-up runs once right after start."""

    def __init__(self, deps: JobDeps, clock: Clock, pokes: list[Any]) -> None:
        self.deps = deps
        self.clock = clock
        self.pokes = pokes
        self.jobs = jobs(deps.settings, deps.tz)
        self._lock = asyncio.Lock()
        self._scheduler = AsyncIOScheduler(timezone=deps.tz)
        self._catch_up: asyncio.Task[None] | None = None

    async def _fire(self, job: Job) -> None:
        async with self._lock:
            try:
                await run_job(self.deps, job, self.clock.now(), self.pokes)
            except Exception:
                log.exception("scheduled job %s failed", job.name)

    async def _catch_up_all(self) -> None:
        async with self._lock:
            try:
                ran = await catch_up(self.deps, self.jobs, self.clock.now(), self.pokes)
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


def start_scheduler(core: Core) -> Scheduler:
    """Start the scheduled jobs (nudges, reminders, at-risk lists, digests, feedback) for a running bot."""
    deps = job_deps(core)
    scheduler = Scheduler(deps, core.clock, deliveries(core))
    scheduler.start()
    return scheduler
