"""Use cases of the bot's own bookkeeping: when each job last ran, and forgetting updates no platform can retry."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.usecases.base import Base

OUTBOX_RECORDS_KEPT = timedelta(days=400)
"""How long the record that something was sent (its dedupe key) outlives its erased content: longer than any window
in which the same decision could be taken again (a quarter's nudges, a yearly welcome)."""
PROCESSED_EVENTS_KEPT = timedelta(days=7)
"""How long a handled update is remembered: Telegram gives up redelivering an update after 24 hours and WeCom
retries a callback within seconds, so a week leaves a wide margin for a bot that was down for days."""
JOB_PERIODS_KEPT = timedelta(days=120)
"""How long the record of which period of a job ran is kept: longer than the longest period (a quarter); older periods
are also guarded by ``job_runs.last_run``."""


class Housekeeping(Base):
    """The scheduler's clock and the pruning that keeps the processed-events table from growing forever."""

    async def job_last_run(self, job: str) -> datetime | None:
        """When a scheduled job last completed."""
        async with self.store.read() as unit:
            return await unit.jobs.last_run(job)

    async def job_ran(self, job: str, at: datetime) -> None:
        """Record that a scheduled job completed as of ``at``."""
        async with self.store.unit() as unit:
            await unit.jobs.set_run(job, at)

    async def claim_job_period(
        self, job: str, period: datetime, claimant: str, now: datetime, stale_after: timedelta
    ) -> bool:
        """Decide, in one transaction, that this claimant runs ``job`` for ``period``: False when that period ran
        already, or another claimant took it less than ``stale_after`` ago and has not finished it."""
        async with self.store.unit() as unit:
            return await unit.jobs.claim_period(job, period, claimant, now, stale_before=now - stale_after)

    async def job_period_done(self, job: str, period: datetime, now: datetime) -> None:
        """Record that the claimed run of ``job`` for ``period`` completed as of ``now`` (its last run too)."""
        async with self.store.unit() as unit:
            await unit.jobs.finish_period(job, period, now)
            await unit.jobs.set_run(job, now)

    async def prune_job_periods(self, now: datetime, keep: timedelta = JOB_PERIODS_KEPT) -> int:
        """Forget which instance ran which period of a job, for periods older than ``keep``."""
        async with self.store.unit() as unit:
            return await unit.jobs.prune_periods(now - keep)

    async def prune_processed(self, now: datetime, keep: timedelta = PROCESSED_EVENTS_KEPT) -> int:
        """Forget handled updates older than ``keep``; returns how many were forgotten."""
        async with self.store.unit() as unit:
            return await unit.events.prune(now - keep)

    async def prune_outbox(self, now: datetime, keep_content: timedelta) -> tuple[int, int]:
        """Erase the content of sent notices older than ``keep_content`` and forget very old records entirely."""
        async with self.store.unit() as unit:
            erased = await unit.outbox.erase_sent_before(now - keep_content)
            deleted = await unit.outbox.delete_finished_before(now - OUTBOX_RECORDS_KEPT)
        return erased, deleted
