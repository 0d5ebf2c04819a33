"""The composition root: the one place wiring config, storage, use cases, platforms, deliveries and the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.config import Config, ConfigError
from bot.i18n import reason
from bot.jobs.nudges import JobDeps
from bot.ports.chat import PlatformRefused
from bot.ports.clock import Clock, SystemClock
from bot.ports.leadership import Leadership, SoleInstance, default_instance_name
from bot.reports.render import ReportRenderer
from bot.scheduler import Scheduler, new_claimant
from bot.usecases import UseCases
from storage.dialect import is_postgres_url
from storage.engine import Engine, open_engine
from storage.lock import InstanceLock
from storage.reports import SqlReports
from storage.uow import SqlStore

if TYPE_CHECKING:
    from handlers.health.server import HealthServer

log = logging.getLogger(__name__)


LEADER_POLL = 1.0
"""How often the leader looks for outbox entries and card changes on PostgreSQL, where another instance may have
recorded them (its own are delivered at once, as on SQLite)."""
ALONE_POLL = 30.0
"""The same on SQLite, where everything recorded was recorded by this process, which delivers it at once."""


class Platform(Protocol):
    """A running chat platform adapter: everything the root and the scheduler use of one."""

    async def start(self, *, lead: bool = True) -> None:
        """Connect, begin handling updates, and (when ``lead``) start delivering the outbox and keeping cards
        current."""
        ...

    async def lead(self) -> None:
        """Start delivering the outbox and keeping cards current (this instance became the leader)."""
        ...

    async def follow(self) -> None:
        """Stop delivering at once (this instance no longer leads); updates are still handled."""
        ...

    async def stop(self) -> None:
        """Stop gracefully: no new updates, running handlers and delivery passes finish."""
        ...

    def poke(self) -> None:
        """Something was recorded: deliver it and refresh cards now rather than at the next tick."""
        ...


@dataclass
class Core:
    """What every platform shares: the database, the store, the clock, the use cases and the report renderer."""

    config: Config
    db: Engine
    store: SqlStore
    clock: Clock
    usecases: UseCases
    renderer: ReportRenderer
    jobs: JobDeps
    platforms: list[Platform] = field(default_factory=list)

    def wake(self) -> None:
        """Tell every platform that something was recorded for it."""
        for platform in self.platforms:
            platform.poke()


@contextlib.asynccontextmanager
async def open_core(config: Config, clock: Clock | None = None) -> AsyncIterator[Core]:
    """Open and migrate the database and build the use cases; close the database afterwards."""
    db = await open_engine(config.database, pool=config.database_pool)
    try:
        store = SqlStore(db)
        real_clock = clock or SystemClock()
        reports = SqlReports(db)
        usecases = UseCases(
            store,
            real_clock,
            config.timezone,
            done_counts_default=config.done_counts_as_served,
            reports=reports,
            lang=config.locale,
            records=config.records,
        )
        usecases.emergency_config = config.emergency
        usecases.quiet_hours = (config.scheduler.quiet_start, config.scheduler.quiet_end)
        renderer = ReportRenderer(store, reports, config.timezone, config.locale)
        jobs = JobDeps(reports, usecases, config.timezone, config.scheduler, config.locale)
        yield Core(config, db, store, real_clock, usecases, renderer, jobs)
    finally:
        await db.close()


def build_platforms(core: Core) -> list[Platform]:
    """The platforms enabled in the config, each wired to the shared core."""
    from handlers.telegram.platform import TelegramPlatform
    from handlers.wecom.platform import WeComPlatform

    platforms: list[Platform] = []
    config = core.config
    shared = is_postgres_url(config.database)
    idle_wait = LEADER_POLL if shared else ALONE_POLL
    if config.telegram is not None:
        platforms.append(
            TelegramPlatform(
                config.telegram,
                core.usecases,
                core.store,
                core.clock,
                lang=config.locale,
                renderer=core.renderer,
                idle_wait=idle_wait,
            )
        )
    if config.wecom is not None:
        platforms.append(
            WeComPlatform(
                config.wecom,
                core.usecases,
                core.store,
                core.clock,
                lang=config.locale,
                renderer=core.renderer,
                idle_wait=idle_wait,
            )
        )
    return platforms


def start_scheduler(core: Core, claimant: str | None = None) -> Scheduler:
    """Start the scheduled jobs (nudges, reminders, at-risk lists, digests, feedback, pruning) for a running bot."""
    scheduler = Scheduler(core.jobs, core.clock, core.wake, claimant=claimant)
    scheduler.start()
    return scheduler


def start_enabled_scheduler(core: Core, claimant: str | None = None) -> Scheduler | None:
    """Start the scheduled jobs unless the config turns the scheduler off."""
    return start_scheduler(core, claimant) if core.config.scheduler.enabled else None


def instance_name(config: Config) -> str:
    """This instance's name: ``[general] instance_name``, else ``host:pid``."""
    return config.instance_name or default_instance_name()


