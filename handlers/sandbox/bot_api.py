"""A local Telegram Bot API over real HTTP that enforces Telegram's rules, with an in-process user side."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import itertools
import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from handlers.sandbox.flood import FloodControl, FloodLimits
from handlers.sandbox.formatting import EntityParseError, parse_html, trim, user_entities
from handlers.sandbox.state import (
    ApiCall,
    CallbackAnswer,
    CallbackQueryRecord,
    EventHub,
    MemberStatus,
    SandboxChat,
    SandboxError,
    SandboxFile,
    SandboxMessage,
    SandboxUser,
    Signal,
    Stats,
    UpdateQueue,
    member_to_api,
    summarise,
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
GROUP_ANONYMOUS_BOT_ID = 1087968824
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_OTHER_INLINE_ACTIONS = (
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "callback_game",
    "pay",
    "copy_text",
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")
_PRESENT = ("creator", "administrator", "member", "restricted")
_ADMINS = ("creator", "administrator")

Handler = Callable[["Params"], Awaitable[Any]]
_request: contextvars.ContextVar[web.Request] = contextvars.ContextVar("sandbox_request")


class ApiError(Exception):
    """A Bot API failure answered as ``{"ok": false, ...}`` with Telegram's wording."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """The response body Telegram would send."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Request parameters read the way Telegram reads them, from JSON, a form or multipart."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def raw(self, name: str) -> Any:
        """The value as sent, or None."""
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str) -> int | None:
        """An integer parameter; a malformed one is a 400."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean parameter (``true``/``1`` in forms)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str) -> Any:
        """A nested JSON parameter, decoding it when it arrived as a JSON string."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value


ChatRef = SandboxChat | int
UserRef = SandboxUser | int


