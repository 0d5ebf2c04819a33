"""The weekly digest from SQLite: numbers on a hand-built data set, chart and ledger read back, who may see what."""

from __future__ import annotations

import asyncio
import io
import struct
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.bootstrap import open_core
from bot.cli import main
from bot.config import load_config
from bot.delivery.outbox import OutboxDelivery
from bot.domain import errors
from bot.domain.model import Account, Branch, ChatRef
from bot.jobs.digest import decide_digests, decide_workplace_feedback
from bot.notices.outbox import FeedbackFile
from bot.reports.chart import chart_size
from bot.reports.render import build_digest
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from tests.conftest import World
from tests.schedule_support import at, deps_for, outbox
from tests.test_delivery import RecordingGateway, drain


async def _second_branch(world: World) -> tuple[Branch, Account]:
    secretary = Account("telegram", "3", "李书记")
    created = await world.app.create_branch(
        cmd.CreateBranch(secretary, "和平里e支部", ChatRef("telegram", "-300"), None, by_bot_admin=True)
    )
    assert isinstance(created, outcomes.BranchCreated)
    await world.app.report_in(
        cmd.ReportIn(secretary, created.branch.id, "李书记", "和平里社区", "社区党委", (), "服务")
    )
    return created.branch, secretary


async def _hand_built(world: World) -> None:
    """Two branches; the week before 7 December and the week before that, each with known events."""
    zhang, li, wang = [await world.member(str(10 + i), n) for i, n in enumerate(("张伟", "李娜", "王芳"))]
    peace, _ = await _second_branch(world)
    await world.member("20", "赵强", branch=peace)
    world.clock.set(at(2026, 11, 24))
    first = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙买年货 名额2"))
    assert isinstance(first, outcomes.WishPosted)
    await world.app.claim(cmd.ClaimWish(zhang, first.view.wish.id))
    world.clock.set(at(2026, 12, 1))
    await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "帮忙修水管 名额1"))
    claimed = await world.app.claim(cmd.ClaimWish(li, first.view.wish.id))
    assert claimed
    mine = await world.app.my_claims(zhang)
    claim = mine.claims[0][0]
    await world.app.mark_done(cmd.MarkDone(zhang, claim.id, 3, "送到了"))
    await world.app.confirm(cmd.ConfirmService(world.secretary, claim.id, 5))
    world.clock.set(at(2026, 12, 2))
    target = await world.get_member(wang)
    await world.app.log_service(
        cmd.LogService(world.secretary, world.branch.id, target.id, date(2026, 12, 2), 2, "巡逻")
    )


