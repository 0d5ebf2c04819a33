"""The sandbox's world: people, chats, messages, files, updates, the API call log and live events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

REPLAY_MEMORY = 10_000  # delivered updates kept for replay()
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
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


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the server saw and answered it."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    at: float

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == 200

    @property
    def chat_id(self) -> int | str | None:
        """The chat_id parameter, if the call had one (as an int when numeric)."""
        value = self.params.get("chat_id")
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)


@dataclass
class Stats:
    """Counts of answers by HTTP status, for assertions and benchmark reports."""

    by_status: Counter[int] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)

    @property
    def calls(self) -> int:
        """All requests answered."""
        return sum(self.by_status.values())

    @property
    def too_many_requests(self) -> int:
        """429 answers."""
        return self.by_status[429]

    @property
    def bad_requests(self) -> int:
        """400 answers."""
        return self.by_status[400]

    @property
    def forbidden(self) -> int:
        """403 answers."""
        return self.by_status[403]

    def count(self, call: ApiCall) -> None:
        """Account for one answered call."""
        self.by_status[call.status] += 1
        self.by_method[call.method] += 1


class Signal:
    """A broadcast "something changed" that any number of coroutines can wait on."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Wait for the next notification or ``seconds``, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), max(seconds, 0.0))


class UpdateQueue:
    """Pending updates with getUpdates semantics: kept until confirmed by a higher offset."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.next_update_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._pending: list[dict[str, Any]] = []
        self._recent: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self.changed = Signal()

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless the bot's allowed_updates exclude its kind."""
        if kind not in self.allowed:
            return None
        update_id = self.next_update_id
        update = {"update_id": update_id, kind: payload}
        self.next_update_id += 1
        self._pending.append(update)
        self._recent[update_id] = update
        while len(self._recent) > REPLAY_MEMORY:
            self._recent.popitem(last=False)
        self.changed.notify()
        return update

    def replay(self, update_ids: Iterable[int]) -> int:
        """Queue already-confirmed updates again, as Telegram does when a bot died before confirming them.

        Only a bot that has not polled with a higher offset since (a freshly restarted one) receives them again.
        Returns how many were queued; unknown, forgotten or still pending ids are ignored.
        """
        pending = {u["update_id"] for u in self._pending}
        again = [self._recent[i] for i in update_ids if i in self._recent and i not in pending]
        if again:
            self._pending = sorted([*self._pending, *again], key=lambda u: int(u["update_id"]))
            self.changed.notify()
        return len(again)

    def find(self, match: Callable[[dict[str, Any]], bool]) -> int | None:
        """The id of the newest remembered update that ``match`` accepts."""
        return next((i for i, update in reversed(self._recent.items()) if match(update)), None)

    def set_allowed(self, kinds: Iterable[str]) -> None:
        """Apply a getUpdates allowed_updates list; an empty list restores the default."""
        chosen = frozenset(kinds)
        self.allowed = chosen or DEFAULT_ALLOWED_UPDATES

    def confirm(self, offset: int) -> None:
        """Forget updates below a positive offset, or all but the last -offset ones."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def peek(self, limit: int) -> list[dict[str, Any]]:
        """The oldest unconfirmed updates, without confirming them."""
        return self._pending[:limit]

    def clear(self) -> None:
        """Drop every pending update."""
        self._pending.clear()

    @property
    def pending(self) -> int:
        """How many updates wait for confirmation."""
        return len(self._pending)


class EventHub:
    """Fan-out of state changes to live viewers (tests, the browser demo)."""

    def __init__(self) -> None:
        self._queues: list[asyncio.Queue[dict[str, Any]]] = []

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A new queue that receives every later event."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop delivering events to ``queue``."""
        with contextlib.suppress(ValueError):
            self._queues.remove(queue)

    def publish(self, event: dict[str, Any]) -> None:
        """Deliver an event to all subscribers."""
        for queue in self._queues:
            queue.put_nowait(event)


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


def summarise(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters made log-friendly: nested JSON strings decoded, uploads reduced to name and size."""
    summary: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                summary[key] = json.loads(value)
                continue
            except ValueError:
                pass
        summary[key] = value
    return summary
