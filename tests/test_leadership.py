"""One leader among instances sharing a PostgreSQL database: an advisory lock on a dedicated connection, taken over
within 15 s when the leader's session ends; jobs due in between run once, claimed by job and period."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.bootstrap import Core, LeaderWork
from bot.config import default_config
from bot.jobs.digest import decide_digests
from bot.jobs.nudges import JobDeps
from bot.ports.leadership import SoleInstance
from bot.scheduler import CLAIM_STALE_AFTER, Job, Scheduler, catch_up, jobs, run_due
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi
from storage.leader import LEADER_LOCK, AdvisoryLeadership
from tests.conftest import World, query
from tests.pg_server import PostgresServer
from tests.schedule_support import at, deps_for, outbox
from tests.telegram_fixtures import GROUP_ID, SECRETARY_ID, eventually, platform_for

TAKEOVER = 15.0


class Changes:
    """What an instance was told of its leadership, in order."""

    def __init__(self) -> None:
        self.seen: list[bool] = []

    async def __call__(self, leading: bool) -> None:
        self.seen.append(leading)


@pytest.fixture
async def election(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A database of its own for the election (advisory locks are per database)."""
    name = f"ebranch_leader_{os.getpid()}"
    url = await postgres_server.create_database(name)
    yield url
    await postgres_server.drop_database(name)


async def lock_holders(url: str) -> list[tuple[int, str]]:
    """The sessions holding the leader lock (pid, application_name), as an operator would look them up."""
    conn = await asyncpg.connect(url)
    try:
        found = await conn.fetch(
            "SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1::bigint::oid AND l.objsubid = 1"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            LEADER_LOCK,
        )
        return [(row[0], row[1]) for row in found]
    finally:
        await conn.close()


async def terminate(url: str, pid: int) -> None:
    """End a session from an admin connection, as a server restart or an operator would."""
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


async def test_two_instances_on_one_database_elect_exactly_one_leader(election: str) -> None:
    a, b = AdvisoryLeadership(election, "host-a:1"), AdvisoryLeadership(election, "host-b:2")
    told_a, told_b = Changes(), Changes()
    await a.start(told_a)
    await b.start(told_b)
    try:
        await eventually(lambda: a.leading or b.leading, within=TAKEOVER)
        for _ in range(3):  # across several checks and retries, the other never leads too
            await asyncio.sleep(a.check_every)
            assert a.leading != b.leading
        leader = a if a.leading else b
        assert sorted([told_a.seen, told_b.seen]) == [[], [True]]
        holders = await lock_holders(election)
        assert [name for _, name in holders] == [f"ebranch leader {leader.instance}"]
    finally:
        await a.stop()
        await b.stop()
    assert not a.leading and not b.leading
    assert await lock_holders(election) == []


async def test_the_other_instance_leads_within_15_s_after_the_leaders_session_is_killed(election: str) -> None:
    a, b = AdvisoryLeadership(election, "host-a:1"), AdvisoryLeadership(election, "host-b:2")
    told = {a.instance: Changes(), b.instance: Changes()}
    await a.start(told[a.instance])
    await eventually(lambda: a.leading, within=TAKEOVER)
    await b.start(told[b.instance])
    try:
        [(pid, _)] = await lock_holders(election)
        await terminate(election, pid)

        await eventually(lambda: b.leading, within=TAKEOVER)
        assert told[a.instance].seen == [True, False], "the old leader stopped its work when its session ended"
        assert told[b.instance].seen == [True]
        [(new_pid, name)] = await lock_holders(election)
        assert new_pid != pid and name == f"ebranch leader {b.instance}"
        await asyncio.sleep(a.retry_every * 2)
        assert not a.leading, "the old leader keeps trying but does not take the held lock"
    finally:
        await a.stop()
        await b.stop()


async def test_a_leader_that_stops_ends_its_work_before_giving_the_lock_up(election: str) -> None:
    follower = AdvisoryLeadership(election, "host-b:2")
    leader = AdvisoryLeadership(election, "host-a:1")
    other_led_while_stopping: list[bool] = []

    async def leader_changed(leading: bool) -> None:
        if not leading:
            await asyncio.sleep(follower.retry_every * 1.5)  # a slow last delivery pass
            other_led_while_stopping.append(follower.leading)

    await leader.start(leader_changed)
    await eventually(lambda: leader.leading, within=TAKEOVER)
    await follower.start(Changes())
    try:
        await leader.stop()
        assert other_led_while_stopping == [False]
        await eventually(lambda: follower.leading, within=TAKEOVER)
    finally:
        await follower.stop()


async def test_a_leader_whose_database_is_gone_stops_leading_and_leads_again_when_it_is_back(
    postgres_server: PostgresServer,
) -> None:
    name = f"ebranch_leader_gone_{os.getpid()}"
    url = await postgres_server.create_database(name)
    leader = AdvisoryLeadership(url, "host-a:1")
    told = Changes()
    await leader.start(told)
    try:
        await eventually(lambda: leader.leading, within=TAKEOVER)
        await postgres_server.drop_database(name)  # every session of it is ended, and it cannot be reached
        await eventually(lambda: not leader.leading, within=TAKEOVER)
        await postgres_server.create_database(name)
        await eventually(lambda: leader.leading, within=TAKEOVER)
        assert told.seen == [True, False, True]
    finally:
        await leader.stop()
        await postgres_server.drop_database(name)


