"""Two real `ebranch run` processes on one PostgreSQL database, Telegram in webhook mode against the sandbox Bot API:
the follower takes updates and records what to send, the leader delivers it; after `kill -9` of the leader the
follower leads and delivers what is pending, within 15 s, each card once."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from bot.domain.model import Account, ChatRef
from bot.ports.clock import SystemClock
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, SandboxChat, SandboxUser
from storage.postgres import open_postgres
from storage.reports import SqlReports
from storage.uow import SqlStore
from tests.conftest import SHANGHAI
from tests.pg_server import PostgresServer
from tests.telegram_fixtures import eventually

EBRANCH = Path(sys.executable).with_name("ebranch")
TAKEOVER = 15.0
SECRET = "s3cret-Token_1"
GROUP_ID = -200


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    """One `ebranch run` process with its webhook and health ports."""

    def __init__(
        self, name: str, tmp_path: Path, api: FakeBotApi, database: str, *, general: str = "", extra: str = ""
    ) -> None:
        self.name = name
        self.webhook = free_port()
        self.health = free_port()
        self.config = tmp_path / f"{name}.toml"
        self.log = tmp_path / f"{name}.log"
        self.config.write_text(
            f"""[general]
database = "{database}"
instance_name = "{name}"
{general}

[telegram]
enabled = true
token = "{api.token}"
base_url = "{api.base_url}"
base_file_url = "{api.base_file_url}"
admins = [1]
card_edit_interval = 0.2

[telegram.webhook]
url = "https://ebranch.example.org/telegram"
listen = "127.0.0.1"
port = {self.webhook}
secret_token = "{SECRET}"

[health]
listen = "127.0.0.1:{self.health}"
{extra}
""",
            encoding="utf-8",
        )
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Run the process (its log goes to a file)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EBRANCH_")}
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                str(EBRANCH), "run", "--config", str(self.config),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env=env,
            )  # fmt: skip

    async def leads(self) -> bool | None:
        """What its /leader endpoint says; None while it does not answer."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http,
                http.get(f"http://127.0.0.1:{self.health}/leader") as response,
            ):
                body = await response.json()
        except (aiohttp.ClientError, TimeoutError):
            return None
        assert body["instance"] == self.name
        return bool(body["leader"])

    async def leading(self) -> bool:
        """Whether its /leader endpoint says it leads."""
        return await self.leads() is True

    async def answers(self) -> bool:
        """Whether its health endpoint answers yet."""
        return await self.leads() is not None

    async def ready(self) -> bool:
        """Whether /readyz answers 200."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http,
                http.get(f"http://127.0.0.1:{self.health}/readyz") as response,
            ):
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def post_update(self, api: FakeBotApi, user: SandboxUser, chat: SandboxChat, text: str) -> None:
        """A message delivered to this instance's webhook, as Telegram (or a load balancer) would."""
        message = await api.user_sends(user, chat, text)
        async with aiohttp.ClientSession() as http:
            answer = await http.post(
                f"http://127.0.0.1:{self.webhook}/telegram",
                json={"update_id": api.update_id_of(message), "message": message.to_api()},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert answer.status == 200

    async def stop(self) -> int | None:
        """SIGTERM and wait; the exit code."""
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=30)

    def kill(self) -> None:
        """kill -9."""
        assert self.process is not None
        self.process.kill()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The sandbox Bot API both processes call."""
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def shared(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A PostgreSQL database for the two processes, with a committee and a branch bound to group -200."""
    name = f"ebranch_failover_{os.getpid()}"
    url = await postgres_server.create_database(name)
    db = await open_postgres(url)
    try:
        app = UseCases(SqlStore(db), SystemClock(), SHANGHAI, reports=SqlReports(db))
        admin, secretary = Account("telegram", "1", "区委组织部"), Account("telegram", "2", "王书记")
        committee = ChatRef("telegram", "-100")
        await app.create_committee(cmd.CreateCommittee(admin, "南湖区e党委", committee, by_bot_admin=True))
        created = await app.create_branch(
            cmd.CreateBranch(secretary, "幸福里e支部", ChatRef("telegram", str(GROUP_ID)), None, by_bot_admin=True)
        )
        branch = created.branch  # type: ignore[union-attr]
        await app.report_in(cmd.ReportIn(secretary, branch.id, "王书记", "幸福里社区", "社区党委", (), "服务居民"))
    finally:
        await db.close()
    yield url
    await postgres_server.drop_database(name)


