"""Typed commands: what handlers build from a platform update and hand to the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.model import Account, ChatRef


@dataclass(frozen=True, slots=True)
class CreateCommittee:
    """Make a chat the committee's chat (creating the committee if new); bot admins only."""

    actor: Account
    name: str
    chat: ChatRef | None
    by_bot_admin: bool


@dataclass(frozen=True, slots=True)
class CreateBranch:
    """Bind a group chat to a new e-branch; the sender becomes its secretary."""

    actor: Account
    name: str
    chat: ChatRef
    committee_id: int | None
    by_bot_admin: bool


@dataclass(frozen=True, slots=True)
class AddSecretary:
    """Make another person a secretary of the branch bound to ``chat``."""

    actor: Account
    branch_id: int
    target: Account
    by_bot_admin: bool = False


@dataclass(frozen=True, slots=True)
class ReportIn:
    """Report in (报到) to a branch: identity, workplace, skills and public commitment."""

    actor: Account
    branch_id: int
    name: str
    workplace: str
    workplace_branch: str = ""
    skills: tuple[str, ...] = ()
    commitment: str = ""


@dataclass(frozen=True, slots=True)
class LinkPhone:
    """Link a chat account to a roster entry pre-imported with this phone number."""

    actor: Account
    phone: str


@dataclass(frozen=True, slots=True)
class PostWish:
    """A secretary posts a micro-wish by writing it naturally; the card goes to ``chat`` (default: the branch's).
    ``slots`` is the count answered when the text named none."""

    actor: Account
    branch_id: int
    text: str
    chat: ChatRef | None = None
    slots: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimWish:
    """A member (or, with ``as_team``, a team leader for the team) claims a wish."""

    actor: Account
    wish_id: int
    as_team: bool = False
    event_key: str | None = None  # the incoming update, recorded as processed in the claim's own transaction


@dataclass(frozen=True, slots=True)
class JoinWaitlist:
    """Wait for a slot on a full wish (候补)."""

    actor: Account
    wish_id: int


@dataclass(frozen=True, slots=True)
class WithdrawClaim:
    """Give up one's own claim (or leave the waitlist); the first waiting member is promoted."""

    actor: Account
    wish_id: int


@dataclass(frozen=True, slots=True)
class MarkDone:
    """Report one's claimed service done, with hours and an optional note or photo."""

    actor: Account
    claim_id: int
    hours: float
    note: str = ""
    photo_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmService:
    """A secretary confirms a member's reported service, optionally rating it 1-5."""

    actor: Account
    claim_id: int
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class RateService:
    """A secretary rates an already confirmed service."""

    actor: Account
    claim_id: int
    rating: int


@dataclass(frozen=True, slots=True)
class ReturnService:
    """A secretary returns a reported service to the member (not accepted yet)."""

    actor: Account
    claim_id: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CloseWish:
    """A secretary ends the claiming of a wish (结束认领): no new claims, claims made stay."""

    actor: Account
    wish_id: int


@dataclass(frozen=True, slots=True)
class ExtendDeadline:
    """A secretary gives a wish a new deadline, typed as people write one (``12月25日``, ``明天18点``)."""

    actor: Account
    wish_id: int
    text: str


@dataclass(frozen=True, slots=True)
class CancelWish:
    """A secretary cancels a wish; active claimers are told."""

    actor: Account
    wish_id: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class LogService:
    """A secretary records service done without a wish (a patrol, an emergency shift)."""

    actor: Account
    branch_id: int
    member_id: int
    served_on: date
    hours: float
    note: str


@dataclass(frozen=True, slots=True)
class SetLanguage:
    """Choose the language the bot speaks to this person."""

    actor: Account
    language: str


@dataclass(frozen=True, slots=True)
class PauseNudges:
    """Pause quarterly reminders for a while (two weeks by default)."""

    actor: Account
    days: int = 14


@dataclass(frozen=True, slots=True)
class Leave:
    """Leave: remove one's personal data; past service stays in the totals without a name."""

    actor: Account


# -- service records: sign-in codes, certificates, corrections (issue 15) ------------------------------------


@dataclass(frozen=True, slots=True)
class OpenSignin:
    """A secretary opens a short-lived sign-in code for a wish's activity; ``hours`` is its length (None: the
    configured default)."""

    actor: Account
    wish_id: int
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A member at the place enters the activity's 6-digit sign-in code (typed, or from its link or QR)."""

    actor: Account
    code: str


@dataclass(frozen=True, slots=True)
class IssueCertificate:
    """A 志愿服务记录证明 for ``member_id`` (None: the actor themselves) over [start, end]; ``actor`` None is the
    operator on the server (``ebranch certificate``)."""

    actor: Account | None
    member_id: int | None
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class RequestCorrection:
    """A member asks for one of their service records to be corrected (to ``hours``, when given)."""

    actor: Account
    service_id: int
    reason: str
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class DecideCorrection:
    """A secretary accepts or refuses a member's correction request."""

    actor: Account
    correction_id: int
    accept: bool
    answer: str = ""
