"""A local stand-in for WeCom's API over real HTTP on 127.0.0.1 (the callbacks it sends are in wecom_callbacks)."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakes.wecom_callbacks import encrypt_callback as encrypt_callback
from tests.fakes.wecom_callbacks import event_xml as event_xml
from tests.fakes.wecom_callbacks import image_message_xml as image_message_xml
from tests.fakes.wecom_callbacks import template_card_event_xml as template_card_event_xml
from tests.fakes.wecom_callbacks import text_message_xml as text_message_xml

INTERACTIVE_CARD_TYPES = frozenset({"button_interaction", "vote_interaction", "multiple_interaction"})
CARD_TYPES = INTERACTIVE_CARD_TYPES | {"text_notice", "news_notice"}
RESPONSE_CODE_VALIDITY = 72 * 3600.0
TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
CHAT_ID = re.compile(r"^[0-9A-Za-z]{1,32}$")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECIPIENTS = 1000


class FakeClock:
    """Seconds that move only when the test advances them; ``sleep`` waits for that. Share it with fake and limiter."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    @property
    def sleepers(self) -> int:
        """How many coroutines are waiting for the clock to move."""
        return len(self._sleepers)

    async def sleep(self, seconds: float) -> None:
        """Wait until the test has advanced the clock by ``seconds``."""
        waiter = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, waiter))
        await waiter

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose time has come."""
        self.now += seconds
        due = [s for s in self._sleepers if s[0] <= self.now]
        self._sleepers = [s for s in self._sleepers if s[0] > self.now]
        for _, waiter in due:
            if not waiter.done():
                waiter.set_result(None)


class FakeApiError(Exception):
    """Answer with WeCom's error envelope."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class FakeMember:
    """A directory entry the fake knows."""

    name: str
    department: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class Delivered:
    """A message that reached a member's (or a group chat's) screen."""

    msgtype: str
    content: dict[str, Any]
    msgid: str
    at: float


@dataclass(frozen=True)
class Dropped:
    """A message WeCom accepted but silently did not deliver (over 30 per member per minute)."""

    user_id: str
    msgtype: str
    msgid: str
    at: float


@dataclass
class _ResponseCode:
    task_id: str
    user_ids: tuple[str, ...]
    issued_at: float
    used: bool = False


@dataclass
class _Chat:
    name: str
    owner: str
    members: tuple[str, ...]
    messages: list[Delivered] = field(default_factory=list)


