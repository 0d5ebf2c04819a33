"""Helpers for the scheduler tests: job dependencies on the World, and reading what the outbox decided."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import SchedulerConfig
from bot.jobs.nudges import JobDeps
from bot.usecases import UseCases
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, World, query


def deps_for(world: World, tz: ZoneInfo = SHANGHAI, **settings: Any) -> JobDeps:
    """Job dependencies on the test world, with some schedule settings changed."""
    reports = SqlReports(world.db)
    usecases = world.app if tz == SHANGHAI else UseCases(world.store, world.clock, tz, reports=reports)
    return JobDeps(reports, usecases, tz, replace(SchedulerConfig(), **settings))


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    """A local moment."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


async def outbox(world: World, kind: str) -> list[dict[str, Any]]:
    """The outbox rows of a kind, oldest first."""
    return [dict(row) for row in await query(world.db, "SELECT * FROM outbox WHERE kind = ? ORDER BY id", (kind,))]