async def test_on_sqlite_the_one_process_leads_from_start_to_stop() -> None:
    sole = SoleInstance("host:1")
    told = Changes()
    await sole.start(told)
    assert sole.leading and told.seen == [True]
    await sole.stop()
    assert not sole.leading and told.seen == [True, False]


# ------------------------------------------------------------------ job runs by job and period


def counted(job: Job, runs: list[datetime]) -> Job:
    """The same job, counting how many times its body ran."""

    async def run(deps: JobDeps, now: datetime) -> int:
        runs.append(now)
        return await decide_digests(deps, now)

    return Job(job.name, run, job.trigger)


def digest_job(deps: JobDeps) -> Job:
    return next(job for job in jobs(deps.settings, deps.tz) if job.name == "digest")


async def test_a_digest_due_while_no_one_led_runs_once_when_both_instances_catch_up(world: World) -> None:
    deps = deps_for(world)
    runs: list[datetime] = []
    job = counted(digest_job(deps), runs)
    assert await catch_up(deps, [job], world.clock.now(), claimant="a/1") == [], "a first start records the time"
    world.clock.set(at(2026, 11, 30, 9, 0))
    assert await run_due(deps, job, world.clock.now(), claimant="a/1"), "the old leader fired Monday's digest"

    world.clock.set(at(2026, 12, 7, 9, 0) + timedelta(seconds=12))  # the next one fell due in the leaderless gap
    caught = await asyncio.gather(
        catch_up(deps, [job], world.clock.now(), claimant="b/1"),
        catch_up(deps, [job], world.clock.now(), claimant="c/1"),
    )

    assert sorted(name for names in caught for name in names) == ["digest"]
    assert len(runs) == 2
    assert [row["dedupe_key"] for row in await outbox(world, "digest")] == ["digest:1:2026W49", "digest:1:2026W50"]
    periods = await query(world.db, "SELECT period, claimed_by, finished_at FROM job_periods WHERE job = 'digest'")
    assert sorted((row[0], row[2] is not None) for row in periods) == [
        ("2026-11-30T01:00:00.000000+00:00", True),
        ("2026-12-07T01:00:00.000000+00:00", True),
    ]
    assert await catch_up(deps, [job], world.clock.now(), claimant="a/2") == []
    assert len(runs) == 2


async def test_a_period_the_old_leader_fired_in_its_last_seconds_is_not_run_again(world: World) -> None:
    deps = deps_for(world)
    runs: list[datetime] = []
    job = counted(digest_job(deps), runs)
    await catch_up(deps, [job], world.clock.now(), claimant="a/1")
    world.clock.set(at(2026, 11, 30, 9, 0))
    fired, caught = await asyncio.gather(
        run_due(deps, job, world.clock.now(), claimant="a/1"),  # the old leader's cron trigger
        catch_up(deps, [job], world.clock.now(), claimant="b/1"),  # the new leader's catch-up
    )
    assert [fired, bool(caught)].count(True) == 1
    assert len(runs) == 1
    assert len(await outbox(world, "digest")) == 1


async def test_a_run_abandoned_by_a_dead_leader_is_taken_over_once_its_claim_is_stale(world: World) -> None:
    deps = deps_for(world)
    runs: list[datetime] = []
    job = counted(digest_job(deps), runs)
    await catch_up(deps, [job], world.clock.now(), claimant="a/1")
    due = at(2026, 11, 30, 9, 0)
    world.clock.set(due)
    assert await deps.usecases.claim_job_period("digest", due, "a/1", due, CLAIM_STALE_AFTER)  # then a died

    world.clock.set(due + CLAIM_STALE_AFTER / 2)
    assert await catch_up(deps, [job], world.clock.now(), claimant="b/1") == [], "a fresh claim may still be running"
    world.clock.set(due + CLAIM_STALE_AFTER * 2)
    assert await catch_up(deps, [job], world.clock.now(), claimant="b/1") == ["digest"]
    assert await catch_up(deps, [job], world.clock.now(), claimant="c/1") == []
    assert len(runs) == 1
    [(claimed_by,)] = await query(world.db, "SELECT claimed_by FROM job_periods WHERE job = 'digest'")
    assert claimed_by == "b/1"


