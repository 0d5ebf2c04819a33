"""The state every part of the fake Bot API shares, and the rules Telegram applies to every method."""

from __future__ import annotations

import itertools
import mimetypes
from collections.abc import Callable
from typing import Any

from handlers.sandbox.bot_api.protocol import (
    ADMINS,
    CAPTION_LIMIT,
    PRESENT,
    TEXT_LIMIT,
    USER_LINK,
    ApiError,
    ChatRef,
    Params,
    UserRef,
    check_inline_button,
    with_detected,
)
from handlers.sandbox.bot_api.webhook import WebhookPush
from handlers.sandbox.flood import FloodControl
from handlers.sandbox.formatting import EntityParseError, parse_html, trim, user_entities
from handlers.sandbox.state import (
    CallbackQueryRecord,
    MemberStatus,
    SandboxChat,
    SandboxError,
    SandboxFile,
    SandboxMessage,
    SandboxUser,
    member_to_api,
)
from handlers.sandbox.traffic import ApiCall, EventHub, Signal, Stats, UpdateQueue


class SandboxCore:
    """FakeBotApi's state (set in FakeBotApi.__init__) and shared rules: chat lookup, formatting, storing."""

    token: str
    bot: SandboxUser
    anonymous_admin: SandboxUser
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    privacy_mode: bool
    callback_answer_window: float
    flood: FloodControl
    users: dict[int, SandboxUser]
    chats: dict[int, SandboxChat]
    files: dict[str, SandboxFile]
    callback_queries: dict[str, CallbackQueryRecord]
    commands: dict[tuple[str, str], list[dict[str, Any]]]
    webhook_url: str | None
    webhook_secret: str | None
    webhook_routes: dict[str, str]
    webhook_push: WebhookPush | None
    webhook_set_at: float | None
    calls: list[ApiCall]
    stats: Stats
    updates: UpdateQueue
    events: EventHub
    _messages_changed: Signal
    _ids: itertools.count[int]
    _poll_generation: int
    _closing: bool

    def user(self, ref: UserRef) -> SandboxUser:
        """Look a simulated person up by id (or pass one through)."""
        if isinstance(ref, SandboxUser):
            return ref
        try:
            return self.users[ref]
        except KeyError:
            raise SandboxError(f"no user {ref}") from None

    def chat(self, ref: ChatRef) -> SandboxChat:
        """Look a chat up by id (or pass one through)."""
        if isinstance(ref, SandboxChat):
            return ref
        try:
            return self.chats[ref]
        except KeyError:
            raise SandboxError(f"no chat {ref}") from None

    def _find_chat(self, raw: Any) -> SandboxChat | None:
        if isinstance(raw, str) and raw.startswith("@"):
            wanted = raw[1:].lower()
            return next(
                (c for c in self.chats.values() if c.username and c.username.lower() == wanted and c.is_group),
                None,
            )
        try:
            return self.chats.get(int(raw))
        except (TypeError, ValueError):
            return None

    def _chat(self, params: Params, *, to_write: bool = True) -> SandboxChat:
        raw = params.raw("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._find_chat(raw)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.is_group:
            kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
            if chat.bot_status == "left":
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        elif to_write and chat.peer is not None:
            if chat.peer.is_bot:
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
            if chat.peer.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.peer.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _formatted(self, params: Params, *, caption: bool) -> tuple[str | None, list[dict[str, Any]]]:
        name, entities_name = ("caption", "caption_entities") if caption else ("text", "entities")
        empty = "Bad Request: message text is empty"
        raw = params.text(name)
        if not raw:
            if caption:
                return None, []
            raise ApiError(400, empty)
        mode = (params.text("parse_mode") or "").lower()
        if mode == "html":
            try:
                text, entities = parse_html(raw)
            except EntityParseError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        elif mode in ("", "markdown", "markdownv2"):
            text = raw
            given = params.obj(entities_name) if not mode else None
            entities = list(given) if isinstance(given, list) else []
        else:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {params.text('parse_mode')}")
        text, entities = trim(text, entities)
        if not text:
            if caption:
                return None, []
            raise ApiError(400, empty)
        limit = CAPTION_LIMIT if caption else TEXT_LIMIT
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: message {'caption' if caption else ''}".rstrip() + " is too long")
        return text, with_detected(text, [self._user_mention(e) for e in entities])

    def _user_mention(self, entity: dict[str, Any]) -> dict[str, Any]:
        """A ``tg://user?id=`` link to a known person becomes a text_mention carrying that user, as Telegram does."""
        found = USER_LINK.match(str(entity.get("url", ""))) if entity.get("type") == "text_link" else None
        user = self.users.get(int(found.group(1))) if found else None
        if user is None:
            return entity
        return {"type": "text_mention", "offset": entity["offset"], "length": entity["length"], "user": user.to_api()}

    def _markup(self, params: Params, chat: SandboxChat | None = None) -> dict[str, Any] | None:
        markup = params.obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
            for row in rows:
                for button in row:
                    check_inline_button(button)
            return markup
        if chat is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        return None

    def _reply_target(self, params: Params, chat: SandboxChat) -> SandboxMessage | None:
        reply = params.obj("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.integer("reply_to_message_id")
            allow_missing = params.flag("allow_sending_without_reply")
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target

    def _thread(
        self, thread_id: int | None, chat: SandboxChat, reply: SandboxMessage | None
    ) -> tuple[int | None, bool]:
        if not chat.is_forum:
            return None, False
        if thread_id is None and reply is not None:
            thread_id = reply.thread_id
        if thread_id is None or thread_id == 1:
            return None, False
        if thread_id not in chat.topics:
            raise ApiError(400, "Bad Request: message thread not found")
        return thread_id, True

    def _spend(self, chat: SandboxChat) -> None:
        retry_after = self.flood.acquire(chat.id, group=chat.is_group)
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _now(self) -> int:
        return int(self.wall_clock())

    def _next_id(self) -> int:
        return next(self._ids)

    def _store(self, message: SandboxMessage) -> SandboxMessage:
        message.chat.messages[message.message_id] = message
        delivered = self._bot_sees(message)
        if delivered:
            self.updates.push("message", message.to_api())
        self.events.publish(
            {
                "type": "message",
                "chat_id": message.chat.id,
                "from_bot": message.from_bot,
                "delivered": delivered,
                "message": message.to_api(),
            }
        )
        self._messages_changed.notify()
        return message

    def _bot_sees(self, message: SandboxMessage) -> bool:
        chat = message.chat
        if message.from_bot:
            return False
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if message.service or not self.privacy_mode or chat.bot_status in ADMINS:
            return True
        if message.reply_to is not None and message.reply_to.from_bot:
            return True
        text = message.content or ""
        if text.startswith("/"):
            target = text.split(maxsplit=1)[0].partition("@")[2]
            return not target or target.lower() == (self.bot.username or "").lower()
        return False

    def _member_update(
        self, chat: SandboxChat, actor: SandboxUser, user: SandboxUser, old: MemberStatus, new: MemberStatus
    ) -> dict[str, Any]:
        payload = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self._now(),
            "old_chat_member": member_to_api(user, old),
            "new_chat_member": member_to_api(user, new),
        }
        kind = "my_chat_member" if user is self.bot else "chat_member"
        if kind == "my_chat_member" or chat.bot_status in ADMINS:
            self.updates.push(kind, payload)
        self.events.publish({"type": kind, "chat_id": chat.id, "update": payload})
        return payload

    def _store_file(self, data: bytes, filename: str | None, mime_type: str | None, kind: str) -> SandboxFile:
        number = self._next_id()
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        elif kind == "photo":
            suffix = ".jpg"
        stored = SandboxFile(
            file_id=f"{'AgAC' if kind == 'photo' else 'BQAC'}sandbox{number:06d}",
            file_unique_id=f"AQADsbx{number}",
            file_path=f"{'photos' if kind == 'photo' else 'documents'}/file_{number}{suffix}",
            data=data,
            file_name=filename if kind != "photo" else None,
            mime_type=mime_type or (mimetypes.guess_type(filename)[0] if filename else None),
        )
        self.files[stored.file_id] = stored
        return stored

    def _input_file(self, params: Params, field: str) -> SandboxFile:
        value = params.text(field)
        upload = params.files.get(field)
        if value and value.startswith("attach://"):
            upload = params.files.get(value.removeprefix("attach://"))
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._store_file(upload.data, upload.filename, upload.content_type, field)
        if not value:
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        if value in self.files:
            return self.files[value]
        if value.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _outgoing(
        self,
        chat: SandboxChat,
        params: Params,
        *,
        text: str | None = None,
        caption: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        photo: SandboxFile | None = None,
        document: SandboxFile | None = None,
    ) -> dict[str, Any]:
        reply = self._reply_target(params, chat)
        thread_id, in_topic = self._thread(params.integer("message_thread_id"), chat, reply)
        markup = self._markup(params, chat)
        self._spend(chat)
        message = SandboxMessage(
            chat=chat,
            message_id=chat.allocate_message_id(),
            date=self._now(),
            sender=self.bot,
            text=text,
            caption=caption,
            entities=entities or [],
            reply_markup=markup,
            thread_id=thread_id,
            is_topic_message=in_topic,
            reply_to=reply if reply is not None else self._topic_root(chat, thread_id),
            photo=photo,
            document=document,
            outgoing=True,
        )
        return self._store(message).to_api()

    def _topic_root(self, chat: SandboxChat, thread_id: int | None) -> SandboxMessage | None:
        if thread_id is None:
            return None
        return chat.messages.get(thread_id)

    def _editable(self, params: Params) -> SandboxMessage:
        if params.raw("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(self, message: SandboxMessage, **changes: Any) -> dict[str, Any]:
        self._spend(message.chat)
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_count += 1
        message.edit_date = self._now()
        result = message.to_api()
        self.events.publish(
            {
                "type": "edit",
                "chat_id": message.chat.id,
                "message_id": message.message_id,
                "edit_count": message.edit_count,
                "message": result,
            }
        )
        self._messages_changed.notify()
        return result

    def _group_actor(self, group: SandboxChat, by: UserRef | None) -> SandboxUser:
        if by is not None:
            return self.user(by)
        for user_id, status in group.members.items():
            if status == "creator":
                return self.users[user_id]
        for user_id, status in group.members.items():
            if status in PRESENT:
                return self.users[user_id]
        raise SandboxError(f"chat {group.id} has no members to act")

    def _incoming(
        self,
        sender: SandboxUser,
        chat: SandboxChat,
        *,
        text: str | None = None,
        caption: str | None = None,
        sender_chat: SandboxChat | None = None,
        contact: dict[str, Any] | None = None,
        photo: SandboxFile | None = None,
        service: dict[str, Any] | None = None,
    ) -> SandboxMessage:
        return SandboxMessage(
            chat=chat,
            message_id=chat.allocate_message_id(),
            date=self._now(),
            sender=sender,
            sender_chat=sender_chat,
            text=text,
            caption=caption,
            entities=user_entities(text or caption or ""),
            contact=contact,
            photo=photo,
            service=service or {},
        )
