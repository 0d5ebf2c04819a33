"""The read-only queries behind nudges, reminders and reports, as a narrow port beside the Unit protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.model import Branch, BranchStats, Claim, Member, Wish
from bot.domain.reports import LedgerData, WorkplaceFeedback


@dataclass(frozen=True, slots=True)
class NudgeCandidate:
    """A reported member with no counted service this quarter and reminders not paused, with their private chat.

    ``member`` carries what a reminder needs (id, name, home branch, skills, report-in time, language), not the
    phone or workplace.
    """

    member: Member
    branch: Branch
    user_id: str | None
    reachable: bool


class ReportQueries(Protocol):
    """What the scheduled jobs and reports read; implemented by ``storage.reports.SqlReports``."""

    def nudge_candidates(
        self, quarter_start: date, quarter_end: date, now: datetime, *, batch: int = 2000
    ) -> AsyncIterator[list[NudgeCandidate]]:
        """Members to remind this quarter, ``batch`` at a time in id order; each page is its own short read."""
        ...

    async def unclaimed_wishes(self, created_before: datetime) -> list[Wish]:
        """Open wishes of active branches posted before a moment that nobody holds a claim on."""
        ...

    async def overdue_claims(self, deadline_before: date) -> list[tuple[Claim, Wish]]:
        """Claims still only claimed whose open wish's deadline is before a day."""
        ...

    async def branch_stats(
        self, committee_id: int, quarter_start: date, start_day: date, end_day: date, tz: ZoneInfo
    ) -> list[BranchStats]:
        """Per-branch counts: the period is [start_day, end_day) local; the quarter runs from quarter_start."""
        ...

    async def ledger(
        self, committee_id: int, branch_id: int | None, generated_at: datetime, tz: ZoneInfo
    ) -> LedgerData:
        """The ledger (台账) of a committee, or of one of its branches."""
        ...

    async def workplace_feedback(
        self, committee_id: int, quarter_start: date, quarter_end: date, quarter_label: str, generated_at: datetime
    ) -> list[WorkplaceFeedback]:
        """One feedback per workplace branch (单位党支部) of the committee's members, for a quarter."""
        ...
