"""Two WeCom instances on one PostgreSQL database against the local WeCom fake: one access token for both (fetched
once, refetched once when WeCom expires it), and a callback delivered to both processed once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.ports.chat import RetryLater
from handlers.wecom.platform import WeComPlatform
from tests.fakes import eventually
from tests.fakes.wecom_api import FakeWeComApi, encrypt_callback, text_message_xml
from tests.instances import Instance, instances
from tests.test_wecom_platform import AES_KEY, MEMBERS, TOKEN, app_config

__all__ = ["instances"]

SENDS = 8


@pytest.fixture
async def pair(instances: list[Instance]) -> AsyncIterator[tuple[FakeWeComApi, list[WeComPlatform]]]:
    """Instance 0 runs fully (callbacks, outbox, cards); instance 1 serves callbacks only (one deliverer)."""
    async with FakeWeComApi(members=MEMBERS) as fake:
        config = app_config(fake)
        platforms = [
            WeComPlatform(config, i.usecases, i.store, i.clock, card_interval=0.05, idle_wait=0.2, renderer=i.renderer)
            for i in instances
        ]
        await platforms[0].start()
        await platforms[1].server.start()
        try:
            yield fake, platforms
        finally:
            for platform in platforms:
                await platform.stop()


async def test_two_instances_share_one_access_token_and_refetch_it_once_when_it_expires(
    pair: tuple[FakeWeComApi, list[WeComPlatform]],
) -> None:
    fake, (first, second) = pair
    await asyncio.gather(
        *(platform.api.send_text("zhangsan", f"第{n}条") for n in range(SENDS) for platform in (first, second))
    )
    assert fake.gettoken_calls == 1
    assert len(fake.texts("zhangsan")) == 2 * SENDS

    fake.expire_tokens()
    await asyncio.gather(*(platform.api.send_text("lisi", "过期之后") for platform in (first, second)))
    assert fake.gettoken_calls == 2
    assert fake.texts("lisi") == ["过期之后", "过期之后"]
    stored = await second.usecases.shared_value(f"wecom:{first.api._client.access_token_key}")
    assert stored is not None and stored.strip('"') in fake._tokens


async def test_a_callback_delivered_to_both_instances_is_processed_once(
    pair: tuple[FakeWeComApi, list[WeComPlatform]],
) -> None:
    fake, platforms = pair
    query, body = encrypt_callback(TOKEN, AES_KEY, fake.corp_id, text_message_xml("admin", "/help", "515151"))
    async with aiohttp.ClientSession() as http:

        async def post(platform: WeComPlatform) -> int:
            async with http.post(platform.server.url, params=query, data=body.encode()) as response:
                return response.status

        assert await asyncio.gather(*(post(p) for p in platforms)) == [200, 200]
    await eventually(lambda: len(fake.texts("admin")) >= 1)
    await asyncio.sleep(0.3)
    assert len(fake.texts("admin")) == 1
    assert await platforms[1].usecases.first_time("wecom", "msg:515151") is False


async def test_a_database_that_cannot_answer_makes_a_wecom_call_retry_later(
    instances: list[Instance], pair: tuple[FakeWeComApi, list[WeComPlatform]]
) -> None:
    fake, (_, second) = pair
    await instances[1].db.close()
    with pytest.raises(RetryLater, match="shared WeCom token"):
        await second.api.send_text("zhangsan", "数据库不在")
    assert fake.gettoken_calls == 0
    assert fake.texts("zhangsan") == []