async def nothing_due(url: str) -> bool:
    """Whether every outbox entry due by now was sent (or given up)."""
    conn = await asyncpg.connect(url)
    try:
        now = datetime.now(UTC).isoformat()
        return not await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending' AND not_before <= $1", now)
    finally:
        await conn.close()


def cards(api: FakeBotApi, title: str) -> int:
    """How many wish cards with this title the bot posted in the group."""
    return sum(
        1
        for message in api.bot_messages(GROUP_ID)
        if message.text and re.search(r"微心愿 #\d+", message.text.split("\n", 1)[0]) and title in message.text
    )


async def test_after_kill_9_of_the_leader_the_other_delivers_the_pending_outbox_within_15_s(
    api: FakeBotApi, shared: str, tmp_path: Path
) -> None:
    secretary = await api.add_user(2, "王书记")
    admin = await api.add_user(1, "区委组织部")
    secretary.started = admin.started = True
    group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary, admin])
    a, b = Instance("bot-a", tmp_path, api, shared), Instance("bot-b", tmp_path, api, shared)
    await a.start()
    await eventually(a.leading, within=30)
    await b.start()
    try:
        await eventually(b.answers, within=30)
        assert await a.leads() is True and await b.leads() is False
        assert await a.ready() and await b.ready()

        await b.post_update(api, secretary, group, "/wish 帮忙买年货 名额2")  # the follower takes it
        await eventually(lambda: cards(api, "帮忙买年货") == 1, within=TAKEOVER)  # the leader delivers it
        await eventually(lambda: nothing_due(shared), within=TAKEOVER)  # and records it sent (a kill -9 between
        # the send and that record would make the next leader send it again: at least once across a crash)

        a.kill()
        await b.post_update(api, secretary, group, "/wish 帮忙修水管 名额1")  # recorded while no one leads
        await eventually(lambda: cards(api, "帮忙修水管") == 1, within=TAKEOVER)  # 15 s from the kill
        assert await b.leads() is True
        await asyncio.sleep(1.5)
        assert (cards(api, "帮忙买年货"), cards(api, "帮忙修水管")) == (1, 1), "each card once"
        assert await nothing_due(shared)
    finally:
        if a.process is not None and a.process.returncode is None:
            a.kill()
        code = await b.stop()
    assert code == 0, b.log.read_text(errors="replace")[-3000:]


async def test_a_frozen_leader_loses_the_lead_to_the_other_within_15_s(
    api: FakeBotApi, shared: str, tmp_path: Path
) -> None:
    secretary = await api.add_user(2, "王书记")
    secretary.started = True
    group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary])
    a, b = Instance("bot-a", tmp_path, api, shared), Instance("bot-b", tmp_path, api, shared)
    await a.start()
    await eventually(a.leading, within=30)
    await b.start()
    try:
        await eventually(b.answers, within=30)
        assert a.process is not None
        a.process.send_signal(signal.SIGSTOP)  # alive, its socket open, answering nothing: a hung machine
        await b.post_update(api, secretary, group, "/wish 帮忙修水管 名额1")

        # the server ends the silent session (idle_session_timeout), b leads and delivers: 15 s from the freeze
        await eventually(lambda: cards(api, "帮忙修水管") == 1, within=TAKEOVER)
        assert await b.leads() is True
    finally:
        if a.process is not None and a.process.returncode is None:
            a.kill()
        code = await b.stop()
    assert code == 0, b.log.read_text(errors="replace")[-3000:]


MEMBERS = 150
IN_FLIGHT = 16
"""The deliverer's concurrency: sends a kill -9 can leave done but not yet recorded (Telegram's sendMessage takes
no idempotency key, so the next leader sends those again: at least once across a crash, counted below)."""


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


