"""State every instance shares through the database: the shared_state table's contract on both engines, and the
atomic claims (a lease, a processed update) racing across two instances' connection pools on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

from storage.sqlite import Database
from storage.uow import SqlStore
from tests.conftest import START
from tests.instances import Instance, instances

__all__ = ["instances"]

RACERS = 20
UPDATES = 50


async def test_values_expire_leases_are_taken_once_and_freed_only_by_their_holder(db: Database) -> None:
    store = SqlStore(db)
    later = START + timedelta(seconds=30)
    async with store.unit() as unit:
        await unit.shared.put("wecom:token", '"abc"', START + timedelta(seconds=10))
        await unit.shared.put("telegram:webhook", "set", None)
        assert await unit.shared.claim("lease", "first", START + timedelta(seconds=20), START)
        assert not await unit.shared.claim("lease", "second", START + timedelta(seconds=20), START)
    async with store.read() as unit:
        assert await unit.shared.get("wecom:token", START) == '"abc"'
        assert await unit.shared.get("wecom:token", later) is None
        assert await unit.shared.get("telegram:webhook", later) == "set"
        assert await unit.shared.get("nothing", START) is None
    async with store.unit() as unit:
        assert not await unit.shared.delete("lease", "second")
        assert await unit.shared.claim("lease", "second", later + timedelta(seconds=20), later)
        assert not await unit.shared.claim("telegram:webhook", "other", later, later)
        assert await unit.shared.delete("lease", "second")
        assert await unit.shared.claim("lease", "third", later + timedelta(seconds=20), later)
    async with store.read() as unit:
        assert await unit.shared.get("lease", later) == "third"
        assert await unit.shared.get("telegram:webhook", later) == "set"


async def test_instants_in_other_time_zones_compare_as_the_same_moments(db: Database) -> None:
    store = SqlStore(db)
    utc_expiry = START.astimezone(UTC) + timedelta(seconds=5)
    async with store.unit() as unit:
        await unit.shared.put("k", "v", utc_expiry)
    async with store.read() as unit:
        assert await unit.shared.get("k", START + timedelta(seconds=4)) == "v"
        assert await unit.shared.get("k", START + timedelta(seconds=5)) is None


async def test_one_of_many_instances_racing_for_a_lease_gets_it(instances: list[Instance]) -> None:
    holders = [f"holder-{n}" for n in range(RACERS)]
    won = await asyncio.gather(
        *(instances[n % len(instances)].usecases.hold("lease", holder, 30.0) for n, holder in enumerate(holders))
    )
    assert sum(won) == 1
    winner = holders[won.index(True)]
    assert await instances[0].usecases.shared_value("lease") == winner
    assert await instances[1].usecases.shared_value("lease") == winner


async def test_an_update_delivered_to_two_instances_at_once_is_claimed_by_exactly_one(
    instances: list[Instance],
) -> None:
    first, second = instances
    keys = [f"update:{900_000 + n}" for n in range(UPDATES)]
    results = await asyncio.gather(
        *(instance.usecases.first_time("telegram", key) for key in keys for instance in (first, second))
    )
    assert [sorted(results[2 * n : 2 * n + 2]) for n in range(UPDATES)] == [[False, True]] * UPDATES
    assert await first.usecases.first_time("telegram", keys[0]) is False
    assert await second.usecases.first_time("telegram", keys[-1]) is False
