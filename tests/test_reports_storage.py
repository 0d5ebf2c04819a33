"""Report queries on both engines: the ledger streamed on its own connection, the nudge sweep in pages, digest edges."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

import openpyxl

from bot.domain.model import Account, ChatRef
from bot.ports.clock import ManualClock
from bot.reports import build_ledger_xlsx
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from bot.usecases.roster import RosterRow
from storage.reports import SqlReports
from storage.sqlite import open_database
from storage.uow import SqlStore
from tests.conftest import SHANGHAI, START, World


async def _served(world: World) -> int:
    """Three members; one claims a wish, is confirmed and so has a service; returns the committee id."""
    zhang, _, _ = [await world.member(str(10 + i), name) for i, name in enumerate(("张伟", "李娜", "王芳"))]
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(posted, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(zhang, posted.view.wish.id))
    claim = (await world.app.my_claims(zhang)).claims[0][0]
    await world.app.mark_done(cmd.MarkDone(zhang, claim.id, 3, "送到了"))
    await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id, 5))
    async with world.store.unit() as unit:
        return (await unit.committees.all())[0].id


async def test_ledger_rows_stream_on_their_own_connection_without_the_store_lock(world: World) -> None:
    committee = await _served(world)
    data = await SqlReports(world.db).ledger(committee, None, START, SHANGHAI)
    assert not isinstance(data.members, list | tuple) and not isinstance(data.services, list | tuple)

    members = iter(data.members)
    first = await asyncio.to_thread(next, members)
    await asyncio.wait_for(world.member("99", "新党员"), timeout=5)
    rest = await asyncio.to_thread(list, members)

    names = [first.name, *(m.name for m in rest)]
    assert names[:1] == ["王书记"] and {"张伟", "李娜", "王芳"} <= set(names)
    (service,) = await asyncio.to_thread(list, data.services)
    assert (service.member, service.subject, service.hours, service.confirmed, service.rating) == (
        "张伟",
        "帮忙买年货",
        3.0,
        True,
        5,
    )
    (wish,) = await asyncio.to_thread(list, data.wishes)
    assert (wish.title, wish.claimers, wish.branch) == ("帮忙买年货", "张伟", "幸福里e支部")


async def test_a_ledger_built_from_storage_reads_back(world: World) -> None:
    committee = await _served(world)
    data = await SqlReports(world.db).ledger(committee, world.branch.id, START, SHANGHAI)
    book = openpyxl.load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, data, "zh")))
    zhang = next(row for row in book["党员"].iter_rows(values_only=True) if row[1] == "张伟")
    assert zhang[2] == "幸福里e支部" and zhang[8:11] == (1, 1, 3)
    (wish,) = [row for row in book["微心愿"].iter_rows(min_row=2, values_only=True)]
    assert wish[5:7] == ("认领中", "平时")  # 2 slots, 1 claim held
    assert [row[1:6] for row in book["服务记录"].iter_rows(min_row=2, values_only=True)] == [
        ("张伟", "幸福里e支部", wish[0], "帮忙买年货", "送到了")
    ]


async def test_an_in_memory_database_reads_the_ledger_at_once() -> None:
    db = await open_database(":memory:")
    try:
        app = UseCases(SqlStore(db), ManualClock(START), SHANGHAI)
        admin = Account("telegram", "1", "区委组织部")
        await app.create_committee(cmd.CreateCommittee(admin, "e党委", ChatRef("telegram", "-100"), by_bot_admin=True))
        created = await app.create_branch(
            cmd.CreateBranch(admin, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
        )
        assert isinstance(created, outcomes.BranchCreated)
        await app.report_in(cmd.ReportIn(admin, created.branch.id, "张伟", "市税务局", "第三党支部", (), "服务"))
        data = await SqlReports(db).ledger(created.branch.committee_id, None, START, SHANGHAI)
        assert isinstance(data.members, list)
        assert [(m.name, m.reported_at) for m in data.members] == [("张伟", date(2026, 11, 23))]
    finally:
        await db.close()


async def test_nudge_candidates_come_in_pages_in_member_order(world: World) -> None:
    await _served(world)
    accounts = await world.members(4)
    reports = SqlReports(world.db)
    pages = [page async for page in reports.nudge_candidates(date(2026, 10, 1), date(2027, 1, 1), START, batch=2)]
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    candidates = [c for page in pages for c in page]
    ids = [c.member.id for c in candidates]
    assert ids == sorted(ids)
    names = [c.member.name for c in candidates]
    assert "张伟" not in names and {"王书记", "李娜", "王芳", "党员000", "党员003"} <= set(names)
    assert all(c.branch == world.branch and c.reachable for c in candidates)
    last = candidates[-1]
    assert (last.user_id, last.member.skills, last.member.reported_at is not None) == (accounts[-1].user_id, (), True)


async def test_members_keep_their_number_as_others_report_in_and_leave(world: World) -> None:
    committee = await _served(world)
    reports = SqlReports(world.db)

    async def numbers(branch_id: int | None = None) -> dict[str, int | None]:
        data = await reports.ledger(committee, branch_id, START, SHANGHAI)
        return {m.name or f"left:{m.member_id}": m.number for m in await asyncio.to_thread(list, data.members)}

    before = await numbers()
    assert before == {"王书记": 1, "张伟": 2, "李娜": 3, "王芳": 4}
    li = await world.get_member(Account("telegram", "11", "李娜"))
    world.clock.advance(timedelta(hours=1))
    roster = await world.app.import_roster("幸福里e支部", [RosterRow(2, "陈静", "13800138000")])
    assert roster.created == 1  # pre-registered first (the lower id), reports in last
    world.clock.advance(timedelta(hours=1))
    await world.app.leave(cmd.Leave(Account("telegram", "11", "李娜")))
    created = await world.app.create_branch(
        cmd.CreateBranch(world.admin, "和平里e支部", ChatRef("telegram", "-300"), None, by_bot_admin=True)
    )
    assert isinstance(created, outcomes.BranchCreated)
    await world.member("30", "赵强", branch=created.branch)
    assert (await numbers())["陈静"] is None  # not reported in yet: no number
    world.clock.advance(timedelta(hours=1))
    await world.app.link_phone(cmd.LinkPhone(Account("telegram", "31", "陈静"), "13800138000"))

    after = await numbers()
    assert after == {"王书记": 1, "张伟": 2, f"left:{li.id}": 3, "王芳": 4, "陈静": 6, "赵强": 5}
    assert await numbers(created.branch.id) == {"赵强": 5}  # a branch's ledger shows the committee's numbers


async def test_the_sweep_reads_past_a_run_of_members_who_all_served(world: World) -> None:
    accounts = await world.members(14)
    for account in accounts[:12]:
        member = await world.get_member(account)
        await world.app.log_service(
            cmd.LogService(world.secretary, world.branch.id, member.id, date(2026, 11, 20), 1, "巡逻")
        )
    reports = SqlReports(world.db)
    pages = [page async for page in reports.nudge_candidates(date(2026, 10, 1), date(2027, 1, 1), START, batch=2)]
    assert [len(page) for page in pages] == [2, 1]
    assert [c.member.name for page in pages for c in page] == ["王书记", "党员012", "党员013"]
    assert [c.user_id for page in pages for c in page] == [world.secretary.user_id, "m12", "m13"]


async def test_branch_stats_count_done_services_where_done_counts_and_empty_branches_as_zero(world: World) -> None:
    zhang, _ = await world.member("10", "张伟"), await world.member("11", "李娜")
    peace = await world.app.create_branch(
        cmd.CreateBranch(world.secretary, "和平里e支部", ChatRef("telegram", "-300"), None, by_bot_admin=True)
    )
    empty = await world.app.create_branch(
        cmd.CreateBranch(world.secretary, "空e支部", ChatRef("telegram", "-400"), None, by_bot_admin=True)
    )
    assert isinstance(peace, outcomes.BranchCreated) and isinstance(empty, outcomes.BranchCreated)
    zhao = await world.member("20", "赵强", branch=peace.branch)
    for who, branch in ((zhang, world.branch.id), (zhao, peace.branch.id)):
        posted = await world.app.post_wish(cmd.PostWish(world.secretary, branch, "帮忙买年货 名额1"))
        assert isinstance(posted, outcomes.WishPosted)
        await world.app.claim(cmd.ClaimWish(who, posted.view.wish.id))
        claim = (await world.app.my_claims(who)).claims[0][0]
        await world.app.mark_done(cmd.MarkDone(who, claim.id, 2, "送到了"))
    async with world.store.unit() as unit:
        await unit.branches.set_options(world.branch.id, done_counts_as_served=True)

    stats = await SqlReports(world.db).branch_stats(
        world.branch.committee_id, date(2026, 10, 1), date(2026, 11, 23), date(2026, 11, 30), SHANGHAI
    )

    by_name = {s.branch_name: s for s in stats}
    happy, other, nobody = by_name[world.branch.name], by_name["和平里e支部"], by_name["空e支部"]
    assert (happy.members_total, happy.members_reported, happy.served_this_quarter, happy.hours_quarter) == (
        3,
        3,
        1,
        2.0,
    )
    assert (happy.wishes_posted, happy.wishes_claimed, happy.wishes_open, happy.oldest_open_days) == (1, 1, 1, 7)
    assert (other.members_total, other.served_this_quarter, other.hours_quarter, other.wishes_claimed) == (1, 0, 0.0, 1)
    assert (nobody.members_total, nobody.members_reported, nobody.served_this_quarter, nobody.wishes_open) == (
        0,
        0,
        0,
        0,
    )
    assert (nobody.oldest_open_days, nobody.hours_quarter, nobody.top_members, nobody.confirmed_in_period) == (
        None,
        0.0,
        (),
        0,
    )
    assert happy.top_members == (("张伟", 2.0),)
