"""Typed results of the use cases: what handlers render back to the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.emergency import Answer, Emergency, EmergencyPost, EmergencySummary, Headcount
from bot.domain.model import (
    AtRiskMember,
    Branch,
    Claim,
    Committee,
    Member,
    QuarterStatus,
    ServiceRecord,
    Wish,
    WishView,
)
from bot.domain.pairings import Pairing, Visit
from bot.domain.records import CertificateContent, Correction
from bot.domain.wish_text import ParseProblem
from bot.i18n import Phrase


@dataclass(frozen=True, slots=True)
class CommitteeSet:
    """A committee now has this chat for its digests."""

    committee: Committee
    created: bool


@dataclass(frozen=True, slots=True)
class BranchCreated:
    """A chat became an e-branch: a new one (the sender its secretary), or one set up offline that waited for it.

    ``bound`` says the branch existed (``ebranch setup``) and only got its chat; ``members`` is how many people
    were already on its list (a roster); ``secretary`` whether the sender is a secretary of it now.
    """

    branch: Branch
    committee: Committee
    bound: bool = False
    members: int = 0
    secretary: bool = True


@dataclass(frozen=True, slots=True)
class ChooseCommittee:
    """Several committees exist: the user must pick one (handlers show buttons)."""

    committees: tuple[Committee, ...]


@dataclass(frozen=True, slots=True)
class SecretaryAdded:
    """A person became a branch secretary."""

    branch: Branch
    member: Member
    already: bool


@dataclass(frozen=True, slots=True)
class ReportedIn:
    """A member reported in; ``first_time`` tells whether the group gets the public note."""

    member: Member
    branch: Branch
    first_time: bool
    also_serving: bool = False


@dataclass(frozen=True, slots=True)
class PhoneLinked:
    """A chat account was matched to a pre-imported roster entry."""

    member: Member


@dataclass(frozen=True, slots=True)
class WishPosted:
    """A wish was posted; handlers post its card to the branch chat."""

    view: WishView
    notes: tuple[ParseProblem, ...] = ()
    series: SeriesPosted | None = None
    """Set when the text stated a recurrence (每周六…): the wish is the first occurrence of this new series."""


@dataclass(frozen=True, slots=True)
class WishNeedsFix:
    """The text could not be read; the draft is kept and these problems asked about."""

    problems: tuple[ParseProblem, ...]
    draft: str


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claim went through."""

    view: WishView
    claim: Claim
    member: Member
    team_name: str | None = None


@dataclass(frozen=True, slots=True)
class Waitlisted:
    """The member is waiting for a slot."""

    view: WishView
    position: int


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """A claim (or waitlist place) was given up; ``promoted`` took the slot."""

    view: WishView
    was_waitlisted: bool
    promoted: Member | None = None


@dataclass(frozen=True, slots=True)
class DoneReported:
    """Service reported done; the secretaries were asked to confirm."""

    claim: Claim
    wish: Wish
    reviewers: int
    verified: bool = False
    """The member had checked in and reported no more than the activity's length: counted as verified at once."""


@dataclass(frozen=True, slots=True)
class ServiceConfirmed:
    """A secretary confirmed (or rated) a service."""

    claim: Claim
    wish: Wish
    member: Member
    wish_completed: bool
    already: bool = False


@dataclass(frozen=True, slots=True)
class ServiceReturned:
    """A secretary returned a reported service."""

    claim: Claim
    wish: Wish
    member: Member


@dataclass(frozen=True, slots=True)
class WishCancelled:
    """A wish was cancelled; ``released`` claimers were released, ``told`` people (claimers, waitlist) told."""

    view: WishView
    released: int
    told: int = 0


@dataclass(frozen=True, slots=True)
class WishClosed:
    """A secretary ended a wish's claiming; ``told`` claimers and waiting members were told."""

    view: WishView
    told: int


@dataclass(frozen=True, slots=True)
class DeadlineExtended:
    """A secretary gave a wish a new deadline; it takes claims again; ``told`` claimers and waiting members told."""

    view: WishView
    told: int


@dataclass(frozen=True, slots=True)
class WishLists:
    """/wishes: a branch's open wishes with free slots (待认领), full ones (已满) and those past their deadline."""

    branch_name: str
    claimable: tuple[WishView, ...]
    full: tuple[WishView, ...]
    expired: tuple[WishView, ...]


@dataclass(frozen=True, slots=True)
class ServiceLogged:
    """A service without a wish was recorded."""

    member: Member
    service_id: int


@dataclass(frozen=True, slots=True)
class AtRiskList:
    """Members of a branch with no service this quarter."""

    branch: Branch
    quarter_label: str
    members: tuple[AtRiskMember, ...]
    reported: int


@dataclass(frozen=True, slots=True)
class MyClaims:
    """A member's open and recent claims."""

    member: Member
    claims: tuple[tuple[Claim, Wish], ...]


@dataclass(frozen=True, slots=True)
class Quarter:
    """A member's quarter (re-exported for handlers)."""

    status: QuarterStatus


@dataclass(frozen=True, slots=True)
class MyData:
    """Everything stored about a person (PIPL access right)."""

    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Left:
    """A member left; their name is gone, their service stays in the totals."""

    released_wishes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Roles:
    """What a person may do: drives /help and the command menu."""

    member: Member | None
    secretary_of: tuple[Branch, ...]
    admin_of: tuple[Committee, ...]

    @property
    def wish_branches(self) -> tuple[Branch, ...]:
        """The branches a wish sent privately may go to: those with a group (all of them when none has one yet,
        so the refusal names the branch to bind)."""
        return tuple(b for b in self.secretary_of if b.chat is not None) or self.secretary_of

    grid_worker_of: tuple[Branch, ...] = ()
    """The branches this person is a grid worker (网格员) of: they open sign-in codes there."""


