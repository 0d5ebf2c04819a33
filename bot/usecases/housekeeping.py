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
