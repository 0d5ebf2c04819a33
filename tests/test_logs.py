"""Secrets and personal data stay out of logs, and a wrong bot token stops start-up with one line, token unshown."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import PAYLOAD_LOGGERS, RedactingFilter, redact, setup_logging
from handlers.sandbox import FakeBotApi

WRONG_TOKEN = "987654321:AAwrong-token_for_the_sandbox_0123456789"
WECOM_SECRET = "wecom-app-secret-value"


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose records reach a handler filtered as the CLI filters its stderr handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter([WRONG_TOKEN, WECOM_SECRET]))
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("message", "args", "hidden"),
    [
        ("token is %s", (WRONG_TOKEN,), WRONG_TOKEN),
        ("HTTP Request: POST https://api.telegram.org/bot%s/getMe", (WRONG_TOKEN,), WRONG_TOKEN.split(":")[1]),
        ("another bot's token 1234567890:%s", ("A" * 35,), "A" * 35),
        ("GET /bot%s/getUpdates", ("12345:short",), "12345:short"),
        ("wecom secret %s", (WECOM_SECRET,), WECOM_SECRET),
        ("member %s phone %s", ("张伟", "13812345678"), "13812345678"),
        ("resident phone +86 139-1234-5678", (), "1234-5678"),
        ("%s", ({"phone_number": "13700001111"},), "13700001111"),
    ],
)
def test_secrets_and_phone_numbers_are_masked(
    logged: tuple[logging.Logger, io.StringIO], message: str, args: tuple[object, ...], hidden: str
) -> None:
    logger, stream = logged
    logger.debug(message, *args)

    assert hidden not in stream.getvalue()
    assert "***" in stream.getvalue()


def test_a_traceback_is_masked_too(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    try:
        raise RuntimeError(f"The token `{WRONG_TOKEN}` was rejected; call 13812345678")
    except RuntimeError:
        logger.exception("start-up failed")

    assert "RuntimeError" in stream.getvalue()
    assert WRONG_TOKEN not in stream.getvalue() and "13812345678" not in stream.getvalue()


def test_plain_text_is_left_alone() -> None:
    assert redact("job digest recorded 3 messages for chat -1001234567890") == (
        "job digest recorded 3 messages for chat -1001234567890"
    )


def test_at_debug_the_libraries_that_dump_payloads_stay_at_info() -> None:
    levels = {name: logging.getLogger(name).level for name in (*PAYLOAD_LOGGERS, "")}
    try:
        setup_logging("DEBUG", [WRONG_TOKEN])
        assert all(logging.getLogger(name).getEffectiveLevel() >= logging.INFO for name in PAYLOAD_LOGGERS)
        assert logging.getLogger("bot").getEffectiveLevel() == logging.DEBUG
    finally:
        for name, level in levels.items():
            logging.getLogger(name or None).setLevel(level)
        for handler in logging.getLogger().handlers:
            for found in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
                handler.removeFilter(found)


def _ebranch() -> list[str]:
    script = Path(sys.executable).with_name("ebranch")
    found = str(script) if script.exists() else shutil.which("ebranch")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


@pytest.mark.parametrize(("level", "locale"), [("INFO", "zh"), ("DEBUG", "en")])
async def test_a_wrong_token_stops_ebranch_run_with_one_line_and_no_token(
    tmp_path: Path, level: str, locale: str
) -> None:
    async with FakeBotApi() as api:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[general]\ndatabase = "{tmp_path / "db.sqlite3"}"\nlog_level = "{level}"\nlocale = "{locale}"\n'
            f'[telegram]\ntoken = "{WRONG_TOKEN}"\nbase_url = "{api.base_url}"\n'
            f'base_file_url = "{api.base_file_url}"\n',
            encoding="utf-8",
        )
        process = await asyncio.create_subprocess_exec(
            *_ebranch(),
            "run",
            "--config",
            str(config),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)

    stderr = err.decode()
    assert process.returncode not in (0, None)
    assert stderr.count("\n") == 1, stderr
    said = {
        "zh": ("ebranch：Telegram 拒绝了机器人令牌（", "请检查 [telegram] token 或 EBRANCH_TELEGRAM_TOKEN"),
        "en": ("ebranch: Telegram refused the bot token (", "check [telegram] token / EBRANCH_TELEGRAM_TOKEN"),
    }[locale]
    assert stderr.startswith(said[0]) and stderr.rstrip().endswith(said[1]), stderr
    secret_part = WRONG_TOKEN.split(":")[1]
    assert secret_part not in stderr and secret_part not in out.decode()
