"""The daily recurring-activity job: which occurrences come within the posting window now; the use cases post them."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.nudges import JobDeps


async def post_recurring(deps: JobDeps, now: datetime) -> int:
    """Post every occurrence of an active series due within ``recurring_post_days_ahead`` days, once each."""
    return await deps.usecases.post_occurrences(now, days_ahead=deps.settings.recurring_post_days_ahead)
