"""The demo's page answers only itself: foreign Origins (CSRF) and foreign Host headers (DNS rebinding) get 403."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from handlers.sandbox import FakeBotApi
from handlers.sandbox.viewer import SandboxViewer

SEND = {"user_id": 1, "chat_id": -100, "text": "大家好"}


@pytest.fixture
async def viewer() -> AsyncIterator[SandboxViewer]:
    """A sandbox with one person in one group, shown by a viewer on 127.0.0.1."""
    async with FakeBotApi() as sandbox:
        await sandbox.add_user(1, "王秀英")
        await sandbox.add_group(-100, "幸福里社区e支部", [1])
        page = SandboxViewer(sandbox)
        await page.start()
        yield page
        await page.stop()


async def _status(viewer: SandboxViewer, method: str, path: str, headers: dict[str, str], body: object = None) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, viewer.url + path, json=body, headers=headers) as response,
    ):
        return response.status


def _port(viewer: SandboxViewer) -> str:
    return viewer.url.rstrip("/").rsplit(":", 1)[1]


@pytest.mark.parametrize(
    ("path", "body"), [("api/send", SEND), ("api/clock", {"step": "week"}), ("api/lang", {"lang": "en"})]
)
@pytest.mark.parametrize(
    "origin", ["http://evil.example", "https://evil.example", "null", "http://127.0.0.1:1", "http://127.0.0.1"]
)
async def test_a_post_from_another_origin_is_refused(
    viewer: SandboxViewer, path: str, body: object, origin: str
) -> None:
    assert await _status(viewer, "POST", path, {"Origin": origin}, body) == 403


@pytest.mark.parametrize("path", ["api/state", "api/send", "", "static/app.js", "api/events"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "127.0.0.1", "10.0.0.1:{port}"])
async def test_a_foreign_host_header_is_refused_on_every_request(viewer: SandboxViewer, path: str, host: str) -> None:
    method = "POST" if path == "api/send" else "GET"
    headers = {"Host": host.format(port=_port(viewer))}

    assert await _status(viewer, method, path, headers, SEND if method == "POST" else None) == 403


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
async def test_the_page_itself_is_answered_on_its_own_address(viewer: SandboxViewer, name: str) -> None:
    own = f"{name}:{_port(viewer)}"

    assert await _status(viewer, "GET", "api/state", {"Host": own}) == 200
    assert await _status(viewer, "POST", "api/send", {"Host": own, "Origin": f"http://{own}"}, SEND) == 200
    assert await _status(viewer, "POST", "api/send", {"Host": own}, SEND) == 200


def test_a_viewer_on_every_interface_takes_address_literals_but_no_names() -> None:
    page = SandboxViewer.__new__(SandboxViewer)
    page._host, page._port = "0.0.0.0", 8080

    assert [page.serves(h) for h in ("192.168.1.5:8080", "localhost:8080", "[::1]:8080")] == [True, True, True]
    assert [page.serves(h) for h in ("evil.example:8080", "192.168.1.5:8081", "")] == [False, False, False]
