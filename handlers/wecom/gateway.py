"""The ChatGateway for WeCom: group chats get markdown, members get markdown or template cards, cards are updated.

What WeCom lets a card follow its state, and what it cannot:

* A member's template card can be updated only with a ``response_code``: one comes with the send, one with each
  press on it; each works once and for 72 hours. The card sync spends the send's code on the first change; a press
  on a followed card hands its fresh code to that card (``Wishes.card_pressed``), and the card sync draws the card
  through it, so the card catches up on every press.
* A second change with no press in between cannot be shown: the card keeps its previous picture (buttons
  included) until its member presses something on it; that press is refused by the use case with the specific
  reason, and its code then redraws the card as it stands. Nor can a card whose codes are older than 72 hours.
* Pressing 已完成 / 退回 (which start a reply step) keeps the press's code for the outcome (待确认, 已退回), so the
  card does not change at the press itself.
* Appchat (group) messages are markdown: they have no buttons, cannot be edited, and never follow state; after a
  change the bot can only post a new message there.
* A code is remembered as spent only in this process; after a restart one stale code may be tried once and refused
  (40058), after which the card waits for a press as above.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain.model import ChatRef
from bot.ports.chat import AlreadySent, Attachment, DeliveryError, EditUnavailable, OutgoingMessage, SentToMany
from bot.ports.clock import Clock
from handlers.wecom.api import MAX_RECIPIENTS, REUSED_TASK_ERRCODE, WeComApi, WeComApiError
from handlers.wecom.render import chunks, markdown, template_card

PLATFORM = "wecom"
CARD_PREFIX = "tc"
# WeCom keeps a response_code for 72 hours; a margin keeps us from using one in its last minutes.
RESPONSE_CODE_LIFETIME = 72 * 3600.0 - 600.0
# Spent codes are remembered only while they could still be used; the cap bounds memory under a flood of presses.
MAX_USED_CODES = 50_000
MAX_FILE_BYTES = 20_000_000

log = logging.getLogger(__name__)

IsGroup = Callable[[ChatRef], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class CardHandle:
    """What editing a member's template card needs: its task id, a one-time response code and when it was issued."""

    task_id: str
    response_code: str
    issued_at: float

    def encode(self) -> str:
        """The message id stored in the card table."""
        return f"{CARD_PREFIX}|{self.task_id}|{self.response_code}|{int(self.issued_at)}"

    @staticmethod
    def decode(message_id: str) -> CardHandle | None:
        """The handle inside a stored message id, or None for a message that is no template card."""
        parts = message_id.split("|")
        if len(parts) != 4 or parts[0] != CARD_PREFIX:
            return None
        try:
            return CardHandle(parts[1], parts[2], float(parts[3]))
        except ValueError:
            return None


def new_task_id() -> str:
    """A task id WeCom accepts (letters, digits, ``_-@``) and never saw before."""
    return f"eb{uuid.uuid4().hex}"


