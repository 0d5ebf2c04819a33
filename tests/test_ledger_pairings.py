"""Issue 15: the ledger's 结对 sheet (one row per pairing, the household by alias only) and 走访 sheet (one row per
visit), in the workbook and as CSV files, on both engines."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from bot.domain.model import ChatRef
from bot.reports.ledger import build_ledger_xlsx, write_ledger_csv
from bot.usecases import commands as cmd
from storage.reports import SqlReports
from tests.conftest import SHANGHAI, World
from tests.schedule_support import at

CONTACT = "13800138000"


async def pair(world: World, text: str) -> int:
    made = await world.app.create_pairing(cmd.CreatePairing(world.secretary, world.branch.id, text))
    return made.view.pairing.id


async def pairings_with_history(world: World) -> dict[str, int]:
    """王奶奶 (monthly, 张伟 then 李娜): two confirmed visits, one pending, one handover; 李爷爷 paused; 刘爷爷 by the
    助老服务队 under 张伟; 陈阿姨 ended. The ledger is read on 20 January 2027."""
    zhang, li = await world.member("10", "张伟"), await world.member("11", "李娜")
    zhang_id = (await world.get_member(zhang)).id
    async with world.store.unit() as unit:
        await unit.teams.create(world.clock.now(), world.branch.id, "助老服务队", zhang_id)
    world.clock.set(at(2026, 11, 23))
    ids = {
        "wang": await pair(world, f"张伟 王奶奶 每月 联系:{CONTACT}"),
        "li": await pair(world, "李娜 李爷爷 每两周"),
        "liu": await pair(world, "助老服务队 刘爷爷 每10天"),
        "chen": await pair(world, "李娜 陈阿姨 每季度"),
    }
    first = await world.app.report_visit(cmd.ReportVisit(zhang, ids["wang"], 2.0, "陪老人聊天"))
    await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, first.visit.id))
    world.clock.set(at(2026, 12, 1))
    await world.app.change_pairing(cmd.ChangePairing(world.secretary, ids["li"], "pause"))
    await world.app.hand_over_pairing(cmd.HandOverPairing(world.secretary, ids["wang"], "李娜"))
    world.clock.set(at(2026, 12, 10))
    second = await world.app.report_visit(cmd.ReportVisit(li, ids["wang"], 1.5))
    await world.app.confirm_visit(cmd.ConfirmVisit(world.secretary, second.visit.id))
    world.clock.set(at(2026, 12, 15))
    await world.app.report_visit(cmd.ReportVisit(li, ids["wang"], 1.0))  # not confirmed: counted nowhere yet
    await world.app.change_pairing(cmd.ChangePairing(world.secretary, ids["chen"], "end"))
    world.clock.set(at(2027, 1, 20))
    return ids


async def workbook(world: World, lang: str = "zh") -> Workbook:
    data = await SqlReports(world.db).ledger(
        world.branch.committee_id, None, world.clock.now().astimezone(SHANGHAI), SHANGHAI
    )
    return load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, data, lang)))


async def test_the_pairing_sheet_has_one_row_per_pairing_by_alias(world: World) -> None:
    ids = await pairings_with_history(world)

    book = await workbook(world)

    sheet = book["结对"]
    assert [c.value for c in sheet[1]] == [
        "结对编号",
        "帮扶对象",
        "结对党员（服务队）",
        "e支部",
        "走访节奏",
        "状态",
        "结对日期",
        "结束日期",
        "已确认走访",
        "服务时长（小时）",
        "最近走访",
        "下次应走访",
        "逾期天数",
        "移交次数",
    ]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(ids.values())
    day = datetime(2026, 11, 23)
    assert rows[ids["wang"]] == (
        ids["wang"],
        "王奶奶",
        "李娜",
        "幸福里e支部",
        "每月",
        "进行中",
        day,
        None,
        2,
        3.5,
        datetime(2026, 12, 15),
        datetime(2027, 1, 15),
        5,
        1,
    )
    assert rows[ids["li"]][1:3] == ("李爷爷", "李娜") and rows[ids["li"]][4:6] == ("每两周", "已暂停")
    assert rows[ids["li"]][8:] == (0, 0, None, None, None, 0), "a paused pairing is not overdue"
    assert rows[ids["liu"]][1:6] == ("刘爷爷", "助老服务队（张伟）", "幸福里e支部", "每10天", "进行中")
    assert rows[ids["liu"]][11:13] == (datetime(2026, 12, 3), 48)
    assert rows[ids["chen"]][5:8] == ("已结束", day, datetime(2026, 12, 15))
    assert rows[ids["chen"]][11:13] == (None, None)
    everything = [cell for ws in book.worksheets for row in ws.iter_rows(values_only=True) for cell in row]
    assert not any(CONTACT in str(cell) for cell in everything), "the contact is for the secretary's eyes only"


async def test_the_visit_sheet_lists_every_visit_and_who_confirmed_it(world: World) -> None:
    ids = await pairings_with_history(world)

    book = await workbook(world)

    sheet = book["走访"]
    assert [c.value for c in sheet[1]] == [
        "走访日期",
        "结对编号",
        "帮扶对象",
        "党员",
        "e支部",
        "服务时长（小时）",
        "已确认",
        "确认人",
        "确认时间",
    ]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        (
            datetime(2026, 11, 23),
            ids["wang"],
            "王奶奶",
            "张伟",
            "幸福里e支部",
            2,
            "是",
            "王书记",
            datetime(2026, 11, 23, 10),
        ),
        (
            datetime(2026, 12, 10),
            ids["wang"],
            "王奶奶",
            "李娜",
            "幸福里e支部",
            1.5,
            "是",
            "王书记",
            datetime(2026, 12, 10, 10),
        ),
        (datetime(2026, 12, 15), ids["wang"], "王奶奶", "李娜", "幸福里e支部", 1, "否", None, None),
    ]
    assert sheet["A2"].is_date and sheet["I2"].is_date
    english = await workbook(world, "en")
    assert english.sheetnames[-2:] == ["Pairings", "Visits"]
    assert english["Pairings"]["F2"].value == "Active" and english["Visits"]["G4"].value == "No"


async def test_a_returned_visit_is_marked_returned_in_the_visit_sheet(world: World) -> None:
    ids = await pairings_with_history(world)
    async with world.store.read() as unit:
        pending = [v for v in await unit.pairings.visits(ids["wang"]) if v.confirmed_at is None]
    await world.app.return_visit(cmd.ReturnVisit(world.secretary, pending[0].id, "没有照片"))

    rows = list((await workbook(world))["走访"].iter_rows(min_row=2, values_only=True))
    english = list((await workbook(world, "en"))["Visits"].iter_rows(min_row=2, values_only=True))

    assert rows[-1][:7] == (datetime(2026, 12, 15), ids["wang"], "王奶奶", "李娜", "幸福里e支部", 1, "已退回")
    assert english[-1][6] == "Returned" and [row[6] for row in rows[:2]] == ["是", "是"]


async def test_a_branch_ledger_lists_only_its_pairings(world: World) -> None:
    await pairings_with_history(world)
    other = await world.app.create_branch(
        cmd.CreateBranch(
            world.secretary, "城西e支部", ChatRef("telegram", "-300"), world.branch.committee_id, by_bot_admin=True
        )
    )
    other_branch = other.branch  # type: ignore[union-attr]
    await world.member("20", "赵六", branch=other_branch)
    await world.app.create_pairing(cmd.CreatePairing(world.secretary, other_branch.id, "赵六 孙奶奶 每周"))

    data = await SqlReports(world.db).ledger(
        world.branch.committee_id, other_branch.id, world.clock.now().astimezone(SHANGHAI), SHANGHAI
    )
    pairings = await asyncio.to_thread(list, data.pairings)
    visits = await asyncio.to_thread(list, data.visits)

    assert [(p.alias, p.member, p.branch, p.next_due) for p in pairings] == [
        ("孙奶奶", "赵六", "城西e支部", date(2027, 1, 27))
    ]
    assert visits == []


async def test_the_pairing_csv_files_hold_what_the_sheets_hold(world: World, tmp_path: Path) -> None:
    ids = await pairings_with_history(world)
    data = await SqlReports(world.db).ledger(
        world.branch.committee_id, None, world.clock.now().astimezone(SHANGHAI), SHANGHAI
    )

    paths = await asyncio.to_thread(write_ledger_csv, data, "zh", tmp_path / "台账.csv")

    assert [p.name for p in paths[-2:]] == ["台账_结对.csv", "台账_走访.csv"]
    pairings, visits = ([*csv.reader(p.open(encoding="utf-8-sig"))] for p in paths[-2:])
    wang = next(row for row in pairings if row[0] == str(ids["wang"]))
    assert wang == [
        str(ids["wang"]),
        "王奶奶",
        "李娜",
        "幸福里e支部",
        "每月",
        "进行中",
        "2026-11-23",
        "",
        "2",
        "3.5",
        "2026-12-15",
        "2027-01-15",
        "5",
        "1",
    ]
    assert visits[1] == [
        "2026-11-23",
        str(ids["wang"]),
        "王奶奶",
        "张伟",
        "幸福里e支部",
        "2",
        "是",
        "王书记",
        "2026-11-23 10:00:00",
    ]
    assert len(visits) == 4 and not any(CONTACT in cell for path in paths for cell in path.read_text("utf-8-sig"))
