"""One leader among the instances sharing a PostgreSQL database: a session advisory lock on a dedicated connection.

The instance that takes ``pg_try_advisory_lock(LEADER_LOCK)`` leads for as long as the session that holds it
lives; PostgreSQL frees the lock the moment that session ends, however it ends. The connection is its own (not from
the pool, which recycles connections), and it is checked every ``check_every`` seconds: a check that fails or does
not answer in time, or the connection closing, ends the lead at once. The others try to take the lock every
``retry_every`` seconds.

What bounds a takeover after the leader dies:

- the process dies (``kill -9``, a crash): the kernel closes its socket, the server ends the session at once and
  frees the lock; another instance takes it at its next try, within ``retry_every`` (2 s);
- the machine or the network dies, or the process hangs (nothing closes the socket): the session is idle between
  the checks, so the server ends it after ``idle_session_timeout`` (7 s, set on this connection only); TCP
  keepalives (5 s idle, then every 2 s, 2 probes) and ``tcp_user_timeout`` (7 s) end it as well when the peer has
  gone; the next try takes it: within 7 + 2 = 9 s;
- the leader stops leading by itself no later than ``check_every + check_timeout`` (4 s) after its last good check,
  earlier than the server lets the lock go (7 s), so two leaders overlap only when the server ends the session
  on purpose (``pg_terminate_backend``, a server restart), and then for at most that long (the leader hears of the
  closed connection at once, through asyncpg's termination listener, in the usual case). A new leader therefore
  starts its scheduler at once (job runs are claimed in the database) but delivers only after ``handover`` (4 s).

Worst case from the leader's death to the next one delivering: 7 + 2 + 4 = 13 s; after ``kill -9``: 2 + 4 = 6 s.

A session advisory lock needs a session: point the URL at PostgreSQL itself or at a pooler in session mode, not
at PgBouncer's transaction mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from bot.ports.leadership import Changed, default_instance_name
from storage.postgres import redact

log = logging.getLogger(__name__)

LEADER_LOCK = 0x65626C64  # "ebld"; per database, so two deployments on one server do not clash
CHECK_EVERY = 2.0
CHECK_TIMEOUT = 2.0
RETRY_EVERY = 2.0
CONNECT_TIMEOUT = 5.0
IDLE_SESSION_TIMEOUT_MS = 7000
_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
    " AND ((classid::bigint << 32) | objid::bigint) = $1 AND objsubid = 1)"
)


class LeadLost(Exception):
    """The session holding the lock is gone or no longer holds it."""


class AdvisoryLeadership:
    """Takes part in the election of one database's instances (the ``Leadership`` port on PostgreSQL)."""

    def __init__(
        self,
        url: str,
        instance: str | None = None,
        *,
        key: int = LEADER_LOCK,
        check_every: float = CHECK_EVERY,
        check_timeout: float = CHECK_TIMEOUT,
        retry_every: float = RETRY_EVERY,
        idle_session_timeout_ms: int = IDLE_SESSION_TIMEOUT_MS,
    ) -> None:
        self.url = url
        self._instance = instance or default_instance_name()
        self.key = key
        self.check_every = check_every
        self.check_timeout = check_timeout
        self.retry_every = retry_every
        self.idle_session_timeout_ms = idle_session_timeout_ms
        self._leading = False
        self._changed: Changed | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self._complained = False
        self._missing: set[str] = set()

    @property
    def instance(self) -> str:
        """This instance's name (also the ``application_name`` of its election connection)."""
        return self._instance

    @property
    def leading(self) -> bool:
        """Whether this instance holds the lock, as of its last check."""
        return self._leading

    @property
    def handover(self) -> float:
        """The longest a leader that lost its session goes on before it notices: one check and its timeout."""
        return self.check_every + self.check_timeout

    async def start(self, changed: Changed) -> None:
        """Begin trying to lead, in the background."""
        self._changed = changed
        self._stopping.clear()
        self._task = asyncio.create_task(self._campaign(), name="leader-election")

    async def stop(self) -> None:
        """Stop leader work (if leading), then give the lock up by closing the connection."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _campaign(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._term()
            except Exception as error:
                self._complain(error)
            finally:
                await self._step_down()
                await self._disconnect()
            await self._pause(self.retry_every)

    async def _term(self) -> None:
        """Connect, wait for the lock, then lead until the connection or a check fails or stop is asked."""
        lost = asyncio.Event()
        conn = await self._connect()
        self._conn = conn
        conn.add_termination_listener(lambda _conn: lost.set())
        if self._complained:
            log.info("the leader election reaches %s again", redact(self.url))
            self._complained = False
        while not await self._ask(conn, "SELECT pg_try_advisory_lock($1)"):
            if await self._pause(self.retry_every, lost):
                return
            if lost.is_set():
                raise LeadLost("the connection closed")
        self._leading = True
        log.info("this instance (%s) leads now", self._instance)
        assert self._changed is not None
        await self._changed(True)
        while True:
            if await self._pause(self.check_every, lost):
                return
            if lost.is_set():
                raise LeadLost("the connection closed")
            if not await self._ask(conn, _HELD):
                raise LeadLost("the lock is no longer held")

    async def _connect(self) -> asyncpg.Connection:
        """The election's own connection; a setting an older server lacks is left out (and said once)."""
        settings = self._settings()
        while True:
            try:
                return await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT, server_settings=settings)
            except asyncpg.UndefinedObjectError as error:
                unknown = [name for name in settings if name in str(error) and name != "application_name"]
                if not unknown:
                    raise
                log.warning("PostgreSQL has no %s setting (older than 14?): a hung leader's lock is freed by TCP"
                            " keepalives only", unknown[0])  # fmt: skip
                self._missing.add(unknown[0])
                settings = self._settings()

    async def _ask(self, conn: asyncpg.Connection, sql: str) -> bool:
        return bool(await asyncio.wait_for(conn.fetchval(sql, self.key), timeout=self.check_timeout))

    def _settings(self) -> dict[str, str]:
        """This session only: end it soon after its client goes silent, so a half-dead leader's lock is freed."""
        settings = {
            "application_name": f"ebranch leader {self._instance}"[:63],
            "idle_session_timeout": str(self.idle_session_timeout_ms),
            "tcp_keepalives_idle": "5",
            "tcp_keepalives_interval": "2",
            "tcp_keepalives_count": "2",
            "tcp_user_timeout": str(self.idle_session_timeout_ms),
        }
        return {name: value for name, value in settings.items() if name not in self._missing}

    async def _pause(self, seconds: float, lost: asyncio.Event | None = None) -> bool:
        """Wait ``seconds``, less if stop is asked or the connection closes; whether stop was asked."""
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if lost is not None:
            waits.append(asyncio.ensure_future(lost.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
        return self._stopping.is_set()

    async def _step_down(self) -> None:
        if not self._leading:
            return
        self._leading = False
        level = logging.INFO if self._stopping.is_set() else logging.WARNING
        log.log(level, "this instance (%s) no longer leads", self._instance)
        assert self._changed is not None
        try:
            await self._changed(False)
        except Exception:
            log.exception("stopping the leader's work failed")

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        try:
            await asyncio.wait_for(conn.close(), timeout=self.check_timeout)
        except Exception:
            with contextlib.suppress(Exception):
                conn.terminate()

    def _complain(self, error: BaseException) -> None:
        """One log line when the election first fails, not one every retry."""
        text = " ".join(str(error).split()) or type(error).__name__
        if isinstance(error, LeadLost) or not self._complained:
            log.warning("the leader election on %s failed (%s); retrying every %.0f s", redact(self.url), text[:300],
                        self.retry_every)  # fmt: skip
        self._complained = not isinstance(error, LeadLost)
