"""Several Telegram instances on one PostgreSQL database behind a load balancer: the webhook set once however many
start together (a 429 waited out), an update delivered to two instances processed once, and a conversation started
on one instance finished on another. The sandbox Bot API is the one Telegram; the test is the load balancer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.config import TelegramConfig, WebhookConfig
from bot.domain.model import Account, Branch
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, SandboxChat, SandboxUser
from handlers.telegram import TelegramPlatform
from handlers.telegram.webhook import SECRET_HEADER
from tests.instances import Instance, instances, open_instances, seed_branch
from tests.telegram_fixtures import ADMIN_ID, GROUP_ID, SECRETARY_ID, api, bot_said, button, card_of, eventually

__all__ = ["api", "instances"]

URL = "https://ebranch.example.org/telegram"
SECRET = "s3cret-Token_1"
STARTING_TOGETHER = 4


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_platform(api: FakeBotApi, instance: Instance, port: int) -> TelegramPlatform:
    """A TelegramPlatform of one instance in webhook mode on ``port``, behind the shared URL."""
    config = TelegramConfig(
        token=api.token,
        admins=(ADMIN_ID,),
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        card_edit_interval=0.2,
        webhook=WebhookConfig(url=URL, listen="127.0.0.1", port=port, secret_token=SECRET),
    )
    return TelegramPlatform(
        config, instance.usecases, instance.store, instance.clock, idle_wait=0.2, renderer=instance.renderer
    )


async def as_follower(platform: TelegramPlatform) -> None:
    """Stop an instance's outbox and card loops: one deliverer for the bot (the leader's job), updates still served."""
    platform._stop.set()
    await asyncio.gather(*platform._tasks)
    platform._tasks = []


@dataclass
class Balancer:
    """Forwards the updates Telegram holds for the bot to the instance the test picks, as the webhook would."""

    api: FakeBotApi
    http: aiohttp.ClientSession
    ports: list[int]

    async def post(self, instance: int, update: dict[str, Any]) -> int:
        """POST one update to an instance's webhook; its HTTP status."""
        endpoint = f"http://127.0.0.1:{self.ports[instance]}/telegram"
        async with self.http.post(endpoint, json=update, headers={SECRET_HEADER: SECRET}) as response:
            return response.status

    def take(self) -> list[dict[str, Any]]:
        """Every pending update, confirmed at the sandbox (Telegram forgets what its webhook delivered)."""
        pending = list(self.api.updates.peek(100))
        if pending:
            self.api.updates.confirm(int(pending[-1]["update_id"]) + 1)
        return pending

    async def to(self, instance: int) -> int:
        """Deliver every pending update to one instance; how many."""
        pending = self.take()
        for update in pending:
            assert await self.post(instance, update) == 200
        return len(pending)

    async def to_all(self) -> int:
        """Deliver every pending update to every instance at once (a retry racing the first delivery)."""
        pending = self.take()
        for update in pending:
            statuses = await asyncio.gather(*(self.post(n, update) for n in range(len(self.ports))))
            assert set(statuses) == {200}
        return len(pending)


@dataclass
class Cluster:
    """Two instances serving one bot: 0 delivers the outbox (the leader), 1 only serves updates."""

    api: FakeBotApi
    instances: list[Instance]
    platforms: list[TelegramPlatform]
    lb: Balancer
    branch: Branch
    group: SandboxChat
    secretary: SandboxUser


@asynccontextmanager
async def running(api: FakeBotApi, found: list[Instance]) -> AsyncIterator[list[TelegramPlatform]]:
    """Start a webhook platform per instance, all at once; stop them afterwards."""
    platforms = [webhook_platform(api, instance, free_port()) for instance in found]
    results = await asyncio.gather(*(p.start() for p in platforms), return_exceptions=True)
    try:
        assert [r for r in results if r is not None] == []
        yield platforms
    finally:
        for platform in platforms:
            await platform.stop()


@pytest.fixture
async def cluster(api: FakeBotApi, instances: list[Instance]) -> AsyncIterator[Cluster]:
    branch = await seed_branch(instances[0].usecases)
    admin = await api.add_user(ADMIN_ID, "区委组织部")
    secretary = await api.add_user(SECRETARY_ID, "王书记")
    admin.started = secretary.started = True
    group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary, admin])
    async with running(api, instances) as platforms, aiohttp.ClientSession() as http:
        await as_follower(platforms[1])
        ports = [p.config.webhook.port for p in platforms if p.config.webhook is not None]
        lb = Balancer(api, http, ports)
        await lb.to(0)
        yield Cluster(api, instances, platforms, lb, branch, group, secretary)


