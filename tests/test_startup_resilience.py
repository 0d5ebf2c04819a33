"""A platform that cannot be reached at start-up is retried with backoff in one log line each time, while the rest
runs; a platform that refuses the credentials stops start-up with one clear error instead."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.bootstrap import open_core, run
from bot.config import Config, load_config
from bot.domain.model import Account, ChatRef, Urgency
from bot.ports.chat import PlatformRefused
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from handlers.sandbox import FakeBotApi
from tests.fakes.wecom_api import FakeMember, FakeWeComApi
from tests.fakes.wecom_callbacks import encrypt_callback, text_message_xml
from tests.telegram_fixtures import eventually
from tests.test_wecom_platform import AES_KEY, TOKEN

ADMIN, GROUP = 1, -200


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


def _both_config(tmp_path: Path, token: str, telegram_port: int, wecom: FakeWeComApi, wecom_port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[general]\ndatabase = "{tmp_path / "ebranch.sqlite3"}"\n'
        f'[telegram]\ntoken = "{token}"\nadmins = [{ADMIN}]\nbase_url = "http://127.0.0.1:{telegram_port}/bot"\n'
        f'base_file_url = "http://127.0.0.1:{telegram_port}/file/bot"\n'
        f'[wecom]\ncorp_id = "{wecom.corp_id}"\nagent_id = {wecom.agent_id}\nsecret = "{wecom.secret}"\n'
        f'token = "{TOKEN}"\naes_key = "{AES_KEY}"\napi_base_url = "{wecom.base_url}"\nlisten = "127.0.0.1"\n'
        f'port = {wecom_port}\nadmins = ["admin"]\n',
        encoding="utf-8",
    )
    return path


async def _seed(config: Config) -> tuple[str, int]:
    """A Telegram branch with a wish whose card is still to be sent, and one whose deadline passed two days ago while
    the deadline job last ran an hour ago: the first one's title and the second one's number."""
    async with open_core(config) as core:
        admin = Account("telegram", str(ADMIN), "区委组织部")
        await core.usecases.create_committee(cmd.CreateCommittee(admin, "南湖区e党委", None, by_bot_admin=True))
        made = await core.usecases.create_branch(
            cmd.CreateBranch(admin, "幸福里e支部", ChatRef("telegram", str(GROUP)), None, by_bot_admin=True)
        )
        assert isinstance(made, outcomes.BranchCreated)
        posted = await core.usecases.post_wish(cmd.PostWish(admin, made.branch.id, "帮忙买年货 名额2"))
        assert isinstance(posted, outcomes.WishPosted)
        now = datetime.now(UTC)
        async with core.store.unit() as unit:
            secretary = await unit.people.by_account("telegram", str(ADMIN))
            assert secretary is not None
            past = await unit.wishes.add(
                now, branch_id=made.branch.id, title="陪老人聊天", description="", category="", slots=2,
                team_claim=False, deadline=date.today() - timedelta(days=2), urgency=Urgency.NORMAL,
                created_by=secretary.id,
            )  # fmt: skip
        await core.usecases.job_ran("deadlines", now - timedelta(hours=1))
        return posted.view.wish.title, past


async def _answered(http: aiohttp.ClientSession, url: str, query: dict[str, str], body: str) -> bool:
    """POST one callback; whether the server took it (it may not listen yet)."""
    try:
        async with http.post(url, params=query, data=body.encode()) as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


async def test_while_telegram_cannot_be_reached_wecom_and_the_scheduler_run_and_nothing_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    telegram_port, wecom_port = _free_port(), _free_port()
    api = FakeBotApi()
    async with FakeWeComApi(members={"admin": FakeMember("区委组织部")}) as wecom, aiohttp.ClientSession() as http:
        config = load_config(_both_config(tmp_path, api.token, telegram_port, wecom, wecom_port), env={})
        title, past = await _seed(config)
        stop = asyncio.Event()
        caplog.set_level(logging.INFO)
        running = asyncio.create_task(run(config, stop))
        try:
            await eventually(lambda: "TelegramPlatform cannot be reached" in caplog.text, within=20)

            query, body = encrypt_callback(TOKEN, AES_KEY, wecom.corp_id, text_message_xml("admin", "/help", "1"))
            callback = f"http://127.0.0.1:{wecom_port}/wecom/callback"
            await eventually(lambda: _answered(http, callback, query, body), within=20)
            await eventually(lambda: bool(wecom.texts("admin")), within=20)
            assert "/committee" in wecom.texts("admin")[-1], "WeCom answers while Telegram cannot be reached"

            async def shown_expired() -> bool:
                async with open_core(config) as core:
                    return (await core.usecases.wish_view(past)).wish.expired_at is not None

            await eventually(shown_expired, within=30)  # the scheduler runs: it caught the deadline job up
            assert not running.done()

            group = await api.add_group(GROUP, "幸福里e支部", [])
            await api.start(port=telegram_port)
            await eventually(lambda: any(title in (m.text or "") for m in api.bot_messages(group)), within=60)
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=30)
            await api.stop()
