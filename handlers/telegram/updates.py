"""Reading a Telegram update into the domain's plain values: who acts, in which chat, saying what."""

from __future__ import annotations

from telegram import Chat, Message, User

from bot.domain.model import Account, ChatRef

PLATFORM = "telegram"
WISH_MARK = "#微心愿"


def account_of(user: User) -> Account:
    """The domain account of a Telegram user."""
    return Account(PLATFORM, str(user.id), user.full_name, user.language_code)


def chat_ref(chat: Chat | int | str, thread_id: int | None = None) -> ChatRef:
    """The domain reference of a Telegram chat (and forum topic)."""
    chat_id = chat.id if isinstance(chat, Chat) else chat
    return ChatRef(PLATFORM, str(chat_id), str(thread_id) if thread_id is not None else None)


def chat_of(message: Message) -> ChatRef:
    """Where a message was posted, including its forum topic."""
    thread = message.message_thread_id if message.is_topic_message else None
    return chat_ref(message.chat, thread)


def is_private(message: Message) -> bool:
    """Whether the message came from a private chat with the bot."""
    return message.chat.type == Chat.PRIVATE


def is_anonymous_admin(message: Message) -> bool:
    """An admin posting as the group itself: the bot cannot tell who they are."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat.id


def command_text(message: Message) -> str:
    """What follows the command word (``/wish 帮忙买年货`` -> ``帮忙买年货``), kept whole with its line breaks."""
    text = message.text or message.caption or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def is_wish_text(text: str | None) -> bool:
    """Whether a plain message is a micro-wish post (starts with ``#微心愿``)."""
    return bool(text) and text.lstrip().startswith(WISH_MARK)  # type: ignore[union-attr]


def start_link(bot_username: str, payload: str) -> str:
    """A deep link that opens the private chat with the bot and sends ``/start payload``."""
    return f"https://t.me/{bot_username}?start={payload}"


def update_key(update_id: int) -> str:
    """The key an incoming update is recorded under, so a replay after a restart is recognised."""
    return f"u{update_id}"
