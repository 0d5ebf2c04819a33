"""The reminder jobs: which step of the quarter is due and when messages may go out; the use cases record them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import SchedulerConfig
from bot.domain.calendar import is_public_holiday
from bot.domain.quarters import Quarter, local_date
from bot.ports.reports import ReportQueries
from bot.usecases import UseCases
from bot.usecases.reminders import NudgeStep

PAGE = 2000  # members read per page of the sweep: fewer round trips to the report connection


@dataclass(frozen=True, slots=True)
class JobDeps:
    """What every scheduled job needs: the use cases, the report queries they read from, and the schedule settings."""

    reports: ReportQueries
    usecases: UseCases
    tz: ZoneInfo
    settings: SchedulerConfig
    lang: str = "zh"


def quiet_until(now: datetime, tz: ZoneInfo, start: time, end: time) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (in UTC, as the outbox stores times), or None outside them."""
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start > end:
        quiet = clock >= start or clock < end
        day = local.date() + timedelta(days=1) if clock >= start else local.date()
    else:
        quiet = start <= clock < end
        day = local.date()
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC) if quiet else None


def send_time(deps: JobDeps, now: datetime) -> datetime | None:
    """When a private message decided now may go out: None for right away, else the end of quiet hours."""
    return quiet_until(now, deps.tz, deps.settings.quiet_start, deps.settings.quiet_end)


def nudge_steps(quarter: Quarter, settings: SchedulerConfig) -> list[tuple[str, date]]:
    """The quarter's reminder steps and the day each becomes due: after day N, then weekly in the last weeks."""
    steps: dict[str, date] = {}
    for after in settings.nudge_after_days:
        if after < quarter.days:
            steps[f"d{after}"] = quarter.start + timedelta(days=after)
    for weeks_left in range(settings.weekly_in_last_weeks, 0, -1):
        day = quarter.end - timedelta(weeks=weeks_left)
        if day > quarter.start:
            steps[f"w{weeks_left}"] = day
    return sorted(steps.items(), key=lambda item: (item[1], item[0]))


def due_step(today: date, settings: SchedulerConfig) -> tuple[Quarter, str, bool] | None:
    """The latest step due on ``today`` (quarter, step name, firm?) or None before the first one."""
    quarter = Quarter(today.year, (today.month - 1) // 3 + 1)
    due = [(name, day) for name, day in nudge_steps(quarter, settings) if day <= today]
    if not due:
        return None
    name = due[-1][0]
    return quarter, name, name.startswith("w")


async def send_nudges(deps: JobDeps, now: datetime) -> int:
    """Record the reminder due now for every member who has not served this quarter; returns how many were new."""
    today = local_date(now, deps.tz)
    if deps.settings.skip_public_holidays and is_public_holiday(today):
        return 0
    step = due_step(today, deps.settings)
    if step is None:
        return 0
    quarter, name, firm = step
    pages = deps.reports.nudge_candidates(quarter.start, quarter.end, now, batch=PAGE)
    return await deps.usecases.record_nudges(
        now,
        pages,
        NudgeStep(quarter, name, firm, (quarter.end - today).days),
        not_before=send_time(deps, now),
        pause_days=deps.settings.pause_days,
        lang=deps.lang,
    )


async def remind_at_risk(deps: JobDeps, now: datetime) -> int:
    """Each week, send every branch secretary the private list of members who have not served this quarter."""
    return await deps.usecases.record_at_risk_lists(now, not_before=send_time(deps, now), lang=deps.lang)


async def remind_unclaimed(deps: JobDeps, now: datetime) -> int:
    """One reminder to the branch secretaries (else the branch chat) for each wish nobody claimed for N days."""
    wishes = await deps.reports.unclaimed_wishes(now - timedelta(days=deps.settings.unclaimed_reminder_days))
    return await deps.usecases.record_unclaimed(now, wishes, not_before=send_time(deps, now), lang=deps.lang)


async def remind_overdue(deps: JobDeps, now: datetime) -> int:
    """One private reminder to each member whose claim is past its wish's deadline and not reported done."""
    overdue = [(claim.id, wish) for claim, wish in await deps.reports.overdue_claims(local_date(now, deps.tz))]
    return await deps.usecases.record_overdue(now, overdue, not_before=send_time(deps, now), lang=deps.lang)


async def release_stale(deps: JobDeps, now: datetime) -> int:
    """Release claims still not done ``release_after_days`` after the deadline (and after the claim) to the branch."""
    days = deps.settings.release_after_days
    cutoff = local_date(now, deps.tz) - timedelta(days=days)
    released = 0
    for claim, _wish in await deps.reports.overdue_claims(cutoff):
        if local_date(claim.claimed_at, deps.tz) < cutoff:
            released += await deps.usecases.release_stale_claim(claim.id, days, not_before=send_time(deps, now))
    return released


async def daily_reminders(deps: JobDeps, now: datetime) -> int:
    """The daily pass: release stale claims, then remind overdue claimers and secretaries of unclaimed wishes."""
    return await release_stale(deps, now) + await remind_overdue(deps, now) + await remind_unclaimed(deps, now)
