"""Issue 14, item 5 (continued): the digest and the ledger's 汇总 sheet say how many of the quarter's hours were 战时,
on both engines, and a service read back by its id keeps its kind."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

from openpyxl import load_workbook

from bot.domain.model import Account, Branch, ChatRef, ServiceKind
from bot.reports.digest_text import render_digest_text
from bot.reports.ledger import build_ledger_xlsx
from bot.reports.render import build_digest
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, World
from tests.schedule_support import deps_for
from tests.test_ledger_service_kinds import a_quarter_of_every_kind


async def two_branches(world: World) -> tuple[Branch, Account, Account]:
    """幸福里 has every kind of service (8 h, 4 h of them 战时); 和平里's 赵强 serves a routine wish (2 h)."""
    zhang, li, _ = await a_quarter_of_every_kind(world)
    created = await world.app.create_branch(
        cmd.CreateBranch(world.secretary, "和平里e支部", ChatRef("telegram", "-300"), None, by_bot_admin=True)
    )
    assert isinstance(created, outcomes.BranchCreated)
    zhao = await world.member("20", "赵强", branch=created.branch)
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, created.branch.id, "帮忙修水管 名额1"))
    assert isinstance(posted, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(zhao, posted.view.wish.id))
    claim = (await world.app.my_claims(zhao)).claims[0][0]
    await world.app.mark_done(cmd.MarkDone(zhao, claim.id, 2, "修好了"))
    await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id))
    return created.branch, zhang, li


def branch_block(text: str, name: str) -> list[str]:
    """The digest's lines about one branch: its title and what follows up to the next title or blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("<b>") and name in line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line or line.startswith("<b>"):
            break
        block.append(line)
    return block


async def test_branch_stats_count_the_quarters_emergency_hours_per_branch(world: World) -> None:
    peace, _, _ = await two_branches(world)
    today = world.clock.now().date()

    stats = await SqlReports(world.db).branch_stats(
        world.branch.committee_id, date(2026, 10, 1), today - timedelta(days=7), today + timedelta(days=1), SHANGHAI
    )

    by_id = {s.branch_id: s for s in stats}
    assert (by_id[world.branch.id].hours_quarter, by_id[world.branch.id].emergency_hours_quarter) == (8.0, 4.0)
    assert (by_id[peace.id].hours_quarter, by_id[peace.id].emergency_hours_quarter) == (2.0, 0.0)


async def test_the_digest_says_the_emergency_hours_only_where_there_were_some(world: World) -> None:
    await two_branches(world)
    world.clock.set(world.clock.now() + timedelta(days=7))
    async with world.store.unit() as unit:
        committee = (await unit.committees.all())[0]

    data = await build_digest(deps_for(world).reports, committee, world.clock.now(), SHANGHAI)
    text = render_digest_text(data, "zh")
    english = render_digest_text(data, "en")

    (hours,) = [line for line in text.splitlines() if line.startswith("本季度服务时长")]
    assert hours.startswith("本季度服务时长：10小时") and hours.endswith("（其中战时4小时）")
    happy = [line for line in branch_block(text, world.branch.name) if "时长" in line]
    assert len(happy) == 1 and happy[0].endswith("｜时长8小时 ▲8（其中战时4小时）")
    peace = [line for line in branch_block(text, "和平里e支部") if "时长" in line]
    assert len(peace) == 1 and peace[0].endswith("｜时长2小时 ▲2")
    assert text.count("其中战时") == 2
    (en_hours,) = [line for line in english.splitlines() if line.startswith("Service hours this quarter")]
    assert en_hours.endswith(" (4 h in emergencies)")
    assert [line for line in branch_block(english, world.branch.name) if line.endswith(" (4 h in emergencies)")]


async def test_the_ledger_summary_has_the_emergency_hours_beside_the_hours(world: World) -> None:
    peace, _, _ = await two_branches(world)
    data = await SqlReports(world.db).ledger(
        world.branch.committee_id, None, world.clock.now().astimezone(SHANGHAI), SHANGHAI
    )

    book = load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, data, "zh")))

    sheet = book["汇总"]
    header = [c.value for c in sheet[1]]
    hours = header.index("服务时长（小时）")
    assert header[hours + 1] == "其中战时（小时）"
    table = {row[0]: row[hours : hours + 2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert table[world.branch.name] == (8, 4)
    assert table[peace.name] == (2, 0)
    assert table["合计"] == (10, 4)


async def test_a_service_read_by_its_id_keeps_its_kind(world: World) -> None:
    zhang, li, wishes = await a_quarter_of_every_kind(world)
    ids = [(await world.get_member(who)).id for who in (zhang, li)]
    async with world.store.unit() as unit:
        records = [record for member_id in ids for record in await unit.services.of_member(member_id)]
        read = {r.wish_id: await unit.certificates.service(r.id) for r in records}
    kinds = {wish_id: record.kind if record else None for wish_id, record in read.items()}

    assert kinds == {
        wishes["task"]: ServiceKind.EMERGENCY,
        wishes["routine"]: ServiceKind.NORMAL,
        wishes["urgent"]: ServiceKind.EMERGENCY,
        wishes["drill"]: ServiceKind.DRILL,
        None: ServiceKind.NORMAL,
    }