@dataclass(frozen=True, slots=True)
class RosterImported:
    """How a roster import went: new entries, updated entries, and lines refused because of a conflict."""

    branch: Branch
    created: int
    updated: int
    conflicts: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StructureSet:
    """What ``ebranch setup`` did: new and already existing committees, branches and secretaries, and notes.

    ``waiting`` are the branches (committee, branch) still without a group chat; ``new_people`` the secretaries the
    bot has never seen (they become secretaries when they report in with the listed phone); ``notes`` are
    (where, phone, known name) for a phone already registered under another name.
    """

    committees_created: int
    committees_existing: int
    branches_created: int
    branches_existing: int
    secretaries_added: int
    secretaries_existing: int
    new_people: int
    waiting: tuple[tuple[str, str], ...]
    notes: tuple[tuple[Phrase, str, str], ...] = ()


# -- pairings (结对帮扶) -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairingView:
    """A pairing with the name of the member responsible for it (what lists and notices show)."""

    pairing: Pairing
    member_name: str


@dataclass(frozen=True, slots=True)
class PairingMade:
    """A pairing created, changed (paused, resumed, ended) or handed over; ``told``: members told privately."""

    view: PairingView
    told: int = 0


@dataclass(frozen=True, slots=True)
class PairingList:
    """A branch's (or a member's) pairings as of ``today``, soonest due first."""

    branch_name: str
    pairings: tuple[PairingView, ...]
    today: date


@dataclass(frozen=True, slots=True)
class VisitReported:
    """A visit reported; the branch's secretaries were asked to confirm it (``reviewers``)."""

    visit: Visit
    pairing: Pairing
    reviewers: int


# -- service records: sign-in codes, certificates, corrections (issue 15) ------------------------------------


@dataclass(frozen=True, slots=True)
class SigninOpened:
    """A sign-in code is open: the digits exist only here (the database keeps a salted hash)."""

    wish: Wish
    code: str
    hours: float
    expires_at: datetime
    by_grid_worker: bool = False
    """Opened by a grid worker of the wish's branch (not one of its secretaries)."""


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """A member checked in to an activity; ``claimed`` whether they hold a claim on it."""

    wish: Wish
    member: Member
    hours: float
    already: bool
    claimed: bool


@dataclass(frozen=True, slots=True)
class CertificateIssued:
    """A certificate was issued: what it says and its verification code."""

    id: int
    content: CertificateContent
    code: str
    member: Member


@dataclass(frozen=True, slots=True)
class CertificateVerified:
    """A verification code matched a certificate whose content is unchanged since it was issued."""

    content: CertificateContent
    code: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class CorrectionRequested:
    """A member's correction request, and how many secretaries were asked."""

    correction: Correction
    record: ServiceRecord
    reviewers: int


@dataclass(frozen=True, slots=True)
class VisitConfirmed:
    """A visit confirmed by a secretary: it now counts as service (``already`` when it was before)."""

    visit: Visit
    pairing: Pairing
    member: Member
    already: bool = False


# -- recurring activities ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesPosted:
    """A series and the occurrences posted so far (day, wish id); ``next_days`` are the days coming after."""

    series_id: int
    title: str
    posted: tuple[tuple[date, int], ...]
    next_days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class SeriesJoined:
    """A member claimed a series: the occurrence wishes they were claimed into now (others as they are posted)."""

    series_id: int
    title: str
    claimed: tuple[int, ...]
    already: bool = False


@dataclass(frozen=True, slots=True)
class CalendarFile:
    """An .ics file of what a member claimed (``events``: how many)."""

    filename: str
    content: bytes
    events: int


# Emergency mode (战时应急)
@dataclass(frozen=True, slots=True)
class EmergencyStarted:
    """A call went out: to how many branch groups and members, how many of them privately reachable."""

    emergency: Emergency
    branches: int
    members: int
    reached: int


@dataclass(frozen=True, slots=True)
class EmergencyAnswered:
    """A member's answer was recorded; ``first`` unless it replaced an earlier one."""

    emergency_id: int
    answer: Answer
    first: bool
    drill: bool = False


@dataclass(frozen=True, slots=True)
class EmergencyClosed:
    """A call ended; its summary went to the committee."""

    emergency: Emergency
    summary: EmergencySummary


@dataclass(frozen=True, slots=True)
class EmergencyPostSet:
    """A member's emergency post and grid as recorded."""

    post: EmergencyPost


@dataclass(frozen=True, slots=True)
class HeadcountShown:
    """A call's board as of now, for the chat it was asked in."""

    headcount: Headcount
    scope: str
    committee: bool


@dataclass(frozen=True, slots=True)
class CorrectionDecided:
    """A secretary's decision on a correction request."""

    correction: Correction
    record: ServiceRecord
    member: Member


@dataclass(frozen=True, slots=True)
class GridWorkerSet:
    """A member was appointed grid worker of a branch (or no longer is); ``changed`` False when nothing changed."""

    branch: Branch
    member: Member
    appointed: bool
    changed: bool
    told: bool = False


# -- visit review cards, leaving a series (issue 15) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitReturned:
    """A visit sent back by a secretary with a reason; its member was told."""

    visit: Visit
    pairing: Pairing
    member: Member


@dataclass(frozen=True, slots=True)
class SeriesLeft:
    """A member left a series: the coming occurrence wishes whose claims were withdrawn."""

    series_id: int
    title: str
    withdrawn: tuple[int, ...]