class FakeBotApi:
    """Telegram's Bot API for one bot, served on 127.0.0.1, plus simulated people who use it."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int = 7_000_000_001,
        bot_username: str = "ebranch_bot",
        bot_first_name: str = "e支部",
        limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        privacy_mode: bool = True,
        callback_answer_window: float = 15.0,
        first_update_id: int = 1,
    ) -> None:
        self.token = token or f"{bot_id}:AAsandbox-{bot_username}"
        self.bot = SandboxUser(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.anonymous_admin = SandboxUser(
            id=GROUP_ANONYMOUS_BOT_ID, first_name="Group", username="GroupAnonymousBot", is_bot=True
        )
        self.clock = clock
        self.wall_clock = wall_clock
        self.privacy_mode = privacy_mode
        self.callback_answer_window = callback_answer_window
        self.flood = FloodControl(limits or FloodLimits(), clock)
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.files: dict[str, SandboxFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.calls: list[ApiCall] = []
        self.stats = Stats()
        self.updates = UpdateQueue(first_update_id)
        self.events = EventHub()
        self._messages_changed = Signal()
        self._ids = itertools.count(1)
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "logOut": self._acknowledge,
                "close": self._acknowledge,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "getFile": self._get_file,
                "sendChatAction": self._send_chat_action,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                "getChatAdministrators": self._get_chat_administrators,
                "getChatMemberCount": self._get_chat_member_count,
                "leaveChat": self._leave_chat,
                "setMessageReaction": self._set_message_reaction,
            }.items()
        }

    # ----------------------------------------------------------------- server lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the Bot API on ``host``; port 0 picks a free port."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._serve_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._closing = False
        self._host = host
        address = self._runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self.updates.changed.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port being served."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (the token is appended by PTB)."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url``."""
        return f"http://{self._host}:{self.port}/file/bot"

    # ----------------------------------------------------------------- HTTP plumbing

    async def _serve_method(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        logged: dict[str, Any] = {}
        _request.set(request)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            entry = self._handlers.get(name.lower())
            if entry is None:
                raise ApiError(404, "Not Found")
            name, handler = entry
            values, files = await self._read_params(request)
            logged = {**values, **{k: f"<upload {u.filename!r}, {len(u.data)} bytes>" for k, u in files.items()}}
            result = await handler(Params(values, files))
        except ApiError as error:
            self._log(name, logged, error.status, error.description)
            return web.json_response(error.to_json(), status=error.status)
        self._log(name, logged, 200, None)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.content_type == "application/json":
            body = await request.read()
            if body:
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON object") from None
                if not isinstance(decoded, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                values.update(decoded)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    values[key] = value if isinstance(value, str) else bytes(value).decode()
        return values, files

    async def _serve_file(self, request: web.Request) -> web.Response:
        stored = None
        if request.match_info["token"] == self.token:
            path = request.match_info["path"]
            stored = next((f for f in self.files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    def _log(self, method: str, params: dict[str, Any], status: int, description: str | None) -> None:
        call = ApiCall(method, summarise(params), status, description, self.clock())
        self.calls.append(call)
        self.stats.count(call)
        if status != 200:
            self.events.publish({"type": "api_error", "method": method, "status": status, "description": description})

    # ----------------------------------------------------------------- shared rules

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
        return text, _with_detected(text, [self._user_mention(e) for e in entities])

    def _user_mention(self, entity: dict[str, Any]) -> dict[str, Any]:
        """A ``tg://user?id=`` link to a known person becomes a text_mention carrying that user, as Telegram does."""
        found = _USER_LINK.match(str(entity.get("url", ""))) if entity.get("type") == "text_link" else None
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
                    _check_inline_button(button)
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
        if message.service or not self.privacy_mode or chat.bot_status in _ADMINS:
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
        if kind == "my_chat_member" or chat.bot_status in _ADMINS:
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

    # ----------------------------------------------------------------- Bot API methods

    async def _get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.integer("timeout") or 0, 0)
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self.updates.set_allowed(str(kind) for kind in allowed)
        self._poll_generation += 1
        generation = self._poll_generation
        self.updates.changed.notify()
        self.updates.confirm(offset)
        loop_time = _loop_time()
        deadline = loop_time + timeout
        while True:
            batch = self.updates.peek(limit)
            if batch or self._closing:
                return batch
            if generation != self._poll_generation:
                if _client_gone():
                    return []
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            remaining = deadline - _loop_time()
            if remaining <= 0:
                return []
            await self.updates.changed.wait(remaining)

    async def _set_webhook(self, params: Params) -> bool:
        secret = params.text("secret_token") or None
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url = params.text("url") or None
        self.webhook_secret = secret if self.webhook_url else None
        if params.flag("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self.webhook_url = None
        self.webhook_secret = None
        if params.flag("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending,
        }

    async def _acknowledge(self, params: Params) -> bool:
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.obj("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.text("language_code") or ""

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.obj("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: Params) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        text, entities = self._formatted(params, caption=False)
        return self._outgoing(chat, params, text=text, entities=entities)

    async def _send_photo(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        caption, entities = self._formatted(params, caption=True)
        photo = self._input_file(params, "photo")
        return self._outgoing(chat, params, caption=caption, entities=entities, photo=photo)

    async def _send_document(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        caption, entities = self._formatted(params, caption=True)
        document = self._input_file(params, "document")
        return self._outgoing(chat, params, caption=caption, entities=entities, document=document)

    async def _edit_message_text(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._formatted(params, caption=False)
        markup = self._markup(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, text=text, entities=entities, reply_markup=markup)

    async def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        if message.photo is None and message.document is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._formatted(params, caption=True)
        markup = self._markup(params)
        if (caption, entities, markup) == (message.caption, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, caption=caption, entities=entities, reply_markup=markup)

    async def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, reply_markup=markup)

    async def _delete_message(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        message_id = params.integer("message_id")
        message = chat.messages.get(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        if not message.from_bot and chat.is_group and chat.bot_status not in _ADMINS:
            raise ApiError(400, "Bad Request: message can't be deleted")
        if self._now() - message.date > 48 * 3600:
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")
        message.deleted = True
        self.events.publish({"type": "delete", "chat_id": chat.id, "message_id": message.message_id})
        self._messages_changed.notify()
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        record = self.callback_queries.get(params.text("callback_query_id") or "")
        if (
            record is None
            or record.answer is not None
            or self.clock() - record.created_at > self.callback_answer_window
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            text=text,
            show_alert=params.flag("show_alert"),
            url=params.text("url"),
            cache_time=params.integer("cache_time") or 0,
        )
        record.resolve(answer)
        self.events.publish(
            {
                "type": "callback_answer",
                "query_id": record.id,
                "chat_id": record.message.chat.id,
                "message_id": record.message.message_id,
                **dataclasses.asdict(answer),
            }
        )
        return True

    async def _get_file(self, params: Params) -> dict[str, Any]:
        stored = self.files.get(params.text("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.size > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.events.publish({"type": "chat_action", "chat_id": chat.id, "action": action})
        return True

    async def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, to_write=False)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, to_write=False)
        user_id = params.integer("user_id")
        if user_id == self.bot.id:
            return member_to_api(self.bot, chat.bot_status if chat.is_group else "member")
        user = self.users.get(user_id) if user_id is not None else None
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        if chat.peer is not None:
            if user is not chat.peer:
                raise ApiError(400, "Bad Request: user not found")
            return member_to_api(user, "member")
        return member_to_api(user, chat.members.get(user.id, "left"))

    async def _get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._chat(params, to_write=False)
        if not chat.is_group:
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        admins = [
            member_to_api(self.users[user_id], status) for user_id, status in chat.members.items() if status in _ADMINS
        ]
        if chat.bot_status in _ADMINS:
            admins.append(member_to_api(self.bot, chat.bot_status))
        return admins

    async def _get_chat_member_count(self, params: Params) -> int:
        chat = self._chat(params, to_write=False)
        if not chat.is_group:
            return 2
        present = sum(1 for status in chat.members.values() if status in _PRESENT)
        return present + (1 if chat.bot_is_member else 0)

    async def _leave_chat(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        if not chat.is_group:
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        old = chat.bot_status
        chat.bot_status = "left"
        self._member_update(chat, self.bot, self.bot, old, "left")
        return True

    async def _set_message_reaction(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        message_id = params.integer("message_id")
        message = chat.messages.get(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to react not found")
        reaction = params.obj("reaction") or []
        if not isinstance(reaction, list) or any(
            not isinstance(r, dict) or r.get("type") not in ("emoji", "custom_emoji", "paid") for r in reaction
        ):
            raise ApiError(400, "Bad Request: REACTION_INVALID")
        message.reactions = reaction
        self.events.publish(
            {"type": "reaction", "chat_id": chat.id, "message_id": message.message_id, "reaction": reaction}
        )
        return True

    # ----------------------------------------------------------------- the user side

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

    async def add_user(
        self,
        id: int,
        first_name: str,
        last_name: str = "",
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> SandboxUser:
        """Create a person (and the private chat the bot would have with them)."""
        if id in self.users or id in self.chats:
            raise SandboxError(f"id {id} is taken")
        user = SandboxUser(
            id=id, first_name=first_name, last_name=last_name, username=username, language_code=language_code
        )
        self.users[id] = user
        self.chats[id] = SandboxChat(id=id, type="private", peer=user)
        self.events.publish({"type": "user", "user": user.to_api()})
        return user

    async def user_starts_bot(self, user: UserRef, payload: str | None = None) -> SandboxMessage:
        """The person presses Start (or opens a ``t.me/bot?start=payload`` link)."""
        person = self.user(user)
        chat = self.chats[person.id]
        if person.blocked:
            person.blocked = False
            self._member_update(chat, person, self.bot, "kicked", "member")
        person.started = True
        text = "/start" if not payload else f"/start {payload}"
        return self._store(self._incoming(person, chat, text=text))

    async def block_bot(self, user: UserRef) -> dict[str, Any]:
        """The person blocks the bot; returns the my_chat_member update payload."""
        person = self.user(user)
        person.blocked = True
        return self._member_update(self.chats[person.id], person, self.bot, "member", "kicked")

    async def add_group(
        self,
        chat_id: int,
        title: str,
        members: Sequence[UserRef] = (),
        *,
        forum: bool = False,
        bot_is_admin: bool = True,
        admins: Sequence[UserRef] = (),
        kind: str | None = None,
        username: str | None = None,
    ) -> SandboxChat:
        """Create a group; the first member is its creator and adds the bot (sending my_chat_member)."""
        if chat_id in self.chats:
            raise SandboxError(f"chat {chat_id} exists")
        chat_type = kind or ("supergroup" if forum or str(chat_id).startswith("-100") else "group")
        if chat_type not in ("group", "supergroup") or (forum and chat_type != "supergroup"):
            raise SandboxError("forum topics need a supergroup")
        chat = SandboxChat(
            id=chat_id,
            type="supergroup" if chat_type == "supergroup" else "group",
            title=title,
            username=username,
            is_forum=forum,
            bot_status="left",
        )
        people = [self.user(m) for m in members]
        admin_ids = {self.user(a).id for a in admins}
        for index, person in enumerate(people):
            chat.members[person.id] = (
                "creator" if index == 0 else "administrator" if person.id in admin_ids else "member"
            )
        self.chats[chat_id] = chat
        self.events.publish({"type": "chat", "change": "created", "chat": chat.to_api()})
        if people:
            await self.add_bot(chat, by=people[0], as_admin=bot_is_admin)
        else:
            chat.bot_status = "administrator" if bot_is_admin else "member"
        return chat

    async def add_bot(self, chat: ChatRef, *, by: UserRef | None = None, as_admin: bool = False) -> SandboxMessage:
        """Someone adds the bot to a group: my_chat_member plus a new_chat_members service message."""
        group = self.chat(chat)
        actor = self._group_actor(group, by)
        old = group.bot_status
        group.bot_status = "administrator" if as_admin else "member"
        self._member_update(group, actor, self.bot, old, group.bot_status)
        return self._store(self._incoming(actor, group, service={"new_chat_members": [self.bot.to_api()]}))

    async def remove_bot(self, chat: ChatRef, *, by: UserRef | None = None, kicked: bool = True) -> dict[str, Any]:
        """Someone removes the bot; returns the my_chat_member payload (status "kicked" or "left")."""
        group = self.chat(chat)
        actor = self._group_actor(group, by)
        old = group.bot_status
        group.bot_status = "kicked" if kicked else "left"
        payload = self._member_update(group, actor, self.bot, old, group.bot_status)
        self._store(self._incoming(actor, group, service={"left_chat_member": self.bot.to_api()}))
        return payload

    async def set_member_status(
        self, chat: ChatRef, user: UserRef, status: MemberStatus, *, by: UserRef | None = None
    ) -> dict[str, Any]:
        """Change a person's membership; admins' bots get a chat_member update if they asked for it."""
        group = self.chat(chat)
        person = self.user(user)
        actor = self.user(by) if by is not None else person
        old = group.members.get(person.id, "left")
        group.members[person.id] = status
        return self._member_update(group, actor, person, old, status)

    async def create_topic(self, chat: ChatRef, name: str, *, by: UserRef | None = None) -> SandboxMessage:
        """Open a forum topic; its id (message_thread_id) is the returned message's id."""
        group = self.chat(chat)
        if not group.is_forum:
            raise SandboxError(f"chat {group.id} is not a forum")
        actor = self._group_actor(group, by)
        message = self._incoming(actor, group, service={"forum_topic_created": {"name": name, "icon_color": 7322096}})
        message.thread_id = message.message_id
        message.is_topic_message = True
        group.topics[message.message_id] = name
        return self._store(message)

    async def migrate_group(self, chat: ChatRef, *, by: UserRef | None = None) -> SandboxChat:
        """Upgrade a basic group to a supergroup like Telegram does; returns the new supergroup."""
        old = self.chat(chat)
        if old.type != "group" or old.migrated_to is not None:
            raise SandboxError(f"chat {old.id} is not a basic group")
        actor = self._group_actor(old, by)
        new_id = int(f"-100{abs(old.id)}")
        new = SandboxChat(
            id=new_id,
            type="supergroup",
            title=old.title,
            members=dict(old.members),
            bot_status=old.bot_status,
            migrated_from=old.id,
            next_message_id=old.next_message_id,
        )
        self.chats[new_id] = new
        copies = {m.message_id: dataclasses.replace(m, chat=new) for m in old.messages.values()}
        self._store(self._incoming(actor, old, service={"migrate_to_chat_id": new_id}))
        old.migrated_to = new_id
        for copy in copies.values():
            if copy.reply_to is not None:
                copy.reply_to = copies.get(copy.reply_to.message_id)
        new.messages = copies
        new.next_message_id = old.next_message_id
        self.flood.forget(old.id)
        self.events.publish({"type": "chat", "change": "migrated", "from": old.id, "chat": new.to_api()})
        self._store(self._incoming(actor, new, service={"migrate_from_chat_id": old.id}))
        return new

    async def user_sends(
        self,
        user: UserRef,
        chat: ChatRef,
        text: str | None = None,
        *,
        reply_to: SandboxMessage | None = None,
        thread_id: int | None = None,
        contact: str | dict[str, Any] | None = None,
        photo: bytes | None = None,
        sender_chat: ChatRef | None = None,
    ) -> SandboxMessage:
        """A person posts a message (text, photo with caption, or contact); returns it as stored."""
        person = self.user(user)
        target = self.chat(chat)
        self._check_can_post(person, target, text)
        sender: SandboxUser = person
        as_chat: SandboxChat | None = None
        if sender_chat is not None:
            as_chat = self.chat(sender_chat)
            if as_chat is not target or target.members.get(person.id) not in _ADMINS:
                raise SandboxError("only the group's own admins can post as the group")
            sender = self.anonymous_admin
        if reply_to is not None and (reply_to.chat is not target or reply_to.deleted):
            raise SandboxError("can only reply to a visible message of the same chat")
        if thread_id is None and reply_to is not None and target.is_forum:
            thread_id = reply_to.thread_id
        if thread_id is not None and thread_id not in target.topics:
            raise SandboxError(f"chat {target.id} has no topic {thread_id}")
        contact_data = None
        if contact is not None:
            contact_data = (
                {"phone_number": contact, "first_name": person.first_name, "user_id": person.id}
                if isinstance(contact, str)
                else dict(contact)
            )
            if isinstance(contact, str) and person.last_name:
                contact_data["last_name"] = person.last_name
        stored_photo = self._store_file(photo, None, "image/jpeg", "photo") if photo is not None else None
        message = self._incoming(
            sender,
            target,
            text=text if stored_photo is None else None,
            caption=text if stored_photo is not None else None,
            sender_chat=as_chat,
            contact=contact_data,
            photo=stored_photo,
        )
        if thread_id is not None:
            message.thread_id = thread_id
            message.is_topic_message = True
        message.reply_to = reply_to or self._topic_root(target, thread_id)
        return self._store(message)

    async def admin_sends_anonymously(
        self, chat: ChatRef, text: str, *, admin: UserRef | None = None
    ) -> SandboxMessage:
        """An admin posts as the group itself (from=GroupAnonymousBot, sender_chat=the group)."""
        group = self.chat(chat)
        person = self.user(admin) if admin is not None else self._group_actor(group, None)
        return await self.user_sends(person, group, text, sender_chat=group)

    async def user_edits(self, message: SandboxMessage, new_text: str) -> SandboxMessage:
        """The author edits their message; the bot gets an edited_message update."""
        if message.from_bot or message.deleted or message.content is None:
            raise SandboxError("people can only edit their own visible text messages")
        entities = user_entities(new_text)
        if message.text is not None:
            message.text = new_text
        else:
            message.caption = new_text
        message.entities = entities
        message.edit_count += 1
        message.edit_date = self._now()
        if self._bot_sees(message):
            self.updates.push("edited_message", message.to_api())
        self.events.publish(
            {
                "type": "edit",
                "chat_id": message.chat.id,
                "message_id": message.message_id,
                "edit_count": message.edit_count,
                "message": message.to_api(),
            }
        )
        self._messages_changed.notify()
        return message

    async def press_button(
        self, user: UserRef, message: SandboxMessage, callback_data: str, *, seen: Sequence[str] = ()
    ) -> CallbackQueryRecord:
        """A person taps an inline button; returns the pending query without waiting for the answer.

        ``seen`` lists callback data of buttons this person's client still shows from before an edit reached it
        (on a real phone a tap in flight carries the old button), so a burst can tap a card that just changed.
        """
        person = self.user(user)
        shown = callback_data in seen or any(b.get("callback_data") == callback_data for b in message.buttons())
        if message.deleted or not shown:
            raise SandboxError(f"message {message.message_id} shows no button with data {callback_data!r}")
        chat = message.chat
        if chat.peer is not None and chat.peer is not person:
            raise SandboxError("that private chat belongs to someone else")
        if chat.is_group and chat.members.get(person.id) not in _PRESENT:
            raise SandboxError(f"{person.full_name} is not in chat {chat.id}")
        record = CallbackQueryRecord(
            id=str(4_000_000_000_000_000 + self._next_id()),
            user=person,
            message=message,
            data=callback_data,
            created_at=self.clock(),
        )
        self.callback_queries[record.id] = record
        payload = {
            "id": record.id,
            "from": person.to_api(),
            "message": message.to_api(),
            "chat_instance": str(abs(hash((chat.id, self.bot.id)))),
            "data": callback_data,
        }
        self.updates.push("callback_query", payload)
        self.events.publish({"type": "callback_query", "chat_id": chat.id, "query": payload})
        return record

    async def user_presses(
        self, user: UserRef, message: SandboxMessage, callback_data: str, *, within: float = 5.0
    ) -> CallbackAnswer:
        """A person taps an inline button and waits for the bot's answerCallbackQuery (SandboxError if none)."""
        record = await self.press_button(user, message, callback_data)
        return await record.wait_answer(within)

    def _group_actor(self, group: SandboxChat, by: UserRef | None) -> SandboxUser:
        if by is not None:
            return self.user(by)
        for user_id, status in group.members.items():
            if status == "creator":
                return self.users[user_id]
        for user_id, status in group.members.items():
            if status in _PRESENT:
                return self.users[user_id]
        raise SandboxError(f"chat {group.id} has no members to act")

    def _check_can_post(self, person: SandboxUser, chat: SandboxChat, text: str | None) -> None:
        if chat.peer is not None:
            if chat.peer is not person:
                raise SandboxError("that private chat belongs to someone else")
            if (person.blocked or not person.started) and not (text or "").startswith("/start"):
                raise SandboxError(f"{person.full_name} has not started the bot; call user_starts_bot")
            if person.blocked:
                person.blocked = False
                self._member_update(chat, person, self.bot, "kicked", "member")
            person.started = True
            return
        if chat.migrated_to is not None:
            raise SandboxError(f"group {chat.id} became supergroup {chat.migrated_to}")
        if chat.members.get(person.id) not in _PRESENT:
            raise SandboxError(f"{person.full_name} is not in chat {chat.id}")

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

    # ----------------------------------------------------------------- observability

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """An asyncio.Queue of live events: message, edit, delete, callback_query, callback_answer, ..."""
        return self.events.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop a subscription."""
        self.events.unsubscribe(queue)

    def history(self, chat: ChatRef) -> list[SandboxMessage]:
        """Visible messages of a chat, oldest first, each with its current content."""
        return self.chat(chat).history

    def bot_messages(self, chat: ChatRef) -> list[SandboxMessage]:
        """Visible messages the bot sent to a chat."""
        return [m for m in self.history(chat) if m.from_bot]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Logged calls of one Bot API method (case-insensitive)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def unretried_flood_errors(self) -> list[ApiCall]:
        """429 answers never followed by a successful call of the same method to the same chat."""
        pending: list[ApiCall] = []
        for index, call in enumerate(self.calls):
            if call.status != 429:
                continue
            retried = any(
                later.ok and later.method == call.method and later.chat_id == call.chat_id
                for later in self.calls[index + 1 :]
            )
            if not retried:
                pending.append(call)
        return pending

    def replay(self, *update_ids: int) -> int:
        """Deliver already-confirmed updates again, as after a bot crashed before confirming them (see UpdateQueue)."""
        return self.updates.replay(update_ids)

    def update_id_of(self, item: SandboxMessage | CallbackQueryRecord, kind: str = "message") -> int:
        """The id of the update that brought a message (of ``kind``) or a button tap to the bot."""
        if isinstance(item, CallbackQueryRecord):
            what = f"tap {item.id}"
            found = self.updates.find(lambda u: u.get("callback_query", {}).get("id") == item.id)
        else:
            what, where = f"{kind} {item.message_id} in chat {item.chat.id}", (item.chat.id, item.message_id)
            found = self.updates.find(
                lambda u: isinstance(u.get(kind), dict) and (u[kind]["chat"]["id"], u[kind]["message_id"]) == where
            )
        if found is None:
            raise SandboxError(f"the bot was never sent an update for {what}")
        return found

    def my_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """Commands the bot registered for a scope and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.commands.get((key, language_code), [])

    async def wait_for_bot_message(
        self, chat: ChatRef, *, after: SandboxMessage | None = None, within: float = 5.0
    ) -> SandboxMessage:
        """The first bot message in ``chat`` newer than ``after``, waiting up to ``within`` seconds."""
        target = self.chat(chat)
        floor = after.message_id if after is not None else 0
        deadline = _loop_time() + within
        while True:
            for message in target.messages.values():
                if message.from_bot and message.message_id > floor:
                    return message
            remaining = deadline - _loop_time()
            if remaining <= 0:
                raise SandboxError(f"the bot sent nothing to chat {target.id} within {within} s")
            await self._messages_changed.wait(remaining)

    def snapshot(self) -> dict[str, Any]:
        """Every chat with its current history, JSON-ready, for a viewer joining late."""
        return {
            "bot": self.bot.to_api(),
            "chats": [
                {
                    "chat": chat.to_api(),
                    "bot_status": chat.bot_status,
                    "migrated_to": chat.migrated_to,
                    "reply_keyboard": chat.reply_keyboard,
                    "messages": [
                        {**m.to_api(), "edit_count": m.edit_count, "from_bot": m.from_bot} for m in chat.history
                    ],
                }
                for chat in self.chats.values()
            ],
        }


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String')
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return
    if "url" in button:
        if not _valid_button_url(str(button["url"])):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return
    if not any(action in button for action in _OTHER_INLINE_ACTIONS):
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        )


def _valid_button_url(url: str) -> bool:
    match = re.match(r"^(https?|tg)://([^/?#\s]+)", url, re.IGNORECASE)
    if match is None:
        return False
    if match.group(1).lower() == "tg":
        return True
    host = match.group(2).rsplit("@", 1)[-1].split(":", 1)[0]
    return "." in host and not host.startswith(".") and not host.endswith(".")


def _with_detected(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the entities Telegram detects itself (URLs, mentions, commands) outside code and links."""
    opaque = [e for e in entities if e["type"] in ("code", "pre", "text_link", "text_mention")]
    merged = list(entities)
    for found in user_entities(text):
        start, end = found["offset"], found["offset"] + found["length"]
        if all(end <= e["offset"] or start >= e["offset"] + e["length"] for e in opaque):
            merged.append(found)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _client_gone() -> bool:
    request = _request.get(None)
    transport = request.transport if request is not None else None
    return transport is None or transport.is_closing()


def _loop_time() -> float:
    return asyncio.get_running_loop().time()
