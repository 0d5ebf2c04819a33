"""The unit of work: one transaction holding a repository per aggregate, and the store that opens them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.engine import Engine
from storage.repos.audit import SqlAuditLog
from storage.repos.base import Connection
from storage.repos.branches import SqlBranches
from storage.repos.cards import SqlCards
from storage.repos.claims import SqlClaims
from storage.repos.committees import SqlCommittees
from storage.repos.conversations import SqlConversations
from storage.repos.drafts import SqlDrafts
from storage.repos.emergencies import SqlEmergencies
from storage.repos.events import SqlProcessedEvents
from storage.repos.jobs import SqlJobRuns
from storage.repos.outbox import SqlOutbox
from storage.repos.pairings import SqlPairings
from storage.repos.people import SqlPeople
from storage.repos.records import SqlCertificates, SqlGridWorkers, SqlSignins
from storage.repos.recurring import SqlRecurringSeries
from storage.repos.services import SqlServices
from storage.repos.shared import SqlSharedState
from storage.repos.teams import SqlTeams
from storage.repos.waitlist import SqlWaitlist
from storage.repos.wishes import SqlWishes


class SqlUnit:
    """One transaction's repositories, all on the same connection (implements ``bot.ports.storage.Unit``)."""

    __slots__ = (
        "audit",
        "branches",
        "cards",
        "certificates",
        "claims",
        "committees",
        "conversations",
        "drafts",
        "emergencies",
        "events",
        "grid_workers",
        "jobs",
        "outbox",
        "pairings",
        "people",
        "recurring",
        "services",
        "shared",
        "signins",
        "teams",
        "waitlist",
        "wishes",
    )

    def __init__(self, conn: Connection) -> None:
        self.people = SqlPeople(conn)
        self.committees = SqlCommittees(conn)
        self.branches = SqlBranches(conn)
        self.teams = SqlTeams(conn)
        self.wishes = SqlWishes(conn)
        self.claims = SqlClaims(conn)
        self.waitlist = SqlWaitlist(conn)
        self.services = SqlServices(conn)
        self.cards = SqlCards(conn)
        self.outbox = SqlOutbox(conn)
        self.events = SqlProcessedEvents(conn)
        self.drafts = SqlDrafts(conn)
        self.conversations = SqlConversations(conn)
        self.jobs = SqlJobRuns(conn)
        self.audit = SqlAuditLog(conn)
        self.shared = SqlSharedState(conn)
        self.pairings = SqlPairings(conn)
        self.recurring = SqlRecurringSeries(conn)
        self.emergencies = SqlEmergencies(conn)
        self.signins = SqlSignins(conn)
        self.certificates = SqlCertificates(conn)
        self.grid_workers = SqlGridWorkers(conn)


class SqlStore:
    """The storage port on either engine: hands out units of work, one transaction each."""

    def __init__(self, db: Engine) -> None:
        self.db = db

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        """One atomic, isolated transaction."""
        async with self.db.unit_transaction() as conn:
            yield SqlUnit(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnit]:
        """Reads only, serialised with the writers but without a transaction of their own."""
        async with self.db.unit_read() as conn:
            yield SqlUnit(conn)
