"""Several `ebranch run` processes on one PostgreSQL database behind a round-robin load balancer, as a city deploys
them: Telegram's webhook pushes 10,000 taps on 50 small wishes in five branch groups (each member taps each wish of
their branch five times); none is over-filled, nobody holds two claims on one wish, and every tap is answered."""

from __future__ import annotations

import asyncio
import collections
import itertools
import os
import random
import signal
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.domain.model import Account, ChatRef
from bot.ports.clock import SystemClock
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, SandboxMessage, SandboxUser
from handlers.sandbox.state import CallbackAnswer, CallbackQueryRecord
from storage.postgres import open_postgres
from storage.reports import SqlReports
from storage.uow import SqlStore
from tests.conftest import SHANGHAI
from tests.pg_server import PostgresServer
from tests.telegram_fixtures import eventually

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
    db = await open_postgres(url)
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


def config_for(tmp_path: Path, city: City, n: int, port: int) -> Path:
    """Instance n's config: the shared database, the shared bot, its own webhook port."""
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
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A database of this test's own on the test server."""
    name = f"ebranch_multi_{os.getpid()}"
    url = await postgres_server.create_database(name)
    yield url
    await postgres_server.drop_database(name)


async def start_instances(
    tmp_path: Path, city: City, count: int
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
                str(config_for(tmp_path, city, n, port)),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=open(tmp_path / f"instance{n}.log", "wb"),
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


async def test_ten_thousand_taps_through_four_instances_fill_every_wish_exactly_and_all_are_answered(
    tmp_path: Path, database: str
) -> None:
    api = FakeBotApi(callback_answer_window=120.0)
    await api.start()
    city = await seed(database, api, per_branch=40, wishes_per_branch=10)
    processes, balancer = await start_instances(tmp_path, city, 4)
    try:
        try:
            await eventually(lambda: sum(len(c) for c in cards(api).values()) == 50, within=90)
        except AssertionError:
            sends = api.calls_to("sendMessage")
            raise AssertionError(
                f"cards per group {[len(c) for c in cards(api).values()]}: {[m.text for m in cards(api)[GROUPS[-1]]]};"
                f" {len(sends)} sendMessage calls,"
                f" last: {sends[-3:] if sends else None}; all calls: {sorted({c.method for c in api.calls})}"
            ) from None
        pairs = []
        for group_id, posted in cards(api).items():
            for card in posted:
                claim = next(b["callback_data"] for b in card.buttons() if b.get("text") == "认领")
                pairs += [(member, card, claim) for member in city.members[group_id] for _ in range(5)]
        random.Random(13).shuffle(pairs)

        taps = []
        started = time.monotonic()
        for n, (member, card, claim) in enumerate(pairs):
            pressed = await api.press_button(member, card, claim, seen=[claim])
            taps.append((pressed, time.monotonic()))
            if n % 500 == 499:
                await asyncio.sleep(0.2)
        assert len(taps) == 10_000
        latencies: list[float] = []

        async def answered(tap: CallbackQueryRecord, at: float) -> CallbackAnswer:
            answer = await tap.wait_answer(300)
            latencies.append(time.monotonic() - at)
            return answer

        answers = await asyncio.gather(*(answered(tap, at) for tap, at in taps))
        spread = time.monotonic() - started

        assert len(answers) == 10_000, "every tap is answered"
        db = await open_postgres(database, migrate=False)
        try:
            async with db.snapshot() as conn:
                held = await conn.execute_fetchall(
                    "SELECT wish_id, count(*), count(DISTINCT member_id) FROM claims"
                    " WHERE status IN ('claimed', 'done', 'confirmed') GROUP BY wish_id"
                )
                every = await conn.execute_fetchall("SELECT wish_id, status, count(*) FROM claims GROUP BY 1, 2")
                events = await conn.execute_fetchall("SELECT count(*) FROM processed_events")
        finally:
            await db.close()
        found = {r[0]: (r[1], r[2]) for r in held}
        short = {w: (found.get(w), s) for w, s in city.wishes.items() if found.get(w) != (s, s)}
        assert not short, (short, [tuple(r) for r in every if r[0] in short], events[0][0])
        said = collections.Counter((a.text or "").split("\n")[0][:30] for a in answers)
        succeeded = sum(n for text, n in said.items() if "认领成功" in text)
        assert succeeded == sum(city.wishes.values()), said
        assert min(balancer.sent) > 0, f"every instance took updates: {balancer.sent}"
        latencies.sort()
        print(
            f"\n10,000 taps over 4 instances in {spread:.1f} s; per instance {balancer.sent};"
            f" webhook {api.webhook_push.stats if api.webhook_push else None};"
            f" answer latency median {statistics.median(latencies):.2f} s,"
            f" p99 {latencies[int(len(latencies) * 0.99)]:.2f} s"
        )
    finally:
        await stop_instances(processes)
        await balancer.stop()
        await api.stop()
