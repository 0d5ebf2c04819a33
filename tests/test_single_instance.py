"""Two `ebranch run` on one SQLite database: the second is refused at start with one line, the first keeps serving."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.sandbox import FakeBotApi
from tests.telegram_fixtures import eventually

EBRANCH = Path(sys.executable).with_name("ebranch")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The sandbox Bot API the real processes poll."""
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


def _config(tmp_path: Path, api: FakeBotApi) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""[general]
database = "{tmp_path / "ebranch.sqlite3"}"

[telegram]
enabled = true
token = "{api.token}"
base_url = "{api.base_url}"
base_file_url = "{api.base_file_url}"

[scheduler]
enabled = false
""",
        encoding="utf-8",
    )
    return path


async def _run(config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(EBRANCH),
        "run",
        "--config",
        str(config),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "EBRANCH_TELEGRAM_TOKEN": ""},
    )


async def test_a_second_instance_on_the_same_database_is_refused_with_one_line(tmp_path: Path, api: FakeBotApi) -> None:
    config = _config(tmp_path, api)
    first = await _run(config)
    try:
        await eventually(lambda: bool(api.calls_to("getUpdates")), within=30)
        second = await _run(config)
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
        lines = [line for line in stderr.decode().splitlines() if line.strip()]

        assert second.returncode == 1
        assert len(lines) == 1 and "正由一个运行中的 ebranch 使用" in lines[0], lines
        assert first.returncode is None, "the first instance keeps running"
        polled = len(api.calls_to("getUpdates"))
        await eventually(lambda: len(api.calls_to("getUpdates")) > polled, within=20)
    finally:
        if first.returncode is None:
            first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), timeout=30)
    assert first.returncode == 0
