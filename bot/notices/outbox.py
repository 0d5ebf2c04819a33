"""What the outbox carries: typed notices in an envelope, and the one codec that stores and reads them.

A use case decides to send a notice and records it (:func:`encode`) in the same transaction as the change it
tells about; the delivery reads it back (:func:`decode`) and renders it. The codec checks every field's type on
both sides, so a notice of the wrong shape is refused by the writer, never discovered at delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from bot.domain.model import ChatRef
from bot.ports.chat import Button, Mention, OutgoingMessage


@dataclass(frozen=True, slots=True)
class Text:
    """A message rendered when it was decided (in its reader's language), with optional buttons and a photo."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo_ref: str | None = None
    mention: Mention | None = None

    @staticmethod
    def of(message: OutgoingMessage) -> Text:
        """A rendered message as a notice (attachments are never stored in the outbox)."""
        return Text(message.text, message.buttons, message.photo_ref, message.mention)

    def message(self) -> OutgoingMessage:
        """The message to send."""
        return OutgoingMessage(self.text, self.buttons, photo_ref=self.photo_ref, mention=self.mention)


@dataclass(frozen=True, slots=True)
class WishCard:
    """A wish's card, rendered from the wish's state when it is sent (in a group, or a member's private chat)."""

    wish_id: int


@dataclass(frozen=True, slots=True)
class ClaimCard:
    """A member's private claim card (done / give up), rendered from the claim's state whenever it changes.

    ``intro``: "claimed", "promoted" (from the waitlist) or "returned" (with the secretary's ``reason``).
    """

    claim_id: int
    lang: str
    intro: str = "claimed"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """A secretary's review card (confirm / return / stars) for one report of a claim, following the claim."""

    claim_id: int
    secretary_id: int
    lang: str
    reported_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OverdueCard:
    """The reminder of a claim past its wish's deadline (done / give up), following the claim."""

    claim_id: int
    lang: str


@dataclass(frozen=True, slots=True)
class ManageCard:
    """A secretary's private card of a wish (结束认领 / 取消心愿 while it is open), following the wish."""

    wish_id: int
    lang: str


@dataclass(frozen=True, slots=True)
class NudgeCard:
    """A private nudge: its opening (rendered when decided), claim buttons for up to 3 wishes that follow them, and
    the pause button."""

    intro: str
    wish_ids: tuple[int, ...]
    pause_days: int
    lang: str


@dataclass(frozen=True, slots=True)
class Digest:
    """A committee's weekly digest (text, chart, ledger) as of a moment, rendered when it is sent."""

    committee_id: int
    as_of: datetime


@dataclass(frozen=True, slots=True)
class FeedbackFile:
    """A quarter's 双报到 feedback file for one workplace branch (工作单位, 单位党支部), rendered when it is sent.

    An empty ``workplace_branch`` is the committee's own file, of members without one.
    """

    committee_id: int
    workplace_branch: str
    year: int
    quarter: int
    as_of: datetime
    workplace: str = ""


@dataclass(frozen=True, slots=True)
class EmergencyBoard:
    """A call's board in a group (a branch's, or the committee's when ``branch_id`` is None), drawn from its state
    whenever it changes; posted (and pinned) as the call itself."""

    emergency_id: int
    branch_id: int | None
    lang: str


@dataclass(frozen=True, slots=True)
class EmergencyPrompt:
    """A member's private prompt of a call (可到 / 稍后可到 / 不可); ``attempt`` 2 and on are re-prompts."""

    emergency_id: int
    member_id: int
    lang: str
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class EmergencyReport:
    """A call's report for its committee at the end: summary text, chart and ledger sheet, built when sent."""

    emergency_id: int
    lang: str


@dataclass(frozen=True, slots=True)
class VisitReviewCard:
    """A secretary's review card of a reported pairing visit (确认走访 / 退回), following the visit."""

    visit_id: int
    secretary_id: int
    lang: str


@dataclass(frozen=True, slots=True)
class EmergencyUnanswered:
    """A secretary's list of a branch's members still silent after ``times`` prompts: their ids, named only when it
    is sent, so a member who left (/leave) is named in no outbox entry, pending or sent."""

    emergency_id: int
    branch_id: int
    member_ids: tuple[int, ...]
    times: int
    lang: str


EmergencyNotice = EmergencyBoard | EmergencyPrompt
"""Notices of a call: rendered from its state when sent, and followed (boards live, prompts until it ends)."""

Notice = (
    Text
    | WishCard
    | ClaimCard
    | ReviewCard
    | OverdueCard
    | ManageCard
    | NudgeCard
    | Digest
    | FeedbackFile
    | EmergencyBoard
    | EmergencyPrompt
    | EmergencyReport
    | VisitReviewCard
    | EmergencyUnanswered
)
"""Everything the bot can decide to send."""

ClaimNotice = ClaimCard | ReviewCard | OverdueCard
"""Cards about one claim: recorded when sent and rendered again whenever the claim or its wish changes."""

FollowedCard = ClaimCard | ReviewCard | OverdueCard | ManageCard | NudgeCard
"""Private cards recorded when sent and rendered again from their notice whenever their wish changes."""

Rendered = Digest | FeedbackFile | EmergencyReport | EmergencyUnanswered
"""Notices whose content is built by the report renderers at delivery."""


@dataclass(frozen=True, slots=True)
class Fallback:
    """Where to mention a member, by name, when their private chat turns out to be impossible."""

    chat: ChatRef
    name: str


@dataclass(frozen=True, slots=True)
class Followup:
    """A notice to record if this one cannot reach its recipient (e.g. tell the secretary a member is unreachable)."""

    dedupe_key: str
    kind: str
    chat: ChatRef
    member_id: int | None
    notice: Text


@dataclass(frozen=True, slots=True)
class Envelope:
    """One outbox entry's content: the notice, and what to do if its private recipient cannot be reached."""

    notice: Notice
    fallback: Fallback | None = None
    followups: tuple[Followup, ...] = ()


_TYPES: dict[str, type[Any]] = {
    "text": Text,
    "wish_card": WishCard,
    "claim_card": ClaimCard,
    "review_card": ReviewCard,
    "overdue_card": OverdueCard,
    "manage_card": ManageCard,
    "nudge_card": NudgeCard,
    "digest": Digest,
    "workplace_feedback": FeedbackFile,
    "emergency_board": EmergencyBoard,
    "emergency_prompt": EmergencyPrompt,
    "emergency_report": EmergencyReport,
    "visit_review_card": VisitReviewCard,
    "emergency_unanswered": EmergencyUnanswered,
}
_TAGS = {kind: tag for tag, kind in _TYPES.items()}


class _Stored(msgspec.Struct, frozen=True):
    type: str
    notice: msgspec.Raw
    fallback: Fallback | None = None
    followups: tuple[Followup, ...] = ()


class NoticeError(ValueError):
    """A stored notice that cannot be read (an unknown type or a wrong shape)."""


def encode(envelope: Envelope) -> str:
    """The envelope as stored text; refuses (TypeError / NoticeError) anything that is not a well-typed notice."""
    tag = _TAGS.get(type(envelope.notice))
    if tag is None:
        raise NoticeError(f"not a notice: {type(envelope.notice).__name__}")
    stored = _Stored(tag, msgspec.Raw(msgspec.json.encode(envelope.notice)), envelope.fallback, envelope.followups)
    text = msgspec.json.encode(stored).decode()
    decode(text)
    return text


def decode(text: str, *, platform: str = "") -> Envelope:
    """The envelope stored as ``text`` (``platform``: the outbox row's, for payloads older than typed notices).

    NoticeError when it cannot be read.
    """
    try:
        stored = msgspec.json.decode(text, type=_Stored)
    except msgspec.ValidationError as error:
        old = _untyped(text)
        if old is None:
            raise NoticeError(str(error)) from error
        try:
            return _legacy(old, platform)
        except (KeyError, TypeError, ValueError) as legacy_error:
            raise NoticeError(f"unreadable legacy payload: {legacy_error!r}") from legacy_error
    except msgspec.DecodeError as error:
        raise NoticeError(str(error)) from error
    kind = _TYPES.get(stored.type)
    if kind is None:
        raise NoticeError(f"unknown notice type {stored.type!r}")
    try:
        notice = msgspec.json.decode(stored.notice, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise NoticeError(str(error)) from error
    return Envelope(notice, stored.fallback, stored.followups)


def _untyped(text: str) -> dict[str, Any] | None:
    try:
        found = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return None
    return found if isinstance(found, dict) and "type" not in found else None


def _legacy(payload: dict[str, Any], platform: str) -> Envelope:
    """A payload written before notices were typed (pending in an upgraded database), read as its notice."""
    if "wish_card" in payload:
        return Envelope(WishCard(int(payload["wish_card"])))
    if payload.get("render") == "digest":
        return Envelope(Digest(int(payload["committee_id"]), datetime.fromisoformat(payload["as_of"])))
    if payload.get("render") == "workplace_feedback":
        year, number = payload["quarter"]
        as_of = datetime.fromisoformat(payload["as_of"])
        return Envelope(
            FeedbackFile(int(payload["committee_id"]), str(payload["workplace_branch"]), year, number, as_of)
        )
    buttons = tuple(
        tuple(Button(b["label"], b.get("payload"), b.get("url")) for b in row) for row in payload.get("buttons", [])
    )
    user = payload.get("mention_user")
    mention = Mention(str(user), str(payload.get("mention_name", ""))) if user else None
    notice = Text(str(payload.get("text", "")), buttons, payload.get("photo_ref") or None, mention)
    old = payload.get("fallback")
    fallback = (
        Fallback(ChatRef(old["platform"], old["chat_id"], old.get("thread_id")), str(old.get("mention", "")))
        if old
        else None
    )
    followups = tuple(
        Followup(
            hook["dedupe_key"],
            hook.get("kind", "unreachable_notice"),
            ChatRef(platform, str(hook["chat_id"])),
            hook.get("member_id"),
            Text(hook["text"]),
        )
        for hook in payload.get("on_unreachable", [])
    )
    return Envelope(notice, fallback, followups)
