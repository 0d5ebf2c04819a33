"""The demo in real headless Chromium: a secretary posts a wish, two members claim, one reports done, the secretary
confirms, the clock moves on and the nudge and the digest chart appear. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.async_api import async_playwright, expect

from bot.demo.app import Demo
from bot.demo.seed import ADMIN, BRANCHES, COMMITTEE_CHAT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
WAIT_MS = 15_000


XINGFULI = BRANCHES[0]
SECRETARY = XINGFULI.secretary
FIRST, SECOND, IDLE = ({m.name: m for m in XINGFULI.members}[name] for name in ("周强", "吴敏", "黄丽"))


@pytest.fixture
async def demo() -> AsyncIterator[Demo]:
    """The whole demo on an ephemeral port."""
    async with Demo(port=0) as running:
        yield running


@pytest.fixture
async def page(demo: Demo) -> AsyncIterator[Any]:
    """A desktop-sized Chromium page showing the demo."""
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        if shutil.which(str(CHROMIUM)) is None:
            pytest.fail("the browser tests need Debian's Chromium: apt-get install -y chromium (see README)")
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = await browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        await tab.goto(demo.url)
        await tab.wait_for_selector(".chat-item")
        yield tab
        await browser.close()
        assert not errors, errors


async def be(page: Any, person_id: int) -> None:
    """Pick who I am."""
    await page.select_option("#who", str(person_id))


async def open_chat(page: Any, chat_id: int) -> None:
    """Open a chat from the list."""
    await page.click(f'.chat-item[data-chat-id="{chat_id}"]')


async def say(page: Any, text: str) -> None:
    """Type a message and press Enter."""
    await page.fill("#composer-input", text)
    await page.press("#composer-input", "Enter")


async def shot(page: Any, name: str) -> None:
    """Save a screenshot under test-artifacts/."""
    await page.screenshot(path=str(ARTIFACTS / f"demo-{name}.png"))


async def test_a_wish_from_post_to_confirmed_service_then_nudges_and_the_digest(page: Any) -> None:
    await be(page, SECRETARY.id)
    await open_chat(page, XINGFULI.chat_id)
    await say(page, "#微心愿 帮独居的陈奶奶换一个新的电视机顶盒 名额2")
    card = page.locator(".msg", has_text="电视机顶盒").filter(has_text="已认领")
    await expect(card).to_contain_text("0/2", timeout=WAIT_MS)
    await shot(page, "1-posted")

    for member in (FIRST, SECOND):
        await be(page, member.id)
        await card.get_by_role("button", name="认领", exact=True).click()
        await expect(card).to_contain_text(member.name, timeout=WAIT_MS)
    await expect(card).to_contain_text("2/2", timeout=WAIT_MS)
    await shot(page, "2-claimed")

    await open_chat(page, SECOND.id)
    notice = page.locator(".msg", has_text="电视机顶盒").filter(has=page.get_by_role("button", name="已完成"))
    await notice.last.get_by_role("button", name="已完成").click()
    await expect(page.locator("#messages")).to_contain_text("服务时长", timeout=WAIT_MS)
    await say(page, "2")
    await expect(page.locator("#messages")).to_contain_text("/skip", timeout=WAIT_MS)
    await say(page, "/skip")
    await expect(page.locator(".msg").last).to_contain_text("等待支部书记确认", timeout=WAIT_MS)
    await shot(page, "3-done")

    await be(page, SECRETARY.id)
    await open_chat(page, SECRETARY.id)
    review = page.locator(".msg", has_text=f"{SECOND.name} 报告已完成").last
    await review.get_by_role("button", name="确认", exact=True).click()
    await expect(review).to_contain_text("已确认", timeout=WAIT_MS)
    await shot(page, "4-confirmed")

    await page.click("#clock-week")
    await expect(page.locator("#toast")).to_contain_text("每周汇总", timeout=WAIT_MS)
    await be(page, ADMIN.id)
    await open_chat(page, COMMITTEE_CHAT)
    chart = page.locator("img.photo").last
    await expect(chart).to_be_visible(timeout=WAIT_MS)
    assert await chart.evaluate("img => img.complete && img.naturalWidth > 300")
    ledger = page.locator("a.document").last
    await expect(ledger).to_contain_text(".xlsx", timeout=WAIT_MS)
    download = await page.request.get(urljoin(page.url, await ledger.get_attribute("href")))
    assert (await download.body()).startswith(b"PK")
    await chart.scroll_into_view_if_needed()
    await shot(page, "5-digest")

    await page.click("#clock-qend")
    await expect(page.locator("#toast")).to_contain_text("季度服务提醒", timeout=WAIT_MS)
    await be(page, IDLE.id)
    await open_chat(page, IDLE.id)
    await expect(page.locator(".msg").last).to_contain_text("还没有", timeout=WAIT_MS)
    await shot(page, "6-nudge")


async def test_english_chrome_and_a_phone_sized_window(demo: Demo, page: Any) -> None:
    await page.click("#lang-toggle")
    await expect(page.locator("#clock-week")).to_have_text("+1 week")
    await page.set_viewport_size({"width": 390, "height": 780})
    await page.reload()
    await expect(page.locator("#chatlist")).to_be_visible()
    await expect(page.locator("#messages")).to_be_hidden()
    await page.locator(".chat-item").first.click()
    await expect(page.locator("#messages")).to_be_visible()
    await expect(page.locator("#chatlist")).to_be_hidden()
    await shot(page, "7-phone-en")
    await page.click("#back")
    await expect(page.locator("#chatlist")).to_be_visible()
