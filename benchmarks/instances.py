"""Several `ebranch run` processes on one database behind a round-robin load balancer, fed by the fake Bot API's
webhook push: the harness of tests/test_multi_instance.py and benchmarks/webhook_burst.py."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.domain.model import Account, ChatRef
from bot.ports.clock import SystemClock
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, SandboxMessage, SandboxUser
from storage.engine import open_engine
from storage.reports import SqlReports
from storage.uow import SqlStore

SHANGHAI = ZoneInfo("Asia/Shanghai")

EBRANCH = Path(sys.executable).with_name("ebranch")
PUBLIC_URL = "https://bot.example.org/telegram"
SECRET = "multi-instance_1"
GROUPS = (-301, -302, -303, -304, -305)
SECRETARY_ID = 2


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RoundRobin:
    """A load balancer in front of the instances' webhook servers: each request goes to the next one; an instance
    that does not answer is passed over for that request (as nginx's proxy_next_upstream does)."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.sent = [0] * len(backends)
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.port = free_port()

    async def start(self) -> None:
        """Listen on 127.0.0.1:port."""
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        first = next(self._turn)
        for step in range(len(self.backends)):
            index = (first + step) % len(self.backends)
            try:
                async with self._http.post(self.backends[index], data=body, headers=headers) as answer:
                    self.sent[index] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientError:
                continue
        return web.Response(status=502)


@dataclass
class City:
    """The seeded database and the fake Telegram its instances talk to."""

    url: str
    api: FakeBotApi
    members: dict[int, list[SandboxUser]]
    """Each group's members."""
    wishes: dict[int, int]
    """Each wish's slots."""


async def seed(url: str, api: FakeBotApi, per_branch: int, wishes_per_branch: int) -> City:
    """A committee and five branches whose groups are in the fake, their members reported in, small wishes posted."""
    db = await open_engine(url)
    try:
        app = UseCases(SqlStore(db), SystemClock(), SHANGHAI, reports=SqlReports(db))
        admin = Account("telegram", "1", "组织部")
        await app.create_committee(cmd.CreateCommittee(admin, "南湖区e党委", None, by_bot_admin=True))
        members: dict[int, list[SandboxUser]] = {}
        posted: dict[int, int] = {}
        branches = []
        for g, group_id in enumerate(GROUPS):
            secretary = Account("telegram", str(SECRETARY_ID + g), f"书记{g}")
            made = await app.create_branch(
                cmd.CreateBranch(
                    secretary, f"第{g + 1}e支部", ChatRef("telegram", str(group_id)), None, by_bot_admin=True
                )
            )
            branch = made.branch  # type: ignore[union-attr]
            await app.report_in(cmd.ReportIn(secretary, branch.id, f"书记{g}", "社区", "社区党委", (), "服务"))
            people = []
            for i in range(per_branch):
                user = await api.add_user(10_000 + g * 1000 + i, f"党员{g}-{i:02d}")
                user.started = True
                people.append(user)
                account = Account("telegram", str(user.id), user.first_name)
                await app.report_in(cmd.ReportIn(account, branch.id, user.first_name, "单位", "支部", (), "每月"))
            secretary_user = await api.add_user(SECRETARY_ID + g, f"书记{g}")
            secretary_user.started = True
            await api.add_group(group_id, f"第{g + 1}e支部", [secretary_user, *people])
            members[group_id] = people
            branches.append((g, secretary, branch))
        async with app.store.unit() as unit:
            for row in await unit.outbox.due("telegram", app.clock.now(), 10_000):
                await unit.outbox.mark(row.id, "sent", app.clock.now())
        for g, secretary, branch in branches:
            for i in range(wishes_per_branch):
                slots = 2 + i % 4
                text = f"第{g + 1}支部第{i + 1}号微心愿 帮忙 名额{slots}"
                done = await app.post_wish(cmd.PostWish(secretary, branch.id, text))
                assert isinstance(done, outcomes.WishPosted)
                posted[done.view.wish.id] = slots
        return City(url, api, members, posted)
    finally:
        await db.close()


def config_for(tmp_path: Path, city: City, n: int, port: int, extra: str = "") -> Path:
    """Instance n's config: the shared database, the shared bot, its own webhook port (and ``extra`` TOML)."""
    path = tmp_path / f"instance{n}.toml"
    path.write_text(
        f"""[general]
database = "{city.url}"

[telegram]
enabled = true
token = "{city.api.token}"
base_url = "{city.api.base_url}"
base_file_url = "{city.api.base_file_url}"
admins = [1]

[telegram.webhook]
url = "{PUBLIC_URL}"
listen = "127.0.0.1"
port = {port}
secret_token = "{SECRET}"

[scheduler]
enabled = false
{extra}""",
        encoding="utf-8",
    )
    return path


async def start_instances(
    tmp_path: Path, city: City, count: int, extra: str = ""
) -> tuple[list[asyncio.subprocess.Process], RoundRobin]:
    """``count`` real `ebranch run` processes in webhook mode and the load balancer Telegram's pushes go to."""
    ports = [free_port() for _ in range(count)]
    balancer = RoundRobin([f"http://127.0.0.1:{port}/telegram" for port in ports])
    await balancer.start()
    city.api.route_webhook(PUBLIC_URL, f"http://127.0.0.1:{balancer.port}/telegram")
    processes = []
    for n, port in enumerate(ports):
        processes.append(
            await asyncio.create_subprocess_exec(
                str(EBRANCH),
                "run",
                "--config",
                str(config_for(tmp_path, city, n, port, extra)),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=open(tmp_path / f"instance{n}.log", "wb"),  # noqa: ASYNC230
                env={**os.environ, "EBRANCH_TELEGRAM_TOKEN": "", "EBRANCH_DATABASE": ""},
            )
        )
    return processes, balancer


async def stop_instances(processes: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM each instance and wait for it to end."""
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


def cards(api: FakeBotApi) -> dict[int, list[SandboxMessage]]:
    """The wish cards the bot posted, by group."""
    return {g: [m for m in api.bot_messages(g) if "已认领" in (m.text or "")] for g in GROUPS}