def leadership_for(config: Config, instance: str | None = None) -> Leadership:
    """The election this instance takes part in: an advisory lock on PostgreSQL, always the leader on SQLite."""
    name = instance or instance_name(config)
    if is_postgres_url(config.database):
        from storage.leader import AdvisoryLeadership

        return AdvisoryLeadership(str(config.database), name)
    return SoleInstance(name)


class LeaderWork:
    """What only the leader runs: the scheduler, and each started platform's outbox delivery and card sync.

    Leadership calls :meth:`changed`; a platform that comes up later (after retries) joins through :meth:`joined`.
    Losing the lead stops everything at once (a running job is cancelled and its claim taken over by the next
    leader); a shutdown stops gracefully, the platforms' own stop finishing their delivery passes.
    """

    def __init__(self, core: Core, instance: str, handover: float = 0.0) -> None:
        self.core = core
        self.instance = instance
        self.handover = handover
        self.leading = False
        self.delivering = False
        self.shutting_down = False
        self.scheduler: Scheduler | None = None
        self.platforms: list[Platform] = []
        self._lock = asyncio.Lock()
        self._handing_over: asyncio.Task[None] | None = None

    async def changed(self, leading: bool) -> None:
        """Start (or stop) the leader's work: the scheduler at once (its runs are claimed), the deliveries after the
        handover (a predecessor that lost the lead may still be sending for that long)."""
        async with self._lock:
            self.leading = leading
            if leading:
                log.info("%s leads: starting the scheduler, the outbox delivery and the card sync", self.instance)
                self.scheduler = start_enabled_scheduler(self.core, new_claimant(self.instance))
                self._handing_over = asyncio.create_task(self._deliver_after(self.handover), name="leader-handover")
                return
            handing_over, self._handing_over = self._handing_over, None
            if handing_over is not None:
                handing_over.cancel()
                await asyncio.gather(handing_over, return_exceptions=True)
            self.delivering = False
            scheduler, self.scheduler = self.scheduler, None
            if scheduler is not None:
                await scheduler.stop(at_once=not self.shutting_down)
            if not self.shutting_down:
                log.warning("%s stopped leading: the scheduler and the deliveries stopped", self.instance)
                for platform in self.platforms:
                    await platform.follow()

    async def joined(self, platform: Platform) -> None:
        """A platform is up: it delivers too if this instance leads."""
        async with self._lock:
            self.platforms.append(platform)
            if self.delivering:
                await platform.lead()

    async def _deliver_after(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)
        async with self._lock:
            if not self.leading:
                return
            self.delivering = True
            for platform in self.platforms:
                await platform.lead()


async def run(config: Config, stop: asyncio.Event | None = None) -> None:
    """Run every enabled platform (and the scheduler) until SIGINT/SIGTERM or ``stop``."""
    if config.telegram is None and config.wecom is None:
        raise ConfigError("config.no_platform", file=str(config.path))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    with contextlib.nullcontext() if is_postgres_url(config.database) else InstanceLock(config.database):
        await _serve(config, stop)


RETRY_FIRST = 2.0
RETRY_MAX = 60.0


