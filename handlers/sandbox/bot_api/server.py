"""FakeBotApi itself: the parts composed into one bot's API, served over HTTP on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from handlers.sandbox.bot_api.chats import ChatMethods
from handlers.sandbox.bot_api.groups import GroupSide
from handlers.sandbox.bot_api.messages import MessageMethods
from handlers.sandbox.bot_api.observability import Observability
from handlers.sandbox.bot_api.people import PeopleSide
from handlers.sandbox.bot_api.protocol import (
    GROUP_ANONYMOUS_BOT_ID,
    ApiError,
    Handler,
    Params,
    Upload,
    current_request,
    dumps,
)
from handlers.sandbox.bot_api.updates import UpdateMethods
from handlers.sandbox.bot_api.webhook import WebhookPush
from handlers.sandbox.flood import FloodControl, FloodLimits
from handlers.sandbox.state import (
    CallbackQueryRecord,
    SandboxChat,
    SandboxFile,
    SandboxUser,
)
from handlers.sandbox.traffic import ApiCall, EventHub, Signal, Stats, UpdateQueue, summarise


class FakeBotApi(UpdateMethods, MessageMethods, ChatMethods, PeopleSide, GroupSide, Observability):
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
        self.webhook_routes: dict[str, str] = {}
        self.webhook_push: WebhookPush | None = None
        self.webhook_set_at: float | None = None
        self.calls: list[ApiCall] = []
        self.failing: dict[str, int] = {}
        """Methods whose next calls fail with 502 Bad Gateway, as through a failing proxy (see ``fail_next``)."""
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
                "pinChatMessage": self._pin_chat_message,
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

    def route_webhook(self, public_url: str, address: str) -> None:
        """Where a webhook URL really leads (the public name resolving to a load balancer, say): once the bot sets
        that URL, pending updates are POSTed to ``address`` as Telegram would."""
        self.webhook_routes[public_url] = address

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        await self._stop_push()
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

    def fail_next(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are answered 502 Bad Gateway without being carried out."""
        self.failing[method] = self.failing.get(method, 0) + times

    async def _serve_method(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        logged: dict[str, Any] = {}
        current_request.set(request)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            entry = self._handlers.get(name.lower())
            if entry is None:
                raise ApiError(404, "Not Found")
            name, handler = entry
            if self.failing.get(name, 0) > 0:
                self.failing[name] -= 1
                raise ApiError(502, "Bad Gateway")
            values, files = await self._read_params(request)
            logged = {**values, **{k: f"<upload {u.filename!r}, {len(u.data)} bytes>" for k, u in files.items()}}
            result = await handler(Params(values, files))
        except ApiError as error:
            self._log(name, logged, error.status, error.description)
            return web.json_response(error.to_json(), status=error.status)
        self._log(name, logged, 200, None)
        return web.json_response({"ok": True, "result": result}, dumps=dumps)

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
