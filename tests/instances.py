"""Several bot instances on one PostgreSQL database: each its own engine (connection pool), store and use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.ports.clock import ManualClock
from bot.reports.render import ReportRenderer
from bot.usecases import UseCases
from storage.postgres import PostgresDatabase, open_postgres
from storage.uow import SqlStore
from tests.conftest import START, emptied_postgres, wired

INSTANCES = 2


@dataclass
class Instance:
    """What one `ebranch run` process holds of the database: its own pool, store and use cases; a shared clock."""

    db: PostgresDatabase
    store: SqlStore
    usecases: UseCases
    renderer: ReportRenderer


@pytest.fixture
async def instances(postgres_url: str) -> AsyncIterator[list[Instance]]:
    """Two instances on the run's emptied PostgreSQL database, sharing one manual clock."""
    clock = ManualClock(START)
    engines = [await emptied_postgres(postgres_url)]
    engines += [await open_postgres(postgres_url, migrate=False) for _ in range(INSTANCES - 1)]
    found = []
    for engine in engines:
        store = SqlStore(engine)
        usecases, renderer = wired(engine, store, clock)  # type: ignore[arg-type]
        found.append(Instance(engine, store, usecases, renderer))
    try:
        yield found
    finally:
        for engine in engines:
            await engine.close()
