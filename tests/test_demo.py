"""`ebranch demo` without a browser: the offset clock, the sandbox viewer's API, and the seeded, running demo."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.cli import build_parser, cmd_demo
from bot.demo.app import Demo
from bot.demo.seed import ADMIN, BRANCHES, COMMITTEE_CHAT, Seeder
from bot.domain.model import ChatRef
from bot.ports.clock import OffsetClock
from handlers.sandbox import FakeBotApi
from handlers.sandbox.viewer import SandboxViewer

# ------------------------------------------------------------------ the clock


def test_the_offset_clock_follows_real_time_and_only_jumps_forward() -> None:
    clock = OffsetClock(timedelta(days=-3))
    assert abs(clock.now() - (datetime.now(UTC) - timedelta(days=3))) < timedelta(seconds=1)
    clock.advance(timedelta(days=10))
    assert abs(clock.now() - (datetime.now(UTC) + timedelta(days=7))) < timedelta(seconds=1)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    target = datetime.now(UTC) + timedelta(days=30)
    clock.set(target)
    assert abs(clock.now() - target) < timedelta(seconds=1)


def test_the_cli_has_a_demo_command() -> None:
    args = build_parser().parse_args(["demo", "--port", "0", "--no-browser"])
    assert (args.func, args.port, args.no_browser) == (cmd_demo, 0, True)


# ------------------------------------------------------------------ the viewer over a bare sandbox


@pytest.fixture
async def viewer() -> AsyncIterator[SandboxViewer]:
    """A sandbox with two people and a group, shown by a viewer without a bot or clock control."""
    async with FakeBotApi() as sandbox:
        await sandbox.add_user(1, "王秀英")
        await sandbox.add_user(2, "刘洋")
        await sandbox.add_user(3, "外人")
        await sandbox.add_group(-100, "幸福里社区e支部", [1, 2])
        page = SandboxViewer(sandbox)
        await page.start()
        yield page
        await page.stop()


async def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        return response.status, await response.json()


async def test_the_page_and_its_files_are_served(viewer: SandboxViewer) -> None:
    async with aiohttp.ClientSession() as http:
        for path, kind in (("", "text/html"), ("static/app.js", "text/javascript"), ("static/app.css", "text/css")):
            async with http.get(viewer.url + path) as response:
                assert response.status == 200
                assert response.content_type == kind
        async with http.get(viewer.url + "fonts/cjk.otf") as response:
            assert response.status == 200 and len(await response.read()) > 1_000_000
        async with http.get(viewer.url + "static/secret.py") as response:
            assert response.status == 404


async def test_state_lists_chats_with_members_and_people(viewer: SandboxViewer) -> None:
    async with aiohttp.ClientSession() as http, http.get(viewer.url + "api/state") as response:
        state = await response.json()
    group = next(c for c in state["chats"] if c["chat"]["id"] == -100)
    assert set(group["members"]) == {1, 2}
    assert {p["name"] for p in state["people"]} == {"王秀英", "刘洋", "外人"}
    assert state["lang"] == "zh" and state["clock"] is None


async def test_a_message_typed_in_the_page_reaches_the_chat_and_every_open_page(viewer: SandboxViewer) -> None:
    async with aiohttp.ClientSession() as http, http.get(viewer.url + "api/events") as events:
        status, _ = await _post(viewer.url + "api/send", {"user_id": 2, "chat_id": -100, "text": "大家好"})
        assert status == 200
        event = await _next_event(events, "message")
    assert event["message"]["text"] == "大家好" and event["message"]["from"]["id"] == 2
    assert viewer.sandbox.history(-100)[-1].text == "大家好"


async def _next_event(response: aiohttp.ClientResponse, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        async for line in response.content:
            if line.startswith(b"data: "):
                event = json.loads(line[6:])
                if event["type"] == kind:
                    return event
    raise AssertionError(f"no {kind} event")


async def test_what_a_real_client_would_not_allow_is_refused(viewer: SandboxViewer) -> None:
    status, body = await _post(viewer.url + "api/send", {"user_id": 3, "chat_id": -100, "text": "hi"})
    assert status == 400 and "not in chat" in body["error"]
    status, body = await _post(viewer.url + "api/clock", {"step": "week"})
    assert status == 400


async def test_a_start_link_opens_the_private_chat_with_its_payload(viewer: SandboxViewer) -> None:
    status, body = await _post(viewer.url + "api/start", {"user_id": 2, "payload": "join_7"})
    assert status == 200 and body["chat_id"] == 2
    assert viewer.sandbox.history(2)[-1].text == "/start join_7"


# ------------------------------------------------------------------ the running demo


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo() -> AsyncIterator[Demo]:
    """The whole demo, seeded, on an ephemeral port (shared by the tests below)."""
    async with Demo(port=0) as running:
        yield running


on_the_demo_loop = pytest.mark.asyncio(loop_scope="module")


@on_the_demo_loop
async def test_the_real_bot_talks_to_the_sandbox_through_its_base_url(demo: Demo) -> None:
    assert demo.core is not None and demo.core.config.telegram is not None
    assert demo.core.config.telegram.base_url == demo.sandbox.base_url
    assert demo.sandbox.calls_to("getUpdates") and demo.tempdir is not None
    assert Path(demo.core.config.database).parent == demo.tempdir


@on_the_demo_loop
async def test_the_seeded_world_looks_like_a_real_committee(demo: Demo) -> None:
    assert demo.core is not None
    usecases = demo.core.usecases
    assert await usecases.committee_of_chat(_chat(COMMITTEE_CHAT)) is not None
    served = not_served = 0
    statuses: set[str] = set()
    for plan in BRANCHES:
        branch = await usecases.branch_of_chat(_chat(plan.chat_id))
        assert branch is not None and branch.name == plan.name
        for person in plan.members:
            quarter = await usecases.my_quarter(person.account())
            served, not_served = (served + 1, not_served) if quarter.served else (served, not_served + 1)
        for view in await usecases.open_wishes(branch.id):
            statuses.add("claimed" if view.claimers else "open")
    assert len(Seeder.everyone()) >= 20
    assert served >= 4 and not_served >= 10
    assert statuses == {"open", "claimed"}
    completed = [m for p in BRANCHES for m in demo.sandbox.bot_messages(p.chat_id) if "已完成" in (m.text or "")]
    assert completed, "some wishes are completed"
    assert abs(demo.clock.offset) < timedelta(seconds=5), "the seed ends at real time"


@on_the_demo_loop
async def test_the_page_knows_the_people_and_the_clock(demo: Demo) -> None:
    async with aiohttp.ClientSession() as http, http.get(demo.url + "api/state") as response:
        state = await response.json()
    roles = {p["role"] for p in state["people"]}
    assert roles == {"admin", "secretary", "member"}
    assert next(p for p in state["people"] if p["id"] == ADMIN.id)["name"] == ADMIN.name
    assert state["clock"]["tz"] == "Asia/Shanghai" and "年" in state["clock"]["zh"]


@on_the_demo_loop
async def test_a_week_later_the_committee_gets_its_digest_with_chart_and_ledger(demo: Demo) -> None:
    before = demo.clock.now()
    status, body = await _post(demo.url + "api/clock", {"step": "week"})
    assert status == 200
    assert demo.clock.now() - before >= timedelta(days=6)
    assert "digest" in {job["name"] for job in body["ran"]}
    sent = demo.sandbox.bot_messages(COMMITTEE_CHAT)
    assert any(m.photo is not None for m in sent)
    assert any(m.document is not None and (m.document.file_name or "").endswith(".xlsx") for m in sent)


@on_the_demo_loop
async def test_the_language_toggle_makes_the_people_english(demo: Demo) -> None:
    status, _ = await _post(demo.url + "api/lang", {"lang": "en"})
    assert status == 200
    member = BRANCHES[1].members[0]
    assert demo.sandbox.users[member.id].language_code == "en"
    assert demo.core is not None and await demo.core.usecases.language_of(member.account("en")) == "en"


def _chat(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id))


async def test_stopping_the_demo_deletes_its_database() -> None:
    demo = Demo(port=0, seed=False)
    await demo.start()
    tempdir = demo.tempdir
    assert tempdir is not None and tempdir.exists()
    await demo.stop()
    assert not tempdir.exists()
