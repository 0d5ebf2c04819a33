"""The demo in headless Firefox (Debian's firefox-esr), driven over WebDriver BiDi with a tiny client: a secretary
posts a wish and a member claims it. No geckodriver and no Playwright: Firefox speaks BiDi itself."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.demo.app import Demo
from bot.demo.seed import BRANCHES

FIREFOX = "firefox-esr"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
WAIT_S = 20.0
START_S = 30.0
PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.aboutwelcome.enabled": False,
}

XINGFULI = BRANCHES[0]
SECRETARY = XINGFULI.secretary
MEMBER = {m.name: m for m in XINGFULI.members}["周强"]
WISH = "#微心愿 帮独居老人买菜 名额2"


class BiDi:
    """Just enough of WebDriver BiDi: numbered commands, their results, and log entries collected on the side."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.errors: list[str] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            message = json.loads(frame.data)
            waiter = self.pending.pop(message["id"], None) if "id" in message else None
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            elif message.get("method") == "log.entryAdded":
                entry = message["params"]
                if entry.get("type") == "javascript" and entry.get("level") == "error":
                    self.errors.append(str(entry.get("text")))
        for waiter in self.pending.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError("Firefox closed the BiDi connection"))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one command and return its result; a BiDi error fails the test with Firefox's message."""
        self.next_id += 1
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = waiter
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(waiter, WAIT_S)
        if reply.get("type") == "error":
            pytest.fail(f"BiDi {method} failed: {reply.get('error')}: {reply.get('message')}")
        return dict(reply["result"])


class Tab:
    """One Firefox tab: run JavaScript in it, wait for a condition, take a screenshot."""

    def __init__(self, bidi: BiDi, context: str) -> None:
        self.bidi = bidi
        self.context = context

    async def js(self, expression: str) -> Any:
        """Evaluate an expression (awaiting promises) and return its primitive value."""
        result = await self.bidi.send(
            "script.evaluate", expression=expression, target={"context": self.context}, awaitPromise=True
        )
        if result["type"] == "exception":
            pytest.fail(f"JavaScript threw: {result['exceptionDetails'].get('text')} in {expression!r}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, what: str) -> None:
        """Poll until the expression is truthy, or fail saying what never appeared."""
        deadline = asyncio.get_running_loop().time() + WAIT_S
        while not await self.js(expression):
            if asyncio.get_running_loop().time() > deadline:
                text = await self.js("document.getElementById('messages')?.innerText ?? ''")
                pytest.fail(f"Firefox: {what} did not happen within {WAIT_S:.0f}s; #messages shows:\n{text}")
            await asyncio.sleep(0.1)

    async def screenshot(self, path: Path) -> None:
        result = await self.bidi.send("browsingContext.captureScreenshot", context=self.context)
        path.write_bytes(base64.b64decode(result["data"]))


async def _listening_port(process: asyncio.subprocess.Process) -> int:
    """Read Firefox's stderr until it says where BiDi listens."""
    assert process.stderr is not None
    seen: list[str] = []
    while line := await process.stderr.readline():
        text = line.decode(errors="replace").rstrip()
        seen.append(text)
        if found := re.search(r"WebDriver BiDi listening on ws://127\.0\.0\.1:(\d+)", text):
            return int(found.group(1))
    pytest.fail("firefox-esr exited without starting WebDriver BiDi:\n" + "\n".join(seen[-20:]))


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


@pytest.fixture
async def demo() -> AsyncIterator[Demo]:
    """The whole demo on an ephemeral port."""
    async with Demo(port=0) as running:
        yield running


@pytest.fixture
async def firefox(demo: Demo) -> AsyncIterator[Tab]:
    """Headless Firefox on a fresh profile, showing the demo; its JavaScript errors fail the test."""
    executable = shutil.which(FIREFOX)
    if executable is None:
        pytest.fail("the Firefox test needs Debian's firefox-esr: apt-get install -y firefox-esr (see README)")
    ARTIFACTS.mkdir(exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="ebranch-firefox-"))
    prefs = "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items())
    (profile / "user.js").write_text(prefs)
    process = await asyncio.create_subprocess_exec(
        executable,
        "-headless",
        "-no-remote",
        "-profile",
        str(profile),
        "--remote-debugging-port=0",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    drain: asyncio.Task[None] | None = None
    try:
        port = await asyncio.wait_for(_listening_port(process), START_S)
        assert process.stderr is not None
        drain = asyncio.create_task(_drain(process.stderr))
        async with aiohttp.ClientSession() as http, http.ws_connect(f"ws://127.0.0.1:{port}/session") as ws:
            bidi = BiDi(ws)
            await bidi.send("session.new", capabilities={})
            await bidi.send("session.subscribe", events=["log.entryAdded"])
            tree = await bidi.send("browsingContext.getTree")
            tab = Tab(bidi, tree["contexts"][0]["context"])
            await bidi.send("browsingContext.navigate", context=tab.context, url=demo.url, wait="complete")
            await tab.wait_for("document.querySelectorAll('.chat-item').length > 0", "the chat list rendering")
            yield tab
            assert not bidi.errors, f"JavaScript errors in Firefox: {bidi.errors}"
            await bidi.send("session.end")
            bidi.reader.cancel()
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        if drain is not None:
            drain.cancel()
        shutil.rmtree(profile, ignore_errors=True)


def _card(needle: str) -> str:
    """JavaScript for the wish's bot card containing ``needle``, or null."""
    return (
        "[...document.querySelectorAll('#messages .msg')]"
        f".filter((m) => m.innerText.includes('帮独居老人买菜') && m.innerText.includes({json.dumps(needle)})).pop()"
    )


async def be(tab: Tab, person_id: int) -> None:
    """Pick who I am, as the page's <select> would."""
    await tab.js(
        f"(() => {{ const s = document.getElementById('who'); s.value = '{person_id}';"
        " s.dispatchEvent(new Event('change', { bubbles: true })); return s.value; })()"
    )


async def test_a_secretary_posts_a_wish_and_a_member_claims_it_in_firefox(firefox: Tab) -> None:
    tab = firefox
    await be(tab, SECRETARY.id)
    assert await tab.js("document.getElementById('who').value") == str(SECRETARY.id)
    chat = f'.chat-item[data-chat-id="{XINGFULI.chat_id}"]'
    await tab.wait_for(f"!!document.querySelector('{chat}')", "the branch chat showing in the secretary's list")
    await tab.js(f"document.querySelector('{chat}').click()")
    await tab.wait_for("!document.getElementById('composer').hidden", "the composer showing in the branch chat")
    await tab.js(
        f"(() => {{ document.getElementById('composer-input').value = {json.dumps(WISH)};"
        " document.getElementById('composer').requestSubmit(); return true; })()"
    )
    await tab.wait_for(f"!!({_card('已认领 0/2')})", "the wish card with 已认领 0/2")

    await be(tab, MEMBER.id)
    await tab.wait_for(f"!!({_card('已认领 0/2')})", "the wish card showing to the member")
    clicked = await tab.js(
        f"(() => {{ const b = [...({_card('已认领 0/2')}).querySelectorAll('.keyboard button')]"
        ".find((b) => b.textContent.trim() === '认领'); if (b) b.click(); return !!b; })()"
    )
    assert clicked, "the wish card has no 认领 button"
    await tab.wait_for(f"!!({_card('已认领 1/2')})", "the wish card with 已认领 1/2 after the member claimed")
    await tab.screenshot(ARTIFACTS / "demo-firefox.png")
