"""The ledger workbooks read back with the sheets, headers, widths, types and values they were given."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from bot.domain.reports import LedgerData, LedgerMember, LedgerService, LedgerWish, WorkplaceFeedback, WorkplaceMember
from bot.reports.ledger import build_ledger_xlsx, build_workplace_feedback_xlsx, write_ledger_csv

CST = timezone(timedelta(hours=8))
GENERATED = datetime(2026, 11, 23, 9, 0, tzinfo=CST)


def members() -> tuple[LedgerMember, ...]:
    """Three members of two branches; the third has left and must not be named."""
    return (
        LedgerMember(
            1,
            "张三",
            "幸福里网格e支部",
            "市财政局",
            "市财政局机关第一党支部",
            date(2026, 3, 2),
            ("法律咨询", "维修"),
            "每季度至少服务一次",
            4,
            3,
            7.5,
            4.67,
            date(2026, 11, 20),
            number=7,
            emergency_hours=2.5,
        ),
        LedgerMember(2, "李四", "幸福里网格e支部", "市一中", "市一中党支部", None, (), "", 0, 0, 0.0, None, None),
        LedgerMember(
            3,
            "王五",
            "城西第二e支部",
            "市医院",
            "市医院党总支",
            date(2026, 1, 5),
            ("医疗",),
            "",
            1,
            1,
            2.0,
            5.0,
            date(2026, 10, 1),
            left=True,
            number=2,
        ),
    )


def ledger() -> LedgerData:
    """A small ledger with known rows, including a title that looks like a spreadsheet formula."""
    wishes = (
        LedgerWish(
            10,
            "幸福里网格e支部",
            "为留守儿童购买书包",
            "助学",
            2,
            "closed",
            "normal",
            datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
            date(2026, 11, 30),
            "张三、李四",
            datetime(2026, 11, 10, 8, 0, tzinfo=CST),
        ),
        LedgerWish(
            11,
            "城西第二e支部",
            '=HYPERLINK("http://x")',
            "其他",
            1,
            "open",
            "emergency",
            datetime(2026, 11, 20, 9, 0, tzinfo=CST),
            None,
            "",
        ),
    )
    services = (
        LedgerService(
            date(2026, 11, 20), "张三", "幸福里网格e支部", "为留守儿童购买书包", 2.5, True, 5, 10, "书包已送到"
        ),
        LedgerService(date(2026, 10, 1), "王五", "城西第二e支部", "义诊", 2.0, False, note="义诊"),
    )
    return LedgerData("城西社区e党委", GENERATED, members(), wishes, services)


def read(content: bytes) -> Workbook:
    """Open workbook bytes the way a committee's Excel would."""
    assert content[:2] == b"PK"
    return load_workbook(io.BytesIO(content))


