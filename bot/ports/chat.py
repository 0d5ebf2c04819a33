"""The chat port: platform-neutral messages and the narrow gateway every platform implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.domain.model import ChatRef
from bot.i18n import LocalizedError


@dataclass(frozen=True, slots=True)
class Button:
    """A button on a message: either a callback payload (from :mod:`bot.callbacks`) or a URL."""

    label: str
    payload: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: the digest chart (image) or the ledger (document)."""

    filename: str
    content: bytes
    is_image: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A person a group message addresses: their platform user id and their name as it appears in the text."""

    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A platform-neutral message: text with light markup (``<b>``, ``<i>`` only), buttons in rows, files.

    ``photo_ref`` is a photo the platform already holds (a Telegram file_id a member sent), shown with the text;
    ``mention`` asks the platform to make that name in the text a mention of the person.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    photo_ref: str | None = None
    mention: Mention | None = None
    pin: bool = False
    """Pin the message in its chat where the platform allows (an emergency call); ignored on an edit."""


class PlatformUnavailable(Exception):
    """The platform cannot be reached right now (network, DNS, a firewall, its outage); worth trying again."""


class PlatformRefused(LocalizedError):
    """The platform refused the bot's credentials (a wrong token or secret); trying again will not help."""


class DeliveryError(Exception):
    """A message could not be delivered."""


class EditUnavailable(DeliveryError):
    """The message can be edited, but not now: the platform's edit handle is spent or expired (a WeCom card waits
    for the next press to hand out a fresh one)."""


class RecipientUnreachable(DeliveryError):
    """Permanent for this recipient: never started the bot, blocked it, left the chat (Telegram 403)."""


class RetryLater(DeliveryError):
    """Flood control or a passing failure: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {retry_after}s")
        self.retry_after = retry_after


class ChatGateway(Protocol):
    """What the domain needs from a chat platform: post a message or card, update a card."""

    platform: str
    max_file_bytes: int
    """The largest file the platform accepts from a bot; a bigger attachment is replaced by a note."""

    async def send(self, chat: ChatRef, message: OutgoingMessage) -> str:
        """Send a message (a card when it has buttons); return the platform's message id."""
        ...

    async def edit(self, chat: ChatRef, message_id: str, message: OutgoingMessage) -> None:
        """Replace a sent card's text and buttons; a no-op change must not be an error."""
        ...


class Unanswered(RetryLater):
    """The platform gave no answer (a timeout, a dropped connection, a 5xx): it may or may not have acted."""


class AlreadySent(DeliveryError):
    """The platform refused a retried call because it had carried out the same call (same key) before."""


@dataclass(frozen=True, slots=True)
class SentToMany:
    """What one send to many recipients gave: the message id each got, and the chats the platform refused."""

    message_id: str
    refused: tuple[str, ...] = ()
    """Chat ids the platform did not deliver to (WeCom's ``invaliduser``): not reached, never counted as sent."""


@runtime_checkable
class Multicast(Protocol):
    """A platform that sends one message to many private chats in one call (WeCom: up to 1,000 members)."""

    max_recipients: int

    async def send_many(
        self, chats: tuple[ChatRef, ...], message: OutgoingMessage, key: str, *, again: bool
    ) -> SentToMany:
        """Send the same message to every chat in one call named ``key`` (``again``: a retry after an unanswered
        call with this key); raises :class:`AlreadySent` when the platform says that call was carried out."""
        ...

    async def edit_many(self, chats: tuple[ChatRef, ...], message_id: str, message: OutgoingMessage) -> None:
        """Replace what every chat shows of one message sent to them together."""
        ...
