"""Async facade over wechatpy's blocking WeCom client: shared token, errors mapped to ports, paced sends."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import requests
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.work import WeChatClient

from bot.ports.chat import DeliveryError, RecipientUnreachable, RetryLater, Unanswered
from handlers.wecom.session import SharedSession

DEFAULT_API_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/"

STALE_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
RETRY_AFTER_BY_ERRCODE: Mapping[int, float] = {
    -1: 2.0,  # system busy
    45009: 60.0,  # api freq out of limit (per-minute quotas)
    45033: 1.0,  # api concurrent out of limit
}
UNREACHABLE_ERRCODES = frozenset(
    {
        43004,  # member has not activated WeCom / not following
        46004,  # user does not exist
        49008,  # group chat dissolved
        50002,  # member outside the app's permission scope
        60011,  # no privilege for this member/department/tag
        60021,  # userid not in the app's visibility
        60111,  # userid not found
        81013,  # every user/party/tag invalid or outside visibility
        86003,  # chatid does not exist
    }
)

MAX_RECIPIENTS = 1000
"""Members one ``message/send`` (``touser``) or ``update_template_card`` (``userids``) may name."""
REUSED_TASK_ERRCODE = 40058
"""What WeCom answers a template card whose task_id the app used before (an invalid parameter: task ids are unique
per app); read as "already sent" only on a retry of a call that went unanswered."""
USER_MESSAGES_PER_MINUTE = 30
CHAT_MESSAGES_PER_MINUTE = 200
# One second more than WeCom's minute so network jitter cannot squeeze a 31st message into its window.
PACING_WINDOW = 61.0
# wechatpy refetches a token this close to its expiry.
TOKEN_MARGIN = 60.0

T = TypeVar("T")


class WeComApiError(DeliveryError):
    """WeCom refused a call for a reason retrying will not fix (bad request, permissions, config)."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"WeCom errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What WeCom answered to a send; ``response_code`` only for interactive template cards."""

    msgid: str
    response_code: str | None = None
    invalid_users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WeComUser:
    """The directory entry of one member."""

    user_id: str
    name: str
    department: tuple[int, ...]


class SlidingWindowLimiter:
    """At most ``limit`` acquisitions per key in any ``window`` seconds; only callers over it wait."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._stamps: dict[str, deque[float]] = {}
        self._acquired = 0

    async def acquire(self, keys: Iterable[str]) -> None:
        """Wait until every key has room, then take one slot for each at the same instant."""
        wanted = tuple(dict.fromkeys(keys))
        while True:
            now = self._clock()
            wait = max((self._wait(key, now) for key in wanted), default=0.0)
            if wait <= 0:
                for key in wanted:
                    self._stamps.setdefault(key, deque()).append(now)
                self._acquired += 1
                if self._acquired % 1024 == 0:
                    self._forget_idle(now)
                return
            await self._sleep(wait)

    def _wait(self, key: str, now: float) -> float:
        stamps = self._stamps.get(key)
        if stamps is None:
            return 0.0
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if len(stamps) < self.limit:
            return 0.0
        return stamps[0] + self.window - now

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, s in self._stamps.items() if not s or s[-1] <= now - self.window]:
            del self._stamps[key]


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout; wechatpy's token fetch passes none."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(*args, **kwargs)