class FakeWeComApi:
    """The WeCom endpoints the bot uses, validated the way Tencent validates them, with everything recorded."""

    def __init__(
        self,
        *,
        corp_id: str = "wwfakecorp0001",
        secret: str = "fake-app-secret-0123456789",
        agent_id: int = 1000002,
        members: Mapping[str, FakeMember] | None = None,
        clock: Callable[[], float] = time.monotonic,
        per_member_limit: int = 30,
        latency: float = 0.0,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.members: dict[str, FakeMember] = dict(members or {})
        self.clock = clock
        self.per_member_limit = per_member_limit
        self.latency = latency
        self.token_expires_in = 7200
        self.gettoken_calls = 0
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.inbox: dict[str, list[Delivered]] = {}
        self.cards: dict[str, dict[str, dict[str, Any]]] = {}
        self.dropped: list[Dropped] = []
        self.media: dict[str, tuple[str, str, bytes]] = {}
        self.chats: dict[str, _Chat] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._tokens: dict[str, float] = {}
        self._forced: deque[tuple[int, str | None]] = deque()
        self._lost: deque[str] = deque()
        self._held: deque[str] = deque()
        self._release = asyncio.Event()
        self.invisible: set[str] = set()
        """Members in the directory but outside the app's visible range: sends to them come back in invaliduser."""
        self._task_ids: dict[str, tuple[str, ...]] = {}
        self._card_types: dict[str, str] = {}
        self._response_codes: dict[str, _ResponseCode] = {}
        self._recent: dict[str, deque[float]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeWeComApi:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1; ``base_url`` ends in ``/cgi-bin/``."""
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        for path, handler in {
            "message/send": self._message_send,
            "message/update_template_card": self._update_template_card,
            "appchat/create": self._appchat_create,
            "appchat/send": self._appchat_send,
            "media/upload": self._media_upload,
            "user/get": self._user_get,
        }.items():
            app.router.add_route("*", f"/cgi-bin/{path}", self._endpoint(path, handler))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/cgi-bin/"

    async def stop(self) -> None:
        """Close the listener."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail_next(self, errcode: int, times: int = 1, *, path: str | None = None) -> None:
        """Answer the next ``times`` API calls (not gettoken; of ``path`` only, if given, which may name a msgtype
        too: ``message/send:template_card``) with ``errcode``."""
        self._forced.extend([(errcode, path)] * times)

    def lose_next_response(self, path: str = "message/send", times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``path`` (or ``path:msgtype``) and then answer HTTP 504, as a
        gateway that timed out waiting for WeCom would: the call took effect, the caller cannot know it."""
        self._lost.extend([path] * times)

    def hold_next_response(self, path: str = "message/send") -> None:
        """Carry out the next call of ``path`` (or ``path:msgtype``) and keep its answer until :meth:`release_held`
        (a caller killed meanwhile never learns the call took effect)."""
        self._held.append(path)

    def release_held(self) -> None:
        """Let held answers go (to callers that may be gone)."""
        self._release.set()

    def expire_tokens(self) -> None:
        """Every issued access token expires now (the next use answers 42001)."""
        now = self.clock()
        self._tokens = dict.fromkeys(self._tokens, now)

    def card_seen(self, user_id: str, task_id: str) -> dict[str, Any] | None:
        """The template card with ``task_id`` as ``user_id`` currently sees it."""
        return self.cards.get(user_id, {}).get(task_id)

    def texts(self, user_id: str) -> list[str]:
        """The text and markdown contents delivered to a member, in order."""
        return [d.content["content"] for d in self.inbox.get(user_id, []) if d.msgtype in ("text", "markdown")]

    def press_button(self, user_id: str, task_id: str, key: str) -> str:
        """A member presses a card button; returns the response_code the callback event would carry."""
        card = self.card_seen(user_id, task_id)
        if card is None:
            raise LookupError(f"{user_id} has no card {task_id}")
        if key not in {b.get("key") for b in card.get("button_list", [])}:
            raise LookupError(f"card {task_id} has no button {key}")
        return self._issue_response_code(task_id, (user_id,))

    def press_stale(self, user_id: str, task_id: str, key: str) -> str:
        """A member presses a button their client still showed before the card changed; its response_code."""
        if self.card_seen(user_id, task_id) is None:
            raise LookupError(f"{user_id} has no card {task_id}")
        return self._issue_response_code(task_id, (user_id,))

    def _endpoint(
        self, path: str, handler: Callable[[web.Request, dict[str, Any]], Any]
    ) -> Callable[[web.Request], Any]:
        async def endpoint(request: web.Request) -> web.Response:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                if self.latency:
                    await asyncio.sleep(self.latency)
                payload: dict[str, Any] = {}
                if request.method == "POST" and not request.content_type.startswith("multipart/"):
                    try:
                        payload = json.loads(await request.read() or b"{}")
                    except ValueError as exc:
                        raise FakeApiError(47001, "data format error") from exc
                query = {k: v for k, v in request.query.items() if k != "access_token"}
                self.calls.append((path, payload or query))
                kinds = (path, f"{path}:{payload.get('msgtype', '')}")
                self._check_token(request.query.get("access_token"), kinds)
                result = await handler(request, payload)
                if self._held and self._held[0] in kinds:
                    self._held.popleft()
                    await self._release.wait()
                if self._lost and self._lost[0] in kinds:
                    self._lost.popleft()
                    return web.Response(status=504, text="<html>504 Gateway Time-out</html>", content_type="text/html")
                return _json({"errcode": 0, "errmsg": "ok", **result})
            except FakeApiError as exc:
                return _json({"errcode": exc.errcode, "errmsg": exc.errmsg})
            finally:
                self.in_flight -= 1

        return endpoint

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        if request.query.get("corpid") != self.corp_id:
            return _json({"errcode": 40013, "errmsg": "invalid corpid"})
        if request.query.get("corpsecret") != self.secret:
            return _json({"errcode": 40001, "errmsg": "invalid credential"})
        now = self.clock()
        for token, expires_at in self._tokens.items():
            if expires_at > now:
                return _json({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": int(expires_at - now)})
        token = uuid.uuid4().hex
        self._tokens[token] = now + self.token_expires_in
        return _json({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.token_expires_in})

    def _check_token(self, token: str | None, kinds: tuple[str, ...]) -> None:
        if not token:
            raise FakeApiError(41001, "access_token missing")
        if self._forced and self._forced[0][1] in (None, *kinds):
            raise FakeApiError(self._forced.popleft()[0], "forced by test")
        if token not in self._tokens:
            raise FakeApiError(40014, "invalid access_token")
        if self._tokens[token] <= self.clock():
            raise FakeApiError(42001, "access_token expired")

    def _check_agent(self, payload: Mapping[str, Any]) -> None:
        if "agentid" not in payload:
            raise FakeApiError(41011, "missing agentid")
        if str(payload["agentid"]) != str(self.agent_id):
            raise FakeApiError(40056, "invalid agentid")

    async def _message_send(self, _request: web.Request, payload: dict[str, Any]) -> dict[str, Any]:
        self._check_agent(payload)
        msgtype = payload.get("msgtype", "")
        content = self._check_content(msgtype, payload)
        wanted = [u for u in str(payload.get("touser") or "").split("|") if u]
        if not wanted and not payload.get("toparty") and not payload.get("totag"):
            raise FakeApiError(82001, "touser, toparty and totag are all empty")
        if len(wanted) > MAX_RECIPIENTS:
            raise FakeApiError(40058, f"touser names more than {MAX_RECIPIENTS} members")
        visible = {u for u in self.members if u not in self.invisible}
        users = sorted(visible) if wanted == ["@all"] else [u for u in wanted if u in visible]
        invalid = [u.lower() for u in wanted if u != "@all" and u not in visible]  # WeCom answers them in lower case
        if not users:
            raise FakeApiError(81013, "user & party & tag all invalid")
        result: dict[str, Any] = {"invaliduser": "|".join(invalid), "invalidparty": "", "invalidtag": ""}
        if msgtype == "template_card":
            task_id = content.get("task_id")
            if task_id:
                if task_id in self._task_ids:
                    raise FakeApiError(40058, f"task_id {task_id} already used by this app")
                self._task_ids[task_id] = tuple(users)
                self._card_types[task_id] = content["card_type"]
            if content["card_type"] in INTERACTIVE_CARD_TYPES:
                result["response_code"] = self._issue_response_code(str(task_id), tuple(users))
        msgid = f"msg{next(self._ids):08d}"
        now = self.clock()
        for user in users:
            recent = self._recent.setdefault(user, deque())
            while recent and recent[0] <= now - 60.0:
                recent.popleft()
            if len(recent) >= self.per_member_limit:
                self.dropped.append(Dropped(user, msgtype, msgid, now))
                continue
            recent.append(now)
            self.inbox.setdefault(user, []).append(Delivered(msgtype, content, msgid, now))
            if msgtype == "template_card" and content.get("task_id"):
                self.cards.setdefault(user, {})[content["task_id"]] = content
        return {**result, "msgid": msgid}

    def _check_content(self, msgtype: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        if msgtype not in ("text", "markdown", "image", "file", "template_card"):
            raise FakeApiError(40008, f"invalid message type {msgtype!r}")
        content = payload.get(msgtype)
        if not isinstance(content, dict):
            raise FakeApiError(40058, f"{msgtype} object missing")
        if msgtype in ("text", "markdown"):
            text = content.get("content") or ""
            if not text:
                raise FakeApiError(44004, "empty content")
            if len(text.encode()) > 2048:
                raise FakeApiError(45002, "content size out of limit")
        elif msgtype in ("image", "file"):
            media_id = content.get("media_id")
            if not media_id:
                raise FakeApiError(41006, "media_id missing")
            if media_id not in self.media or self.media[media_id][0] != msgtype:
                raise FakeApiError(40007, "invalid media_id")
        else:
            _check_card(content, task_id_required=True)
        return content

    def _issue_response_code(self, task_id: str, user_ids: tuple[str, ...]) -> str:
        code = uuid.uuid4().hex
        self._response_codes[code] = _ResponseCode(task_id, user_ids, self.clock())
        return code

    async def _update_template_card(self, _request: web.Request, payload: dict[str, Any]) -> dict[str, Any]:
        self._check_agent(payload)
        code = self._response_codes.get(str(payload.get("response_code") or ""))
        if code is None:
            raise FakeApiError(40058, "invalid response_code")
        if code.used:
            raise FakeApiError(40058, "response_code already used")
        if self.clock() - code.issued_at > RESPONSE_CODE_VALIDITY:
            raise FakeApiError(40058, "response_code expired")
        card = payload.get("template_card")
        if not isinstance(card, dict):
            raise FakeApiError(40058, "template_card missing")
        _check_card(card, task_id_required=False)
        if card.get("task_id", code.task_id) != code.task_id:
            raise FakeApiError(40058, "task_id does not match the card being updated")
        if card["card_type"] != self._card_types.get(code.task_id):
            raise FakeApiError(40058, "card_type cannot change")
        targets = code.user_ids if payload.get("atall") else tuple(payload.get("userids") or ())
        if len(targets) > MAX_RECIPIENTS:
            raise FakeApiError(40058, f"userids names more than {MAX_RECIPIENTS} members")
        invalid = [u for u in targets if u not in code.user_ids]
        code.used = True
        for user in targets:
            if user in code.user_ids:
                self.cards.setdefault(user, {})[code.task_id] = {**card, "task_id": code.task_id}
        return {"invaliduser": invalid}

    async def _appchat_create(self, _request: web.Request, payload: dict[str, Any]) -> dict[str, Any]:
        members = tuple(payload.get("userlist") or ())
        if not 2 <= len(members) <= 500:
            raise FakeApiError(86006, "a chat needs 2 to 500 members")
        if any(m not in self.members for m in members):
            raise FakeApiError(86216, "illegal chat member id")
        owner = payload.get("owner") or members[0]
        if owner not in members:
            raise FakeApiError(86207, "owner not in userlist")
        name = str(payload.get("name") or "")
        if len(name) > 50:
            raise FakeApiError(86004, "invalid chat name")
        chat_id = payload.get("chatid") or uuid.uuid4().hex
        if not CHAT_ID.match(chat_id):
            raise FakeApiError(86001, "invalid chatid")
        if chat_id in self.chats:
            raise FakeApiError(86215, "chatid already exists")
        self.chats[chat_id] = _Chat(name, owner, members)
        return {"chatid": chat_id}

    async def _appchat_send(self, _request: web.Request, payload: dict[str, Any]) -> dict[str, Any]:
        chat_id = payload.get("chatid")
        if not chat_id:
            raise FakeApiError(86201, "chatid required")
        if chat_id not in self.chats:
            raise FakeApiError(86003, "chatid not exist")
        msgtype = payload.get("msgtype", "")
        if msgtype == "template_card":
            raise FakeApiError(40008, "template_card cannot be sent to an app chat")
        content = self._check_content(msgtype, payload)
        self.chats[chat_id].messages.append(Delivered(msgtype, content, f"chat{next(self._ids):08d}", self.clock()))
        return {}

    async def _media_upload(self, request: web.Request, _payload: dict[str, Any]) -> dict[str, Any]:
        kind = request.query.get("type", "")
        if kind not in ("image", "voice", "video", "file"):
            raise FakeApiError(40005, "invalid media type")
        if not request.content_type.startswith("multipart/"):
            raise FakeApiError(41005, "media data missing")
        reader = await request.multipart()
        part = await reader.next()
        while part is not None and not (isinstance(part, BodyPartReader) and part.name == "media"):
            part = await reader.next()
        if not isinstance(part, BodyPartReader):
            raise FakeApiError(41005, "media data missing")
        filename = part.filename
        data = bytes(await part.read())
        if not filename:
            raise FakeApiError(41005, "filename missing")
        if not data:
            raise FakeApiError(44001, "empty media data")
        if len(data) < 5 or len(data) > (MAX_IMAGE_BYTES if kind == "image" else MAX_FILE_BYTES):
            raise FakeApiError(40009 if kind == "image" else 40006, "invalid file size")
        media_id = f"media{next(self._ids):08d}"
        self.media[media_id] = (kind, filename, data)
        return {"type": kind, "media_id": media_id, "created_at": str(int(time.time()))}

    async def _user_get(self, request: web.Request, _payload: dict[str, Any]) -> dict[str, Any]:
        user_id = request.query.get("userid", "")
        member = self.members.get(user_id)
        if member is None:
            raise FakeApiError(60111, "userid not found")
        return {"userid": user_id, "name": member.name, "department": list(member.department)}


def _check_card(card: Mapping[str, Any], *, task_id_required: bool) -> None:
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise FakeApiError(40058, f"invalid card_type {card_type!r}")
    if not (card.get("main_title") or {}).get("title") and not card.get("sub_title_text"):
        raise FakeApiError(40058, "main_title.title or sub_title_text is required")
    task_id = card.get("task_id")
    if card_type in INTERACTIVE_CARD_TYPES and task_id_required and not task_id:
        raise FakeApiError(40058, "task_id is required for interactive cards")
    if task_id is not None and not TASK_ID.match(str(task_id)):
        raise FakeApiError(40058, "task_id may hold only 0-9a-zA-Z_-@, at most 128 bytes")
    if card_type == "text_notice" and not card.get("card_action"):
        raise FakeApiError(40058, "card_action is required for text_notice")
    if card_type == "button_interaction":
        buttons = card.get("button_list") or []
        if not 1 <= len(buttons) <= 6:
            raise FakeApiError(40058, "button_list needs 1 to 6 buttons")
        keys: set[str] = set()
        for button in buttons:
            if not button.get("text"):
                raise FakeApiError(42020, "button text missing")
            if button.get("type", 0) == 1:
                if not button.get("url"):
                    raise FakeApiError(40058, "url button needs url")
                continue
            key = button.get("key")
            if not key:
                raise FakeApiError(42019, "button key missing")
            if len(str(key).encode()) > 1024 or key in keys:
                raise FakeApiError(42018, "button key invalid or repeated")
            keys.add(key)


def _json(body: Mapping[str, Any]) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="application/json")
