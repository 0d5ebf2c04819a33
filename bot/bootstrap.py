"""The composition root: wires config, storage, use cases, platforms and the scheduler, and runs them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import Config, ConfigError
from bot.ports.clock import Clock, SystemClock
from bot.scheduler import Scheduler, start_scheduler, wire_reports
from bot.usecases import UseCases
from storage.sqlite import Database, open_database
from storage.uow import SqliteStore

log = logging.getLogger(__name__)


class Platform(Protocol):
    """A running chat platform adapter."""

    async def start(self) -> None:
        """Connect and begin handling updates."""
        ...

    async def stop(self) -> None:
        """Stop gracefully."""
        ...


@dataclass
class Core:
    """What every platform shares: the database, the store, the clock and the use cases."""

    config: Config
    db: Database
    store: SqliteStore
    clock: Clock
    usecases: UseCases
    platforms: list[Platform] = field(default_factory=list)


@contextlib.asynccontextmanager
async def open_core(config: Config, clock: Clock | None = None) -> AsyncIterator[Core]:
    """Open and migrate the database and build the use cases; close the database afterwards."""
    db = await open_database(config.database)
    try:
        store = SqliteStore(db)
        real_clock = clock or SystemClock()
        usecases = UseCases(store, real_clock, config.timezone, done_counts_default=config.done_counts_as_served)
        yield Core(config, db, store, real_clock, usecases)
    finally:
        await db.close()


def build_platforms(core: Core) -> list[Platform]:
    """The platforms enabled in the config, each wired to the shared core."""
    platforms: list[Platform] = []
    config = core.config
    if config.telegram is not None:
        from handlers.telegram.platform import TelegramPlatform

        platforms.append(TelegramPlatform(config.telegram, core.usecases, core.store, core.clock, lang=config.locale))
    if config.wecom is not None:
        from handlers.wecom.platform import WeComPlatform

        platforms.append(WeComPlatform(config.wecom, core.usecases, core.store, core.clock, lang=config.locale))
    return platforms


async def run(config: Config, stop: asyncio.Event | None = None) -> None:
    """Run every enabled platform (and the scheduler) until SIGINT/SIGTERM or ``stop``."""
    if config.telegram is None and config.wecom is None:
        raise ConfigError(
            f"{config.path}: no platform is enabled: set [telegram] enabled = true or [wecom] enabled = true"
            " (or try the local demo: ebranch demo)"
        )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with open_core(config) as core:
        core.platforms = build_platforms(core)
        wire_reports(core)
        started: list[Platform] = []
        scheduler: Scheduler | None = None
        try:
            for platform in core.platforms:
                await platform.start()
                started.append(platform)
            scheduler = start_enabled_scheduler(core)
            log.info("ebranch is running (%s); press Ctrl+C to stop", ", ".join(type(p).__name__ for p in started))
            await stop.wait()
        finally:
            if scheduler is not None:
                await scheduler.stop()
            for platform in reversed(started):
                try:
                    await platform.stop()
                except Exception:
                    log.exception("stopping %s failed", type(platform).__name__)


def start_enabled_scheduler(core: Core) -> Scheduler | None:
    """Start the scheduled jobs (nudges, reminders, digests) unless the config turns the scheduler off."""
    return start_scheduler(core) if core.config.scheduler.enabled else None
