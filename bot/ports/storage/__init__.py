"""The storage port: small Protocols, one per aggregate, reached through a unit of work (one transaction).

Implemented by ``storage/repos`` (one repository per Protocol) and ``storage/uow.py``.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.ports.storage.bookkeeping import AuditLog, Conversations, Drafts, JobRuns, ProcessedEvents, SharedState
from bot.ports.storage.emergencies import Emergencies, EmergencyMessage
from bot.ports.storage.messages import CardRow, Cards, Outbox, OutboxRow
from bot.ports.storage.organisation import Branches, Committees, Teams
from bot.ports.storage.pairings import Pairings
from bot.ports.storage.people import People
from bot.ports.storage.records import Certificates, GridWorkers, Signins
from bot.ports.storage.recurring import RecurringSeries
from bot.ports.storage.wishes import Claims, Services, Waitlist, Wishes

__all__ = [
    "AuditLog",
    "Branches",
    "CardRow",
    "Cards",
    "Certificates",
    "Claims",
    "Committees",
    "Conversations",
    "Drafts",
    "Emergencies",
    "EmergencyMessage",
    "GridWorkers",
    "JobRuns",
    "Outbox",
    "OutboxRow",
    "Pairings",
    "People",
    "ProcessedEvents",
    "RecurringSeries",
    "Services",
    "SharedState",
    "Signins",
    "Store",
    "Teams",
    "Unit",
    "Waitlist",
    "Wishes",
]


class Unit(Protocol):
    """One transaction: the repositories of every aggregate, all reading and writing inside it."""

    @property
    def people(self) -> People: ...

    @property
    def committees(self) -> Committees: ...

    @property
    def branches(self) -> Branches: ...

    @property
    def teams(self) -> Teams: ...

    @property
    def wishes(self) -> Wishes: ...

    @property
    def claims(self) -> Claims: ...

    @property
    def waitlist(self) -> Waitlist: ...

    @property
    def services(self) -> Services: ...

    @property
    def cards(self) -> Cards: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def events(self) -> ProcessedEvents: ...

    @property
    def drafts(self) -> Drafts: ...

    @property
    def conversations(self) -> Conversations: ...

    @property
    def jobs(self) -> JobRuns: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def shared(self) -> SharedState: ...

    @property
    def pairings(self) -> Pairings: ...

    @property
    def recurring(self) -> RecurringSeries: ...

    @property
    def emergencies(self) -> Emergencies: ...

    @property
    def signins(self) -> Signins: ...

    @property
    def certificates(self) -> Certificates: ...

    @property
    def grid_workers(self) -> GridWorkers: ...


class Store(Protocol):
    """Hands out units of work; each is one atomic, isolated transaction."""

    def unit(self) -> AbstractAsyncContextManager[Unit]:
        """Open a transaction; it commits when the block ends normally and rolls back on an exception."""
        ...

    def read(self) -> AbstractAsyncContextManager[Unit]:
        """Read between write transactions, without opening one (for use cases and lookups that only read)."""
        ...
