"""The sandbox's world: people, chats, messages, files and button taps (traffic.py holds what flows through it)."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


class SandboxError(Exception):
    """A simulated person tried something a real Telegram client would not allow."""


@dataclass
class SandboxUser:
    """A Telegram account: a simulated person or the bot itself."""

    id: int
    first_name: str
    last_name: str = ""
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    @property
    def full_name(self) -> str:
        """First and last name as clients show them."""
        return f"{self.first_name} {self.last_name}".strip()

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class SandboxFile:
    """Bytes the bot or a person uploaded, addressable by file_id and downloadable by file_path."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def photo_sizes(self) -> list[dict[str, Any]]:
        """The ``PhotoSize`` list Telegram reports for a photo."""
        width, height = _image_size(self.data)
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": width,
                "height": height,
            }
        ]

    def document(self) -> dict[str, Any]:
        """The ``Document`` object Telegram reports for a file."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


def _image_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 320, 320


@dataclass
class SandboxChat:
    """A private chat, group or supergroup, with its members and full message history."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    peer: SandboxUser | None = None
    members: dict[int, MemberStatus] = field(default_factory=dict)
    bot_status: MemberStatus = "member"
    migrated_to: int | None = None
    migrated_from: int | None = None
    topics: dict[int, str] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    messages: dict[int, SandboxMessage] = field(default_factory=dict)
    next_message_id: int = 1
    pinned: list[int] = field(default_factory=list)
    """Message ids pinned in the chat, the latest last."""

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.type in ("group", "supergroup")

    @property
    def bot_is_member(self) -> bool:
        """Whether the bot is currently in the chat."""
        return self.bot_status not in ("left", "kicked")

    @property
    def history(self) -> list[SandboxMessage]:
        """Messages still visible, oldest first, each showing its current content."""
        return [m for m in self.messages.values() if not m.deleted]

    def allocate_message_id(self) -> int:
        """Next message id in this chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.peer is not None:
            data["first_name"] = self.peer.first_name
            if self.peer.last_name:
                data["last_name"] = self.peer.last_name
            if self.peer.username:
                data["username"] = self.peer.username
        if self.title is not None:
            data["title"] = self.title
        if self.username and self.peer is None:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class SandboxMessage:
    """One message with its current content; edits update it in place and count themselves."""

    chat: SandboxChat
    message_id: int
    date: int
    sender: SandboxUser | None
    sender_chat: SandboxChat | None = None
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    thread_id: int | None = None
    is_topic_message: bool = False
    reply_to: SandboxMessage | None = None
    photo: SandboxFile | None = None
    document: SandboxFile | None = None
    contact: dict[str, Any] | None = None
    service: dict[str, Any] = field(default_factory=dict)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    outgoing: bool = False

    @property
    def from_bot(self) -> bool:
        """Whether the sandbox bot sent it."""
        return self.outgoing

    @property
    def content(self) -> str | None:
        """Text or caption, whichever the message carries."""
        return self.text if self.text is not None else self.caption

    def buttons(self) -> Iterator[dict[str, Any]]:
        """Inline keyboard buttons currently attached, row by row."""
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            yield from row

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API ``Message`` object as it looks now."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat.to_api(),
        }
        if self.sender is not None:
            data["from"] = self.sender.to_api()
        if self.sender_chat is not None:
            data["sender_chat"] = self.sender_chat.to_api()
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
        if self.is_topic_message:
            data["is_topic_message"] = True
        if self.reply_to is not None and with_reply:
            data["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.caption is not None:
            data["caption"] = self.caption
            if self.entities:
                data["caption_entities"] = self.entities
        if self.photo is not None:
            data["photo"] = self.photo.photo_sizes()
        if self.document is not None:
            data["document"] = self.document.document()
        if self.contact is not None:
            data["contact"] = self.contact
        if self.reply_markup is not None:
            data["reply_markup"] = self.reply_markup
        data.update(self.service)
        return data


@dataclass
class CallbackAnswer:
    """What the bot said when it answered a button press."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackQueryRecord:
    """A button press awaiting (or holding) the bot's answerCallbackQuery."""

    id: str
    user: SandboxUser
    message: SandboxMessage
    data: str
    created_at: float
    answer: CallbackAnswer | None = None
    _answered: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def resolve(self, answer: CallbackAnswer) -> None:
        """Record the bot's answer and wake whoever waits for it."""
        self.answer = answer
        self._answered.set()

    async def wait_answer(self, within: float) -> CallbackAnswer:
        """The bot's answer, or SandboxError if none arrives within ``within`` seconds."""
        try:
            await asyncio.wait_for(self._answered.wait(), within)
        except TimeoutError:
            raise SandboxError(f"callback query {self.id} ({self.data!r}) was not answered within {within} s") from None
        assert self.answer is not None
        return self.answer


def member_to_api(user: SandboxUser, status: MemberStatus) -> dict[str, Any]:
    """The Bot API ``ChatMember`` object for ``user`` with ``status``."""
    data: dict[str, Any] = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update({"can_be_edited": False, "is_anonymous": False})
        data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "kicked":
        data["until_date"] = 0
    elif status == "restricted":
        data.update(
            {
                "is_member": True,
                "until_date": 0,
                "can_send_messages": False,
                "can_send_audios": False,
                "can_send_documents": False,
                "can_send_photos": False,
                "can_send_videos": False,
                "can_send_video_notes": False,
                "can_send_voice_notes": False,
                "can_send_polls": False,
                "can_send_other_messages": False,
                "can_add_web_page_previews": False,
                "can_change_info": False,
                "can_invite_users": False,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        )
    return data
