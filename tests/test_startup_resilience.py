"""A platform that cannot be reached at start-up is retried with backoff in one log line each time, while the rest
runs; a platform that refuses the credentials stops start-up with one clear error instead."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from bot.bootstrap import run
from bot.config import load_config
from bot.ports.chat import PlatformRefused
from handlers.sandbox import FakeBotApi
from tests.telegram_fixtures import eventually


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(tmp_path: Path, token: str, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[general]\ndatabase = "{tmp_path / "ebranch.sqlite3"}"\n[telegram]\ntoken = "{token}"\n'
        f'base_url = "http://127.0.0.1:{port}/bot"\nbase_file_url = "http://127.0.0.1:{port}/file/bot"\n'
        "[scheduler]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


async def test_telegram_unreachable_at_start_is_retried_until_it_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    api = FakeBotApi()
    config = load_config(_config(tmp_path, api.token, port), env={})
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="bot.bootstrap")
    running = asyncio.create_task(run(config, stop))
    try:
        await eventually(lambda: "cannot be reached" in caplog.text, within=20)
        lines = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
        assert lines[0].exc_info is None and "retrying in" in lines[0].getMessage(), "one line, no traceback"
        assert not running.done()

        await api.start(port=port)
        await eventually(lambda: bool(api.calls_to("getUpdates")), within=30)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
        await api.stop()


async def test_a_refused_token_stops_start_up_with_one_clear_error(tmp_path: Path) -> None:
    api = FakeBotApi()
    await api.start()
    try:
        wrong = api.token.split(":")[0] + ":" + "x" * 35
        config = load_config(_config(tmp_path, wrong, int(api.base_url.split(":")[2].split("/")[0])), env={})
        with pytest.raises(PlatformRefused, match="Telegram refused the bot token") as refused:
            await asyncio.wait_for(run(config, asyncio.Event()), timeout=30)
        assert wrong not in str(refused.value)
    finally:
        await api.stop()
