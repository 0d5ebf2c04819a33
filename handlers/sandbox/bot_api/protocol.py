"""Telegram's wire format for the fake Bot API: limits, errors, request parameters and button rules."""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from handlers.sandbox.formatting import user_entities
from handlers.sandbox.state import (
    SandboxChat,
    SandboxUser,
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
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")
PRESENT = ("creator", "administrator", "member", "restricted")
ADMINS = ("creator", "administrator")

Handler = Callable[["Params"], Awaitable[Any]]
current_request: contextvars.ContextVar[web.Request] = contextvars.ContextVar("sandbox_request")


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


def check_inline_button(button: Any) -> None:
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


def with_detected(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the entities Telegram detects itself (URLs, mentions, commands) outside code and links."""
    opaque = [e for e in entities if e["type"] in ("code", "pre", "text_link", "text_mention")]
    merged = list(entities)
    for found in user_entities(text):
        start, end = found["offset"], found["offset"] + found["length"]
        if all(end <= e["offset"] or start >= e["offset"] + e["length"] for e in opaque):
            merged.append(found)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def client_gone() -> bool:
    request = current_request.get(None)
    transport = request.transport if request is not None else None
    return transport is None or transport.is_closing()


def running_loop_time() -> float:
    return asyncio.get_running_loop().time()