async def test_instances_starting_together_set_the_webhook_once_and_restarts_do_not_set_it_again(
    api: FakeBotApi, postgres_url: str
) -> None:
    async with open_instances(postgres_url, STARTING_TOGETHER) as found:
        async with running(api, found) as platforms:
            assert [c.status for c in api.calls_to("setWebhook")] == [200]
            assert (api.webhook_url, api.webhook_secret) == (URL, SECRET)
            assert all(p.webhook is not None for p in platforms)
            port = platforms[-1].config.webhook.port  # type: ignore[union-attr]
            async with (
                aiohttp.ClientSession() as http,
                http.post(f"http://127.0.0.1:{port}/telegram", data=b"[1, 2", headers={SECRET_HEADER: SECRET}) as bad,
            ):
                assert bad.status == 400
        async with running(api, found):
            assert [c.status for c in api.calls_to("setWebhook")] == [200]
        assert len(api.calls_to("getWebhookInfo")) >= STARTING_TOGETHER


async def test_a_webhook_set_within_the_second_before_is_waited_for_not_fatal(
    api: FakeBotApi, instances: list[Instance]
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api.base_url}{api.token}/setWebhook", json={"url": "https://old.example.org/hook"}):
            pass
        async with running(api, instances):
            assert [c.status for c in api.calls_to("setWebhook")] == [200, 429, 200]
            assert api.webhook_url == URL


async def reported_member(cluster: Cluster, user_id: int, name: str) -> SandboxUser:
    """A person in the branch group who opened the bot and has reported in."""
    person = await cluster.api.add_user(user_id, name)
    person.started = True
    cluster.group.members[person.id] = "member"
    await cluster.lb.to(0)
    account = Account("telegram", str(user_id), name)
    await cluster.instances[0].usecases.report_in(
        cmd.ReportIn(account, cluster.branch.id, name, "市税务局", "第三党支部", (), "每月服务一次")
    )
    return person


async def test_an_update_delivered_to_both_instances_is_processed_once(cluster: Cluster) -> None:
    api, lb = cluster.api, cluster.lb
    member = await reported_member(cluster, 10, "张伟")

    await api.user_sends(cluster.secretary, cluster.group, "/wish 帮忙买年货 名额2")
    assert await lb.to_all() == 1
    await bot_said(api, cluster.group, "已认领 0/2")
    views = await cluster.instances[1].usecases.open_wishes(cluster.branch.id)
    assert [v.wish.title for v in views] == ["帮忙买年货"]

    card = card_of(api, cluster.group, views[0].wish.id)
    tap = await api.press_button(member, card, button(card, "认领"))
    assert await lb.to_all() == 1
    answer = await tap.wait_answer(5.0)
    assert answer.text == "认领成功！详情已私信给您。"
    await eventually(lambda: "已认领 1/2" in (card.text or ""))
    views = await cluster.instances[1].usecases.open_wishes(cluster.branch.id)
    assert [c.name for c in views[0].claimers] == ["张伟"]
    assert len([m for m in api.bot_messages(cluster.group) if "帮忙买年货" in (m.text or "")]) == 1


async def test_a_report_in_started_on_one_instance_finishes_on_the_other(cluster: Cluster) -> None:
    api, lb = cluster.api, cluster.lb
    member = await api.add_user(20, "李娜")
    cluster.group.members[member.id] = "member"

    await api.user_starts_bot(member, f"j{cluster.branch.id}")
    await lb.to(0)
    await bot_said(api, member.id, "姓名")
    sent = await api.user_sends(member, member.id, "李娜")
    await lb.to(1)
    await api.wait_for_bot_message(member.id, after=sent)
    sent = await api.user_sends(member, member.id, "市教育局")
    await lb.to(0)
    await api.wait_for_bot_message(member.id, after=sent)
    sent = await api.user_sends(member, member.id, "第二党支部")
    await lb.to(1)
    skills = await api.wait_for_bot_message(member.id, after=sent)
    done = await api.press_button(member, skills, button(skills, "完成 ✔"))
    await lb.to(0)
    await done.wait_answer(5.0)
    sent = await api.user_sends(member, member.id, "每月辅导功课一次")
    await lb.to(1)
    posts = await api.wait_for_bot_message(member.id, after=sent)
    picked = await api.press_button(member, posts, button(posts, "物资配送"))
    await lb.to(0)
    await picked.wait_answer(5.0)
    sent = await api.user_sends(member, member.id, "一网格")
    await lb.to(1)
    summary = await api.wait_for_bot_message(member.id, after=sent)
    assert "物资配送" in (summary.text or "") and "一网格" in (summary.text or "")
    assert "李娜" in (summary.text or "") and "市教育局" in (summary.text or "")
    confirm = await api.press_button(member, summary, button(summary, "确认报到"))
    await lb.to(1)
    await confirm.wait_answer(5.0)

    await bot_said(api, cluster.group, "李娜（市教育局）已到本支部报到")
    roles = await cluster.instances[0].usecases.roles(Account("telegram", "20", "李娜"))
    assert roles.member is not None and roles.member.reported
