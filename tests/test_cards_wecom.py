"""WeCom end to end: private claim and review cards follow their claim within the response codes WeCom hands out,
and an old button pressed anyway says exactly why."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.notices.callbacks import Act, encode
from tests.fakes import eventually
from tests.fakes.wecom_api import template_card_event_xml, text_message_xml
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, find_card, has_card, rig

__all__ = ["rig"]


def keys(card: dict[str, Any] | None) -> list[str]:
    """The button keys a card shows now."""
    return [str(b.get("key")) for b in (card or {}).get("button_list", [])]


async def press_stale(rig: Rig, user_id: str, task_id: str, key: str) -> None:
    """A press on a button the member's client still showed before the card changed."""
    bench = rig.bench
    code = bench.fake.press_stale(user_id, task_id, key)
    status, _, _ = await bench.post(template_card_event_xml(user_id, task_id, key, code, create_time=next(bench.ids)))
    assert status == 200


async def claimed(rig: Rig, text: str = "#微心愿 帮独居老人买年货 名额1") -> tuple[str, str]:
    """李四 claims wish 1 from his card; the task id of his private claim card and its 已完成 key."""
    bench = rig.bench
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("admin", text)
    await eventually(lambda: has_card(bench, "lisi", encode(Act.CLAIM, 1)))
    task_id, _, key = find_card(bench, "lisi", encode(Act.CLAIM, 1))
    await rig.press("lisi", task_id, key)
    await eventually(lambda: has_card(bench, "lisi", "1:d:"))
    claim_task, _, done_key = find_card(bench, "lisi", "1:d:")
    await eventually_followed(rig, claim_task)
    return claim_task, done_key


async def eventually_followed(rig: Rig, task_id: str) -> None:
    """Wait until the bot recorded the card it sent (a press in the same instant finds no card to follow)."""

    async def recorded() -> bool:
        async with rig.db.conn.execute(
            "SELECT count(*) FROM cards WHERE message_id LIKE ?", (f"tc|{task_id}|%",)
        ) as cursor:
            row = await cursor.fetchone()
        return bool(row and row[0])

    for _ in range(250):
        if await recorded():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"card {task_id} was never recorded")


def seen(rig: Rig, user_id: str, task_id: str) -> dict[str, Any]:
    """The card as the member sees it now."""
    return rig.bench.fake.card_seen(user_id, task_id) or {}


async def test_withdrawing_from_the_wish_card_ends_the_claim_card(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig)
    wish_task, _, withdraw = find_card(rig.bench, "lisi", "1:w:1")
    wish_task = next(t for t, c in rig.bench.fake.cards["lisi"].items() if t != claim_task and "1:w:1" in keys(c))

    await rig.press("lisi", wish_task, withdraw)

    await eventually(lambda: done_key not in keys(seen(rig, "lisi", claim_task)))
    assert "已取消认领" in str(seen(rig, "lisi", claim_task))
    await press_stale(rig, "lisi", claim_task, done_key)
    await eventually(lambda: "已取消认领" in rig.bench.last_text("lisi"))
    assert "时长" not in rig.bench.last_text("lisi")


async def test_giving_up_on_the_claim_card_ends_it(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig)

    await rig.press("lisi", claim_task, encode(Act.WITHDRAW, 1))

    await eventually(lambda: "已放弃" in str(seen(rig, "lisi", claim_task)))
    assert done_key not in keys(seen(rig, "lisi", claim_task))
    await press_stale(rig, "lisi", claim_task, done_key)
    await eventually(lambda: "已放弃" in rig.bench.last_text("lisi"))


async def test_a_released_claim_ends_its_card(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig, "#微心愿 帮忙修水管 名额1 截止12月1日")
    claim_id = int(done_key.split(":")[2])

    assert await rig.bench.usecases.release_stale_claim(claim_id, 3) == 1
    rig.bench.platform.poke()

    await eventually(lambda: "已被释放" in str(seen(rig, "lisi", claim_task)))
    assert done_key not in keys(seen(rig, "lisi", claim_task))
    await press_stale(rig, "lisi", claim_task, done_key)
    await eventually(lambda: "已被释放" in rig.bench.last_text("lisi"))


async def test_promotion_from_the_waitlist_sends_a_live_claim_card(rig: Rig) -> None:
    claim_task, _ = await claimed(rig)
    bench = rig.bench
    await eventually(lambda: has_card(bench, "zhangsan", encode(Act.WAITLIST, 1)))
    task_id, _, key = find_card(bench, "zhangsan", encode(Act.WAITLIST, 1))
    await rig.press("zhangsan", task_id, key)
    await eventually(lambda: any("候补" in text for text in bench.fake.texts("zhangsan")))

    await rig.press("lisi", claim_task, encode(Act.WITHDRAW, 1))

    await eventually(lambda: has_card(bench, "zhangsan", "1:d:"))
    _, promoted, _ = find_card(bench, "zhangsan", "1:d:")
    assert "候补转为认领" in str(promoted)
    await eventually(lambda: "已放弃" in str(seen(rig, "lisi", claim_task)))


