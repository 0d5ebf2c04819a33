"""Shared fixtures: a real SQLite file per test, a manual clock, and the use cases wired to them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import SchedulerConfig
from bot.domain.model import Account, Branch, ChatRef, Member
from bot.jobs.nudges import JobDeps
from bot.ports.clock import ManualClock
from bot.reports.render import ReportRenderer
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.reports import SqliteReports
from storage.sqlite import Database, open_database
from storage.uow import SqliteStore

os.environ.setdefault("PTB_TIMEDELTA", "true")

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@dataclass
class World:
    """A committee with one branch on a real database, and helpers to add people."""

    db: Database
    store: SqliteStore
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
        return ReportRenderer(self.store, SqliteReports(self.db), SHANGHAI, "zh")

    @property
    def jobs(self) -> JobDeps:
        """The scheduled jobs' dependencies as the composition root builds them."""
        return JobDeps(SqliteReports(self.db), self.app, SHANGHAI, SchedulerConfig())

    async def get_member(self, account: Account) -> Member:
        """The member behind an account."""
        async with self.store.unit() as unit:
            member = await unit.people.by_account(account.platform, account.user_id)
        assert member is not None
        return member


def wired(db: Database, store: SqliteStore, clock: ManualClock) -> tuple[UseCases, ReportRenderer]:
    """Use cases and the report renderer on a database, wired as the composition root wires them."""
    reports = SqliteReports(db)
    return UseCases(store, clock, SHANGHAI, reports=reports), ReportRenderer(store, reports, SHANGHAI, "zh")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database in a temporary file."""
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
    store = SqliteStore(db)
    app = UseCases(store, clock, SHANGHAI, reports=SqliteReports(db))
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
