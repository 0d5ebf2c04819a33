"""`ebranch demo`: the real bot on a throw-away database, talking to the local Telegram sandbox, shown in a browser."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
import signal
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any

from bot.bootstrap import Core, Platform, build_platforms, open_core
from bot.config import Config, TelegramConfig, default_config
from bot.demo.seed import DemoPerson, Seeder, seed_start
from bot.domain.errors import DomainError
from bot.domain.quarters import current_quarter, local_date
from bot.i18n import t
from bot.ports.clock import OffsetClock
from bot.scheduler import catch_up, jobs
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, FloodLimits
from handlers.sandbox.viewer import SandboxViewer

log = logging.getLogger(__name__)

DEMO_CARD_EDIT_INTERVAL = 1.0
QUARTER_END_LEAD = timedelta(days=14)
SETTLE_QUIET = 0.12
SETTLE_LIMIT = 20.0
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

JOB_LABELS: dict[str, tuple[str, str]] = {
    "reminders": ("认领与确认提醒", "claim and review reminders"),
    "nudges": ("季度服务提醒", "quarterly service nudges"),
    "at_risk": ("未服务名单", "at-risk lists"),
    "digest": ("每周汇总", "weekly digest"),
    "workplace_feedback": ("单位反馈", "workplace feedback"),
}
ADVANCED_TIME = time(10, 5)


class Demo:
    """Everything `ebranch demo` runs in one process; start() it, open ``url``, stop() it."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, seed: bool = True, say: Callable[[str], None] | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.seed_data = seed
        self.say = say or (lambda _text: None)
        self.clock = OffsetClock()
        self.sandbox = FakeBotApi(
            bot_username="ebranch_demo_bot",
            bot_first_name="e支部助手",
            wall_clock=lambda: self.clock.now().timestamp(),
            limits=FloodLimits.off(),
            privacy_mode=False,
        )
        self.viewer = SandboxViewer(self.sandbox, self)
        self.people_list: list[DemoPerson] = []
        self.core: Core | None = None
        self.platforms: list[Platform] = []
        self.tempdir: Path | None = None
        self.lang = "zh"
        self._stack = contextlib.AsyncExitStack()
        self._last_event = monotonic()
        self._watch: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start the sandbox, the bot on a fresh database, seed it, then serve the page."""
        self.tempdir = Path(tempfile.mkdtemp(prefix="ebranch-demo-"))
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        assert self.tempdir is not None
        await self.sandbox.start(self.host)
        self._stack.push_async_callback(self.sandbox.stop)
        self._watch = asyncio.create_task(self._watch_events(), name="demo-watch")
        config = self.config(self.tempdir)
        if self.seed_data:
            now = datetime.now(UTC)
            self.clock = OffsetClock(seed_start(now, config.timezone) - now)
        self.core = await self._stack.enter_async_context(open_core(config, self.clock))
        await self.viewer.start(self.host, self.port)
        self._stack.push_async_callback(self.viewer.stop)
        self.platforms = build_platforms(self.core)
        self.core.platforms = self.platforms
        for platform in self.platforms:
            await platform.start()
            self._stack.push_async_callback(platform.stop)
        if self.seed_data:
            self.people_list = Seeder.everyone()
            await Seeder(self, say=self.say).run()
        await self.run_jobs()

    def config(self, tempdir: Path) -> Config:
        """The bot's configuration: defaults, a database in ``tempdir``, Telegram pointed at the sandbox."""
        base = default_config(tempdir / "ebranch-demo.sqlite3")
        telegram = TelegramConfig(
            token=self.sandbox.token,
            admins=Seeder.operator_ids(),
            base_url=self.sandbox.base_url,
            base_file_url=self.sandbox.base_file_url,
            card_edit_interval=DEMO_CARD_EDIT_INTERVAL,
            pace=False,  # the demo's sandbox has no flood limits
        )
        return dataclasses.replace(base, telegram=telegram)

    async def stop(self) -> None:
        """Stop everything started, in reverse order, and delete the temporary directory."""
        try:
            await self._stack.aclose()
        finally:
            if self._watch is not None:
                self._watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._watch
                self._watch = None
            if self.tempdir is not None:
                shutil.rmtree(self.tempdir, ignore_errors=True)
                self.tempdir = None

    async def __aenter__(self) -> Demo:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The page to open."""
        return self.viewer.url

    # ----------------------------------------------------------------- keeping pace with the bot

    async def _watch_events(self) -> None:
        queue = self.sandbox.subscribe()
        try:
            while True:
                await queue.get()
                self._last_event = monotonic()
        finally:
            self.sandbox.unsubscribe(queue)

    def poke(self) -> None:
        """Ask the platforms to deliver what the use cases just enqueued, now rather than at their next tick."""
        for platform in self.platforms:
            platform.poke()

    async def settle(self, limit: float = SETTLE_LIMIT) -> None:
        """Wait until the bot has sent everything due and the chats have been quiet for a moment."""
        assert self.core is not None
        self.poke()
        deadline = monotonic() + limit
        while monotonic() < deadline:
            await asyncio.sleep(0.05)
            async with self.core.store.unit() as unit:
                first = await unit.outbox.next_time("telegram")
                stale = await unit.cards.stale("telegram", 1)
            quiet = monotonic() - self._last_event >= SETTLE_QUIET
            pending = self.sandbox.updates.pending
            due = first is not None and first <= self.clock.now()
            if not due and not stale and quiet and pending == 0:
                return
            if due or stale:
                self.poke()
        log.warning("the bot did not settle within %.0f s", limit)

    # ----------------------------------------------------------------- what the page asks (ViewerControls)

    def people(self) -> list[dict[str, Any]]:
        """The "who am I" list."""
        return [p.to_json() for p in self.people_list]

    def clock_info(self) -> dict[str, Any]:
        """The bot's time in both languages."""
        assert self.core is not None
        local = self.clock.now().astimezone(self.core.config.timezone)
        quarter = current_quarter(self.clock.now(), self.core.config.timezone)
        return {
            "iso": local.isoformat(timespec="minutes"),
            "zh": f"{local.year}年{local.month}月{local.day}日 周{_WEEKDAYS_ZH[local.weekday()]} {local:%H:%M}",
            "en": f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]} {local.year} "
            f"{local:%H:%M}",
            "quarter_end": quarter.end.isoformat(),
            "tz": str(self.core.config.timezone),
        }

    async def advance(self, step: str) -> dict[str, Any]:
        """Move the bot's clock a week (to 10:05), or to two weeks before the quarter's end, and run the due jobs."""
        assert self.core is not None
        now = self.clock.now()
        self.clock.set(self.week_later(now) if step == "week" else self.quarter_end_target(now))
        ran = await self.run_jobs()
        await self.settle()
        return {"clock": self.clock_info(), "ran": ran}

    def _at(self, day: date) -> datetime:
        assert self.core is not None
        return datetime.combine(day, ADVANCED_TIME, tzinfo=self.core.config.timezone)

    def week_later(self, now: datetime) -> datetime:
        """Seven days on, at 10:05 local time: past that week's digest and the daily reminders, outside quiet hours."""
        assert self.core is not None
        return self._at(local_date(now, self.core.config.timezone) + timedelta(days=7))

    def quarter_end_target(self, now: datetime) -> datetime:
        """Two weeks before the end of the quarter at 10:05 local time (the next quarter's, if that is past)."""
        assert self.core is not None
        quarter = current_quarter(now, self.core.config.timezone)
        target = self._at(quarter.end - QUARTER_END_LEAD)
        return target if target > now else self._at(quarter.next().end - QUARTER_END_LEAD)

    async def run_jobs(self) -> list[dict[str, Any]]:
        """Run, once each, the scheduler's jobs whose time passed since they last ran (the first call only records)."""
        assert self.core is not None
        all_jobs = jobs(self.core.config.scheduler, self.core.config.timezone)
        names = await catch_up(self.core.jobs, all_jobs, self.clock.now(), self.core.wake)
        self.poke()
        return [{"name": n, "zh": JOB_LABELS.get(n, (n, n))[0], "en": JOB_LABELS.get(n, (n, n))[1]} for n in names]

    async def set_language(self, lang: str) -> None:
        """Every seeded person switches their Telegram language, and tells the bot with its language setting."""
        assert self.core is not None
        self.lang = lang
        code = "en" if lang == "en" else "zh-hans"
        for person in self.people_list:
            user = self.sandbox.users.get(person.id)
            if user is not None:
                user.language_code = code
            with contextlib.suppress(DomainError):
                await self.core.usecases.set_language(cmd.SetLanguage(person.account(code), lang))


async def run_demo(host: str = "127.0.0.1", port: int = 8080, open_browser: bool = True, lang: str = "zh") -> None:
    """Run the demo until Ctrl+C or SIGTERM, printing (in ``lang``) what it seeds and the address to open; either
    way the demo database is deleted."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    demo = Demo(host=host, port=port, say=lambda step: print(t("demo.seeding", lang, what=t(step, lang)), flush=True))
    print(t("demo.starting", lang), flush=True)
    async with demo:
        print(t("demo.ready", lang, url=demo.url))
        if open_browser:
            import webbrowser

            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(demo.url)
        await stop.wait()
        print(t("demo.stopping", lang), flush=True)
    print(t("demo.stopped", lang), flush=True)
