"""The scheduler as a clock only: cron triggers in the configured zone call plain job functions; the database keeps
the state. A job whose last scheduled time passed while the bot was down runs once on start (not once per missed
tick).

Only the leader among several instances runs a scheduler, and leaders change: every run is claimed first by job
and period (the scheduled time it is for) in the database, so a period caught up by a new leader, fired by the old
one in its last seconds, or caught up by both, runs once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import SchedulerConfig
from bot.jobs.deadlines import show_deadlines_passed
from bot.jobs.digest import decide_digests, decide_workplace_feedback
from bot.jobs.emergencies import emergency_prompts
from bot.jobs.housekeeping import prune_processed_events
from bot.jobs.nudges import JobDeps, daily_reminders, remind_at_risk, send_nudges
from bot.jobs.pairings import remind_pairings
from bot.jobs.recurring import post_recurring
from bot.ports.clock import Clock
from bot.ports.leadership import default_instance_name

log = logging.getLogger(__name__)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRUNE_TIME = time(3, 40)
CLAIM_STALE_AFTER = timedelta(seconds=30)
"""An unfinished claim of another claimant this old is taken over: a leader that lost the lead stops its jobs within
seconds (bootstrap cancels them), so its claim is then abandoned, not running."""
RECHECK_EVERY = 60.0
"""How often a running scheduler catches up again: a period a dead leader claimed but never finished is run once its
claim is stale."""
_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=8), timedelta(days=93), timedelta(days=400))

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
        Job("pairings", remind_pairings, at(settings.reminder_time)),
        Job("recurring", post_recurring, at(settings.reminder_time)),
        Job("at_risk", remind_at_risk, at(settings.at_risk_time, day_of_week=_DAYS[settings.at_risk_weekday])),
        Job("digest", decide_digests, at(settings.digest_time, day_of_week=_DAYS[settings.digest_weekday])),
        Job("workplace_feedback", decide_workplace_feedback, at(settings.feedback_time, month="1,4,7,10", day=1)),
        Job("prune_events", prune_processed_events, at(PRUNE_TIME)),
        Job(
            "deadlines",
            show_deadlines_passed,
            CronTrigger(minute=f"*/{settings.deadline_check_minutes}", timezone=tz),
        ),
        Job("emergencies", emergency_prompts, CronTrigger(minute="*", timezone=tz)),
    ]


def new_claimant(instance: str | None = None) -> str:
    """A name for one scheduler's claims: the instance (host:pid unless named) and a token fresh for each start."""
    return f"{instance or default_instance_name()}/{uuid.uuid4().hex[:8]}"


def due_period(trigger: CronTrigger, now: datetime, since: datetime | None = None) -> datetime | None:
    """The latest time ``trigger`` fired at or before ``now`` (and after ``since``); None if not within a year."""
    for window in _WINDOWS:
        start = now - window
        clamped = since is not None and start <= since
        if since is not None and clamped:
            start = since + timedelta(microseconds=1)
        found = None
        fire = trigger.get_next_fire_time(None, start)
        while fire is not None and fire <= now:
            found = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        if found is not None or clamped:
            return found
    return None


async def run_job(deps: JobDeps, job: Job, now: datetime, wake: Wake = lambda: None) -> int:
    """Run one job as of ``now`` whatever was claimed, record that it ran, and wake the deliveries."""
    done = await job.run(deps, now)
    await deps.usecases.job_ran(job.name, now)
    wake()
    log.info("job %s recorded %d messages", job.name, done)
    return done


async def run_due(
    deps: JobDeps,
    job: Job,
    now: datetime,
    wake: Wake = lambda: None,
    *,
    claimant: str | None = None,
    since: datetime | None = None,
) -> bool:
    """Run ``job`` for its latest period up to ``now`` (after ``since``) if this claimant wins that period's claim;
    whether it ran."""
    period = due_period(job.trigger, now, since)
    if period is None:
        return False
    if not await deps.usecases.claim_job_period(job.name, period, claimant or new_claimant(), now, CLAIM_STALE_AFTER):
        log.info("job %s for %s ran or runs elsewhere; skipping it", job.name, period.isoformat())
        return False
    done = await job.run(deps, now)
    await deps.usecases.job_period_done(job.name, period, now)
    wake()
    log.info("job %s for %s recorded %d messages", job.name, period.isoformat(), done)
    return True


async def catch_up(
    deps: JobDeps, all_jobs: Iterable[Job], now: datetime, wake: Wake = lambda: None, *, claimant: str | None = None
) -> list[str]:
    """Run once each job whose scheduled time passed since its last run, unless another claimant has run that period;
    a first start only records the time."""
    claimant = claimant or new_claimant()
    ran = []
    for job in all_jobs:
        last = await deps.usecases.job_last_run(job.name)
        if last is None:
            await deps.usecases.job_ran(job.name, now)
            continue
        if await run_due(deps, job, now, wake, claimant=claimant, since=last):
            ran.append(job.name)
    return ran


class Scheduler:
    """APScheduler's AsyncIOScheduler firing the jobs; the catch-up runs right after start and every minute after."""

    def __init__(
        self,
        deps: JobDeps,
        clock: Clock,
        wake: Wake = lambda: None,
        *,
        claimant: str | None = None,
        recheck_every: float = RECHECK_EVERY,
    ) -> None:
        self.deps = deps
        self.clock = clock
        self.wake = wake
        self.claimant = claimant or new_claimant()
        self.recheck_every = recheck_every
        self.jobs = jobs(deps.settings, deps.tz)
        self._lock = asyncio.Lock()
        self._scheduler = AsyncIOScheduler(timezone=deps.tz)
        self._catch_up: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[object]] = set()

    async def _fire(self, job: Job) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            async with self._lock:
                try:
                    await run_due(self.deps, job, self.clock.now(), self.wake, claimant=self.claimant)
                except Exception:
                    log.exception("scheduled job %s failed", job.name)
        finally:
            self._running.discard(task)  # type: ignore[arg-type]

    async def _catch_up_all(self) -> None:
        async with self._lock:
            try:
                ran = await catch_up(self.deps, self.jobs, self.clock.now(), self.wake, claimant=self.claimant)
                if ran:
                    log.info("caught up: %s", ", ".join(ran))
            except Exception:
                log.exception("catching up scheduled jobs failed")

    async def _keep_caught_up(self) -> None:
        while True:
            await self._catch_up_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.recheck_every)
            if self._stopping.is_set():
                return

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
        self._catch_up = asyncio.get_running_loop().create_task(self._keep_caught_up(), name="scheduler-catch-up")

    async def stop(self, *, at_once: bool = False) -> None:
        """Stop firing and wait for a running catch-up; ``at_once`` (the lead was lost) cancels it and any running
        job instead: its claim is taken over by the next leader."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._stopping.set()
        tasks: list[asyncio.Task[object]] = [*self._running]
        if self._catch_up is not None:
            tasks.append(self._catch_up)  # type: ignore[arg-type]
        if at_once:
            for task in tasks:
                task.cancel()
        elif self._catch_up is not None:
            tasks = [self._catch_up]  # type: ignore[list-item]
        await asyncio.gather(*tasks, return_exceptions=True)