def test_sheets_headers_and_widths() -> None:
    wb = read(build_ledger_xlsx(ledger(), "zh"))
    assert wb.sheetnames == ["汇总", "党员", "微心愿", "服务记录", "结对", "走访"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "B2"
        assert all(cell.font.b for cell in ws[1])
        for column in range(1, ws.max_column + 1):
            letter = ws.cell(1, column).column_letter
            assert ws.column_dimensions[letter].width >= 6
    members_sheet = wb["党员"]
    assert [c.value for c in members_sheet[1]][:3] == ["编号", "姓名", "e支部"]
    assert members_sheet.column_dimensions["E"].width == len("市财政局机关第一党支部") * 2 + 2


def test_rows_and_values() -> None:
    wb = read(build_ledger_xlsx(ledger(), "zh"))
    ws = wb["党员"]
    assert ws.max_row == 1 + 3
    row = [c.value for c in ws[2]]
    assert row[:5] == [7, "张三", "幸福里网格e支部", "市财政局", "市财政局机关第一党支部"]  # its number, not its id
    assert ws["A3"].value is None and ws["A4"].value == 2  # not reported in: no number yet
    assert row[5] == datetime(2026, 3, 2) and ws["F2"].is_date
    assert row[6:] == ["法律咨询、维修", "每季度至少服务一次", 4, 3, 7.5, 4.67, datetime(2026, 11, 20)]
    assert isinstance(ws["K2"].value, float) and ws["I2"].data_type == "n"
    assert ws["B4"].value == "已退出"
    assert ws["F3"].value is None

    wishes = wb["微心愿"]
    assert wishes.max_row == 3
    assert [c.value for c in wishes[2]][5:7] == ["已完成", "平时"]
    assert wishes["F3"].value == "待认领"
    assert wishes["H2"].value == datetime(2026, 11, 2, 10, 30)
    assert wishes["H2"].is_date and wishes["I2"].is_date
    assert wishes["C3"].value == '=HYPERLINK("http://x")' and wishes["C3"].data_type == "s"
    assert wishes["G3"].value == "战时"

    services = wb["服务记录"]
    assert services.max_row == 3
    assert [c.value for c in services[1]][3:6] == ["微心愿编号", "服务内容", "服务备注"]
    assert [c.value for c in services[2]] == [
        datetime(2026, 11, 20),
        "张三",
        "幸福里网格e支部",
        10,
        "为留守儿童购买书包",
        "书包已送到",
        2.5,
        "是",
        5,
        "书记确认",
        "平时",
    ]
    assert services["J3"].value == "本人自报"  # not confirmed: the member's word (issue 15's provenance column)
    assert services["D3"].value is None and services["F3"].value is None  # a logged service: its note is its subject
    assert services["H3"].value == "否" and services["A3"].is_date


def test_summary_counts() -> None:
    ws = read(build_ledger_xlsx(ledger(), "zh"))["汇总"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    first, second, total = rows[0], rows[1], rows[2]
    assert [c.value for c in ws[1]][6:9] == ["服务次数", "服务时长（小时）", "其中战时（小时）"]
    assert first[:5] == ["幸福里网格e支部", 2, 1, 0, 1]
    assert first[5] == 1.0 and ws["F2"].number_format == "0.0%"
    assert first[6:] == [3, 7.5, 2.5, 1, 0, 1, 0]
    assert second[:5] == ["城西第二e支部", 1, 0, 1, 0]
    assert second[7:] == [0, 0, 1, 1, 0, 0]
    assert total[:5] == ["合计", 3, 1, 1, 1] and total[7:9] == [7.5, 2.5]
    assert rows[-2] == ["e党委", "城西社区e党委"] + [None] * 11
    assert rows[-1][1] == datetime(2026, 11, 23, 9, 0)


def test_english_sheet_names() -> None:
    wb = read(build_ledger_xlsx(ledger(), "en"))
    assert wb.sheetnames == ["Summary", "Members", "Micro-wishes", "Services", "Pairings", "Visits"]
    assert wb["Members"]["B4"].value == "(left)"
    assert wb["Micro-wishes"]["F3"].value == "Unclaimed"
    assert [wb["Micro-wishes"]["G2"].value, wb["Micro-wishes"]["G3"].value] == ["Routine", "Emergency"]


@pytest.mark.parametrize(
    ("status", "claims", "deadline", "zh", "en"),
    [
        ("open", 0, None, "待认领", "Unclaimed"),
        ("open", 1, date(2026, 11, 23), "认领中", "Being claimed"),
        ("open", 2, None, "已满", "Full"),
        ("closed", 2, date(2026, 11, 1), "已完成", "Completed"),
        ("open", 1, date(2026, 11, 22), "已截止", "Deadline passed"),
        ("cancelled", 0, date(2026, 11, 1), "已取消", "Cancelled"),
    ],
)
def test_wish_states_read_as_people_say_them(status: str, claims: int, deadline: date | None, zh: str, en: str) -> None:
    wish = LedgerWish(1, "b", "t", "", 2, status, "normal", GENERATED, deadline, "", active_claims=claims)
    for lang, expected in (("zh", zh), ("en", en)):
        book = read(build_ledger_xlsx(LedgerData("c", GENERATED, (), (wish,)), lang))
        assert book.worksheets[2]["F2"].value == expected


def test_control_characters_are_dropped() -> None:
    member = LedgerMember(9, "赵\x07六", "b", "", "", None, (), "承诺\x00", 0, 0, 0.0, None, None)
    data = LedgerData("c", GENERATED, (member,))
    ws = read(build_ledger_xlsx(data, "zh"))["党员"]
    assert ws["B2"].value == "赵六" and ws["H2"].value == "承诺"


def test_workplace_feedback() -> None:
    feedback = WorkplaceFeedback(
        "城西社区e党委",
        "市财政局机关第一党支部",
        "2026年第4季度",
        GENERATED,
        (
            WorkplaceMember("张三", "市财政局", "幸福里网格e支部", date(2026, 3, 2), 3, 7.5, 4.67, date(2026, 11, 20)),
            WorkplaceMember("赵六", "市财政局", "城西第二e支部", date(2026, 4, 1), 0, 0.0, None, None),
        ),
        (LedgerService(date(2026, 11, 20), "张三", "幸福里网格e支部", "为留守儿童购买书包", 2.5, True, 5),),
        workplace="市财政局",
    )
    wb = read(build_workplace_feedback_xlsx(feedback, "zh"))
    assert wb.sheetnames == ["反馈汇总", "党员服务情况", "服务记录"]
    summary = wb["反馈汇总"]
    assert [c.value for c in summary[1]][:2] == ["工作单位", "单位党支部"]
    assert [c.value for c in summary[2]] == [
        "市财政局",
        "市财政局机关第一党支部",
        "2026年第4季度",
        2,
        1,
        1,
        0.5,
        3,
        7.5,
    ]
    own = replace(feedback, workplace_branch="", workplace="")
    assert (
        read(build_workplace_feedback_xlsx(own, "zh"))["反馈汇总"]["B2"].value
        == "城西社区e党委（未填单位党支部的党员）"
    )
    detail = wb["党员服务情况"]
    assert detail.freeze_panes == "B2" and detail.max_row == 3
    assert [c.value for c in detail[3]] == [
        "赵六",
        "市财政局",
        "城西第二e支部",
        datetime(2026, 4, 1),
        0,
        0,
        None,
        None,
        "否",
    ]
    assert detail["I2"].value == "是" and detail["D2"].is_date
    assert wb["服务记录"].max_row == 2


def many_members(count: int) -> LedgerData:
    """A ledger of ``count`` members spread over 500 branches."""
    members = tuple(
        LedgerMember(
            i,
            f"党员{i}",
            f"第{i % 500}网格e支部",
            "某单位",
            "某单位党支部",
            date(2026, 1, 1) + timedelta(days=i % 300),
            ("维修",),
            "服务承诺",
            i % 5,
            i % 3,
            float(i % 7),
            4.5 if i % 2 else None,
            date(2026, 11, 1) if i % 3 else None,
        )
        for i in range(count)
    )
    return LedgerData("大e党委", GENERATED, members)


def test_every_member_gets_exactly_one_row_in_a_large_ledger() -> None:
    content = build_ledger_xlsx(many_members(10_000), "zh")
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet = package.read("xl/worksheets/sheet2.xml").decode()
    assert '<row r="10001"' in sheet and '<row r="10002"' not in sheet


def peak_memory(data: LedgerData) -> int:
    """Peak bytes Python allocated while building the workbook (the input itself excluded)."""
    tracemalloc.start()
    try:
        build_ledger_xlsx(data, "zh")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_rows() -> None:
    small, large = many_members(1_000), many_members(5_000)
    assert peak_memory(large) < 1.5 * peak_memory(small) + 1024 * 1024


def test_a_table_longer_than_a_sheet_goes_on_in_numbered_sheets() -> None:
    services = tuple(
        LedgerService(date(2026, 11, day), "张三", "幸福里网格e支部", f"服务{day}", 1.5, day % 2 == 0, 5)
        for day in range(1, 8)
    )
    data = replace(ledger(), services=services)
    whole = read(build_ledger_xlsx(data, "zh"))
    split = read(build_ledger_xlsx(data, "zh", max_rows=4))
    assert split.sheetnames == [
        "汇总",
        "汇总 (2)",
        "党员",
        "微心愿",
        "服务记录",
        "服务记录 (2)",
        "服务记录 (3)",
        "结对",
        "走访",
    ]
    for title in ("汇总", "服务记录"):
        parts = [ws for ws in split.worksheets if ws.title == title or ws.title.startswith(f"{title} (")]
        assert all(ws.freeze_panes == "B2" and ws.max_row <= 4 for ws in parts)
        assert all([c.value for c in ws[1]] == [c.value for c in whole[title][1]] for ws in parts)
        rows = [[c.value for c in row] for ws in parts for row in ws.iter_rows(min_row=2)]
        assert rows == [[c.value for c in row] for row in whole[title].iter_rows(min_row=2)]
    assert [c.value for c in split["服务记录 (3)"]["A"]] == ["服务日期", datetime(2026, 11, 7)]


def test_continued_sheet_titles_stay_within_excel_limits() -> None:
    services = [LedgerService(date(2026, 11, i), "张三", "b", "s", 1.0, True) for i in range(1, 4)]
    content = build_ledger_xlsx(LedgerData("c", GENERATED, members(), (), services), "en", max_rows=2)
    assert read(content).sheetnames[-5:] == ["Services", "Services (2)", "Services (3)", "Pairings", "Visits"]


def test_the_ledger_as_csv_is_one_utf8_file_per_sheet_with_the_values_people_read(tmp_path: Path) -> None:
    paths = write_ledger_csv(ledger(), "zh", tmp_path / "台账.csv")
    assert [p.name for p in paths] == [
        "台账_汇总.csv",
        "台账_党员.csv",
        "台账_微心愿.csv",
        "台账_服务记录.csv",
        "台账_结对.csv",
        "台账_走访.csv",
    ]
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in paths)
    summary, members_rows, wishes, services, pairings, visits = (
        list(csv.reader(p.open(encoding="utf-8-sig"))) for p in paths
    )
    assert pairings == [pairings[0]] and pairings[0][:2] == ["结对编号", "帮扶对象"] and visits[0][0] == "走访日期"
    assert summary[1][:6] == ["幸福里网格e支部", "2", "1", "0", "1", "100.0%"]
    assert summary[-1] == ["生成时间", "2026-11-23 09:00:00"]
    assert members_rows[1][:6] == ["7", "张三", "幸福里网格e支部", "市财政局", "市财政局机关第一党支部", "2026-03-02"]
    assert members_rows[1][10] == "7.5"
    assert wishes[2][2] == '\'=HYPERLINK("http://x")'  # kept as text, not run as a formula
    assert wishes[1][5:8] == ["已完成", "平时", "2026-11-02 10:30:00"]
    assert services[1] == [
        "2026-11-20",
        "张三",
        "幸福里网格e支部",
        "10",
        "为留守儿童购买书包",
        "书包已送到",
        "2.5",
        "是",
        "5",
        "书记确认",
        "平时",
    ]
