"""Reading the roster (花名册) a committee keeps in Excel: good rows come in, bad lines are named."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.i18n.roster import MESSAGES
from bot.usecases.roster import (
    RosterFileError,
    RosterProblem,
    RosterRow,
    normalize_phone,
    problem_text,
    read_roster,
    split_skills,
)

HEADER_ZH = ["序号", "姓名", "手机号", "工作单位", "单位党支部", "技能", "承诺", "服务队"]
ZHANG = [
    "1",
    "张三",
    "138 0013 8000",
    "区教育局",
    "教育局机关第一党支部",
    "维修、理发",
    "每月陪护老人一次",
    "便民维修队",
]
LI = ["2", "李四", "13900139000", "区人民医院", "医院第二党支部", "医疗咨询", "义诊", "医疗服务队"]
WANG = ["3", "王五", "13700137000", "", "", "", "", ""]


def write_csv(tmp_path: Path, rows: list[list[str]], encoding: str = "utf-8", name: str = "roster.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "roster.xlsx") -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def file_error(path: Path) -> RosterFileError:
    with pytest.raises(RosterFileError) as caught:
        read_roster(path)
    return caught.value


# Encodings and formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_roster_in_any_encoding_excel_saves_in_china_is_read(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path, [HEADER_ZH, ZHANG, LI], encoding=encoding)

    result = read_roster(path)

    assert result.problems == ()
    assert result.rows == (
        RosterRow(
            line=2,
            name="张三",
            phone="13800138000",
            workplace="区教育局",
            workplace_branch="教育局机关第一党支部",
            skills=("维修", "理发"),
            commitment="每月陪护老人一次",
            team="便民维修队",
        ),
        RosterRow(
            line=3,
            name="李四",
            phone="13900139000",
            workplace="区人民医院",
            workplace_branch="医院第二党支部",
            skills=("医疗咨询",),
            commitment="义诊",
            team="医疗服务队",
        ),
    )


def test_english_headers_in_any_order_are_understood(tmp_path: Path) -> None:
    header = ["Team", "Phone", "Name", "Skills", "Workplace", "Workplace_Branch", "Commitment"]
    path = write_csv(tmp_path, [header, ["Repairs", "13800138000", "Li Wei", "plumbing; wiring", "Bank", "", "x"]])

    (row,) = read_roster(path).rows

    assert (row.name, row.phone, row.team, row.workplace) == ("Li Wei", "13800138000", "Repairs", "Bank")
    assert row.skills == ("plumbing", "wiring")
    assert row.commitment == "x"


def test_only_name_and_phone_columns_are_needed(tmp_path: Path) -> None:
    (row,) = read_roster(write_csv(tmp_path, [["姓名", "手机"], ["赵六", "13600136000"]])).rows

    assert row == RosterRow(line=2, name="赵六", phone="13600136000")


def test_a_tab_separated_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("姓名\t手机号\n张三\t13800138000\n", encoding="utf-8")

    assert [row.name for row in read_roster(path).rows] == ["张三"]


def test_an_xlsx_roster_with_a_title_row_numbers_lines_as_excel_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["XX社区在职党员报到名单"],
        [],
        ["姓名", "手机号", "工作单位"],
        ["张三", 13800138000, "区教育局"],
        [],
        ["李四", 13900139000.0, None],
        ["王五", "1370013700", "区财政局"],
    ]
    path = write_xlsx(tmp_path, {"名单": rows})

    result = read_roster(path)

    assert [(row.line, row.name, row.phone) for row in result.rows] == [
        (4, "张三", "13800138000"),
        (6, "李四", "13900139000"),
    ]
    assert result.problems == (RosterProblem(7, "roster.bad_phone", (("phone", "1370013700"),)),)


def test_an_xlsx_workbook_with_an_instructions_sheet_first_reads_the_roster_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {"填写说明": [["请在第二个工作表填写"]], "名单": [["姓名", "手机号"], ["张三", "13800138000"]]},
    )

    assert [row.name for row in read_roster(path).rows] == ["张三"]


# Bad rows are named by line, good rows still come in


def test_a_roster_with_a_bad_phone_on_line_3_imports_the_other_rows_and_names_line_3(tmp_path: Path) -> None:
    bad = ["2", "李四", "1390013900", "", "", "", "", ""]
    path = write_csv(tmp_path, [HEADER_ZH, ZHANG, bad, WANG])

    result = read_roster(path)

    assert [row.line for row in result.rows] == [2, 4]
    assert result.problems == (RosterProblem(3, "roster.bad_phone", (("phone", "1390013900"),)),)
    assert problem_text(result.problems[0]) == "第 3 行：手机号“1390013900”不是有效的 11 位大陆手机号。"
    assert problem_text(result.problems[0], "en").startswith("Line 3: “1390013900”")


def test_a_row_without_a_name_or_phone_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "手机号"], ["", "13800138000"], ["李四", ""], ["王五", "13700137000"]])

    result = read_roster(path)

    assert [row.name for row in result.rows] == ["王五"]
    assert result.problems == (RosterProblem(2, "roster.missing_name"), RosterProblem(3, "roster.missing_phone"))


def test_the_second_row_with_the_same_phone_is_the_problem_even_written_differently(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "手机号"], ["张三", "13800138000"], ["张山", "+86 138-0013-8000"]])

    result = read_roster(path)

    assert [row.name for row in result.rows] == ["张三"]
    assert result.problems == (
        RosterProblem(3, "roster.duplicate_phone", (("phone", "13800138000"), ("first_line", "2"))),
    )
    assert problem_text(result.problems[0]) == "第 3 行：手机号 13800138000 与第 2 行重复。"


def test_a_field_over_200_characters_is_named_by_its_column_header(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [["姓名", "手机号", "承诺"], ["张三", "13800138000", "好" * 201], ["李四", "13900139000", "好" * 200]],
    )

    result = read_roster(path)

    assert [row.name for row in result.rows] == ["李四"]
    assert result.problems == (RosterProblem(2, "roster.too_long", (("column", "承诺"), ("limit", "200"))),)


def test_every_problem_of_a_row_is_reported_at_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "手机号", "工作单位"], ["", "12345", "单" * 300]])

    keys = [problem.key for problem in read_roster(path).problems]

    assert keys == ["roster.missing_name", "roster.bad_phone", "roster.too_long"]


def test_blank_rows_are_skipped_silently_and_later_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("姓名,手机号\n\n张三,13800138000\n,\n  ,  \n李四,13900139000\n", encoding="utf-8")

    result = read_roster(path)

    assert [(row.line, row.name) for row in result.rows] == [(3, "张三"), (6, "李四")]
    assert result.problems == ()


def test_template_rows_with_only_a_sequence_number_count_as_blank(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER_ZH, ZHANG, ["2", "", "", "", "", "", "", ""], ["3"]])

    result = read_roster(path)

    assert len(result.rows) == 1
    assert result.problems == ()


# Cleaning up what people type


@pytest.mark.parametrize(
    "written",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "(+86)13800138000",
        "008613800138000",
        "8613800138000",
        "１３８００１３８０００",
        " 13800138000\u3000",
    ],
)
def test_mainland_mobile_numbers_are_normalised(written: str) -> None:
    assert normalize_phone(written) == "13800138000"


@pytest.mark.parametrize("written", ["", "1380013800", "138001380001", "12345678901", "010-12345678", "电话"])
def test_what_is_not_a_mainland_mobile_number_is_refused(written: str) -> None:
    assert normalize_phone(written) is None


def test_names_padded_with_spaces_for_alignment_are_joined(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "手机号"], ["张  三", "13800138000"], ["Li   Wei", "13900139000"]])

    assert [row.name for row in read_roster(path).rows] == ["张三", "Li Wei"]


def test_skills_are_split_on_chinese_and_western_separators() -> None:
    assert split_skills("维修、理发，法律咨询,心理疏导;书法；摄影/驾驶 篮球  维修") == (
        "维修",
        "理发",
        "法律咨询",
        "心理疏导",
        "书法",
        "摄影",
        "驾驶",
        "篮球",
    )


def test_header_cells_with_required_marks_or_notes_are_recognised(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, [["*姓名", "手机号（必填）", "技能(多个用顿号分隔)"], ["张三", "13800138000", "维修、理发"]]
    )

    (row,) = read_roster(path).rows

    assert (row.name, row.phone, row.skills) == ("张三", "13800138000", ("维修", "理发"))


def test_the_mobile_column_wins_over_a_general_telephone_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "联系电话", "手机"], ["张三", "0573-82345678", "13800138000"]])

    (row,) = read_roster(path).rows

    assert row.phone == "13800138000"


# Files that cannot be read at all


def test_a_roster_without_a_phone_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    error = file_error(write_csv(tmp_path, [["姓名", "工作单位"], ["张三", "区教育局"]]))

    assert error.key == "roster.file_no_phone_column"
    assert "手机号" in error.message("zh")
    assert "phone" in error.message("en") and "phone" in str(error)


def test_a_roster_without_a_name_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    assert file_error(write_csv(tmp_path, [["手机号"], ["13800138000"]])).key == "roster.file_no_name_column"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"")

    assert file_error(path).key == "roster.file_no_name_column"


@pytest.mark.parametrize("name", ["roster.xls", "roster.txt", "roster"])
def test_other_file_types_are_refused_with_a_hint_to_save_as_xlsx_or_csv(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"anything")

    error = file_error(path)

    assert error.key == "roster.file_unsupported"
    assert ".xlsx" in str(error) and ".csv" in str(error)


@pytest.mark.parametrize("name", ["roster.csv", "roster.xlsx"])
def test_a_missing_file_is_refused(tmp_path: Path, name: str) -> None:
    assert file_error(tmp_path / name).key == "roster.file_not_found"


def test_a_broken_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old .xls renamed")

    assert file_error(path).key == "roster.file_bad_xlsx"


def test_a_csv_marked_utf8_but_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "姓名,手机号\n张三,13800138000\n".encode("gbk"))

    assert file_error(path).key == "roster.file_encoding"


# The texts


def test_every_roster_text_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in MESSAGES.items():
        assert key.startswith("roster.")
        assert set(texts) == {"zh", "en"}
        assert set(re.findall(r"{(\w+)}", texts["zh"])) == set(re.findall(r"{(\w+)}", texts["en"])), key
