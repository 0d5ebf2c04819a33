"""Expected refusals of the use cases; each platform maps them to user text in one place."""

from __future__ import annotations


class DomainError(Exception):
    """An expected refusal: the user did something the rules do not allow. Carries a message key and args."""

    key: str = "error.generic"

    def __init__(self, **args: object) -> None:
        super().__init__(self.key, args)
        self.args_map: dict[str, object] = dict(args)


class NotFound(DomainError):
    """A referenced wish, branch, member or claim does not exist."""

    key = "error.not_found"


class WishNotFound(NotFound):
    key = "error.wish_not_found"


class BranchNotFound(NotFound):
    key = "error.branch_not_found"


class CommitteeNotFound(NotFound):
    key = "error.committee_not_found"


class ClaimNotFound(NotFound):
    key = "error.claim_not_found"


class NotReported(DomainError):
    """The person has not reported in (报到) yet, so cannot claim."""

    key = "error.not_reported"


class NotBranchMember(DomainError):
    key = "error.not_branch_member"


class NotSecretary(DomainError):
    key = "error.not_secretary"


class NotCommitteeAdmin(DomainError):
    key = "error.not_committee_admin"


class NotAdmin(DomainError):
    key = "error.not_admin"


class WishFull(DomainError):
    """No slot left; the user may join the waitlist (候补)."""

    key = "error.wish_full"


class WishClosed(DomainError):
    key = "error.wish_closed"


class WishCancelled(DomainError):
    key = "error.wish_cancelled"


class DeadlinePassed(DomainError):
    """The wish's deadline (已过截止时间) has passed: it takes no new claims until a secretary extends it."""

    key = "error.deadline_passed"


class AlreadyClaimed(DomainError):
    key = "error.already_claimed"


class AlreadyWaitlisted(DomainError):
    key = "error.already_waitlisted"


class NotYourClaim(DomainError):
    key = "error.not_your_claim"


class InvalidTransition(DomainError):
    """The claim is not in a state that allows this step (e.g. confirming a claim not reported done)."""

    key = "error.invalid_transition"


class OwnService(DomainError):
    """Nobody confirms their own service."""

    key = "error.own_service"


class NotTeamLeader(DomainError):
    key = "error.not_team_leader"


class InvalidInput(DomainError):
    """A value the user typed cannot be used (hours, rating, name, text too long...)."""

    key = "error.invalid_input"


class TextTooLong(InvalidInput):
    key = "error.text_too_long"


class DeadlineUnreadable(InvalidInput):
    """A new deadline (``/extend N 日期``) that could not be read; ``seen`` is what was typed."""

    key = "error.deadline_unreadable"


class DeadlineInPast(InvalidInput):
    """A new deadline that has already passed; ``seen`` is what was typed."""

    key = "error.deadline_in_past"


class AlreadyMember(DomainError):
    key = "error.already_member"


class MemberLeft(DomainError):
    key = "error.member_left"


class BranchInactive(DomainError):
    key = "error.branch_inactive"


class ChatAlreadyBound(DomainError):
    key = "error.chat_already_bound"


class BranchNotBound(DomainError):
    """The branch was set up offline and its group chat is not bound yet (``/branch NAME`` in the group does it)."""

    key = "error.branch_not_bound"


class BranchAwaitsSecretary(DomainError):
    """``/branch NAME`` names a branch set up offline, sent by someone the bot does not know as its secretary."""

    key = "error.branch_awaits_secretary"


class StorageBusy(DomainError):
    """The database stayed locked after retries; nothing was changed, the user may try again."""

    key = "error.storage_busy"


class StorageUnavailable(DomainError):
    """The database refused to store a change (a full disk, a read-only file, an I/O error); nothing was changed."""

    key = "error.storage_unavailable"


# Emergency mode (战时应急)
class NoEmergency(DomainError):
    key = "error.no_emergency"


class EmergencyRunning(DomainError):
    key = "error.emergency_running"


class EmergencyEnded(DomainError):
    key = "error.emergency_ended"


class NotCalled(DomainError):
    key = "error.not_called"


class EmergencyWhere(DomainError):
    key = "error.emergency_where"


class AlreadyHandled(Exception):
    """The incoming event was processed before (a replay after a restart); nothing was changed."""


# -- pairings (结对帮扶) -------------------------------------------------------------------------------------------


class PairingNotFound(NotFound):
    key = "error.pairing_not_found"


class VisitNotFound(NotFound):
    key = "error.visit_not_found"


class NotYourPairing(DomainError):
    """Only the member responsible for a pairing reports its visits."""

    key = "error.not_your_pairing"


class PairingNotActive(DomainError):
    """A paused or ended pairing takes no visit (and an ended one no change)."""

    key = "error.pairing_not_active"


class PairMemberUnknown(DomainError):
    """The name given for a pairing is no reported-in member or team of the branch (or more than one member)."""

    key = "error.pair_member_unknown"


# -- service records: sign-in codes, certificates, corrections (issue 15) ------------------------------------


class CheckinCodeWrong(DomainError):
    """No open sign-in has this code (mistyped, or its window is over); ``left`` tries remain in this window."""

    key = "error.checkin_code_wrong"


class CheckinLimited(DomainError):
    """Too many wrong sign-in codes in a short time: wait ``minutes`` before trying again."""

    key = "error.checkin_limited"


class NotAMember(DomainError):
    """Signing in, asking for a certificate or a correction needs a reported-in member."""

    key = "error.not_a_member"


class CertificateUnknown(DomainError):
    """No certificate has this verification code: forged or mistyped."""

    key = "error.certificate_unknown"


class CertificateAltered(DomainError):
    """The certificate's stored content no longer matches its verification code: altered after issue."""

    key = "error.certificate_altered"


class NothingToCertify(DomainError):
    """The member has no verified or confirmed hours in the period."""

    key = "error.nothing_to_certify"


class RecordNotFound(NotFound):
    """No service record of this member has this number."""

    key = "error.record_not_found"


class CorrectionPending(DomainError):
    """A correction of this record is already waiting for the secretary."""

    key = "error.correction_pending"


class CorrectionDecided(DomainError):
    """This correction was already accepted or refused."""

    key = "error.correction_decided"


# -- grid workers (网格员) -----------------------------------------------------------------------------------------


class NotSigninIssuer(NotSecretary):
    """Only the branch's secretaries and its grid workers open sign-in codes for its activities."""

    key = "error.not_signin_issuer"


class GridWorkerUnknown(DomainError):
    """The name given is no single reported-in member of the branch."""

    key = "error.gridworker_unknown"


# -- visit review cards and leaving a series (issue 15) ------------------------------------------------------


class VisitDecided(DomainError):
    """The visit was already confirmed or returned: its review card's buttons are stale."""

    key = "error.visit_decided"


class NotInSeries(DomainError):
    """The member never joined this series (or left it before)."""

    key = "error.not_in_series"


# Emergency mode (session 7)
class CommitteeCallEnd(DomainError):
    """A committee-wide call is ended by a committee admin, not by a branch's secretary."""

    key = "error.committee_call_end"
