"""The emergency job: every minute, finish any call's fan-out, re-prompt non-responders, list them to secretaries."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.nudges import JobDeps


async def emergency_prompts(deps: JobDeps, now: datetime) -> int:
    """Record what open calls owe now: members not called yet (a fan-out cut short), re-prompts due after
    ``[emergency] reprompt_minutes``, and the list of non-responders after ``list_after_minutes``."""
    return await deps.usecases.record_reprompts(now)
