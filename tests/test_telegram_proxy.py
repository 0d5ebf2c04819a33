"""`[telegram] proxy`: every call to Telegram (updates, answers, the outbox) goes through the configured proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.config import ConfigError, load_config
from handlers.sandbox import FakeBotApi
from tests.telegram_fixtures import Telegram, api, bot_said, platform_for, telegram

__all__ = ["api", "telegram"]


class ForwardProxy:
    """A plain HTTP forward proxy on 127.0.0.1 that counts what it forwards (requests in absolute form)."""

    def __init__(self) -> None:
        self.forwarded: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        target = str(request.url)
        self.forwarded.append(target)
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, target, data=await request.read(), headers={"Content-Type": request.content_type}
            ) as answer,
        ):
            return web.Response(body=await answer.read(), status=answer.status, content_type=answer.content_type)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    forward = ForwardProxy()
    await forward.start()
    yield forward
    await forward.stop()


async def test_updates_and_answers_go_through_the_proxy(telegram: Telegram, proxy: ForwardProxy) -> None:
    tg = telegram
    await tg.platform.stop()
    proxied = platform_for(tg.api, tg.world)
    tg.platform = type(proxied)(
        replace(proxied.config, proxy=proxy.url), tg.world.app, tg.world.store, tg.world.clock,
        poll_timeout=1, idle_wait=0.2, renderer=tg.world.renderer,
    )  # fmt: skip
    await tg.platform.start()

    await tg.api.user_sends(tg.secretary, tg.group, "/wishes")
    await bot_said(tg.api, tg.group, "微心愿")
    methods = {url.rsplit("/", 1)[-1] for url in proxy.forwarded}
    assert {"getMe", "getUpdates", "sendMessage"} <= methods
    assert all(url.startswith(tg.api.base_url) for url in proxy.forwarded)


@pytest.mark.parametrize("proxy", ["http://127.0.0.1:3128", "socks5://10.0.0.2:1080", "socks5h://proxy.example:1080"])
def test_http_and_socks5_proxies_are_accepted(tmp_path: Path, proxy: str, api: FakeBotApi) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[telegram]\ntoken = "{api.token}"\nproxy = "{proxy}"\n', encoding="utf-8")
    config = load_config(path, env={})
    assert config.telegram is not None and config.telegram.proxy == proxy


@pytest.mark.parametrize("proxy", ["127.0.0.1:3128", "ftp://proxy:21", "socks4://proxy:1080", "http://"])
def test_a_proxy_that_is_not_a_proxy_address_is_one_clear_line(tmp_path: Path, proxy: str, api: FakeBotApi) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[telegram]\ntoken = "{api.token}"\nproxy = "{proxy}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"telegram\.proxy: expected http://"):
        load_config(path, env={})
