"""The e-branch domain model: plain frozen dataclasses that know no platform and no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class WishStatus(StrEnum):
    """Where a micro-wish (微心愿) stands; slots-left is computed from claims, not stored."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ClaimStatus(StrEnum):
    """Life of one claim (认领): claimed -> done -> confirmed, or withdrawn/released on the way."""

    CLAIMED = "claimed"
    DONE = "done"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    RELEASED = "released"


ACTIVE_CLAIM_STATUSES = (ClaimStatus.CLAIMED, ClaimStatus.DONE, ClaimStatus.CONFIRMED)


class Urgency(StrEnum):
    """Regular service (平时) or an emergency call (战时应急)."""

    NORMAL = "normal"
    EMERGENCY = "emergency"


class ServiceKind(StrEnum):
    """What a service was, as the ledger and /me say it: 平时, 战时 (a task of an emergency call, or a wish marked
    urgent) or 演练 (a task of a drill). A service follows its wish; one without a wish (a visit, a logged service)
    is 平时."""

    NORMAL = "normal"
    EMERGENCY = "emergency"
    DRILL = "drill"


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on one platform (a Telegram group, a WeCom appchat, a private chat), optionally a forum topic."""

    platform: str
    chat_id: str
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """One person's identity on one platform, with what the platform tells us about them."""

    platform: str
    user_id: str
    display_name: str = ""
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Committee:
    """An e-party-committee (e党委): owns branches, receives the weekly digest in its chat."""

    id: int
    name: str
    chat: ChatRef | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Branch:
    """An e-branch (e支部), bound to one group chat on one platform; None until ``/branch NAME`` in its group binds
    one (a branch set up offline by ``ebranch setup``)."""

    id: int
    committee_id: int
    name: str
    chat: ChatRef | None
    active: bool
    done_counts_as_served: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """An in-service Party member (在职党员) who reported in (报到) to a branch; personal data kept minimal."""

    id: int
    name: str
    home_branch_id: int | None
    workplace: str = ""
    workplace_branch: str = ""
    skills: tuple[str, ...] = ()
    commitment: str = ""
    phone: str | None = None
    reported_at: datetime | None = None
    left_at: datetime | None = None
    language: str | None = None
    nudges_paused_until: datetime | None = None

    @property
    def reported(self) -> bool:
        """Whether the member has completed report-in (报到) and has not left."""
        return self.reported_at is not None and self.left_at is None


@dataclass(frozen=True, slots=True)
class Team:
    """A volunteer team (服务队) under its leader (队长); team claims are made on its behalf."""

    id: int
    branch_id: int
    name: str
    leader_member_id: int | None
    skill: str = ""


@dataclass(frozen=True, slots=True)
class Wish:
    """A micro-wish (微心愿): one resident's concrete need, posted by a secretary, claimed by members."""

    id: int
    branch_id: int
    title: str
    description: str
    category: str
    slots: int
    team_claim: bool
    deadline: date | None
    urgency: Urgency
    status: WishStatus
    created_by: int
    created_at: datetime
    version: int = 1
    closed_at: datetime | None = None
    closed_by: int | None = None
    """Who ended the claiming by hand (结束认领); None for a wish completed by its confirmed claims."""
    deadline_time: time | None = None
    """The local time of day the wish closes on ``deadline``; None closes it at the end of that day."""
    expired_at: datetime | None = None
    """When the bot found the deadline passed and had the wish's cards say 已截止; None while it takes claims."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A member's (or a team's) commitment to do a wish, and how it ended."""

    id: int
    wish_id: int
    member_id: int
    team_id: int | None
    status: ClaimStatus
    claimed_at: datetime
    done_at: datetime | None = None
    hours: float | None = None
    note: str = ""
    photo_ref: str | None = None
    rating: int | None = None
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None
    return_reason: str = ""
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One act of service that counts for the quarter: from a confirmed claim or logged by a secretary."""

    id: int
    member_id: int
    branch_id: int
    served_on: date
    hours: float
    note: str
    wish_id: int | None
    claim_id: int | None
    confirmed: bool
    recorded_by: int | None
    created_at: datetime
    provenance: str = "self_reported"
    """How the hours are known: ``verified``, ``confirmed`` or ``self_reported`` (bot.domain.records.Provenance)."""
    kind: ServiceKind = ServiceKind.NORMAL
    """平时, 战时 or 演练, from its wish (as ``Services`` reads it)."""


@dataclass(frozen=True, slots=True)
class Claimer:
    """A claimer as shown on a card: display name only, or a team name for team claims."""

    member_id: int
    name: str
    status: ClaimStatus
    team_name: str | None = None


@dataclass(frozen=True, slots=True)
class WishView:
    """Everything a card shows about a wish, computed in one read so it is always consistent."""

    wish: Wish
    branch_name: str
    claimers: tuple[Claimer, ...] = ()
    waitlist: tuple[Claimer, ...] = ()

    @property
    def taken(self) -> int:
        """Slots held by active claims."""
        return len(self.claimers)

    @property
    def slots_left(self) -> int:
        """Slots still free (never negative)."""
        return max(0, self.wish.slots - self.taken)

    @property
    def full(self) -> bool:
        """Whether no slot is left."""
        return self.slots_left == 0


@dataclass(frozen=True, slots=True)
class QuarterStatus:
    """A member's quarter at a glance: what /me shows."""

    member: Member
    quarter_label: str
    services: int
    hours: float
    served: bool
    open_claims: tuple[tuple[Claim, Wish], ...] = ()
    pending_confirmation: int = 0
    verified_hours: float = 0.0
    confirmed_hours: float = 0.0
    self_reported_hours: float = 0.0
    points: float | None = None
    """The member's points balance when the committee runs points (``[points] enabled``), else None."""
    recent: tuple[ServiceRecord, ...] = ()
    """The member's latest service records (their numbers are what ``/correct N`` takes)."""
    grid_worker_of: tuple[str, ...] = ()
    """The names of the branches the member is a grid worker (网格员) of."""
    emergency_hours: float = 0.0
    """Of ``hours``, those served on emergency tasks (战时)."""
    drill_hours: float = 0.0
    """Of ``hours``, those served on a drill's tasks (演练)."""


@dataclass(frozen=True, slots=True)
class AtRiskMember:
    """A member with no counted service this quarter, with when they last served."""

    member: Member
    branch_id: int
    last_served_on: date | None
    open_claims: int


@dataclass(frozen=True, slots=True)
class BranchStats:
    """Counts for one branch over a period, used by /stats, the digest and the ledger."""

    branch_id: int
    branch_name: str
    members_total: int
    members_reported: int
    served_this_quarter: int
    wishes_posted: int
    wishes_claimed: int
    wishes_completed: int
    confirmed_in_period: int
    wishes_open: int
    oldest_open_days: int | None
    overdue_claims: int
    hours_quarter: float
    top_members: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    emergency_hours_quarter: float = 0.0
    """Of ``hours_quarter``, the hours of 战时 services (bot.domain.model.ServiceKind.EMERGENCY)."""

    @property
    def served_pct(self) -> float:
        """Share of reported members who served this quarter, 0..100."""
        return 100.0 * self.served_this_quarter / self.members_reported if self.members_reported else 0.0
