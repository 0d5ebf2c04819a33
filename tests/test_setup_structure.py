"""`ebranch setup`: committees, branches and secretaries set up offline from .xlsx, .csv or .toml, all or nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.bootstrap import open_core
from bot.cli import main
from bot.config import load_config
from bot.domain.errors import BranchAwaitsSecretary, BranchNotBound
from bot.domain.model import Account, ChatRef
from bot.i18n import Phrase
from bot.jobs.nudges import send_nudges
from bot.notices.views import describe_error
from bot.usecases import commands as cmd
from bot.usecases import outcomes
from bot.usecases.structure import Secretary, StructureFileError, StructureRow, read_structure
from tests.conftest import World
from tests.schedule_support import at, deps_for, outbox
from tests.test_cli import one_language, write_config

DOCS = Path(__file__).resolve().parent.parent / "docs"


def csv_file(tmp_path: Path, text: str, name: str = "setup.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, lang: str = "zh") -> list[str]:
    return [p.text(lang) for p in read_structure(path).problems]


def tables(database: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(database) as conn:
        return {
            "committees": conn.execute("SELECT name FROM committees ORDER BY id").fetchall(),
            "branches": conn.execute(
                "SELECT c.name, b.name, b.chat_id FROM branches b JOIN committees c ON c.id = b.committee_id"
                " ORDER BY b.id"
            ).fetchall(),
            "secretaries": conn.execute(
                "SELECT b.name, m.name, m.phone FROM branch_secretaries s JOIN branches b ON b.id = s.branch_id"
                " JOIN members m ON m.id = s.member_id ORDER BY b.id, m.id"
            ).fetchall(),
        }


# Reading the file


def test_the_templates_in_docs_read_without_a_problem() -> None:
    for name in ("setup-example.csv", "setup-example.toml"):
        result = read_structure(DOCS / name)
        assert result.problems == ()
        branches = {(r.committee, r.branch) for r in result.rows if r.branch}
        assert branches == {
            ("南湖区e党委", "幸福里e支部"),
            ("南湖区e党委", "和平里e支部"),
            ("南湖区e党委", "东栅e支部"),
            ("秀洲区e党委", "长水e支部"),
        }
        assert {r.secretary for r in result.rows if r.secretary} == {
            Secretary("王芳", "13800138000"),
            Secretary("李强", "13900139000"),
            Secretary("陈静", "13700137000"),
            Secretary("张伟", "13600136000"),
        }


def test_empty_committee_and_branch_cells_repeat_the_ones_above_as_merged_cells_read(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "e党委名册\n\n所属党委,支部名称,支部书记,手机号码\n南湖区e党委,幸福里e支部,王芳,138 0013 8000\n"
        ",,李强,+86 139-0013-9000\n,和平里e支部,,\n北湖e党委,,,\n",
    )

    rows = read_structure(path).rows

    assert [(r.committee, r.branch, r.secretary) for r in rows] == [
        ("南湖区e党委", "幸福里e支部", Secretary("王芳", "13800138000")),
        ("南湖区e党委", "幸福里e支部", Secretary("李强", "13900139000")),
        ("南湖区e党委", "和平里e支部", None),
        ("北湖e党委", "", None),
    ]


@pytest.mark.parametrize(
    ("rows", "zh", "en"),
    [
        (",幸福里e支部,王芳,13800138000", "第 2 行：缺少党委名称", "Line 2: the committee is missing"),
        ("南湖区e党委,幸福里e支部,王芳,12345", "第 2 行：手机号“12345”不是有效的", "Line 2: “12345” is not a valid"),
        ("南湖区e党委,幸福里e支部,王芳,", "第 2 行：书记王芳缺少手机号", "Line 2: secretary 王芳 has no phone"),
        ("南湖区e党委,幸福里e支部,,13800138000", "第 2 行：缺少书记姓名", "Line 2: the secretary's name is missing"),
        ("南湖区e党委,,王芳,13800138000", "第 2 行：写了书记却没写支部", "Line 2: a secretary without a branch"),
        ("南湖区e党委,幸福里" + "长" * 40 + ",,", "超过 40 个字", "longer than 40 characters"),
        (
            "南湖区e党委,幸福里e支部,王芳,13800138000\n,,李强,13800138000",
            "第 3 行：手机号 13800138000 这里写的是「李强」，第 2 行写的却是「王芳」",
            "Line 3: phone 13800138000 is “李强” here but “王芳” on Line 2",
        ),
    ],
)
def test_a_bad_row_is_named_by_its_line_with_the_reason(tmp_path: Path, rows: str, zh: str, en: str) -> None:
    path = csv_file(tmp_path, "党委,支部,书记,书记手机号\n" + rows + "\n")

    assert any(zh in text for text in problems(path, "zh")), problems(path, "zh")
    assert any(en in text for text in problems(path, "en")), problems(path, "en")


def test_an_xlsx_file_is_read_like_the_csv(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for cells in (["党委", "支部", "书记", "书记手机号"], ["南湖区e党委", "幸福里e支部", "王芳", 13800138000]):
        sheet.append(cells)
    path = tmp_path / "setup.xlsx"
    workbook.save(path)

    (row,) = read_structure(path).rows

    assert (row.committee, row.branch, row.secretary) == (
        "南湖区e党委",
        "幸福里e支部",
        Secretary("王芳", "13800138000"),
    )


def test_a_toml_file_names_a_bad_entry_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "setup.toml"
    path.write_text(
        '[[committee]]\nname = "南湖区e党委"\n\n[[committee.branch]]\nname = "幸福里e支部"\n'
        'secretaries = [{ name = "王芳", phone = "123" }]\n\n[[committee.branch]]\nname = "和平里e支部"\n'
        'leader = "x"\n',
        encoding="utf-8",
    )

    assert problems(path) == [
        "第 4 行：手机号“123”不是有效的 11 位大陆手机号",
        problems(path)[1],
    ]
    assert problems(path)[1].startswith("第 8 行：不认识的写法“leader”")


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("setup.txt", "党委,支部\n", "setup.file_unsupported"),
        ("setup.csv", "姓名,手机号\n张三,13800138000\n", "setup.file_no_columns"),
        ("setup.toml", 'committee = "南湖"\n', "setup.toml_shape"),
        ("setup.toml", "[[committee]\nname = 1\n", "config.file_bad_toml"),
        ("missing.toml", None, "roster.file_not_found"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_says_why(tmp_path: Path, name: str, content: str | None, key: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(StructureFileError) as caught:
        read_structure(path)

    assert caught.value.key == key
    assert name in caught.value.message("zh") and name in caught.value.message("en")


# The command


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_setup_writes_nothing_while_a_row_is_bad_then_everything_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config = write_config(tmp_path, locale)
    database = tmp_path / "data" / "ebranch.sqlite3"
    path = csv_file(
        tmp_path,
        "党委,支部,书记,书记手机号\n南湖区e党委,幸福里e支部,王芳,13800138000\n,,李强,12345\n,和平里e支部,,\n",
    )

    assert main(["setup", str(path), "--config", str(config)]) == 1
    refused = capsys.readouterr()
    assert {"zh": "第 3 行：手机号“12345”", "en": "Line 3: “12345”"}[locale] in refused.err
    assert {"zh": "没有写入任何内容", "en": "Nothing was written"}[locale] in refused.err
    assert not database.exists(), "a refused file does not even open the database"

    path.write_text(path.read_text(encoding="utf-8").replace("12345", "13900139000"), encoding="utf-8")
    assert main(["setup", str(path), "--config", str(config)]) == 0
    first = capsys.readouterr().out
    assert main(["setup", str(path), "--config", str(config)]) == 0
    again = capsys.readouterr().out

    assert tables(database) == {
        "committees": [("南湖区e党委",)],
        "branches": [("南湖区e党委", "幸福里e支部", None), ("南湖区e党委", "和平里e支部", None)],
        "secretaries": [("幸福里e支部", "王芳", "13800138000"), ("幸福里e支部", "李强", "13900139000")],
    }
    created = {
        "zh": "新建党委 1 个、支部 2 个、书记 2 位",
        "en": "1 committees, 2 branches and 2 secretaries created",
    }
    assert created[locale] in first
    assert {"zh": "新建党委 0 个、支部 0 个、书记 0 位", "en": "0 committees, 0 branches and 0 secretaries"}[
        locale
    ] in again
    assert "/branch" in first and "import-roster" in first
    names = ("南湖区e党委", "幸福里e支部", "和平里e支部", "王芳", "李强", "setup.csv")
    one_language(refused.out + refused.err + first + again, locale, names=names)


def test_a_roster_goes_into_a_branch_that_has_no_chat_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    setup = csv_file(tmp_path, "党委,支部\n南湖区e党委,幸福里e支部\n")
    roster = csv_file(tmp_path, "姓名,手机号\n张伟,13800138000\n李娜,13900139000\n", name="roster.csv")
    assert main(["setup", str(setup), "--config", str(config)]) == 0
    capsys.readouterr()

    assert main(["import-roster", str(roster), "--branch", "幸福里e支部", "--config", str(config)]) == 0

    out = capsys.readouterr().out
    assert "幸福里e支部：新增 2 人" in out and "还没有绑定群" in out and "/branch 幸福里e支部" in out
    with sqlite3.connect(tmp_path / "data" / "ebranch.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM members WHERE home_branch_id IS NOT NULL").fetchone() == (2,)


def test_a_secretary_already_known_by_phone_keeps_their_record_and_is_said_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = write_config(tmp_path)
    first = csv_file(tmp_path, "党委,支部,书记,书记手机号\n南湖区e党委,幸福里e支部,王芳,13800138000\n")
    assert main(["setup", str(first), "--config", str(config_path)]) == 0
    second = csv_file(tmp_path, "党委,支部,书记,书记手机号\n南湖区e党委,和平里e支部,王芳芳,13800138000\n", name="b.csv")
    capsys.readouterr()

    assert main(["setup", str(second), "--config", str(config_path)]) == 0

    assert "第 2 行：手机号 13800138000 已登记为「王芳」" in capsys.readouterr().out
    secretaries = tables(tmp_path / "data" / "ebranch.sqlite3")["secretaries"]
    assert secretaries == [("幸福里e支部", "王芳", "13800138000"), ("和平里e支部", "王芳", "13800138000")]

    async def roles() -> list[str]:
        async with open_core(load_config(config_path)) as core:
            await core.usecases.import_roster("幸福里e支部", [], None)
            member = Account("telegram", "77", "芳")
            await core.usecases.link_phone(cmd.LinkPhone(member, "13800138000"))
            return [b.name for b in (await core.usecases.roles(member)).secretary_of]

    assert asyncio.run(roles()) == ["幸福里e支部", "和平里e支部"]


# Branches without a chat, in the use cases


def _row(committee: str, branch: str, secretary: Secretary | None = None) -> StructureRow:
    return StructureRow(Phrase.of("setup.where_line", line=2), committee, branch, secretary)


async def test_someone_who_reported_in_without_a_phone_becomes_the_secretary_listed_under_theirs(
    world: World,
) -> None:
    app = world.app
    member = await world.member("20", "陈静")
    await app.set_up_structure([_row("南湖区e党委", "和平里e支部", Secretary("陈静", "13700137000"))])

    linked = await app.link_phone(cmd.LinkPhone(member, "13700137000"))

    assert linked.member.id == (await world.get_member(member)).id
    assert linked.member.phone == "13700137000" and linked.member.home_branch_id == world.branch.id
    assert [b.name for b in (await app.roles(member)).secretary_of] == ["和平里e支部"]


async def test_nothing_is_posted_in_a_branch_before_its_group_is_bound(world: World) -> None:
    app = world.app
    secretary = Account("telegram", "30", "陈静")
    await app.set_up_structure([_row("南湖区e党委", "和平里e支部", Secretary("陈静", "13700137000"))])
    await app.link_phone(cmd.LinkPhone(secretary, "13700137000"))
    (branch,) = (await app.roles(secretary)).secretary_of

    with pytest.raises(BranchNotBound) as refused:
        await app.post_wish(cmd.PostWish(secretary, branch.id, "帮忙买年货 名额2"))

    assert "/branch 和平里e支部" in describe_error(refused.value, "zh")
    assert (await app.roles(secretary)).wish_branches == (branch,)


async def test_binding_asks_which_committee_when_two_branches_of_that_name_wait(world: World) -> None:
    app = world.app
    await app.set_up_structure([_row("南湖区e党委", "新风e支部"), _row("秀洲区e党委", "新风e支部")])
    chat = ChatRef("telegram", "-700")

    asked = await app.create_branch(cmd.CreateBranch(world.admin, "新风e支部", chat, None, by_bot_admin=True))

    assert isinstance(asked, outcomes.ChooseCommittee)
    assert [c.name for c in asked.committees] == ["南湖区e党委", "秀洲区e党委"]
    second = asked.committees[1]
    bound = await app.create_branch(cmd.CreateBranch(world.admin, "新风e支部", chat, second.id, by_bot_admin=True))
    assert isinstance(bound, outcomes.BranchCreated) and bound.bound and bound.committee.name == "秀洲区e党委"
    assert bound.branch.chat == chat and bound.members == 0


async def test_a_stranger_cannot_bind_a_branch_that_waits_for_its_secretary(world: World) -> None:
    await world.app.set_up_structure([_row("南湖区e党委", "和平里e支部", Secretary("陈静", "13700137000"))])

    with pytest.raises(BranchAwaitsSecretary):
        await world.app.create_branch(
            cmd.CreateBranch(Account("telegram", "66", "路人"), "和平里e支部", ChatRef("telegram", "-701"), None, False)
        )
    async with world.store.read() as unit:
        (waiting,) = await unit.branches.without_chat("和平里e支部")
    assert waiting.chat is None


async def test_members_of_a_branch_without_a_group_report_in_and_are_left_out_of_reminders(world: World) -> None:
    app = world.app
    await app.set_up_structure([_row("南湖区e党委", "和平里e支部", Secretary("陈静", "13700137000"))])
    secretary = Account("telegram", "30", "陈静")
    await app.link_phone(cmd.LinkPhone(secretary, "13700137000"))
    (waiting,) = (await app.roles(secretary)).secretary_of
    member = Account("telegram", "31", "赵六")
    reported = await app.report_in(cmd.ReportIn(member, waiting.id, "赵六", "市财政局", "", (), "每月服务一次"))
    assert reported.first_time and reported.branch.chat is None
    in_group = await world.member("32", "张伟")

    world.clock.set(at(2027, 1, 31))
    await send_nudges(deps_for(world), world.clock.now())
    await app.record_at_risk_lists(world.clock.now(), not_before=None, lang="zh")

    rows = [*await outbox(world, "nudge"), *await outbox(world, "at_risk"), *await outbox(world, "report_note")]
    members = {r["member_id"] for r in rows if r["kind"] == "nudge"}
    assert (await world.get_member(in_group)).id in members
    assert (await world.get_member(member)).id not in members
    secretary_id = (await world.get_member(secretary)).id
    assert not [r for r in rows if r["member_id"] == secretary_id], "nothing for a branch that has no group yet"
    assert not [r for r in rows if r["kind"] == "report_note" and r["chat_id"] is None]


async def test_a_committee_admin_binds_a_branch_whose_secretary_was_set_up_without_taking_their_place(
    world: World,
) -> None:
    app = world.app
    await app.set_up_structure([_row("南湖区e党委", "和平里e支部", Secretary("陈静", "13700137000"))])
    chat = ChatRef("telegram", "-702")

    bound = await app.create_branch(cmd.CreateBranch(world.admin, "和平里e支部", chat, None, by_bot_admin=False))

    assert isinstance(bound, outcomes.BranchCreated) and bound.bound and not bound.secretary
    async with world.store.read() as unit:
        assert [m.name for m in await unit.branches.secretaries(bound.branch.id)] == ["陈静"]
