"""The daily housekeeping job: forget handled updates that no platform can still redeliver."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.nudges import JobDeps


async def prune_processed_events(deps: JobDeps, now: datetime) -> int:
    """Forget processed-event keys older than the retention (a week); returns how many were forgotten."""
    return await deps.usecases.prune_processed(now)
