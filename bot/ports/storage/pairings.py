"""Pairings (结对) and their visits: the storage Protocol of long-term household links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.domain.pairings import Pairing, PairingStatus, Rhythm, Visit


class Pairings(Protocol):
    """Pairings, the day each one's next visit is due, and the visits reported on them."""

    async def add(
        self,
        now: datetime,
        *,
        branch_id: int,
        member_id: int,
        team_id: int | None,
        alias: str,
        contact: str,
        rhythm: Rhythm,
        started_on: date,
        next_due: date,
        created_by: int,
    ) -> int:
        """Insert an active pairing."""
        ...

    async def get(self, pairing_id: int) -> Pairing | None:
        """A pairing by id (its row locked where writers run concurrently)."""
        ...

    async def of_branch(self, branch_id: int, *, include_ended: bool = False) -> list[Pairing]:
        """A branch's pairings, soonest due first."""
        ...

    async def of_member(self, member_id: int) -> list[Pairing]:
        """The pairings a member is responsible for (not ended), soonest due first."""
        ...

    async def due_by(self, day: date, *, after_id: int = 0, limit: int = 500) -> list[Pairing]:
        """Active pairings due on or before ``day``, by id after ``after_id``: one page of the daily sweep."""
        ...

    async def set_status(self, pairing_id: int, status: PairingStatus, now: datetime) -> None:
        """Pause, resume or end a pairing (ending records when)."""
        ...

    async def set_member(self, pairing_id: int, member_id: int) -> None:
        """Hand a pairing over to another member."""
        ...

    async def set_due(self, pairing_id: int, last_visit_on: date | None, next_due: date) -> None:
        """Record the last visit and the day the next one is due."""
        ...

    async def add_visit(
        self,
        now: datetime,
        *,
        pairing_id: int,
        member_id: int,
        visited_on: date,
        hours: float,
        note: str,
        photo_ref: str | None,
        service_id: int,
    ) -> int:
        """Insert a reported visit with the service row it counts as."""
        ...

    async def visit(self, visit_id: int) -> Visit | None:
        """A visit by id (its row locked where writers run concurrently)."""
        ...

    async def visits(self, pairing_id: int) -> list[Visit]:
        """A pairing's visits, oldest first."""
        ...

    async def confirm_visit(self, visit_id: int, by: int, now: datetime) -> None:
        """Confirm a visit and the service row it counts as."""
        ...

    async def return_visit(self, visit_id: int, by: int, now: datetime, reason: str) -> None:
        """Send a reported visit back with a reason: its unconfirmed service row no longer counts."""
        ...
