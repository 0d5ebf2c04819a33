"""The deadline job: wishes whose deadline passed with nobody touching them get cards that say so."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.nudges import JobDeps


async def show_deadlines_passed(deps: JobDeps, now: datetime) -> int:
    """Record every wish whose deadline passed by ``now`` and whose cards do not show it yet; the card sync then
    redraws each card of it (已截止, no claim buttons). Returns how many wishes were recorded."""
    return await deps.usecases.show_deadlines_passed(now)
