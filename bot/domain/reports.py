"""Plain report inputs, so the digest, chart and ledger render without knowing the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.deadlines import deadline_passed
from bot.domain.model import BranchStats, ServiceKind
from bot.domain.records import PointsRule

TOTALS_BRANCH_ID = 0
STANDOUTS_IN_TOTALS = 3


def sum_stats(stats: Iterable[BranchStats], name: str = "", branch_id: int = TOTALS_BRANCH_ID) -> BranchStats:
    """Add branch counts into one BranchStats; the oldest open wish is the oldest of all."""
    items = tuple(stats)
    ages = [s.oldest_open_days for s in items if s.oldest_open_days is not None]
    standouts = sorted((member for s in items for member in s.top_members), key=lambda member: (-member[1], member[0]))
    return BranchStats(
        branch_id=branch_id,
        branch_name=name,
        members_total=sum(s.members_total for s in items),
        members_reported=sum(s.members_reported for s in items),
        served_this_quarter=sum(s.served_this_quarter for s in items),
        wishes_posted=sum(s.wishes_posted for s in items),
        wishes_claimed=sum(s.wishes_claimed for s in items),
        wishes_completed=sum(s.wishes_completed for s in items),
        confirmed_in_period=sum(s.confirmed_in_period for s in items),
        wishes_open=sum(s.wishes_open for s in items),
        oldest_open_days=max(ages) if ages else None,
        overdue_claims=sum(s.overdue_claims for s in items),
        hours_quarter=sum(s.hours_quarter for s in items),
        top_members=tuple(standouts[:STANDOUTS_IN_TOTALS]),
        emergency_hours_quarter=sum(s.emergency_hours_quarter for s in items),
    )


@dataclass(frozen=True, slots=True)
class DigestData:
    """One committee's weekly digest: this week's stats per branch and last week's for comparison.

    ``previous`` maps branch id to last week's stats; pass it empty at a quarter's first digest, since the
    quarter's counts restart then. ``top_members`` of each BranchStats are (name, hours this quarter).
    """

    committee_name: str
    generated_at: datetime
    week_start: date
    week_end: date
    quarter_label: str
    quarter_elapsed: float
    branches: tuple[BranchStats, ...]
    previous: dict[int, BranchStats] = field(default_factory=dict)
    target_pct: float = 100.0

    @property
    def totals(self) -> BranchStats:
        """The committee total over this week's branches."""
        return sum_stats(self.branches, self.committee_name)

    @property
    def previous_totals(self) -> BranchStats | None:
        """Last week's committee total, or None when there is nothing to compare with."""
        if not self.previous:
            return None
        return sum_stats(self.previous.values(), self.committee_name)


@dataclass(frozen=True, slots=True)
class LedgerMember:
    """One row of the members sheet; a member who left is listed without their name.

    ``member_id`` is internal; the sheet lists ``number``, the member's number in the committee (1, 2, ... in the
    order they reported in, kept as others join or leave), None until they report in.
    """

    member_id: int
    name: str
    branch: str
    workplace: str
    workplace_branch: str
    reported_at: date | None
    skills: tuple[str, ...]
    commitment: str
    claims: int
    services: int
    hours: float
    avg_rating: float | None
    last_served_on: date | None
    left: bool = False
    number: int | None = None
    verified_hours: float = 0.0
    """Of ``hours``, those verified at the place (the rest were confirmed by a secretary)."""
    self_reported_hours: float = 0.0
    points_spent: float = 0.0
    emergency_hours: float = 0.0
    """Of ``hours``, those of 战时 services (bot.domain.model.ServiceKind.EMERGENCY)."""


class WishState(StrEnum):
    """Where a micro-wish stands as people say it in the ledger: 待认领, 认领中, 已满, 已完成, 已截止, 已取消."""

    UNCLAIMED = "unclaimed"
    CLAIMING = "claiming"
    FULL = "full"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LedgerWish:
    """One row of the micro-wish sheet; ``claimers`` is already joined with "、".

    ``active_claims`` counts the claims held (claimed, done or confirmed), to tell 待认领, 认领中 and 已满 apart;
    ``deadline_time`` is the local time of day the wish closes on ``deadline`` (None: at the end of that day).
    """

    id: int
    branch: str
    title: str
    category: str
    slots: int
    status: str
    urgency: str
    created_at: datetime
    deadline: date | None
    claimers: str
    completed_at: datetime | None = None
    active_claims: int = 0
    deadline_time: time | None = None
    drill: bool = False
    """Whether the wish is a task of a drill (演练) rather than of a real call."""

    @property
    def kind(self) -> ServiceKind:
        """平时, 战时 or 演练: what the sheet's 类型 says, and what its services count as."""
        if self.drill:
            return ServiceKind.DRILL
        return ServiceKind.EMERGENCY if self.urgency == ServiceKind.EMERGENCY.value else ServiceKind.NORMAL

    def state(self, at: datetime) -> WishState:
        """The wish's state at a local moment: an open wish whose deadline has passed is 已截止 (expired)."""
        if self.status == "cancelled":
            return WishState.CANCELLED
        if self.status == "closed":
            return WishState.COMPLETED
        if deadline_passed(self.deadline, self.deadline_time, at, at.tzinfo):
            return WishState.EXPIRED
        if self.active_claims >= self.slots:
            return WishState.FULL
        return WishState.CLAIMING if self.active_claims else WishState.UNCLAIMED


