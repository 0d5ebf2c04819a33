"""The streaming workbook writer: text that needs escaping, value types, sizes, titles and the row limit."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from bot.reports.xlsx import MAX_TEXT, Percent, TableBook, column_letter

CST = timezone(timedelta(hours=8))


def book_of(rows: list[list[object]], *, max_rows: int = 1_048_576, headers: tuple[str, ...] = ("a", "b")) -> bytes:
    """A one-table workbook of ``rows`` under ``headers``."""
    with TableBook(CST, max_rows=max_rows) as book:
        book.table("表", headers, rows)
        return book.save()


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]


def test_text_is_escaped_and_kept_as_text() -> None:
    tricky = ["a & b < c > d", "<r>not rich</r>", '"quoted"', "  padded  ", "line\nbreak", "=1+1", "控制\x07字符"]
    ws = load_workbook(io.BytesIO(book_of([[text] for text in tricky])))["表"]
    values = [ws.cell(row, 1).value for row in range(2, len(tricky) + 2)]
    assert values == [*tricky[:-1], "控制字符"]
    assert all(ws.cell(row, 1).data_type == "s" for row in range(2, len(tricky) + 2))


def test_text_longer_than_a_cell_holds_is_cut() -> None:
    ws = load_workbook(io.BytesIO(book_of([["字" * (MAX_TEXT + 10)]])))["表"]
    assert ws["A2"].value == "字" * MAX_TEXT


def test_values_keep_their_types() -> None:
    moment = datetime(2026, 11, 2, 2, 30, 15, tzinfo=UTC)
    naive = datetime(2026, 1, 1, 8, 0)
    row: list[object] = [1, 2.345, True, date(2026, 1, 31), moment, naive, Percent(0.25), None, "x"]
    ws = load_workbook(io.BytesIO(book_of([row], headers=tuple("abcdefghi"))))["表"]
    assert [c.value for c in ws[2]] == [
        1,
        2.35,
        True,
        datetime(2026, 1, 31),
        datetime(2026, 11, 2, 10, 30, 15),
        datetime(2026, 1, 1, 8, 0),
        0.25,
        None,
        "x",
    ]
    assert ws["D2"].number_format == "yyyy-mm-dd" and ws["E2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert ws["G2"].number_format == "0.0%"


def test_unknown_values_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot write"):
        book_of([[object()]])


def test_dimension_and_rows_are_exact() -> None:
    content = book_of([["x", 1]] * 5 + [["wide", 1, 2, 3]])
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:D7"/>' in sheet and '<row r="7">' in sheet and '<row r="8"' not in sheet


def test_parts_carry_no_zip64_headers_they_do_not_need() -> None:
    content = book_of([["x", 1]] * 3000)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for info in package.infolist():
            header = content[info.header_offset : info.header_offset + 30]
            (extra_length,) = struct.unpack("<H", header[28:30])
            assert extra_length == 0 and not info.extra, info.filename
        assert package.testzip() is None


def test_rows_beyond_the_limit_go_on_in_numbered_sheets_in_place() -> None:
    with TableBook(None, max_rows=3) as book:
        first, last = book.sheet("first"), book.sheet("last")
        book.table(first, ["n"], [[n] for n in range(5)])
        book.table(last, ["n"], [[9]])
        wb = load_workbook(io.BytesIO(book.save()))
    assert wb.sheetnames == ["first", "first (2)", "first (3)", "last"]
    assert [[c.value for c in row] for ws in wb.worksheets[:3] for row in ws.iter_rows()] == [
        ["n"],
        [0],
        [1],
        ["n"],
        [2],
        [3],
        ["n"],
        [4],
    ]


def test_sheet_titles_excel_would_refuse_are_refused() -> None:
    with TableBook(None) as book:
        book.sheet("汇总")
        for bad in ("x" * 32, "a/b", "[x]", "", "汇总"):
            with pytest.raises(ValueError):
                book.sheet(bad)


def test_every_sheet_must_be_written_before_saving() -> None:
    with TableBook(None) as book:
        book.sheet("empty")
        with pytest.raises(ValueError, match="never written"):
            book.save()


def test_every_sheet_has_an_autofilter_over_its_rows_frozen_header_and_first_column_and_a_chinese_font() -> None:
    with TableBook(CST) as book:
        book.table("汇总", ("支部", "人数"), [["甲", 1], ["乙", 2]], extra=[["合计", 3], [], ["e党委", "城西"]])
        content = book.save()
    long = load_workbook(io.BytesIO(book_of([[i, i, i] for i in range(5)], max_rows=3, headers=("a", "b", "c"))))
    wb = load_workbook(io.BytesIO(content))
    assert wb["汇总"].auto_filter.ref == "A1:B3"  # the rows, not the totals and notes after them
    assert [ws.auto_filter.ref for ws in long.worksheets] == ["A1:C3", "A1:C3", "A1:C2"]
    for ws in [*wb.worksheets, *long.worksheets]:
        assert ws.freeze_panes == "B2"
        assert {cell.font.name for row in ws.iter_rows() for cell in row if cell.value is not None} == {"等线"}
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        styles = package.read("xl/styles.xml").decode()
        workbook = package.read("xl/workbook.xml").decode()
    assert styles.count('<name val="等线"/><family val="2"/><charset val="134"/>') == 2
    assert "Calibri" not in styles
    assert """<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'汇总'!$A$1:$B$3<""" in workbook