async def test_kill_9_mid_outbox_run_and_before_the_digest_loses_and_repeats_no_nudge_or_digest(
    api: FakeBotApi, shared: str, tmp_path: Path
) -> None:
    admin, secretary = await api.add_user(1, "区委组织部"), await api.add_user(2, "王书记")
    admin.started = secretary.started = True
    people = [await api.add_user(1000 + i, f"党员{i:03d}") for i in range(MEMBERS)]
    for person in people:
        person.started = True
    await api.add_group(-100, "南湖区e党委", [admin, secretary])
    await api.add_group(GROUP_ID, "幸福里e支部", [secretary, *people])
    db = await open_postgres(shared)
    try:
        app = UseCases(SqlStore(db), SystemClock(), SHANGHAI, reports=SqlReports(db))
        for person in people:
            account = Account("telegram", str(person.id), person.first_name)
            await app.report_in(cmd.ReportIn(account, 1, person.first_name, "单位", "支部", (), "每月"))
        async with app.store.unit() as unit:  # what seeding recorded is not what this test counts
            for row in await unit.outbox.due("telegram", app.clock.now(), 10_000):
                await unit.outbox.mark(row.id, "sent", app.clock.now())
    finally:
        await db.close()
    now = datetime.now(UTC)
    nudges_at = (now + timedelta(seconds=100)).replace(second=0, microsecond=0)  # 40-100 s from now
    digest_at = nudges_at + timedelta(minutes=1)
    quiet = now + timedelta(hours=12)
    general = 'timezone = "UTC"'
    schedule = f"""
[scheduler]
enabled = true
quiet_start = "{_hhmm(quiet)}"
quiet_end = "{_hhmm(quiet + timedelta(minutes=1))}"
skip_public_holidays = false
nudge_after_days = [1]
weekly_in_last_weeks = 0
reminder_time = "{_hhmm(nudges_at)}"
digest_weekday = {digest_at.weekday()}
digest_time = "{_hhmm(digest_at)}"
at_risk_weekday = {(digest_at.weekday() + 3) % 7}
"""
    a = Instance("bot-a", tmp_path, api, shared, general=general, extra=schedule)
    b = Instance("bot-b", tmp_path, api, shared, general=general, extra=schedule)
    recipients = [secretary, *people]

    def nudged() -> list[int]:
        return [len(api.bot_messages(person.id)) for person in recipients]

    def digests() -> int:
        return sum(1 for m in api.bot_messages(-100) if "每周工作简报" in (m.text or m.caption or ""))

    await a.start()
    await eventually(a.leading, within=30)
    await b.start()
    try:
        await eventually(b.answers, within=30)
        assert await b.leads() is False and sum(nudged()) == 0

        # 1. kill -9 of the leader in the middle of its outbox run (the nudges of 151 members, paced at 30/s)
        await eventually(lambda: sum(nudged()) >= 30, within=TAKEOVER + (nudges_at - datetime.now(UTC)).seconds)
        a.kill()
        killed_after = sum(nudged())
        killed_at = asyncio.get_running_loop().time()
        assert killed_after < len(recipients), "the kill came after the run, not in its middle"
        await eventually(lambda: min(nudged()) >= 1, within=TAKEOVER)
        nudges_done_in = asyncio.get_running_loop().time() - killed_at
        assert await b.leads() is True

        # 2. kill -9 of the (new) leader 3 s before the digest is due; the restarted first instance takes over
        await a.start()
        await eventually(a.answers, within=30)
        assert await a.leads() is False
        await asyncio.sleep(max(0.0, (digest_at - datetime.now(UTC)).total_seconds() - 3))
        assert digests() == 0
        b.kill()
        killed_at = asyncio.get_running_loop().time()
        await eventually(lambda: digests() >= 1, within=3 + TAKEOVER)
        digest_in = asyncio.get_running_loop().time() - killed_at
        await asyncio.sleep(3)
        assert await a.leads() is True
        assert await nothing_due(shared)
        counts = nudged()
        lost, repeated = sum(1 for n in counts if n == 0), sum(n - 1 for n in counts if n > 1)
        print(
            f"\nfailover counted: {len(recipients)} nudges, {killed_after} sent when the leader was killed, all sent"
            f" {nudges_done_in:.1f} s after the kill; lost {lost}, sent twice {repeated} (in flight at the kill);"
            f" digests {digests()} (expected 1), {digest_in:.1f} s after the kill 3 s before it was due"
        )
        assert lost == 0
        assert repeated <= IN_FLIGHT, f"{repeated} nudges sent twice: more than the sends in flight at the kill"
        assert digests() == 1
    finally:
        for instance in (a, b):
            if instance.process is not None and instance.process.returncode is None:
                instance.kill()