@dataclass(frozen=True, slots=True)
class LedgerService:
    """One row of the service-record sheet; ``subject`` is the wish title or the secretary's note.

    ``note`` is what the member (or the secretary logging it) wrote about the service; ``wish_id`` its wish's number.
    """

    served_on: date
    member: str
    branch: str
    subject: str
    hours: float
    confirmed: bool
    rating: int | None = None
    wish_id: int | None = None
    note: str = ""
    provenance: str = ""
    """How the hours are known (verified, confirmed, self_reported); empty: from ``confirmed``."""
    kind: ServiceKind = ServiceKind.NORMAL
    """平时, 战时 or 演练, as its wish is (a service without a wish is 平时)."""


@dataclass(frozen=True, slots=True)
class LedgerPairing:
    """One row of the pairing sheet (结对): the household by its alias only, never its contact.

    ``member`` is the responsible member's name ("" once they left), ``team`` the team's when a team is paired under
    its leader; ``hours`` and ``visits_confirmed`` count confirmed visits; ``handovers`` how often it changed hands.
    """

    id: int
    branch: str
    alias: str
    member: str
    team: str | None
    rhythm: str
    every_days: int
    status: str
    started_on: date
    ended_on: date | None
    visits_confirmed: int
    hours: float
    last_visit_on: date | None
    next_due: date
    handovers: int

    def overdue_days(self, today: date) -> int | None:
        """Days an active pairing's visit is past due (0 when it is not); None for a paused or ended one."""
        if self.status != "active":
            return None
        return max(0, (today - self.next_due).days)


@dataclass(frozen=True, slots=True)
class LedgerVisit:
    """One row of the visit sheet (走访): who visited which pairing's household (by alias), when, for how long."""

    visited_on: date
    pairing_id: int
    alias: str
    member: str
    branch: str
    hours: float
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    returned: bool = False
    """Sent back by a secretary (退回): it does not count and the member may report again."""


@dataclass(frozen=True, slots=True)
class LedgerData:
    """Everything the committee's ledger (台账) workbook lists.

    The rows may be lazy iterables (storage streams them): iterate each once, in order, as the workbook does.
    """

    committee_name: str
    generated_at: datetime
    members: Iterable[LedgerMember]
    wishes: Iterable[LedgerWish] = ()
    services: Iterable[LedgerService] = ()
    points: PointsRule | None = None
    """The committee's points rule when it runs points: the members sheet then shows each balance."""
    pairings: Iterable[LedgerPairing] = ()
    visits: Iterable[LedgerVisit] = ()


@dataclass(frozen=True, slots=True)
class WorkplaceMember:
    """A member's community service this quarter, as fed back to their workplace branch (双报到)."""

    name: str
    workplace: str
    branch: str
    reported_at: date | None
    services: int
    hours: float
    avg_rating: float | None
    last_served_on: date | None
    left: bool = False

    @property
    def served(self) -> bool:
        """Whether the member met the once-a-quarter service this quarter."""
        return self.services > 0


@dataclass(frozen=True, slots=True)
class WorkplaceFeedback:
    """Feedback for one workplace branch (工作单位, 单位党支部): its members' community service this quarter.

    A branch is named by its employer too (two employers' 机关党支部 are two feedbacks). An empty
    ``workplace_branch`` is the committee's own feedback: its members who named no workplace branch.
    """

    committee_name: str
    workplace_branch: str
    quarter_label: str
    generated_at: datetime
    members: tuple[WorkplaceMember, ...]
    services: tuple[LedgerService, ...] = ()
    workplace: str = ""

    @property
    def unassigned(self) -> bool:
        """Whether this is the committee's own feedback, of members without a workplace branch."""
        return not self.workplace_branch
