"""The bot's own bookkeeping: processed events, drafts, conversations, job runs, shared state and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.domain.model import (
    Account,
)


class ProcessedEvents(Protocol):
    """Incoming updates already handled, so a replay changes nothing."""

    async def first_time(self, platform: str, key: str, now: datetime) -> bool:
        """Record an incoming event; False if it was already processed (a replay)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget processed-event keys recorded before ``before``; returns how many were forgotten."""
        ...


class SharedState(Protocol):
    """Small values every instance of the bot shares (a platform token, the webhook set), each with an optional expiry.

    ``claim`` is the one atomic take-over: a lease one instance holds while the others wait.
    """

    async def get(self, key: str, now: datetime) -> str | None:
        """The value under ``key`` unless it expired by ``now``."""
        ...

    async def put(self, key: str, value: str, expires_at: datetime | None) -> None:
        """Store ``value`` under ``key``, replacing any, until ``expires_at`` (None: until replaced)."""
        ...

    async def claim(self, key: str, value: str, expires_at: datetime, now: datetime) -> bool:
        """Store ``value`` only if ``key`` is free or expired by ``now``, in one statement; whether it was stored."""
        ...

    async def delete(self, key: str, value: str | None = None) -> bool:
        """Forget ``key`` (only while it still holds ``value``, when given); whether anything was forgotten."""
        ...


class Drafts(Protocol):
    """Wish texts a secretary sent that could not be read yet."""

    async def save(self, now: datetime, account: Account, branch_id: int | None, text: str) -> None:
        """Keep a wish text that could not be read yet."""
        ...

    async def get(self, account: Account) -> tuple[int | None, str] | None:
        """A kept draft: (branch_id, text)."""
        ...

    async def delete(self, account: Account) -> None:
        """Forget a draft once it became a wish."""
        ...


class Conversations(Protocol):
    """Where each person is in a multi-step conversation."""

    async def get(self, account: Account) -> dict[str, Any] | None:
        """Where this person is in a multi-step conversation, if anywhere."""
        ...

    async def set(self, now: datetime, account: Account, state: dict[str, Any] | None) -> None:
        """Remember (or, with None, forget) where this person is in a conversation."""
        ...


class JobRuns(Protocol):
    """When each scheduled job last ran, so downtime is caught up once."""

    async def last_run(self, job: str) -> datetime | None:
        """When a scheduled job last completed."""
        ...

    async def set_run(self, job: str, at: datetime) -> None:
        """Record a scheduled job's completion."""
        ...

    async def claim_period(
        self, job: str, period: datetime, claimant: str, now: datetime, *, stale_before: datetime
    ) -> bool:
        """Claim the run of ``job`` for ``period``: True when no one has, or when another claimant's unfinished claim
        is older than ``stale_before``; False when it ran or is running elsewhere."""
        ...

    async def finish_period(self, job: str, period: datetime, now: datetime) -> None:
        """Record that the claimed run of ``job`` for ``period`` completed."""
        ...

    async def prune_periods(self, before: datetime) -> int:
        """Forget the runs of periods before ``before``; how many were forgotten."""
        ...


class AuditLog(Protocol):
    """Who changed what."""

    async def record(
        self,
        now: datetime,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        **detail: Any,
    ) -> None:
        """Record who changed what."""
        ...

    async def of_member(self, member_id: int) -> list[dict[str, Any]]:
        """Audit entries made by or about a member, for their data export."""
        ...
