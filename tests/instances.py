"""Several bot instances on one PostgreSQL database: each its own engine (connection pool), store and use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bot.domain.model import Account, Branch, ChatRef
from bot.ports.clock import ManualClock
from bot.reports.render import ReportRenderer
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.postgres import PostgresDatabase, open_postgres
from storage.uow import SqlStore
from tests.conftest import START, emptied_postgres, wired

INSTANCES = 2


@dataclass
class Instance:
    """What one `ebranch run` process holds of the database: its own pool, store and use cases (the clock is shared)."""

    db: PostgresDatabase
    store: SqlStore
    usecases: UseCases
    renderer: ReportRenderer
    clock: ManualClock


@asynccontextmanager
async def open_instances(postgres_url: str, count: int) -> AsyncIterator[list[Instance]]:
    """``count`` instances on the run's PostgreSQL database, emptied first."""
    clock = ManualClock(START)
    engines = [await emptied_postgres(postgres_url)]
    engines += [await open_postgres(postgres_url, migrate=False) for _ in range(count - 1)]
    found = []
    for engine in engines:
        store = SqlStore(engine)
        usecases, renderer = wired(engine, store, clock)  # type: ignore[arg-type]
        found.append(Instance(engine, store, usecases, renderer, clock))
    try:
        yield found
    finally:
        for engine in engines:
            await engine.close()


@pytest.fixture
async def instances(postgres_url: str) -> AsyncIterator[list[Instance]]:
    """Two instances on the run's emptied PostgreSQL database."""
    async with open_instances(postgres_url, INSTANCES) as found:
        yield found


async def seed_branch(usecases: UseCases, platform: str = "telegram") -> Branch:
    """Committee 南湖区e党委 (chat -100) with branch 幸福里e支部 (chat -200) and its secretary, account 2."""
    admin = Account(platform, "1", "区委组织部")
    secretary = Account(platform, "2", "王书记")
    await usecases.create_committee(
        cmd.CreateCommittee(admin, "南湖区e党委", ChatRef(platform, "-100"), by_bot_admin=True)
    )
    created = await usecases.create_branch(
        cmd.CreateBranch(secretary, "幸福里e支部", ChatRef(platform, "-200"), None, by_bot_admin=True)
    )
    branch: Branch = created.branch  # type: ignore[union-attr]
    await usecases.report_in(cmd.ReportIn(secretary, branch.id, "王书记", "幸福里社区", "社区党委", (), "服务居民"))
    return branch
