"""A small streaming .xlsx writer for tables: rows go straight to disk and into the zip, so memory stays flat.

Each sheet is a table with a bold header row, frozen with the first column, and an autofilter over the header
and the rows (not the extra rows after them, such as totals). The font is 等线 (DengXian) with the GB2312 charset,
as Excel writes it in a Chinese workbook, so Excel and WPS show Chinese in a Chinese font. Cells are inline
strings, numbers, dates (``date``, ``datetime``; aware ones shown in the workbook's time zone) and percentages;
the XML is the same SpreadsheetML XlsxWriter writes in its constant-memory mode. A table longer than a sheet's
row limit (Excel's 1,048,576) continues on sheets named "title (2)", "title (3)", ... with the header repeated.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from itertools import chain
from typing import IO

from bot.reports.digest_text import display_width

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
MAX_TITLE = 31
WIDTH_SAMPLE_ROWS = 2000
MIN_WIDTH = 6
MAX_WIDTH = 50
COMPRESSION_LEVEL = 6
CHUNK_ROWS = 1000
PACK_CHUNK = 8 << 20

# Excel's day 0 in its 1900 date system, its phantom 29 February 1900 included: right for every date since March 1900.
_EPOCH = date(1899, 12, 30).toordinal()
_EPOCH_TIME = datetime(1899, 12, 30)
_SECONDS_PER_DAY = 86_400
# Characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE plus the two non-characters): dropped from text.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Text that cannot go into a cell as it is: markup, illegal characters, or white space to keep at either end.
_NEEDS_CARE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\\A\\s|\\s\\Z")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_BOLD, _DATE, _DATETIME, _PERCENT = 1, 2, 3, 4

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
# What Excel writes in a Chinese (zh-CN) workbook: 等线 with charset 134 (GB2312); without the theme's "minor" scheme,
# since this workbook has no theme part.
FONT_NAME = "等线"
_FONT = f'<sz val="11"/><name val="{FONT_NAME}"/><family val="2"/><charset val="134"/>'
_STYLES = (
    f"{_XML}<styleSheet {_NS}>"
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/><numFmt numFmtId="166" formatCode="0.0%"/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
    "</styleSheet>"
)


@dataclass(frozen=True, slots=True)
class Percent:
    """A 0..1 share written as a number shown as a percentage."""

    value: float


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _attribute(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _string_cell(ref: str, value: str, style: str = "") -> str:
    text = _text(value)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def cell_width(value: object) -> int:
    """How many columns a value needs in the sheet."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if isinstance(value, Percent):
        return 6
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return display_width(str(value))


@dataclass(slots=True)
class Sheet:
    """One worksheet of the book: its title, its part number and whether it has been written."""

    title: str
    number: int
    written: bool = False
    filter_ref: str = ""


class _Part:
    """The rows of one sheet as XML in a temporary file, until the sheet's size is known and it can be packed."""

    def __init__(self, headers: Sequence[str], letters: Sequence[str]) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile()
        self.rows = 1
        self.filtered = 0
        self.headers = len(headers)
        self.columns = len(headers)
        self.pending: list[str] = []
        cells = "".join(_string_cell(f"{letters[c]}1", h, f' s="{_BOLD}"') for c, h in enumerate(headers))
        self.file.write(f'<row r="1">{cells}</row>'.encode())

    def flush(self) -> None:
        """Write the rows rendered so far to the file."""
        self.file.write("".join(self.pending).encode())
        self.pending.clear()


