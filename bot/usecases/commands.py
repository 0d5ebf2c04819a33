"""Typed commands: what handlers build from a platform update and hand to the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.emergency import Answer
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
    emergency_post: str = ""
    """The emergency post (战时应急岗位); with ``grid``, replaces what was recorded (both empty leave it)."""
    grid: str = ""
    """Where the member can serve (网格 or 楼栋)."""


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


# -- pairings (结对帮扶) -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatePairing:
    """A secretary pairs a member (or a team, under its leader) with a household: ``张伟 王奶奶 每月 [联系方式]``."""

    actor: Account
    branch_id: int
    text: str


@dataclass(frozen=True, slots=True)
class ReportVisit:
    """The paired member reports a visit, as a done wish is reported: hours, a note or a photo."""

    actor: Account
    pairing_id: int
    hours: float
    note: str = ""
    photo_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmVisit:
    """A secretary confirms a reported visit: it counts as service."""

    actor: Account
    visit_id: int


@dataclass(frozen=True, slots=True)
class ChangePairing:
    """A secretary pauses, resumes or ends a pairing (``action``: pause, resume, end)."""

    actor: Account
    pairing_id: int
    action: str


@dataclass(frozen=True, slots=True)
class HandOverPairing:
    """A secretary hands a pairing over to another member of the branch, named as on the roster."""

    actor: Account
    pairing_id: int
    to: str


# -- recurring activities ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostSeries:
    """A secretary posts a recurring activity ("每周六上午小区巡逻 名额4"): each occurrence becomes its own wish."""

    actor: Account
    branch_id: int
    text: str


@dataclass(frozen=True, slots=True)
class JoinSeries:
    """A member claims every occurrence of a series (those posted and those to come, while slots are free)."""

    actor: Account
    series_id: int


@dataclass(frozen=True, slots=True)
class EndSeries:
    """A secretary ends a series: no more occurrences are posted (those posted stay)."""

    actor: Account
    series_id: int


# Emergency mode (战时应急)
@dataclass(frozen=True, slots=True)
class StartEmergency:
    """Call every member: a committee admin in the committee chat (all branches), a secretary in a branch group
    (that branch); ``drill`` runs the same flow marked 演练."""

    actor: Account
    chat: ChatRef
    text: str
    drill: bool = False
    by_bot_admin: bool = False


@dataclass(frozen=True, slots=True)
class AnswerEmergency:
    """A called member answers 可到 / 稍后可到 / 不可 (a later answer replaces an earlier one)."""

    actor: Account
    emergency_id: int
    answer: Answer
    note: str = ""


@dataclass(frozen=True, slots=True)
class NoteEmergency:
    """A short note added to one's answer of the open call one answered last."""

    actor: Account
    note: str


@dataclass(frozen=True, slots=True)
class EndEmergency:
    """Close the open call of this chat (the committee's, or the branch's)."""

    actor: Account
    chat: ChatRef
    by_bot_admin: bool = False


@dataclass(frozen=True, slots=True)
class SetEmergencyPost:
    """A member states their emergency post (战时应急岗位) and where they can serve (网格 or 楼栋)."""

    actor: Account
    post: str
    grid: str = ""


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


# -- grid workers (网格员) -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetGridWorker:
    """A secretary appoints a reported-in member of the branch, named as on the roster, as its grid worker (网格员),
    or (``off``) ends that."""

    actor: Account
    branch_id: int
    name: str
    off: bool = False


# -- visit review cards, leaving a series (issue 15) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnVisit:
    """A secretary sends a reported visit back with a reason (退回): it does not count, the member may report again."""

    actor: Account
    visit_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class LeaveSeries:
    """A member leaves a series: their claims on coming occurrences are withdrawn, past ones stay."""

    actor: Account
    series_id: int


# -- emergency mode: answers typed as text (session 7) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerOpenEmergency:
    """A member answers the open call they were called to by typing 可到 / 稍后可到 / 不可 (a note may follow)."""

    actor: Account
    answer: Answer
    note: str = ""