async def test_digest_numbers_match_the_hand_built_week(world: World) -> None:
    await _hand_built(world)
    world.clock.set(at(2026, 12, 7, 9, 0))
    deps = deps_for(world)
    async with world.store.unit() as unit:
        committee = (await unit.committees.all())[0]

    data = await build_digest(deps.reports, committee, world.clock.now(), deps.tz)

    happy, peace = data.branches
    assert (data.week_start, data.week_end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert (happy.members_total, happy.members_reported, happy.served_this_quarter) == (4, 4, 2)
    assert (happy.wishes_posted, happy.wishes_claimed, happy.wishes_completed) == (1, 1, 0)
    assert (happy.confirmed_in_period, happy.wishes_open, happy.oldest_open_days) == (2, 2, 13)
    assert (happy.overdue_claims, happy.hours_quarter) == (0, 5.0)
    assert happy.top_members == (("张伟", 3.0), ("王芳", 2.0))
    assert (peace.members_reported, peace.served_this_quarter, peace.wishes_posted) == (2, 0, 0)
    before = data.previous[happy.branch_id]
    assert (before.served_this_quarter, before.wishes_posted, before.wishes_claimed, before.wishes_open) == (0, 1, 1, 1)
    assert (data.totals.members_reported, data.totals.served_this_quarter) == (6, 2)


async def test_the_weekly_digest_arrives_once_with_its_chart_and_ledger(world: World) -> None:
    await _hand_built(world)
    world.clock.set(at(2026, 12, 7, 9, 0))
    deps = deps_for(world)
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock, renderer=world.renderer)

    assert await decide_digests(deps, world.clock.now()) == 1
    assert await decide_digests(deps, at(2026, 12, 7, 18, 0)) == 0
    await drain(delivery, rounds=2)

    (digest,) = [m for c, m in gateway.sent if c.chat_id == "-100"]
    assert "南湖区e党委" in digest.text and "幸福里e支部" in digest.text
    chart, ledger = digest.attachments
    assert chart.is_image and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", chart.content[16:24]) == chart_size(2)
    book = openpyxl.load_workbook(io.BytesIO(ledger.content), read_only=True)
    rows = [list(r) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    zhang = next(r for r in rows if "张伟" in r and 3 in r)
    assert "幸福里e支部" in zhang and "市税务局" in zhang
    assert any("帮忙买年货" in r and "张伟、李娜" in r for r in rows)


async def test_ledger_is_scoped_to_what_the_person_may_see(world: World) -> None:
    await _hand_built(world)
    service = world.app
    async with world.store.unit() as unit:
        committee = (await unit.committees.all())[0]
        peace = await unit.branches.by_name("和平里e支部")
    assert peace is not None

    whole = await service.export_ledger(world.admin, committee_id=committee.id)
    branch = await service.export_ledger(world.secretary, branch_id=world.branch.id)
    book = openpyxl.load_workbook(io.BytesIO(branch.content))
    cells = str([r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)])
    assert "张伟" in cells and "赵强" not in cells
    assert whole.filename.endswith(".xlsx") and len(whole.content) > len(branch.content) / 2
    with pytest.raises(errors.NotSecretary):
        await service.export_ledger(world.secretary, branch_id=peace.id)
    with pytest.raises(errors.NotCommitteeAdmin):
        await service.export_ledger(world.secretary, committee_id=committee.id)
    with pytest.raises(errors.NotCommitteeAdmin):
        await service.digest_now(world.secretary, ChatRef("telegram", "-100"))
    assert await service.digest_now(world.admin, ChatRef("telegram", "-100"))
    assert len(await outbox(world, "digest")) == 1


def test_cli_writes_the_digest_and_the_ledger(tmp_path: Path) -> None:
    config_path = tmp_path / "config.toml"
    config_path.write_text('[general]\ndatabase = "ebranch.sqlite3"\n', encoding="utf-8")

    async def setup() -> None:
        async with open_core(load_config(config_path)) as core:
            admin = Account("telegram", "1", "区委组织部")
            await core.usecases.create_committee(
                cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
            )
            await core.usecases.create_branch(
                cmd.CreateBranch(admin, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
            )

    asyncio.run(setup())
    out = tmp_path / "out"
    config = ["--config", str(config_path)]
    assert main(["digest", *config, "--committee", "无此党委", "--out", str(out)]) == 1
    assert main(["digest", *config, "--committee", "南湖区e党委", "--out", str(out)]) == 0
    assert main(["export", *config, "--committee", "南湖区e党委", "--out", str(tmp_path / "台账.xlsx")]) == 0
    assert main(["digest", *config, "--committee", "南湖区e党委"]) == 0

    written = sorted(p.suffix for p in out.iterdir())
    assert written == [".html", ".png", ".txt", ".xlsx"]
    assert "南湖区e党委" in next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert openpyxl.load_workbook(tmp_path / "台账.xlsx").sheetnames


async def test_each_workplace_branch_gets_its_members_quarter_once(world: World) -> None:
    await _hand_built(world)
    deps = deps_for(world, workplace_feedback_chat="telegram:-900")
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock, renderer=world.renderer)
    world.clock.set(at(2027, 1, 1, 9, 30))

    assert await decide_workplace_feedback(deps, world.clock.now()) == 3
    assert await decide_workplace_feedback(deps, world.clock.now()) == 0
    await drain(delivery, rounds=2)

    sent = {m.text.split("：")[0]: m for c, m in gateway.sent if c.chat_id == "-900"}
    assert set(sent) == {"<b>市税务局 第三党支部</b>", "<b>幸福里社区 社区党委</b>", "<b>和平里社区 社区党委</b>"}
    third = sent["<b>市税务局 第三党支部</b>"]
    assert "共4名党员，其中2人已参加" in third.text
    book = openpyxl.load_workbook(io.BytesIO(third.attachments[0].content))
    cells = str([r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)])
    assert "张伟" in cells and "王芳" in cells and "赵强" in cells


