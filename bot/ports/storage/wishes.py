"""Wishes, their claims and waitlists, and service records: the storage Protocols of the work itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Protocol

from bot.domain.model import (
    ACTIVE_CLAIM_STATUSES,
    AtRiskMember,
    Claim,
    ClaimStatus,
    ServiceRecord,
    Urgency,
    Wish,
    WishStatus,
    WishView,
)


class Wishes(Protocol):
    """Micro-wishes (微心愿) and what their cards show."""

    async def add(
        self,
        now: datetime,
        *,
        branch_id: int,
        title: str,
        description: str,
        category: str,
        slots: int,
        team_claim: bool,
        deadline: date | None,
        urgency: Urgency,
        created_by: int,
        deadline_time: time | None = None,
    ) -> int:
        """Insert an open wish (``deadline_time``: the local time of day it closes on ``deadline``)."""
        ...

    async def get(self, wish_id: int) -> Wish | None:
        """A wish by id."""
        ...

    async def touch(self, wish_id: int) -> None:
        """Bump a wish's version so every card showing it is brought up to date."""
        ...

    async def set_status(
        self, wish_id: int, status: WishStatus, now: datetime | None, *, closed_by: int | None = None
    ) -> None:
        """Open, close or cancel a wish (``closed_by``: the secretary who ended it by hand)."""
        ...

    async def set_deadline(self, wish_id: int, deadline: date, deadline_time: time | None) -> None:
        """Give a wish a new deadline: it takes claims again until then, and every card showing it follows."""
        ...

    async def mark_expired(self, wish_id: int, now: datetime) -> bool:
        """Record that an open wish's deadline passed, so every card showing it says so; False if recorded before."""
        ...

    async def unmarked_due(self, day: date, limit: int = 500) -> list[Wish]:
        """Open wishes whose deadline is ``day`` or earlier and not yet recorded as passed, by deadline."""
        ...

    async def view(self, wish_id: int) -> WishView | None:
        """A wish with its branch name, active claimers and waitlist, read consistently."""
        ...

    async def open_views(self, branch_id: int, limit: int = 50) -> list[WishView]:
        """A branch's open wishes, emergencies first, then by deadline."""
        ...

    async def with_free_slots(
        self, branch_id: int, limit: int = 20, *, due_from: date | None = None
    ) -> list[tuple[Wish, int]]:
        """Open wishes of a branch that still have free slots, with how many are taken (least taken first);
        with ``due_from``, only those without a deadline or with one on that day or later, not recorded as passed."""
        ...


class Claims(Protocol):
    """Claims (认领) of wishes; the database refuses an over-fill or a second active claim."""

    async def active(self, wish_id: int, member_id: int) -> Claim | None:
        """The member's active claim on a wish, if any."""
        ...

    async def count_active(self, wish_id: int) -> int:
        """How many slots of a wish are held."""
        ...

    async def add(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> Claim:
        """Insert an active claim and return it; the database refuses an over-fill or a second active claim."""
        ...

    async def get(self, claim_id: int) -> Claim | None:
        """A claim by id."""
        ...

    async def save(self, claim: Claim) -> None:
        """Write back a claim read from :meth:`get` and moved along its life (status, report, review)."""
        ...

    async def of_member(
        self, member_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES
    ) -> list[tuple[Claim, Wish]]:
        """A member's claims in the given states, with their wishes, newest first."""
        ...

    async def of_wish(self, wish_id: int, statuses: Sequence[ClaimStatus] = ACTIVE_CLAIM_STATUSES) -> list[Claim]:
        """A wish's claims in the given states."""
        ...


class Waitlist(Protocol):
    """Members waiting for a slot of a full wish (候补), first come first served."""

    async def add(self, now: datetime, wish_id: int, member_id: int, team_id: int | None) -> int:
        """Put a member on a wish's waitlist (候补); returns their position (1-based)."""
        ...

    async def position(self, wish_id: int, member_id: int) -> int | None:
        """A member's 1-based place on the waitlist, None if not on it."""
        ...

    async def remove(self, wish_id: int, member_id: int) -> bool:
        """Take a member off a waitlist; False if they were not on it."""
        ...

    async def pop(self, wish_id: int) -> tuple[int, int | None] | None:
        """Remove and return the first (member_id, team_id) waiting for a wish."""
        ...

    async def clear(self, wish_id: int) -> list[int]:
        """Empty a wish's waitlist; return who was on it."""
        ...


class Services(Protocol):
    """Service records that count for the quarter."""

    async def add(
        self,
        now: datetime,
        *,
        member_id: int,
        branch_id: int,
        served_on: date,
        hours: float,
        note: str,
        wish_id: int | None,
        claim_id: int | None,
        confirmed: bool,
        recorded_by: int | None,
        rating: int | None = None,
        provenance: str | None = None,
    ) -> int:
        """Record one act of service; its provenance is ``confirmed`` or ``self_reported`` (from ``confirmed``)
        unless given."""
        ...

    async def of_claim(self, claim_id: int) -> ServiceRecord | None:
        """The service record made from a claim."""
        ...

    async def confirm_of_claim(self, claim_id: int, rating: int | None) -> None:
        """Mark a claim's service record confirmed (its provenance becomes ``confirmed`` unless it was verified)."""
        ...

    async def drop_unconfirmed_of_claim(self, claim_id: int) -> None:
        """Drop a claim's unconfirmed service record (the secretary returned it)."""
        ...

    async def of_member(
        self, member_id: int, start: date | None = None, end: date | None = None
    ) -> list[ServiceRecord]:
        """A member's service records, optionally within [start, end), each with its kind (平时, 战时, 演练)."""
        ...

    async def at_risk(self, branch_id: int, start: date, end: date, done_counts: bool) -> list[AtRiskMember]:
        """Reported members of a branch with no counted service in [start, end)."""
        ...
