"""Shared fixtures: a real database per test (a SQLite file, and PostgreSQL for every test that does not say it is
about SQLite alone), a manual clock, and the use cases wired to them."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from bot.config import SchedulerConfig
from bot.domain.model import Account, Branch, ChatRef, Member
from bot.jobs.nudges import JobDeps
from bot.ports.clock import ManualClock
from bot.reports.render import ReportRenderer
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.postgres import PostgresDatabase, open_postgres
from storage.reports import SqlReports
from storage.sqlite import Database, open_database
from storage.uow import SqlStore
from tests.pg_server import PostgresServer, find_server

os.environ.setdefault("PTB_TIMEDELTA", "true")

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
T = TypeVar("T")


@dataclass
class World:
    """A committee with one branch on a real database, and helpers to add people."""

    db: Database
    store: SqlStore
    clock: ManualClock
    app: UseCases
    admin: Account
    secretary: Account
    branch: Branch

    async def member(
        self, user_id: str, name: str, *, skills: tuple[str, ...] = (), branch: Branch | None = None
    ) -> Account:
        """A reported-in member of the branch."""
        account = Account("telegram", user_id, name)
        await self.app.report_in(
            cmd.ReportIn(account, (branch or self.branch).id, name, "市税务局", "第三党支部", skills, "每月服务一次")
        )
        return account

    async def members(self, count: int, prefix: str = "m") -> list[Account]:
        """Many reported-in members."""
        return [await self.member(f"{prefix}{i}", f"党员{i:03d}") for i in range(count)]

    @property
    def renderer(self) -> ReportRenderer:
        """The report renderer the composition root would hand the platforms."""
        return ReportRenderer(self.store, SqlReports(self.db), SHANGHAI, "zh")

    @property
    def jobs(self) -> JobDeps:
        """The scheduled jobs' dependencies as the composition root builds them."""
        return JobDeps(SqlReports(self.db), self.app, SHANGHAI, SchedulerConfig())

    async def get_member(self, account: Account) -> Member:
        """The member behind an account."""
        async with self.store.unit() as unit:
            member = await unit.people.by_account(account.platform, account.user_id)
        assert member is not None
        return member


async def query(db: Database, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Rows of a read straight from the database, on either engine (``?`` placeholders)."""
    async with db.snapshot() as conn:
        return list(await conn.execute_fetchall(sql, params))


async def execute(db: Database, sql: str, params: Sequence[Any] = ()) -> None:
    """A write straight to the database in a transaction of its own, on either engine."""
    async with db.unit_transaction() as conn:
        await conn.execute_fetchall(sql, params)


async def reopen(db: Database) -> Database:
    """Close a database and open it again, as a restarted bot would (on either engine)."""
    await db.close()
    if isinstance(db, PostgresDatabase):
        return await open_postgres(db.url)  # type: ignore[return-value]
    return await open_database(db.path)


def wired(db: Database, store: SqlStore, clock: ManualClock) -> tuple[UseCases, ReportRenderer]:
    """Use cases and the report renderer on a database, wired as the composition root wires them."""
    reports = SqlReports(db)
    return UseCases(store, clock, SHANGHAI, reports=reports), ReportRenderer(store, reports, SHANGHAI, "zh")


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself (files, pragmas, backups)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on the ``db`` fixture (directly or through ``world``) runs on both engines, unless marked."""
    if "backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", ["sqlite"] if sqlite_only else list(BACKENDS), scope="function")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of this test run (see tests/pg_server.py for which one)."""
    server = find_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A database migrated once for this run; each test empties it before use."""
    name = f"ebranch_test_{os.getpid()}"

    async def prepare() -> str:
        url = await postgres_server.create_database(name)
        await (await open_postgres(url)).close()
        return url

    yield _in_thread(prepare())
    _in_thread(postgres_server.drop_database(name))


def _in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a loop of its own (session fixtures are set up from inside a test's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def emptied_postgres(url: str) -> PostgresDatabase:
    """The run's PostgreSQL database with every table emptied and every id counter reset."""
    database = await open_postgres(url, migrate=False)
    async with database.pool.acquire() as conn:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_version'"
        )
        await conn.execute(f"TRUNCATE {', '.join(t[0] for t in tables)} RESTART IDENTITY CASCADE")
    return database


@pytest.fixture
async def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A migrated database: a SQLite file in a temporary folder, or the run's emptied PostgreSQL database."""
    if backend == "postgresql":
        database: Database = await emptied_postgres(request.getfixturevalue("postgres_url"))  # type: ignore[assignment]
    else:
        database = await open_database(tmp_path / "ebranch.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def clock() -> ManualClock:
    """A clock standing at Monday 23 November 2026, 10:00 in Shanghai."""
    return ManualClock(START)


@pytest.fixture
async def world(db: Database, clock: ManualClock) -> World:
    """One committee 南湖区e党委 with branch 幸福里e支部 and its secretary."""
    store = SqlStore(db)
    app = UseCases(store, clock, SHANGHAI, reports=SqlReports(db))
    admin = Account("telegram", "1", "区委组织部")
    secretary = Account("telegram", "2", "王书记")
    await app.create_committee(
        cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
    )
    created = await app.create_branch(
        cmd.CreateBranch(secretary, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
    )
    assert hasattr(created, "branch")
    branch = created.branch  # type: ignore[union-attr]
    await app.report_in(cmd.ReportIn(secretary, branch.id, "王书记", "幸福里社区", "社区党委", (), "服务居民"))
    return World(db, store, clock, app, admin, secretary, branch)