# ------------------------------------------------------------------ the composition root's leader work


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The sandbox Bot API the platform sends to."""
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


def cards(api: FakeBotApi) -> int:
    """Wish cards the bot posted in the branch group (from the outbox; replies to updates are not counted)."""
    return sum(1 for m in api.bot_messages(GROUP_ID) if m.text and "微心愿 #" in m.text.split("\n", 1)[0])


async def pending(world: World) -> int:
    """Outbox entries not sent yet."""
    return len(await query(world.db, "SELECT id FROM outbox WHERE status = 'pending'"))


async def nothing_pending(world: World) -> bool:
    """Whether every outbox entry was sent."""
    return await pending(world) == 0


async def test_only_the_leader_delivers_and_runs_the_scheduler_and_a_new_leader_catches_up(
    api: FakeBotApi, world: World, tmp_path: Path
) -> None:
    secretary = await api.add_user(SECRETARY_ID, "王书记")
    secretary.started = True
    await api.add_group(GROUP_ID, "幸福里e支部", [secretary])
    config = default_config(tmp_path / "unused.sqlite3")
    core = Core(config, world.db, world.store, world.clock, world.app, world.renderer, world.jobs)
    platform = platform_for(api, world)  # delivery loops poll every 0.2 s while they run
    await platform.start(lead=False)
    work = LeaderWork(core, "host-a:1")
    await work.joined(platform)
    try:
        await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
        await asyncio.sleep(1.0)
        assert await pending(world) >= 1 and cards(api) == 0, "a follower records, never delivers"

        await work.changed(True)
        assert work.scheduler is not None and work.scheduler.apscheduler.running
        await eventually(lambda: cards(api) == 1, within=TAKEOVER)
        await eventually(lambda: nothing_pending(world), within=TAKEOVER)  # losing the lead mid-send would send
        # that card again when this instance (or another) leads next: at least once across a change of leader

        await work.changed(False)
        assert work.scheduler is None
        await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙修水管 名额1"))
        await asyncio.sleep(1.0)
        assert cards(api) == 1, "an instance that lost the lead stopped delivering"

        await work.changed(True)  # leads again: catches up with what was recorded meanwhile
        await eventually(lambda: cards(api) == 2, within=TAKEOVER)
    finally:
        work.shutting_down = True
        await platform.stop()
        await work.changed(False)


async def test_a_new_leader_delivers_after_the_handover_and_takes_back_what_its_predecessor_had_taken(
    api: FakeBotApi, world: World, tmp_path: Path
) -> None:
    secretary = await api.add_user(SECRETARY_ID, "王书记")
    secretary.started = True
    await api.add_group(GROUP_ID, "幸福里e支部", [secretary])
    core = Core(default_config(tmp_path / "unused.sqlite3"), world.db, world.store, world.clock, world.app,
                world.renderer, world.jobs)  # fmt: skip
    platform = platform_for(api, world)
    await platform.start(lead=False)
    work = LeaderWork(core, "host-b:2", handover=0.5)
    await work.joined(platform)
    try:
        await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
        await work.changed(True)
        assert work.scheduler is not None and not work.delivering, "the scheduler at once, the deliveries later"
        await work.changed(False)  # lost again during the handover: it never delivered
        await asyncio.sleep(1.0)
        assert not work.delivering and cards(api) == 0

        await work.changed(True)
        await eventually(lambda: work.delivering, within=TAKEOVER)
        await eventually(lambda: cards(api) == 1, within=TAKEOVER)
        await eventually(lambda: nothing_pending(world), within=TAKEOVER)
        await work.changed(False)  # another instance leads for a while, takes a card for delivery, and dies

        await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙修水管 名额1"))
        async with world.store.unit() as unit:
            assert await unit.outbox.due("telegram", world.clock.now(), 100)
        await work.changed(True)
        await eventually(lambda: cards(api) == 2, within=TAKEOVER)  # not once the dead leader's lease ran out
    finally:
        work.shutting_down = True
        await platform.stop()
        await work.changed(False)


async def test_a_job_running_when_the_lead_is_lost_is_cancelled_and_run_once_by_the_next_leader(world: World) -> None:
    deps = deps_for(world)
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def slow_digest(deps: JobDeps, now: datetime) -> int:
        started.set()
        await release.wait()
        finished.append("digest")
        return 0

    async with world.store.unit() as unit:
        await unit.jobs.set_run("digest", at(2026, 11, 16, 9, 0))  # the digest of Monday 23 November is due
    old = Scheduler(deps, world.clock, claimant="a/1")
    old.jobs = [Job("digest", slow_digest, digest_job(deps).trigger)]
    old.start()
    await asyncio.wait_for(started.wait(), timeout=TAKEOVER)
    await old.stop(at_once=True)  # the lead was lost mid-run
    release.set()
    assert finished == []
    [(claimed_by, finished_at)] = await query(world.db, "SELECT claimed_by, finished_at FROM job_periods")
    assert (claimed_by, finished_at) == ("a/1", None)

    world.clock.set(world.clock.now() + CLAIM_STALE_AFTER * 2)
    job = Job("digest", slow_digest, digest_job(deps).trigger)
    assert await catch_up(deps, [job], world.clock.now(), claimant="b/1") == ["digest"]
    assert await catch_up(deps, [job], world.clock.now(), claimant="c/1") == []
    assert finished == ["digest"]
