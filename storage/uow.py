"""The SQLite unit of work: one transaction holding a repository per aggregate, and the store that opens them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.repos.audit import SqliteAuditLog
from storage.repos.base import Connection
from storage.repos.branches import SqliteBranches
from storage.repos.cards import SqliteCards
from storage.repos.claims import SqliteClaims
from storage.repos.committees import SqliteCommittees
from storage.repos.conversations import SqliteConversations
from storage.repos.drafts import SqliteDrafts
from storage.repos.events import SqliteProcessedEvents
from storage.repos.jobs import SqliteJobRuns
from storage.repos.outbox import SqliteOutbox
from storage.repos.people import SqlitePeople
from storage.repos.services import SqliteServices
from storage.repos.teams import SqliteTeams
from storage.repos.waitlist import SqliteWaitlist
from storage.repos.wishes import SqliteWishes
from storage.sqlite import Database


class SqliteUnit:
    """One transaction's repositories, all on the same connection (implements ``bot.ports.storage.Unit``)."""

    __slots__ = (
        "audit",
        "branches",
        "cards",
        "claims",
        "committees",
        "conversations",
        "drafts",
        "events",
        "jobs",
        "outbox",
        "people",
        "services",
        "teams",
        "waitlist",
        "wishes",
    )

    def __init__(self, conn: Connection) -> None:
        self.people = SqlitePeople(conn)
        self.committees = SqliteCommittees(conn)
        self.branches = SqliteBranches(conn)
        self.teams = SqliteTeams(conn)
        self.wishes = SqliteWishes(conn)
        self.claims = SqliteClaims(conn)
        self.waitlist = SqliteWaitlist(conn)
        self.services = SqliteServices(conn)
        self.cards = SqliteCards(conn)
        self.outbox = SqliteOutbox(conn)
        self.events = SqliteProcessedEvents(conn)
        self.drafts = SqliteDrafts(conn)
        self.conversations = SqliteConversations(conn)
        self.jobs = SqliteJobRuns(conn)
        self.audit = SqliteAuditLog(conn)


class SqliteStore:
    """The storage port on SQLite: hands out units of work, one transaction each."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqliteUnit]:
        """One atomic, isolated transaction."""
        async with self.db.unit_transaction() as conn:
            yield SqliteUnit(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteUnit]:
        """Reads only, serialised with the writers but without a transaction of their own."""
        async with self.db.unit_read() as conn:
            yield SqliteUnit(conn)
