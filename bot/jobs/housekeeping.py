"""The daily housekeeping job: forget handled updates no platform can still redeliver, and old outbox content."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.jobs.nudges import JobDeps


async def prune_processed_events(deps: JobDeps, now: datetime) -> int:
    """Forget processed-event keys older than a week and old job periods; erase sent outbox content past its
    retention."""
    forgotten = await deps.usecases.prune_processed(now) + await deps.usecases.prune_job_periods(now)
    erased, deleted = await deps.usecases.prune_outbox(now, timedelta(days=deps.settings.outbox_retention_days))
    return forgotten + erased + deleted
