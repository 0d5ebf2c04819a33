"""Several `ebranch run` processes on one PostgreSQL database behind a round-robin load balancer, as a city deploys
them: Telegram's webhook pushes 10,000 taps on 50 small wishes in five branch groups (each member taps each wish of
their branch five times); none is over-filled, nobody holds two claims on one wish, and every tap is answered."""

from __future__ import annotations

import asyncio
import collections
import os
import random
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from benchmarks.instances import GROUPS, cards, seed, start_instances, stop_instances
from handlers.sandbox import FakeBotApi
from handlers.sandbox.state import CallbackAnswer, CallbackQueryRecord
from storage.postgres import open_postgres
from tests.pg_server import PostgresServer
from tests.telegram_fixtures import eventually


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A database of this test's own on the test server."""
    name = f"ebranch_multi_{os.getpid()}"
    url = await postgres_server.create_database(name)
    yield url
    await postgres_server.drop_database(name)


async def test_ten_thousand_taps_through_four_instances_fill_every_wish_exactly_and_all_are_answered(
    tmp_path: Path, database: str
) -> None:
    api = FakeBotApi(callback_answer_window=120.0)
    await api.start()
    city = await seed(database, api, per_branch=40, wishes_per_branch=10)
    processes, balancer = await start_instances(tmp_path, city, 4)
    try:
        try:
            await eventually(lambda: sum(len(c) for c in cards(api).values()) == 50, within=90)
        except AssertionError:
            sends = api.calls_to("sendMessage")
            raise AssertionError(
                f"cards per group {[len(c) for c in cards(api).values()]}: {[m.text for m in cards(api)[GROUPS[-1]]]};"
                f" {len(sends)} sendMessage calls,"
                f" last: {sends[-3:] if sends else None}; all calls: {sorted({c.method for c in api.calls})}"
            ) from None
        pairs = []
        for group_id, posted in cards(api).items():
            for card in posted:
                claim = next(b["callback_data"] for b in card.buttons() if b.get("text") == "认领")
                pairs += [(member, card, claim) for member in city.members[group_id] for _ in range(5)]
        random.Random(13).shuffle(pairs)

        taps = []
        started = time.monotonic()
        for n, (member, card, claim) in enumerate(pairs):
            pressed = await api.press_button(member, card, claim, seen=[claim])
            taps.append((pressed, time.monotonic()))
            if n % 500 == 499:
                await asyncio.sleep(0.2)
        assert len(taps) == 10_000
        latencies: list[float] = []

        async def answered(tap: CallbackQueryRecord, at: float) -> CallbackAnswer:
            answer = await tap.wait_answer(300)
            latencies.append(time.monotonic() - at)
            return answer

        answers = await asyncio.gather(*(answered(tap, at) for tap, at in taps))
        spread = time.monotonic() - started

        assert len(answers) == 10_000, "every tap is answered"
        db = await open_postgres(database, migrate=False)
        try:
            async with db.snapshot() as conn:
                held = await conn.execute_fetchall(
                    "SELECT wish_id, count(*), count(DISTINCT member_id) FROM claims"
                    " WHERE status IN ('claimed', 'done', 'confirmed') GROUP BY wish_id"
                )
                every = await conn.execute_fetchall("SELECT wish_id, status, count(*) FROM claims GROUP BY 1, 2")
                events = await conn.execute_fetchall("SELECT count(*) FROM processed_events")
        finally:
            await db.close()
        found = {r[0]: (r[1], r[2]) for r in held}
        short = {w: (found.get(w), s) for w, s in city.wishes.items() if found.get(w) != (s, s)}
        assert not short, (short, [tuple(r) for r in every if r[0] in short], events[0][0])
        said = collections.Counter((a.text or "").split("\n")[0][:30] for a in answers)
        succeeded = sum(n for text, n in said.items() if "认领成功" in text)
        assert succeeded == sum(city.wishes.values()), said
        assert min(balancer.sent) > 0, f"every instance took updates: {balancer.sent}"
        latencies.sort()
        print(
            f"\n10,000 taps over 4 instances in {spread:.1f} s; per instance {balancer.sent};"
            f" webhook {api.webhook_push.stats if api.webhook_push else None};"
            f" answer latency median {statistics.median(latencies):.2f} s,"
            f" p99 {latencies[int(len(latencies) * 0.99)]:.2f} s"
        )
    finally:
        await stop_instances(processes)
        await balancer.stop()
        await api.stop()