class _Client(WeChatClient):
    """wechatpy's WeCom client aimed at ``api_base_url``, a locked token cache, one refetch per stale token.

    Overrides hooks of wechatpy 2.0.0a26 (pinned): its ``gettoken`` URL is hard-coded, its auto-retry recurses
    without bound, and its expiry key ignores the secret, so two apps of one corp would share it (the keys here
    name the app by a hash of its secret, never the secret's first characters as wechatpy's do). With a
    :class:`SharedSession` the token lives in the database: a fetch happens under a lease every instance
    respects, and a token another instance stored meanwhile is used instead of fetching again.
    """

    def __init__(
        self, corp_id: str, secret: str, *, api_base_url: str, session: SessionStorage | None, timeout: float
    ) -> None:
        self._token_lock = threading.RLock()
        super().__init__(corp_id, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base_url
        self._http = _TimeoutSession(timeout)

    @property
    def access_token_key(self) -> str:
        digest = hashlib.sha256(self.secret.encode()).hexdigest()[:16]
        return f"{self.corp_id}_{digest}_access_token"

    @property
    def access_token_expires_at_key(self) -> str:
        return f"{self.access_token_key}_expires_at"

    @property
    def access_token(self) -> str:
        with self._token_lock:
            return str(super().access_token)

    def fetch_access_token(self) -> dict[str, Any]:
        return self._refresh(stale=None)

    def _refresh(self, stale: str | None) -> dict[str, Any]:
        """Fetch a token unless one other than ``stale`` is stored and not about to expire (another fetched it)."""
        with self._token_lock, self._across_instances():
            token = self.session.get(self.access_token_key)
            expires_at = self.expires_at
            if token and token != stale and expires_at and expires_at - time.time() > TOKEN_MARGIN:
                return {"access_token": token, "expires_in": int(expires_at - time.time())}
            result: dict[str, Any] = self._fetch_access_token(
                url=f"{self.API_BASE_URL}gettoken",
                params={"corpid": self.corp_id, "corpsecret": self.secret},
            )
            return result

    def _across_instances(self) -> AbstractContextManager[None]:
        if isinstance(self.session, SharedSession):
            return self.session.exclusive(self.access_token_key)
        return nullcontext()

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        token = self.access_token
        params = {**(kwargs.get("params") or {}), "access_token": token}
        try:
            return super()._request(method, url_or_endpoint, **{**kwargs, "params": params})
        except WeChatClientException as exc:
            if exc.errcode not in STALE_TOKEN_ERRCODES:
                raise
        with self._token_lock:
            self._refresh(stale=token)
            params["access_token"] = self.access_token
        return super()._request(method, url_or_endpoint, **{**kwargs, "params": params})

    def close(self) -> None:
        self._http.close()


def _translate(exc: WeChatClientException | requests.RequestException) -> DeliveryError:
    if isinstance(exc, WeChatClientException):
        errcode = exc.errcode
        errmsg = str(exc.errmsg)
        if errcode is None:
            status = getattr(exc.response, "status_code", None)
            if status is None or status >= 500:
                return Unanswered(5.0, f"WeCom HTTP {status}")
            if status == 429:
                return RetryLater(5.0, f"WeCom HTTP {status}")
            return WeComApiError(None, f"HTTP {status}")
        if errcode in RETRY_AFTER_BY_ERRCODE:
            return RetryLater(RETRY_AFTER_BY_ERRCODE[errcode], f"WeCom errcode {errcode}: {errmsg}")
        if errcode in UNREACHABLE_ERRCODES:
            return RecipientUnreachable(f"WeCom errcode {errcode}: {errmsg}")
        return WeComApiError(errcode, errmsg)
    return Unanswered(5.0, f"WeCom unreachable: {exc.__class__.__name__}")


def _recipients(user_ids: str | Sequence[str]) -> list[str]:
    users = [user_ids] if isinstance(user_ids, str) else list(dict.fromkeys(user_ids))
    if not users:
        raise ValueError("no recipients")
    if len(users) > MAX_RECIPIENTS:
        raise ValueError(f"{len(users)} recipients, WeCom takes {MAX_RECIPIENTS} a call")
    return users


class WeComApi:
    """The WeCom calls the bot makes, as coroutines; blocking HTTP runs on a bounded thread pool."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        api_base_url: str = DEFAULT_API_BASE_URL,
        session: SessionStorage | None = None,
        timeout: float = 10.0,
        max_workers: int = 8,
        user_limiter: SlidingWindowLimiter | None = None,
        chat_limiter: SlidingWindowLimiter | None = None,
    ) -> None:
        self.agent_id = agent_id
        self._client = _Client(
            corp_id, secret, api_base_url=api_base_url.rstrip("/") + "/", session=session, timeout=timeout
        )
        self._max_workers = max_workers
        self._executor: ThreadPoolExecutor | None = None
        self.user_limiter = user_limiter or SlidingWindowLimiter(USER_MESSAGES_PER_MINUTE, PACING_WINDOW)
        self.chat_limiter = chat_limiter or SlidingWindowLimiter(CHAT_MESSAGES_PER_MINUTE, PACING_WINDOW)

    async def __aenter__(self) -> WeComApi:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Let in-flight calls finish, then release the threads and HTTP connections."""
        if self._executor is not None:
            await asyncio.to_thread(self._executor.shutdown, True)
            self._executor = None
        self._client.close()

    async def send_text(self, user_ids: str | Sequence[str], content: str) -> SentMessage:
        """Send plain text to members."""
        return await self._send(user_ids, {"msgtype": "text", "text": {"content": content}})

    async def send_markdown(self, user_ids: str | Sequence[str], content: str) -> SentMessage:
        """Send WeCom markdown (its own subset) to members."""
        return await self._send(user_ids, {"msgtype": "markdown", "markdown": {"content": content}})

    async def send_image(self, user_ids: str | Sequence[str], media_id: str) -> SentMessage:
        """Send an uploaded image to members."""
        return await self._send(user_ids, {"msgtype": "image", "image": {"media_id": media_id}})

    async def send_file(self, user_ids: str | Sequence[str], media_id: str) -> SentMessage:
        """Send an uploaded file to members."""
        return await self._send(user_ids, {"msgtype": "file", "file": {"media_id": media_id}})

    async def send_template_card(self, user_ids: str | Sequence[str], card: Mapping[str, Any]) -> SentMessage:
        """Send a template card (``template_card`` object as WeCom documents it); keep the response_code."""
        return await self._send(user_ids, {"msgtype": "template_card", "template_card": dict(card)})

    async def update_template_card(
        self, user_ids: str | Sequence[str], response_code: str, card: Mapping[str, Any]
    ) -> None:
        """Replace the card these members see; a response_code works once, within 72 hours."""
        data = {
            "userids": _recipients(user_ids),
            "agentid": self.agent_id,
            "response_code": response_code,
            "template_card": dict(card),
        }
        await self._call(self._client.post, "message/update_template_card", data=data)

    async def appchat_create(self, name: str, owner: str, user_ids: Sequence[str], chat_id: str | None = None) -> str:
        """Create an app group chat (at least two members) and return its chat id."""
        result = await self._call(
            self._client.appchat.create, chat_id=chat_id, name=name, owner=owner, user_list=list(user_ids)
        )
        return str(result["chatid"])

    async def appchat_send_text(self, chat_id: str, content: str) -> SentMessage:
        """Post plain text to an app group chat."""
        return await self._appchat_send(chat_id, "text", content=content)

    async def appchat_send_markdown(self, chat_id: str, content: str) -> SentMessage:
        """Post WeCom markdown to an app group chat."""
        return await self._appchat_send(chat_id, "markdown", content=content)

    async def appchat_send_image(self, chat_id: str, media_id: str) -> SentMessage:
        """Post an uploaded image to an app group chat."""
        return await self._appchat_send(chat_id, "image", media_id=media_id)

    async def appchat_send_file(self, chat_id: str, media_id: str) -> SentMessage:
        """Post an uploaded file to an app group chat."""
        return await self._appchat_send(chat_id, "file", media_id=media_id)

    async def media_upload(self, kind: Literal["image", "file"], filename: str, content: bytes) -> str:
        """Upload temporary media (valid three days) and return its media_id."""
        result = await self._call(self._client.media.upload, kind, (filename, content))
        return str(result["media_id"])

    async def get_user(self, user_id: str) -> WeComUser:
        """Read a member's name and departments from the directory."""
        result = await self._call(self._client.user.get, user_id)
        return WeComUser(
            user_id=str(result.get("userid", user_id)),
            name=str(result.get("name", "")),
            department=tuple(int(d) for d in result.get("department") or ()),
        )

    async def _send(self, user_ids: str | Sequence[str], msg: dict[str, Any]) -> SentMessage:
        users = _recipients(user_ids)
        await self.user_limiter.acquire(users)
        result = await self._call(self._client.message.send, self.agent_id, users, msg=msg)
        refused = {
            user.lower()
            for field in ("invaliduser", "unlicenseduser")
            for user in str(result.get(field) or "").split("|")
            if user
        }
        invalid = tuple(user for user in users if user.lower() in refused)  # WeCom answers them in lower case
        if len(invalid) == len(users):
            raise RecipientUnreachable(f"WeCom did not deliver to {'|'.join(invalid)}")
        return SentMessage(
            msgid=str(result.get("msgid", "")),
            response_code=result.get("response_code") or None,
            invalid_users=invalid,
        )

    async def _appchat_send(self, chat_id: str, msgtype: str, **content: str) -> SentMessage:
        await self.chat_limiter.acquire([chat_id])
        result = await self._call(self._client.appchat.send, chat_id, msgtype, **content)
        return SentMessage(msgid=str(result.get("msgid", "")))

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._max_workers, thread_name_prefix="wecom-api")
            if isinstance(self._client.session, SharedSession):
                self._client.session.bind(loop)
        try:
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        except (WeChatClientException, requests.RequestException) as exc:
            raise _translate(exc) from exc
