"""Sign-in codes and check-ins, certificates, corrections and points: the storage Protocols of service records."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.model import Branch, Member, ServiceRecord
from bot.domain.records import Certificate, CertificateContent, Correction, CorrectionStatus, SigninCode


class Signins(Protocol):
    """Sign-in codes of activities, who checked in, and wrong codes entered (the brute-force limit)."""

    async def open(
        self,
        now: datetime,
        *,
        wish_id: int,
        salt: str,
        code_hash: str,
        hours: float,
        opened_by: int | None,
        expires_at: datetime,
    ) -> int:
        """Open a sign-in for a wish, closing any earlier one of it still open; the new id."""
        ...

    async def open_at(self, now: datetime) -> list[SigninCode]:
        """Every sign-in taking check-ins at ``now``."""
        ...

    async def add_checkin(self, now: datetime, wish_id: int, member_id: int, signin_id: int) -> bool:
        """Record a member present at a wish's activity; False if they had checked in already."""
        ...

    async def checkin_of(self, wish_id: int, member_id: int) -> SigninCode | None:
        """The sign-in a member checked in with for a wish, if any."""
        ...

    async def checked_in(self, wish_id: int) -> list[int]:
        """The members who checked in to a wish, in order."""
        ...

    async def add_failure(self, now: datetime, member_id: int) -> None:
        """Count one wrong code entered by a member."""
        ...

    async def failures_since(self, member_id: int, since: datetime) -> list[datetime]:
        """When a member entered wrong codes since ``since``, oldest first."""
        ...


class Certificates(Protocol):
    """Issued certificates and their key, corrections of service records, points spent."""

    async def key(self, now: datetime, candidate: str) -> str:
        """The key of verification codes: the stored one, or ``candidate`` stored now if there is none (an empty
        ``candidate`` only reads: "" when no key was ever made)."""
        ...

    async def count_of_committee(self, committee_id: int) -> int:
        """How many certificates a committee has issued (the next serial is one more)."""
        ...

    async def add(
        self,
        now: datetime,
        *,
        content: CertificateContent,
        code: str,
        member_id: int,
        committee_id: int,
        issued_by: int | None,
    ) -> int:
        """Store an issued certificate; its id."""
        ...

    async def by_code(self, code: str) -> Certificate | None:
        """The certificate printed with this verification code."""
        ...

    async def service(self, service_id: int) -> ServiceRecord | None:
        """One service record by its number."""
        ...

    async def set_hours(self, service_id: int, hours: float) -> None:
        """Correct a service record's hours."""
        ...

    async def add_correction(
        self, now: datetime, *, service_id: int, member_id: int, hours: float | None, reason: str
    ) -> int:
        """Record a member's request to correct a record; its id."""
        ...

    async def correction(self, correction_id: int) -> Correction | None:
        """One correction request."""
        ...

    async def pending_correction(self, service_id: int) -> Correction | None:
        """The request of a record still waiting for a decision."""
        ...

    async def decide(
        self, correction_id: int, status: CorrectionStatus, decided_by: int, now: datetime, answer: str
    ) -> None:
        """Record a secretary's decision on a correction."""
        ...

    async def points_spent(self, member_id: int) -> float:
        """Points a member has spent so far."""
        ...

    async def spend(self, now: datetime, member_id: int, points: float, note: str) -> None:
        """Record points spent."""
        ...


class GridWorkers(Protocol):
    """Grid workers (网格员): members a branch's secretary appointed to open its sign-in codes."""

    async def appoint(self, now: datetime, branch_id: int, member_id: int, appointed_by: int | None) -> bool:
        """Make a member a grid worker of a branch; False if they were one already."""
        ...

    async def remove(self, branch_id: int, member_id: int) -> bool:
        """A member is no longer a grid worker of a branch; False if they were not one."""
        ...

    async def is_grid_worker(self, branch_id: int, member_id: int) -> bool:
        """Whether a member is a grid worker of a branch."""
        ...

    async def branches_of(self, member_id: int) -> list[Branch]:
        """The branches a member is a grid worker of, in order."""
        ...

    async def of_branch(self, branch_id: int) -> list[Member]:
        """A branch's grid workers, in the order they were appointed."""
        ...