class WeComGateway:
    """Sends through :class:`WeComApi`: appchats (branch and committee chats) or a member's private conversation."""

    platform = PLATFORM
    max_recipients = MAX_RECIPIENTS
    """Members one call sends a card to (``send_many``), and whose shared card one call updates (``edit_many``)."""
    max_file_bytes = MAX_FILE_BYTES
    """WeCom's media/upload limit for a file (images allow 10 MB; the bot's charts are far below)."""

    def __init__(
        self, api: WeComApi, is_group: IsGroup, clock: Clock, *, lang: str = "zh", max_used_codes: int = MAX_USED_CODES
    ) -> None:
        self.api = api
        self._is_group = is_group
        self.clock = clock
        self.lang = lang
        self.max_used_codes = max_used_codes
        self._used_codes: OrderedDict[str, float] = OrderedDict()

    @property
    def used_codes(self) -> int:
        """How many spent response codes are remembered now."""
        return len(self._used_codes)

    async def send(self, chat: ChatRef, message: OutgoingMessage) -> str:
        """Post markdown (and uploaded attachments) to an appchat, or a card / markdown to a member; then the photo."""
        if await self._is_group(chat):
            message_id = ""
            for piece in chunks(markdown(message.text)):
                sent = await self.api.appchat_send_markdown(chat.chat_id, piece)
                message_id = message_id or sent.msgid
            if message.photo_ref:
                await self._photo(self.api.appchat_send_image, chat.chat_id, message.photo_ref)
            for attachment in message.attachments:
                media_id = await self._upload(attachment)
                if attachment.is_image:
                    await self.api.appchat_send_image(chat.chat_id, media_id)
                else:
                    await self.api.appchat_send_file(chat.chat_id, media_id)
            return message_id
        if any(b.payload for row in message.buttons for b in row):
            message_id = await self.send_card(chat.chat_id, message)
        else:
            message_id = ""
            for piece in chunks(markdown(message.text)):
                sent = await self.api.send_markdown(chat.chat_id, piece)
                message_id = message_id or sent.msgid
        if message.photo_ref:
            await self._photo(self.api.send_image, chat.chat_id, message.photo_ref)
        for attachment in message.attachments:
            await self.send_attachment(chat.chat_id, attachment)
        return message_id

    async def send_card(self, user_id: str, message: OutgoingMessage) -> str:
        """Send one member a button card; the returned message id lets the card be updated once."""
        task_id = new_task_id()
        sent = await self.api.send_template_card(user_id, template_card(message, task_id, self.lang))
        if not sent.response_code:
            return sent.msgid
        return CardHandle(task_id, sent.response_code, self._now()).encode()

    async def send_many(
        self, chats: tuple[ChatRef, ...], message: OutgoingMessage, key: str, *, again: bool
    ) -> SentToMany:
        """One card to many members in one ``message/send`` (``touser`` a|b|c), its task id made from ``key``:
        they share its send's response code, so one ``edit_many`` updates them all; members WeCom names in
        ``invaliduser`` are returned as refused."""
        users = [chat.chat_id for chat in chats]
        task_id = f"eb{key}"
        try:
            sent = await self.api.send_template_card(users, template_card(message, task_id, self.lang))
        except WeComApiError as error:
            if again and error.errcode == REUSED_TASK_ERRCODE:
                raise AlreadySent(f"task {task_id} was sent before: {error}") from error
            raise
        handle = CardHandle(task_id, sent.response_code, self._now()).encode() if sent.response_code else sent.msgid
        return SentToMany(handle, sent.invalid_users)

    async def edit_many(self, chats: tuple[ChatRef, ...], message_id: str, message: OutgoingMessage) -> None:
        """Update the card these members got in one ``send_many``: one ``update_template_card`` naming them all
        in ``userids``, spending the send's response code."""
        handle = CardHandle.decode(message_id)
        if handle is None:
            raise DeliveryError("WeCom cannot edit this message")
        users = [chat.chat_id for chat in chats]
        if handle.response_code in self._used_codes:
            raise EditUnavailable("response_code already used")
        if self._now() - handle.issued_at > RESPONSE_CODE_LIFETIME:
            raise EditUnavailable("response_code expired")
        self._spend(handle)
        await self.api.update_template_card(
            users, handle.response_code, template_card(message, handle.task_id, self.lang)
        )

    async def send_text(self, user_id: str, text: str) -> None:
        """A short private reply (our light HTML rendered as markdown)."""
        for piece in chunks(markdown(text)):
            await self.api.send_markdown(user_id, piece)

    async def send_attachment(self, user_id: str, attachment: Attachment) -> None:
        """Upload a file (or picture) and send it to one member privately."""
        media_id = await self._upload(attachment)
        if attachment.is_image:
            await self.api.send_image(user_id, media_id)
        else:
            await self.api.send_file(user_id, media_id)

    async def edit(self, chat: ChatRef, message_id: str, message: OutgoingMessage) -> None:
        """Update a member's template card; anything else (appchat markdown, a used or expired code) cannot be."""
        handle = CardHandle.decode(message_id)
        if handle is None:
            raise DeliveryError("WeCom cannot edit this message")
        await self.update_card(chat.chat_id, handle, message)

    async def update_card(
        self, user_id: str, handle: CardHandle, message: OutgoingMessage, *, closed_label: str | None = None
    ) -> None:
        """Replace what one member's card shows, spending its response code."""
        if handle.response_code in self._used_codes:
            raise EditUnavailable("response_code already used")
        if self._now() - handle.issued_at > RESPONSE_CODE_LIFETIME:
            raise EditUnavailable("response_code expired")
        self._spend(handle)
        card = template_card(message, handle.task_id, self.lang, closed_label=closed_label)
        await self.api.update_template_card(user_id, handle.response_code, card)

    def _spend(self, handle: CardHandle) -> None:
        """Remember a spent code, forgetting the oldest ones that expired (or that exceed the cap)."""
        now = self._now()
        while self._used_codes:
            issued_at = next(iter(self._used_codes.values()))
            if now - issued_at <= RESPONSE_CODE_LIFETIME and len(self._used_codes) < self.max_used_codes:
                break
            self._used_codes.popitem(last=False)
        self._used_codes[handle.response_code] = handle.issued_at

    async def _photo(self, send: Callable[[str, str], Awaitable[object]], to: str, media_id: str) -> None:
        """A picture WeCom already holds (a member sent it); one it no longer keeps (3 days) is left out."""
        try:
            await send(to, media_id)
        except DeliveryError as error:
            log.warning("photo %s could not be sent to %s: %s", media_id, to, error)

    async def _upload(self, attachment: Attachment) -> str:
        return await self.api.media_upload(
            "image" if attachment.is_image else "file", attachment.filename, attachment.content
        )

    def _now(self) -> float:
        return self.clock.now().timestamp()
