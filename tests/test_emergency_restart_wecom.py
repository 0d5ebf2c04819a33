"""``kill -9`` of a WeCom bot in the middle of a call: while its fan-out is being recorded (the restart finishes it,
the prompts go out in batches, one card a member), and while a batched prompt send is in flight (WeCom carried the
call out, the process died before it could mark a single entry sent; after the restart the entries go out again
under the call's recorded key, WeCom refuses the task id it has seen, and every member still has one prompt card)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from handlers.wecom.platform import WeComPlatform
from storage.sqlite import open_database
from storage.uow import SqlStore
from tests.conftest import query, wired
from tests.fakes import eventually
from tests.test_emergency_restart import killed_mid_fan_out
from tests.test_emergency_wecom_batch import branch_of, prompt_cards, prompt_rows, prompt_sends, until
from tests.test_wecom_restarts_and_delivery import Rig, rig

__all__ = ["rig"]

MEMBERS = 30
ROOT = Path(__file__).resolve().parent.parent


async def restarted(rig: Rig) -> None:
    """Open the database again and start a new platform on it (the bot process restarted)."""
    rig.clock.set(datetime.now(UTC))  # the child recorded on the real clock
    rig.db = await open_database(rig.path)
    store = SqlStore(rig.db)
    usecases, renderer = wired(rig.db, store, rig.clock)
    rig.bench.platform = WeComPlatform(
        rig.config, usecases, store, rig.clock, card_interval=0.05, idle_wait=0.2, renderer=renderer
    )
    rig.bench.usecases, rig.bench.store = usecases, store
    await rig.bench.platform.start()


async def test_a_fan_out_killed_midway_is_finished_after_the_restart_and_each_member_gets_one_card(rig: Rig) -> None:
    bench = rig.bench
    users = await branch_of(rig, 60)
    committee_chat = next(cid for cid, chat in bench.fake.chats.items() if chat.name == "南湖区e党委")
    await bench.platform.stop()
    await rig.db.close()

    await killed_mid_fan_out(str(rig.path), 3, "wecom", committee_chat, "admin")

    await restarted(rig)
    called = await query(rig.db, "SELECT count(*) FROM emergency_calls")
    assert 0 < int(called[0][0]) < len(users)
    await bench.usecases.record_reprompts(rig.clock.now())  # the job finishes the fan-out (no re-prompt due)
    bench.platform.poke()

    async def all_sent() -> bool:
        rows = await prompt_rows(rig)
        return all(rows.get(u) == [("sent", "")] for u in users)

    await until(all_sent, 30)
    assert {u: len(prompt_cards(rig, u)) for u in users} == dict.fromkeys(users, 1)
    assert len(prompt_sends(rig)) < len(users) // 10  # batched, not one call per member


async def test_a_bot_killed_mid_batched_send_prompts_nobody_twice_after_its_restart(rig: Rig) -> None:
    bench = rig.bench
    users = await branch_of(rig, MEMBERS)
    committee_chat = next(cid for cid, chat in bench.fake.chats.items() if chat.name == "南湖区e党委")
    await bench.platform.stop()
    await rig.db.close()
    bench.fake.hold_next_response("message/send:template_card")

    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.emergency_wecom_child", str(rig.path), bench.fake.base_url, committee_chat,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), timeout=60) == b"recorded\n"
        await eventually(lambda: all(prompt_cards(rig, u) for u in users), 60)  # WeCom carried the send out
    finally:
        child.send_signal(signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
        bench.fake.release_held()

    rig.clock.set(datetime.now(UTC))  # the child recorded on the real clock
    rig.db = await open_database(rig.path)
    unsent = await query(rig.db, "SELECT count(*) FROM outbox WHERE kind = 'emergency_prompt' AND status = 'pending'")
    assert int(unsent[0][0]) == MEMBERS  # the child died before marking any of them
    store = SqlStore(rig.db)
    usecases, renderer = wired(rig.db, store, rig.clock)
    bench.platform = WeComPlatform(
        rig.config, usecases, store, rig.clock, card_interval=0.05, idle_wait=0.2, renderer=renderer
    )
    bench.usecases, bench.store = usecases, store
    await bench.platform.start()

    async def all_sent() -> bool:
        rows = await prompt_rows(rig)
        return all(rows.get(u) == [("sent", "")] for u in users)

    await until(all_sent, 30)
    sends = prompt_sends(rig)
    assert len(sends) == 2 and sends[0]["template_card"]["task_id"] == sends[1]["template_card"]["task_id"]
    assert {u: len(prompt_cards(rig, u)) for u in users} == dict.fromkeys(users, 1)