async def test_done_then_return_then_confirm_follow_on_the_cards(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig)
    bench = rig.bench
    claim_id = int(done_key.split(":")[2])

    await rig.press("lisi", claim_task, done_key)
    await eventually(lambda: "时长" in bench.last_text("lisi"))
    await bench.say("lisi", "2 买好了")
    await eventually(lambda: "待确认" in str(seen(rig, "lisi", claim_task)))
    assert done_key not in keys(seen(rig, "lisi", claim_task))
    await press_stale(rig, "lisi", claim_task, done_key)
    await eventually(lambda: "等待书记确认" in bench.last_text("lisi"))

    await eventually(lambda: has_card(bench, "admin", encode(Act.RETURN, claim_id)))
    review_task, _, return_key = find_card(bench, "admin", encode(Act.RETURN, claim_id))
    confirm_key = encode(Act.CONFIRM, claim_id)
    await eventually_followed(rig, review_task)
    await rig.press("admin", review_task, return_key)
    await eventually(lambda: "原因" in bench.last_text("admin"))
    await bench.say("admin", "缺少签字")
    await eventually(lambda: seen(rig, "admin", review_task)["main_title"]["title"] == "↩️ 已退回")
    assert confirm_key not in keys(seen(rig, "admin", review_task))
    await press_stale(rig, "admin", review_task, confirm_key)
    await eventually(lambda: "已退回" in bench.last_text("admin") and "当前状态" not in bench.last_text("admin"))

    # reported again: a new review card; confirm, then rate
    await eventually(lambda: any("缺少签字" in str(c) and "1:d:" in str(c) for c in bench.fake.cards["lisi"].values()))
    task, card = next((t, c) for t, c in bench.fake.cards["lisi"].items() if "缺少签字" in str(c) and "1:d:" in str(c))
    await rig.press("lisi", task, next(k for k in keys(card) if k.startswith("1:d:")))
    await eventually(lambda: "时长" in bench.last_text("lisi"))
    rig.clock.advance(timedelta(minutes=30))  # reported again later: a report of its own
    await bench.say("lisi", "1 补了签字")
    await eventually(
        lambda: len([t for t in bench.fake.cards["admin"] if confirm_key in keys(seen(rig, "admin", t))]) == 1
    )
    second = next(t for t in bench.fake.cards["admin"] if confirm_key in keys(seen(rig, "admin", t)))
    await eventually_followed(rig, second)
    await rig.press("admin", second, confirm_key)
    await eventually(lambda: seen(rig, "admin", second)["main_title"]["title"] == "✅ 已确认")
    assert encode(Act.RATE, claim_id, "3") in keys(seen(rig, "admin", second))
    await rig.press("admin", second, encode(Act.RATE, claim_id, "3"))
    await eventually(lambda: seen(rig, "admin", second)["main_title"]["title"] == "✅ 已确认 ★★★")


async def test_cancel_n_tells_everyone_and_ends_the_cards_that_can_still_change(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig)
    bench = rig.bench
    wish_task, _, _claim_key = find_card(bench, "zhangsan", "1:")

    await bench.say("admin", "/cancel 1")

    assert "已取消微心愿 #1" in bench.last_text("admin")
    await eventually(lambda: any("已被支部书记取消" in text for text in bench.fake.texts("lisi")))
    await eventually(lambda: "已取消" in str(seen(rig, "lisi", claim_task)))
    assert done_key not in keys(seen(rig, "lisi", claim_task))
    # zhangsan's card has no code left: his old press says why, and its code redraws the card without claim buttons
    await press_stale(rig, "zhangsan", wish_task, encode(Act.CLAIM, 1))
    await eventually(lambda: "已取消" in bench.last_text("zhangsan"))
    await eventually(lambda: encode(Act.CLAIM, 1) not in keys(seen(rig, "zhangsan", wish_task)))
    await bench.say("admin", "/cancel")
    assert bench.last_text("admin") == "已取消。" or "取消" in bench.last_text("admin")


async def test_close_n_ends_claiming_and_the_claim_can_still_be_reported(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig)
    bench = rig.bench
    wish_task, _, _ = find_card(bench, "zhangsan", "1:")

    await bench.say("admin", "/close 1")

    assert "已结束认领" in bench.last_text("admin")
    await eventually(lambda: any("您的认领仍有效" in text for text in bench.fake.texts("lisi")))
    await press_stale(rig, "zhangsan", wish_task, encode(Act.CLAIM, 1))
    await eventually(lambda: "已结束认领" in bench.last_text("zhangsan"))
    await eventually(lambda: "已结束" in str(seen(rig, "zhangsan", wish_task)))
    assert done_key in keys(seen(rig, "lisi", claim_task))
    await rig.press("lisi", claim_task, done_key)
    await eventually(lambda: "时长" in bench.last_text("lisi"))


async def test_the_secretarys_manage_card_closes_the_wish_and_follows_it(rig: Rig) -> None:
    claim_task, done_key = await claimed(rig)
    bench = rig.bench
    close_key = encode(Act.CLOSE_WISH, 1)
    before = len(bench.fake.inbox.get("admin", []))
    status, _, _ = await bench.post(text_message_xml("admin", "/manage 1", str(next(bench.ids))))
    assert status == 200
    await eventually(lambda: len(bench.fake.inbox.get("admin", [])) > before and has_card(bench, "admin", close_key))
    manage_task, _, _ = find_card(bench, "admin", close_key)
    await eventually_followed(rig, manage_task)

    await rig.press("admin", manage_task, close_key)

    await eventually(lambda: "已结束认领" in bench.last_text("admin"))
    await eventually(lambda: "已结束" in str(seen(rig, "admin", manage_task)))
    assert close_key not in keys(seen(rig, "admin", manage_task))
    await eventually(lambda: any("您的认领仍有效" in text for text in bench.fake.texts("lisi")))
    assert done_key in keys(seen(rig, "lisi", claim_task))
