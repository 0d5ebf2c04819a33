"""The report jobs: the weekly committee digest and the quarterly 双报到 feedback, recorded by the use cases."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.nudges import JobDeps


async def decide_digests(deps: JobDeps, now: datetime) -> int:
    """Record this week's digest for every committee with a chat, once per committee and week."""
    return await deps.usecases.record_digests(now)


async def decide_workplace_feedback(deps: JobDeps, now: datetime) -> int:
    """At a quarter's start, record last quarter's 双报到 feedback per workplace branch to the configured chat."""
    return await deps.usecases.record_workplace_feedback(now, deps.settings.workplace_feedback_chat)
