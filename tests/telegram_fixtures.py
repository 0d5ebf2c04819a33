"""End-to-end fixtures: the sandbox Bot API on 127.0.0.1 and the real TelegramPlatform polling it over HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from bot.config import TelegramConfig
from handlers.sandbox import FakeBotApi, SandboxChat, SandboxMessage, SandboxUser
from handlers.telegram import TelegramPlatform
from tests.conftest import World

ADMIN_ID = 1
SECRETARY_ID = 2
GROUP_ID = -200


def platform_for(api: FakeBotApi, world: World, *, interval: float = 0.2) -> TelegramPlatform:
    """A TelegramPlatform wired to the sandbox and the test world, with short waits so tests stay fast."""
    config = TelegramConfig(
        token=api.token,
        admins=(ADMIN_ID,),
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        card_edit_interval=interval,
    )
    return TelegramPlatform(
        config, world.app, world.store, world.clock, poll_timeout=1, idle_wait=0.2, renderer=world.renderer
    )


@dataclass
class Telegram:
    """The sandbox with the bot running against it, the branch group of the test world and its people."""

    api: FakeBotApi
    world: World
    platform: TelegramPlatform
    group: SandboxChat
    admin: SandboxUser
    secretary: SandboxUser
    people: dict[int, SandboxUser] = field(default_factory=dict)

    async def person(self, user_id: int, name: str, *, language: str = "zh-hans", started: bool = True) -> SandboxUser:
        """Someone in the branch group (who has opened the bot, unless ``started`` is False)."""
        user = await self.api.add_user(user_id, name, language_code=language)
        self.group.members[user.id] = "member"
        if started:
            user.started = True
        self.people[user_id] = user
        return user

    async def reported(self, user_id: int, name: str) -> SandboxUser:
        """A person who already reported in to the branch."""
        user = await self.person(user_id, name)
        await self.world.member(str(user_id), name)
        return user

    async def says(self, user: SandboxUser, chat: SandboxChat | int, text: str, **kw: object) -> SandboxMessage:
        """A person sends a message and the bot's first answer in that chat comes back."""
        sent = await self.api.user_sends(user, chat, text, **kw)  # type: ignore[arg-type]
        return await self.api.wait_for_bot_message(chat, after=sent)

    async def restart(self) -> None:
        """Stop the bot and start a fresh one on the same database, as after a deploy."""
        await self.platform.stop()
        self.platform = platform_for(self.api, self.world)
        await self.platform.start()


async def eventually(check: Callable[[], bool | Awaitable[bool]], within: float = 5.0) -> None:
    """Wait until ``check`` holds (polling briefly), failing after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def card_of(api: FakeBotApi, chat: SandboxChat | int, wish_id: int) -> SandboxMessage:
    """The wish card the bot posted in a chat."""
    for message in api.bot_messages(chat):
        if message.text and re.search(rf"微心愿 #{wish_id}\b", message.text.split("\n", 1)[0]):
            return message
    raise AssertionError(f"no card of wish {wish_id} in chat")


def button(message: SandboxMessage, label: str) -> str:
    """The callback data of the button with this label."""
    for b in message.buttons():
        if b.get("text") == label and "callback_data" in b:
            return str(b["callback_data"])
    raise AssertionError(f"no button {label!r} in {[b.get('text') for b in message.buttons()]}")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The sandbox Bot API server, with Telegram's flood limits."""
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def telegram(api: FakeBotApi, world: World) -> AsyncIterator[Telegram]:
    """The test world's branch as a Telegram group (id -200) with the bot running; admin 1 and secretary 2."""
    admin = await api.add_user(ADMIN_ID, "区委组织部")
    secretary = await api.add_user(SECRETARY_ID, "王书记")
    admin.started = secretary.started = True
    group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary, admin])
    platform = platform_for(api, world)
    await platform.start()
    env = Telegram(api, world, platform, group, admin, secretary)
    yield env
    await env.platform.stop()


async def bot_said(api: FakeBotApi, chat: SandboxChat | int, fragment: str, within: float = 5.0) -> SandboxMessage:
    """The latest bot message in ``chat`` containing ``fragment``, waiting for it if needed."""
    found: list[SandboxMessage] = []

    def seen() -> bool:
        found[:] = [m for m in api.bot_messages(chat) if fragment in (m.text or m.caption or "")]
        return bool(found)

    await eventually(seen, within)
    return found[-1]
