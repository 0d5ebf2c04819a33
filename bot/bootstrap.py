"""The composition root: the one place wiring config, storage, use cases, platforms, deliveries and the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import Config, ConfigError
from bot.jobs.nudges import JobDeps
from bot.ports.chat import PlatformRefused
from bot.ports.clock import Clock, SystemClock
from bot.reports.render import ReportRenderer
from bot.scheduler import Scheduler
from bot.usecases import UseCases
from storage.dialect import is_postgres_url
from storage.engine import Engine, open_engine
from storage.lock import InstanceLock
from storage.reports import SqlReports
from storage.uow import SqlStore

log = logging.getLogger(__name__)


class Platform(Protocol):
    """A running chat platform adapter: everything the root and the scheduler use of one."""

    async def start(self) -> None:
        """Connect, begin handling updates, and start delivering the outbox and keeping cards current."""
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
        )
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
    if config.telegram is not None:
        platforms.append(
            TelegramPlatform(
                config.telegram, core.usecases, core.store, core.clock, lang=config.locale, renderer=core.renderer
            )
        )
    if config.wecom is not None:
        platforms.append(
            WeComPlatform(
                config.wecom, core.usecases, core.store, core.clock, lang=config.locale, renderer=core.renderer
            )
        )
    return platforms


def start_scheduler(core: Core) -> Scheduler:
    """Start the scheduled jobs (nudges, reminders, at-risk lists, digests, feedback, pruning) for a running bot."""
    scheduler = Scheduler(core.jobs, core.clock, core.wake)
    scheduler.start()
    return scheduler


def start_enabled_scheduler(core: Core) -> Scheduler | None:
    """Start the scheduled jobs unless the config turns the scheduler off."""
    return start_scheduler(core) if core.config.scheduler.enabled else None


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


async def try_start(platform: Platform, retry_in: float = RETRY_FIRST) -> bool:
    """One attempt to start a platform: False (in one log line) when it cannot be reached; PlatformRefused, which
    no retry can fix, propagates."""
    try:
        await platform.start()
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


async def start_with_retries(platform: Platform, stop: asyncio.Event, first: float = RETRY_FIRST) -> bool:
    """Start a platform, retrying with backoff (one log line each time) while it cannot be reached; False if
    ``stop`` came first. A platform that refuses the credentials is not retried: PlatformRefused propagates."""
    wait = first
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
        if stop.is_set():
            break
        if await try_start(platform, retry_in=min(wait * 2, RETRY_MAX)):
            return True
        wait = min(wait * 2, RETRY_MAX)
    return False


async def _started() -> bool:
    return True


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]


async def _serve(config: Config, stop: asyncio.Event) -> None:
    async with open_core(config) as core:
        core.platforms = build_platforms(core)
        up: list[bool] = []
        try:
            for platform in core.platforms:
                up.append(await try_start(platform))
        except PlatformRefused:
            for platform, ok in zip(core.platforms, up, strict=False):
                if ok:
                    await platform.stop()
            raise
        scheduler = start_enabled_scheduler(core)
        starting = [
            asyncio.create_task(_started() if ok else start_with_retries(p, stop), name=f"start {type(p).__name__}")
            for p, ok in zip(core.platforms, up, strict=True)
        ]
        log.info("ebranch is running (%s); press Ctrl+C to stop", ", ".join(type(p).__name__ for p in core.platforms))
        stopped = asyncio.create_task(stop.wait())
        try:
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
            if scheduler is not None:
                await scheduler.stop()
            for platform, task in zip(reversed(core.platforms), reversed(starting), strict=True):
                if task.cancelled() or task.exception() is not None or not task.result():
                    continue
                try:
                    await platform.stop()
                except Exception:
                    log.exception("stopping %s failed", type(platform).__name__)