async def try_start(platform: Platform, retry_in: float = RETRY_FIRST, *, lead: bool = True) -> bool:
    """One attempt to start a platform: False (in one log line) when it cannot be reached; PlatformRefused, which
    no retry can fix, propagates."""
    try:
        await platform.start(lead=lead)
        return True
    except PlatformRefused:
        raise
    except Exception as error:
        log.warning(
            "%s cannot be reached (%s); retrying in %.0f s", type(platform).__name__, _one_line(error), retry_in
        )
        with contextlib.suppress(Exception):
            await platform.stop()
        return False


async def start_with_retries(
    platform: Platform, stop: asyncio.Event, first: float = RETRY_FIRST, *, lead: bool = True
) -> bool:
    """Start a platform, retrying with backoff (one log line each time) while it cannot be reached; False if
    ``stop`` came first. A platform that refuses the credentials is not retried: PlatformRefused propagates."""
    wait = first
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
        if stop.is_set():
            break
        if await try_start(platform, retry_in=min(wait * 2, RETRY_MAX), lead=lead):
            return True
        wait = min(wait * 2, RETRY_MAX)
    return False


async def _join_when_up(platform: Platform, work: LeaderWork, stop: asyncio.Event) -> bool:
    if not await start_with_retries(platform, stop, lead=False):
        return False
    await work.joined(platform)
    return True


async def _started() -> bool:
    return True


async def start_health(config: Config, core: Core, leadership: Leadership) -> HealthServer | None:
    """Serve /healthz, /readyz and /leader when ``[health] listen`` is set; the running server (stop it later)."""
    if config.health is None:
        return None
    from handlers.health.server import HealthServer

    server = HealthServer(
        config.health.host,
        config.health.port,
        instance=leadership.instance,
        ping=core.db.ping,
        leading=lambda: leadership.leading,
    )
    try:
        await server.start()
    except OSError as error:
        where = f"{config.health.host}:{config.health.port}"
        raise ConfigError(
            "config.health_cannot_listen", file=str(config.path), where=where, reason=reason(error.strerror or "")
        ) from error
    return server


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]


async def _serve(config: Config, stop: asyncio.Event) -> None:
    async with open_core(config) as core:
        core.platforms = build_platforms(core)
        leadership = leadership_for(config)
        work = LeaderWork(core, leadership.instance, leadership.handover)
        up: list[bool] = []
        try:
            for platform in core.platforms:
                up.append(await try_start(platform, lead=False))
        except PlatformRefused:
            for platform, ok in zip(core.platforms, up, strict=False):
                if ok:
                    await platform.stop()
            raise
        for platform, ok in zip(core.platforms, up, strict=True):
            if ok:
                await work.joined(platform)
        starting = [
            asyncio.create_task(_started() if ok else _join_when_up(p, work, stop), name=f"start {type(p).__name__}")
            for p, ok in zip(core.platforms, up, strict=True)
        ]
        log.info(
            "ebranch is running as %s (%s); press Ctrl+C to stop",
            leadership.instance,
            ", ".join(type(p).__name__ for p in core.platforms),
        )
        stopped = asyncio.create_task(stop.wait())
        health: HealthServer | None = None
        try:
            health = await start_health(config, core, leadership)  # once the webhooks listen, on a normal start
            await leadership.start(work.changed)
            pending: set[asyncio.Task[object]] = {stopped, *starting}
            while not stop.is_set():
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is not stopped and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
        finally:
            for task in starting:
                task.cancel()
            await asyncio.gather(*starting, return_exceptions=True)
            stopped.cancel()
            work.shutting_down = True
            for platform, task in zip(reversed(core.platforms), reversed(starting), strict=True):
                if task.cancelled() or task.exception() is not None or not task.result():
                    continue
                try:
                    await platform.stop()
                except Exception:
                    log.exception("stopping %s failed", type(platform).__name__)
            await leadership.stop()  # after the deliveries' last pass: the next leader starts where they ended
            if health is not None:
                await health.stop()
