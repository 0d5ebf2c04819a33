"""The daily pairing sweep: which visits are due soon or overdue now; the use cases record the reminders."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.nudges import JobDeps, send_time


async def remind_pairings(deps: JobDeps, now: datetime) -> int:
    """Remind each paired member of a visit due within the configured days, and more firmly once it is overdue."""
    return await deps.usecases.record_pairing_reminders(
        now,
        remind_days_before=deps.settings.pairing_remind_days_before,
        not_before=send_time(deps, now),
        lang=deps.lang,
    )
