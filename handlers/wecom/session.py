"""wechatpy's session storage kept in the bot's database, so every instance of the bot uses one access token.

wechatpy calls the storage synchronously from the API's worker threads; each call is run on the event loop the
storage is bound to, through the use cases, and waited for (a database that cannot answer makes the WeCom call a
``RetryLater``, as an unreachable WeCom does). ``exclusive`` is a lease in the same table: the one
instance holding it fetches a token while the others wait and then read the token it stored.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from wechatpy.session import SessionStorage

from bot.ports.chat import RetryLater

T = TypeVar("T")

PREFIX = "wecom:"
LEASE_SECONDS = 30.0
LEASE_POLL = 0.2
CALL_TIMEOUT = 30.0
STORE_RETRY = 5.0


class SharedValues(Protocol):
    """The shared-state use cases this storage needs (``bot.usecases.shared.Shared``)."""

    async def shared_value(self, key: str) -> str | None: ...

    async def share_value(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def forget_shared(self, key: str, value: str | None = None) -> bool: ...

    async def hold(self, key: str, holder: str, ttl: float) -> bool: ...


class SharedSession(SessionStorage):  # type: ignore[misc]
    """A wechatpy ``SessionStorage`` whose values (JSON) live in the ``shared_state`` table, with their ttl."""

    def __init__(self, values: SharedValues, *, prefix: str = PREFIX, lease_seconds: float = LEASE_SECONDS) -> None:
        self._values = values
        self._prefix = prefix
        self._lease_seconds = lease_seconds
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the storage's calls on ``loop`` (the loop the worker threads were started from)."""
        self._loop = loop

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or ``default`` when there is none or it expired."""
        raw = self._run(self._values.shared_value(self._prefix + key))
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Store a value for every instance, for ``ttl`` seconds when given."""
        self._run(self._values.share_value(self._prefix + key, json.dumps(value), ttl))

    def delete(self, key: str) -> None:
        """Forget a value."""
        self._run(self._values.forget_shared(self._prefix + key))

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the lease ``name`` across instances (waiting while another holds it) for the block's duration.

        A holder that died frees it after ``lease_seconds``; a waiter gives up waiting then and goes ahead.
        """
        key = f"{self._prefix}{name}:lease"
        holder = f"{uuid.uuid4().hex}@{threading.get_ident()}"
        deadline = time.monotonic() + self._lease_seconds
        while not self._run(self._values.hold(key, holder, self._lease_seconds)):
            if time.monotonic() >= deadline:
                break
            time.sleep(LEASE_POLL)
        try:
            yield
        finally:
            self._run(self._values.forget_shared(key, holder))

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            raise RuntimeError("SharedSession is not bound to a running event loop")
        if _running_loop() is loop:
            work.close()
            raise RuntimeError("SharedSession is called from worker threads, never on its own event loop")
        try:
            return asyncio.run_coroutine_threadsafe(work, loop).result(CALL_TIMEOUT)
        except Exception as error:
            raise RetryLater(STORE_RETRY, f"the shared WeCom token is unreachable: {type(error).__name__}") from error


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