async def test_feedback_tells_employers_apart_and_keeps_members_without_a_workplace_branch(world: World) -> None:
    for user, name, workplace, workplace_branch in (
        ("40", "甲", "市税务局", "机关党支部"),
        ("41", "乙", "区财政局&统计局", "机关党支部"),
        ("42", "丙", "区财政局&统计局", ""),
        ("43", "丁", "", ""),
    ):
        account = Account("telegram", user, name)
        await world.app.report_in(cmd.ReportIn(account, world.branch.id, name, workplace, workplace_branch, (), ""))
    deps = deps_for(world, workplace_feedback_chat="telegram:-900")
    gateway = RecordingGateway()
    delivery = OutboxDelivery(world.store, gateway, world.clock, renderer=world.renderer)
    world.clock.set(at(2027, 1, 1, 9, 30))

    assert await decide_workplace_feedback(deps, world.clock.now()) == 4
    await drain(delivery, rounds=2)

    sent = {m.text.split("：")[0]: m for c, m in gateway.sent if c.chat_id == "-900"}
    assert set(sent) == {
        "<b>市税务局 机关党支部</b>",
        "<b>区财政局&amp;统计局 机关党支部</b>",
        "<b>幸福里社区 社区党委</b>",
        "<b>南湖区e党委（未填单位党支部的党员）</b>",
    }

    def names(title: str) -> set[str]:
        (attachment,) = sent[title].attachments
        book = openpyxl.load_workbook(io.BytesIO(attachment.content))
        return {str(row[0]) for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}

    assert names("<b>市税务局 机关党支部</b>") == {"甲"}
    assert names("<b>区财政局&amp;统计局 机关党支部</b>") == {"乙"}
    assert names("<b>南湖区e党委（未填单位党支部的党员）</b>") == {"丙", "丁"}
    assert "区财政局&统计局" in sent["<b>区财政局&amp;统计局 机关党支部</b>"].attachments[0].filename


def test_export_by_workplace_writes_one_file_per_employer_and_branch(tmp_path: Path) -> None:
    config_path = tmp_path / "config.toml"
    config_path.write_text('[general]\ndatabase = "ebranch.sqlite3"\n', encoding="utf-8")

    async def setup() -> None:
        async with open_core(load_config(config_path)) as core:
            admin = Account("telegram", "1", "区委组织部")
            await core.usecases.create_committee(
                cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
            )
            created = await core.usecases.create_branch(
                cmd.CreateBranch(admin, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
            )
            assert isinstance(created, outcomes.BranchCreated)
            for user, name, workplace, workplace_branch in (
                ("40", "甲", "市税务局", "机关党支部"),
                ("41", "乙", "区财政局", "机关党支部"),
                ("42", "丁", "", ""),
            ):
                account = Account("telegram", user, name)
                await core.usecases.report_in(
                    cmd.ReportIn(account, created.branch.id, name, workplace, workplace_branch, (), "")
                )

    asyncio.run(setup())
    out = tmp_path / "feedback"
    assert main(["export", "--config", str(config_path), "--by-workplace", "--out", str(out)]) == 0
    names = sorted(p.name.rsplit("_", 1)[0] for p in out.iterdir())
    assert names == [
        "南湖区e党委_区财政局 机关党支部",
        "南湖区e党委_市税务局 机关党支部",
        "南湖区e党委（未填单位党支部的党员）",
    ]


async def test_a_feedback_notice_recorded_before_employers_were_told_apart_still_renders(world: World) -> None:
    await world.member("40", "甲")  # 市税务局 第三党支部
    async with world.store.unit() as unit:
        committee = (await unit.committees.all())[0]
    world.clock.set(at(2027, 1, 1, 9, 30))

    legacy = await world.renderer.render(FeedbackFile(committee.id, "第三党支部", 2026, 4, world.clock.now()))
    exact = await world.renderer.render(
        FeedbackFile(committee.id, "第三党支部", 2026, 4, world.clock.now(), "市税务局")
    )
    elsewhere = await world.renderer.render(
        FeedbackFile(committee.id, "第三党支部", 2026, 4, world.clock.now(), "区财政局")
    )

    assert legacy is not None and exact is not None and legacy.text == exact.text
    assert exact.text.startswith("<b>市税务局 第三党支部</b>")
    assert elsewhere is None
