"""``kill -9`` in the middle of a call's fan-out: after the restart the fan-out is finished, and every member gets
exactly one prompt (the prompt is recorded in the same transaction as the member's call row, keyed by both)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import TelegramConfig
from bot.delivery.pacing import Budget
from handlers.sandbox import FakeBotApi
from handlers.sandbox.flood import FloodLimits
from handlers.telegram import TelegramPlatform
from handlers.telegram.platform import telegram_pace
from storage.postgres import PostgresDatabase
from tests.conftest import World, query
from tests.telegram_fixtures import ADMIN_ID, SECRETARY_ID, eventually

MEMBERS = 200
ROOT = Path(__file__).resolve().parent.parent


async def killed_mid_fan_out(target: str, pages: int, *where: str) -> int:
    """Run the slow fan-out in a child process and SIGKILL it once ``pages`` transactions committed; its pid.
    ``where``: the platform, committee chat and admin user id, when not Telegram's."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.emergency_fan_out_child", target, *where,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert child.stdout is not None
    committed = 0
    while committed < pages:
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        assert line, "the child ended before it was killed"
        committed += line.startswith(b"committed")
    child.send_signal(signal.SIGKILL)
    assert await child.wait() == -signal.SIGKILL
    return child.pid


async def prompts_per_member(world: World) -> dict[int, int]:
    """How many first prompts of call 1 each member has in the outbox."""
    rows = await query(
        world.db,
        "SELECT member_id, count(*) FROM outbox WHERE dedupe_key LIKE 'emergency:1:prompt:%:1' GROUP BY member_id",
    )
    return {int(r[0]): int(r[1]) for r in rows}


async def test_a_fan_out_killed_midway_is_finished_after_the_restart_and_each_member_is_prompted_once(
    world: World,
) -> None:
    people = [await world.member(str(10_000 + i), f"党员{i:03d}") for i in range(MEMBERS)]
    target = world.db.url if isinstance(world.db, PostgresDatabase) else str(world.db.path)

    await killed_mid_fan_out(target, pages=4)

    called = int((await query(world.db, "SELECT count(*) FROM emergency_calls"))[0][0])
    assert 0 < called < MEMBERS + 1
    before = await prompts_per_member(world)
    assert len(before) == called and set(before.values()) == {1}

    world.clock.set(datetime.now(UTC))
    assert await world.app.record_reprompts(world.clock.now()) == 0  # the job finishes the fan-out (no re-prompt due)

    after = await prompts_per_member(world)
    assert len(after) == MEMBERS + 1 and set(after.values()) == {1}
    api = FakeBotApi(limits=FloodLimits.off())
    await api.start()
    try:
        for user_id, name in ((ADMIN_ID, "区委组织部"), (SECRETARY_ID, "王书记")):
            (await api.add_user(user_id, name)).started = True
        users = []
        for account in people:
            user = await api.add_user(int(account.user_id), account.display_name)
            user.started = True
            users.append(user)
        config = TelegramConfig(
            token=api.token, admins=(ADMIN_ID,), base_url=api.base_url, base_file_url=api.base_file_url
        )
        platform = TelegramPlatform(
            config, world.app, world.store, world.clock, poll_timeout=1, idle_wait=0.2, renderer=world.renderer,
            limiter=telegram_pace(overall=Budget(1_000_000, 1.0)),
        )  # fmt: skip
        await platform.start()
        try:

            def prompted(user_id: int) -> int:
                return sum(1 for m in api.bot_messages(user_id) if "请问您能否到岗" in (m.text or ""))

            await eventually(lambda: all(prompted(u.id) >= 1 for u in users) and prompted(SECRETARY_ID) >= 1, 60)
            await asyncio.sleep(1.0)
            assert {prompted(u.id) for u in users} == {1} and prompted(SECRETARY_ID) == 1
        finally:
            await platform.stop()
    finally:
        await api.stop()