class TableBook:
    """A workbook of tables written one after another, each streamed through a temporary file into the zip.

    A finished sheet is compressed into the zip by a background thread (zlib lets go of the GIL) while the next
    sheet's rows are rendered. Use as a context manager, or call ``save``, so that thread is always stopped.
    """

    def __init__(self, timezone: tzinfo | None, *, max_rows: int = MAX_ROWS) -> None:
        if max_rows < 2:
            raise ValueError("a sheet needs room for its header and one row")
        self.timezone = timezone
        self.max_rows = max_rows
        self.buffer = io.BytesIO()
        self.package = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL)
        self.sheets: list[Sheet] = []
        self._letters: list[str] = []
        self._packer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-pack")
        self._packing: list[Future[None]] = []

    def __enter__(self) -> TableBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the packing thread and drop the workbook (nothing to do after ``save``)."""
        self._packer.shutdown(wait=True, cancel_futures=True)
        self.package.close()

    def sheet(self, title: str, *, after: Sheet | None = None) -> Sheet:
        """Add an empty sheet to fill later (at the end, or right after ``after``), whichever is filled first."""
        if len(title) > MAX_TITLE or _BAD_TITLE.search(title) or not title.strip():
            raise ValueError(f"not a valid sheet title: {title!r}")
        if any(s.title.casefold() == title.casefold() for s in self.sheets):
            raise ValueError(f"two sheets titled {title!r}")
        found = Sheet(title, len(self.sheets) + 1)
        self.sheets.insert(self.sheets.index(after) + 1 if after else len(self.sheets), found)
        return found

    def table(
        self,
        title: str | Sheet,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        extra: Sequence[Sequence[object]] = (),
    ) -> list[Sheet]:
        """Fill a sheet (or add one): header, the rows as they come, then any extra rows (totals, notes).

        Widths come from the header, the first WIDTH_SAMPLE_ROWS rows and the extra rows. Returns the sheets
        written: more than one when the rows do not fit under the row limit.
        """
        first = self.sheet(title) if isinstance(title, str) else title
        if first.written:
            raise ValueError(f"sheet {first.title!r} is already written")
        widths = [display_width(h) for h in headers]
        for row in extra:
            _measure(widths, row)
        letters = self._columns(max([len(headers), *map(len, extra)]))
        written = [first]
        part = _Part(headers, letters)
        try:
            render, limit, sample = self._renderer(), self.max_rows, WIDTH_SAMPLE_ROWS + 1
            pending, n = part.pending, 1
            marked: Iterable[Sequence[object] | None] = chain(rows, (None,), extra)
            for values in marked:
                if values is None:  # the rows are over: the autofilter ends here, before the extra rows
                    part.filtered = n
                    continue
                if n == limit:
                    part.rows = n
                    self._pack(written[-1], part, widths)
                    title_of_next = _numbered(first.title, len(written) + 1)
                    written.append(self.sheet(title_of_next, after=written[-1]))
                    part = _Part(headers, letters)
                    pending, n = part.pending, 1
                n += 1
                if n <= sample and len(written) == 1:
                    _measure(widths, values)
                if len(values) > part.columns:
                    part.columns = len(values)
                pending.append(render(n, values))
                if len(pending) >= CHUNK_ROWS:
                    part.flush()
            part.rows = n
        except BaseException:
            part.file.close()
            raise
        self._pack(written[-1], part, widths)
        return written

    def _columns(self, count: int) -> list[str]:
        while len(self._letters) < count:
            self._letters.append(column_letter(len(self._letters)))
        return self._letters

    def _renderer(self) -> Callable[[int, Sequence[object]], str]:
        """A function rendering one row as XML, each value by its own type."""
        timezone, columns = self.timezone, self._columns
        epoch, epoch_time, day = _EPOCH, _EPOCH_TIME, _SECONDS_PER_DAY
        text_cell, needs_care = _string_cell, _NEEDS_CARE.search

        def render(n: int, values: Sequence[object]) -> str:
            r = str(n)
            letters = columns(len(values))
            parts = [f'<row r="{r}">']
            append = parts.append
            for c, value in enumerate(values):
                if isinstance(value, str):
                    if needs_care(value) or len(value) > MAX_TEXT:
                        append(text_cell(letters[c] + r, value))
                    else:
                        append(f'<c r="{letters[c]}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
                elif value is None:
                    continue
                elif isinstance(value, bool):
                    append(f'<c r="{letters[c]}{r}" t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, int):
                    append(f'<c r="{letters[c]}{r}"><v>{value}</v></c>')
                elif isinstance(value, float):
                    append(f'<c r="{letters[c]}{r}"><v>{round(value, 2):.16G}</v></c>')
                elif isinstance(value, datetime):
                    if value.tzinfo is not None:
                        value = (value.astimezone(timezone) if timezone else value).replace(tzinfo=None)
                    delta = value - epoch_time
                    serial_time = delta.days + (delta.seconds + delta.microseconds / 1e6) / day
                    append(f'<c r="{letters[c]}{r}" s="{_DATETIME}"><v>{serial_time:.16G}</v></c>')
                elif isinstance(value, date):
                    append(f'<c r="{letters[c]}{r}" s="{_DATE}"><v>{value.toordinal() - epoch}</v></c>')
                elif isinstance(value, Percent):
                    append(f'<c r="{letters[c]}{r}" s="{_PERCENT}"><v>{round(value.value, 4):.16G}</v></c>')
                else:
                    raise TypeError(f"cannot write {type(value).__name__} to a sheet")
            append("</row>")
            return "".join(parts)

        return render

    def _pack(self, sheet: Sheet, part: _Part, widths: list[int]) -> None:
        """Hand a finished sheet to the packing thread: head (size, frozen header, widths), body, tail."""
        try:
            part.flush()
        except BaseException:
            part.file.close()
            raise
        sheet.written = True
        last_column = column_letter(max(part.headers, 1) - 1)
        sheet.filter_ref = f"A1:{last_column}{part.filtered or part.rows}"
        tail = f'</sheetData><autoFilter ref="{sheet.filter_ref}"/>{_MARGINS}'.encode()
        selected = ' tabSelected="1"' if sheet is self.sheets[0] else ""
        spans = "".join(f'<col min="{a}" max="{b}" width="{width}" customWidth="1"/>' for a, b, width in _spans(widths))
        cols = f"<cols>{spans}</cols>" if spans else ""
        head = (
            f"{_XML}<worksheet {_NS} {_NS_R}>"
            f'<dimension ref="A1:{column_letter(max(part.columns, 1) - 1)}{part.rows}"/>'
            f'<sheetViews><sheetView{selected} workbookViewId="0">'
            '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
            '<selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"{cols}<sheetData>"
        )
        self._packing.append(self._packer.submit(self._write_part, sheet.number, head, part.file, tail))

    def _write_part(self, number: int, head: str, body: IO[bytes], tail: bytes) -> None:
        """On the packing thread: compress one sheet's XML into the zip, then drop its temporary file.

        ZIP64 only when the part needs it, as XlsxWriter does: Excel is known to refuse some ZIP64 headers.
        """
        try:
            start = head.encode()
            size = len(start) + body.seek(0, io.SEEK_END) + len(tail)
            body.seek(0)
            name = f"xl/worksheets/sheet{number}.xml"
            with self.package.open(name, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
                out.write(start)
                shutil.copyfileobj(body, out, PACK_CHUNK)
                out.write(tail)
        finally:
            body.close()

    def save(self) -> bytes:
        """The workbook as .xlsx bytes; every sheet added must have been written."""
        missing = [s.title for s in self.sheets if not s.written]
        if missing:
            raise ValueError(f"sheets never written: {missing}")
        self._packer.shutdown(wait=True)
        for packed in self._packing:
            packed.result()
        count = len(self.sheets)
        worksheet = f"{_CT}.worksheet+xml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{worksheet}"/>' for n in range(1, count + 1)
        )
        self.package.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="{_PKG}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>{overrides}</Types>',
        )
        self.package.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{_attribute(s.title)}" sheetId="{s.number}" r:id="rId{s.number}"/>' for s in self.sheets
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
            f"{_attribute(_absolute(s.title, s.filter_ref))}</definedName>"
            for index, s in enumerate(self.sheets)
        )
        self.package.writestr(
            "xl/workbook.xml",
            f"{_XML}<workbook {_NS} {_NS_R}><workbookPr/>"
            '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/>'
            f"</bookViews><sheets>{sheets}</sheets><definedNames>{names}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{_DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        self.package.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PKG}/relationships">{relations}'
            f'<Relationship Id="rId{count + 1}" Type="{_DOC}/styles" Target="styles.xml"/></Relationships>',
        )
        self.package.writestr("xl/styles.xml", _STYLES)
        self.package.close()
        return self.buffer.getvalue()


def _absolute(title: str, ref: str) -> str:
    """A sheet's range as a defined name holds it: 'title'!$A$1:$C$9."""
    quoted = title.replace("'", "''")
    corners = ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", corner) for corner in ref.split(":"))
    return f"'{quoted}'!{corners}"


def _numbered(title: str, part: int) -> str:
    """The title of a table's ``part``-th sheet: "服务记录 (2)", shortened to fit Excel's 31 characters."""
    suffix = f" ({part})"
    return title[: MAX_TITLE - len(suffix)] + suffix


def _measure(widths: list[int], values: Sequence[object]) -> None:
    for index, value in enumerate(values[: len(widths)]):
        width = cell_width(value)
        if width > widths[index]:
            widths[index] = width


def _spans(widths: Sequence[int]) -> list[tuple[int, int, int]]:
    """Column widths as (first, last, width) runs of equal width, 1-based, as Excel groups them."""
    spans: list[tuple[int, int, int]] = []
    for column, measured in enumerate(widths, start=1):
        width = min(max(measured + 2, MIN_WIDTH), MAX_WIDTH)
        if spans and spans[-1][2] == width and spans[-1][1] == column - 1:
            spans[-1] = (spans[-1][0], column, width)
        else:
            spans.append((column, column, width))
    return spans
