"""`[telegram] proxy`: every call to Telegram (updates, answers, the outbox) goes through the configured proxy."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

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


class Socks5Proxy:
    """A SOCKS5 proxy on 127.0.0.1 (no authentication, CONNECT only) that records where each connection went."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []
        self._server: asyncio.Server | None = None
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            _version, methods = await reader.readexactly(2)
            await reader.readexactly(methods)
            writer.write(b"\x05\x00")
            _version, command, _reserved, kind = await reader.readexactly(4)
            if kind == 1:
                host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
            elif kind == 4:
                host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
            else:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode("ascii")
            port = int.from_bytes(await reader.readexactly(2), "big")
            if command != 1:
                writer.write(b"\x05\x07\x00\x01" + bytes(6))
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
            self.connected.append((host, port))
            writer.write(b"\x05\x00\x00\x01" + bytes(6))
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"socks5://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy bytes one way until the source ends."""
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(Exception):
            sink.close()


@pytest.fixture
async def socks() -> AsyncIterator[Socks5Proxy]:
    server = Socks5Proxy()
    await server.start()
    yield server
    await server.stop()


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


async def test_updates_and_answers_go_through_a_socks5_proxy(telegram: Telegram, socks: Socks5Proxy) -> None:
    tg = telegram
    await tg.platform.stop()
    proxied = platform_for(tg.api, tg.world)
    tg.platform = type(proxied)(
        replace(proxied.config, proxy=socks.url), tg.world.app, tg.world.store, tg.world.clock,
        poll_timeout=1, idle_wait=0.2, renderer=tg.world.renderer,
    )  # fmt: skip
    await tg.platform.start()
    connected_at_start = len(socks.connected)

    await tg.api.user_sends(tg.secretary, tg.group, "/wishes")
    await bot_said(tg.api, tg.group, "微心愿")

    sandbox = urlsplit(tg.api.base_url)
    assert connected_at_start >= 2, "the updates and the calls each have their own connection, both proxied"
    assert set(socks.connected) == {(sandbox.hostname, sandbox.port)}


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
