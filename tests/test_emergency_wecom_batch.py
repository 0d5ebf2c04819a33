"""WeCom emergency prompts in batches: members whose prompt reads the same get it in one ``message/send`` (``touser``
a|b|c, at most the gateway's ``max_recipients``), each still their own outbox entry; members WeCom refuses
(``invaliduser``) are recorded as not reached and prompted again; a refused or unanswered call is retried without a
second card; the end takes the buttons off each shared card with one ``update_template_card``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.notices.callbacks import Act, encode
from tests.conftest import query
from tests.fakes import eventually
from tests.fakes.wecom_api import FakeMember
from tests.test_cards_wecom import keys
from tests.test_emergency_wecom import emergency_job_runs
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, rig

__all__ = ["rig"]

YES = encode(Act.EMERGENCY_ANSWER, 1, "y")
CALL_TEXT = "封控小区急需物资配送"


async def branch_of(rig: Rig, count: int) -> list[str]:
    """``count`` members m00, m01... in the directory and in one branch of the committee, all reported in."""
    users = [f"m{i:02d}" for i in range(count)]
    for user in users:
        rig.bench.fake.members[user] = FakeMember(f"党员{user}")
    await committee_and_branch(rig.bench, *users)
    for user in users:
        await rig.bench.say(user, "/报到 市税务局 | 维修 | 每月服务一次")
    return users


def prompt_sends(rig: Rig) -> list[dict[str, Any]]:
    """The ``message/send`` calls that carried an emergency prompt card, as the fake received them."""
    return [
        payload
        for path, payload in rig.bench.fake.calls
        if path == "message/send"
        and payload.get("msgtype") == "template_card"
        and CALL_TEXT in str(payload["template_card"])
    ]


def prompt_cards(rig: Rig, user: str) -> list[str]:
    """The task ids of the emergency prompt cards this member received."""
    return [
        task
        for task, card in rig.bench.fake.cards.get(user, {}).items()
        if CALL_TEXT in str(card) or "应急召集" in str(card)
    ]


async def prompt_rows(rig: Rig) -> dict[str, list[tuple[str, str]]]:
    """Each member's first-prompt outbox entries as (status, error), by WeCom user id."""
    rows = await query(
        rig.db, "SELECT chat_id, status, coalesce(error, '') FROM outbox WHERE kind = 'emergency_prompt' ORDER BY id"
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for chat_id, status, error in rows:
        found.setdefault(str(chat_id), []).append((str(status), str(error)))
    return found


async def until(condition: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    """Wait until the database says ``condition``, failing the test after ``within`` seconds."""
    async with asyncio.timeout(within):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.05)


async def test_identical_prompts_share_one_call_and_the_end_closes_each_shared_card_in_one_update(rig: Rig) -> None:
    bench = rig.bench
    bench.platform.gateway.max_recipients = 5  # type: ignore[misc]
    users = await branch_of(rig, 12)
    await bench.say("m00", "/应急岗位 物资配送 一网格")
    await bench.say("m01", "/应急岗位 物资配送 一网格")

    await bench.say("admin", f"/应急 {CALL_TEXT}")

    await eventually(lambda: all(prompt_cards(rig, u) for u in users), 20)
    sends = prompt_sends(rig)
    recipients = [str(s["touser"]).split("|") for s in sends]
    assert sorted(len(r) for r in recipients) == [2, 5, 5]  # 物资配送 (2), then the 10 without a post in fives
    assert sorted(u for r in recipients for u in r) == sorted(users)
    assert {u: len(prompt_cards(rig, u)) for u in users} == dict.fromkeys(users, 1)
    assert "物资配送" in str(bench.fake.cards["m00"][prompt_cards(rig, "m00")[0]])
    assert {u: rows for u, rows in (await prompt_rows(rig)).items()} == {u: [("sent", "")] for u in users}

    tasks = {u: prompt_cards(rig, u)[0] for u in users}
    await rig.press("m02", tasks["m02"], YES)
    await eventually(lambda: "已记录：可到" in bench.last_text("m02"))

    await bench.say("admin", "/应急结束")

    def closed(user: str) -> bool:
        card = bench.fake.card_seen(user, tasks[user]) or {}
        return YES not in keys(card) and "本次应急召集已结束" in str(card)

    await eventually(lambda: all(closed(u) for u in users), 20)
    updates = [p for path, p in bench.fake.calls if path == "message/update_template_card"]
    shared = [p for p in updates if len(p.get("userids") or ()) > 1]
    assert sorted(len(p["userids"]) for p in shared) == [2, 5, 5]  # one update per shared card, every member named


async def test_members_wecom_refuses_are_recorded_as_not_reached_and_prompted_again(rig: Rig) -> None:
    bench = rig.bench
    users = await branch_of(rig, 4)
    bench.fake.invisible.add("m03")  # taken out of the app's visible range after joining

    await bench.say("admin", f"/应急 {CALL_TEXT}")

    await eventually(lambda: all(prompt_cards(rig, u) for u in users[:3]), 20)

    async def refused() -> bool:
        return [status for status, _ in (await prompt_rows(rig)).get("m03", [])] == ["failed"]

    await until(refused)
    rows = await prompt_rows(rig)
    assert [status for status, _ in rows["m03"]] == ["failed"] and "invaliduser" in rows["m03"][0][1]
    assert all(rows[u] == [("sent", "")] for u in users[:3])
    assert prompt_cards(rig, "m03") == []
    assert len(prompt_sends(rig)) == 1 and "m03" in str(prompt_sends(rig)[0]["touser"])
    reachable = await query(rig.db, "SELECT reachable FROM accounts WHERE platform = 'wecom' AND user_id = 'm03'")
    assert [int(r[0]) for r in reachable] == [0]

    bench.fake.invisible.discard("m03")  # back in the visible range: the re-prompt reaches them
    assert await emergency_job_runs(rig, timedelta(minutes=10)) >= 1
    await eventually(lambda: len(prompt_cards(rig, "m03")) == 1, 20)
    assert "第 2 次提醒" in str(bench.fake.cards["m03"][prompt_cards(rig, "m03")[0]])


async def test_a_refused_then_unanswered_batch_is_retried_under_its_key_and_nobody_gets_two_cards(rig: Rig) -> None:
    bench = rig.bench
    users = await branch_of(rig, 6)
    bench.fake.fail_next(45033, path="message/send:template_card")  # api concurrency out of limit: nothing sent
    bench.fake.lose_next_response("message/send:template_card")  # then carried out, but the answer is lost (HTTP 504)

    await bench.say("admin", f"/应急 {CALL_TEXT}")

    await eventually(lambda: all(prompt_cards(rig, u) for u in users), 30)

    async def all_sent() -> bool:
        rows = await prompt_rows(rig)
        return all(rows.get(u) == [("sent", "")] for u in users)

    await until(all_sent, 30)
    sends = prompt_sends(rig)
    task_ids = [s["template_card"]["task_id"] for s in sends]
    assert len(sends) == 3 and task_ids[1] == task_ids[2] != task_ids[0]  # refused, lost, retried under its key
    assert {u: len(prompt_cards(rig, u)) for u in users} == dict.fromkeys(users, 1)
