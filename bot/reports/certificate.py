"""The 志愿服务记录证明 as files: a PDF (fpdf2, the bundled Noto Sans SC embedded as a subset) and a PNG of the same
text (Pillow, drawn directly with the same font), from the content fixed when the certificate was issued.

The font is parsed once per process: fpdf2's parse of the 8 MiB font (its character map and the width of each of
its 30,000 characters) is kept and each PDF gets a copy of it with a fresh, lazily read fontTools font, because
fpdf2 subsets that font object in place when it writes a document. Pillow's fonts are kept per thread (FreeType
faces are not to be shared between threads)."""

from __future__ import annotations

import copy
import io
import threading
from dataclasses import dataclass

import segno
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace, SubsetMap, TTFFont
from PIL import Image, ImageDraw, ImageFont

from bot.domain.records import CertificateContent
from bot.i18n import t
from bot.reports.chart import FONT_PATH

FONT = "noto"
PNG_WIDTH = 1240
PNG_MARGIN = 90
PNG_MIN_HEIGHT = 1754
"""A4 at 150 dpi (1240 x 1754); a longer certificate grows taller."""


@dataclass(frozen=True, slots=True)
class CertificateText:
    """Every line a certificate shows, in one language: what both renderers draw."""

    title: str
    number: str
    statement: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: str
    footer: tuple[str, ...]
    hint: str


def _hours(value: float) -> str:
    return f"{value:g}"


def certificate_text(content: CertificateContent, code: str, lang: str) -> CertificateText:
    """The certificate's wording in ``lang`` (Chinese by default)."""
    phone = content.member_phone or t("cert.no_phone", lang)
    return CertificateText(
        title=t("cert.title", lang),
        number=t("cert.number", lang, number=content.number),
        statement=t(
            "cert.statement",
            lang,
            name=content.member_name,
            phone=phone,
            start=content.period_start.isoformat(),
            end=content.period_end.isoformat(),
            branch=content.branch,
            hours=_hours(content.total_hours),
        ),
        headers=tuple(t(f"cert.col.{c}", lang) for c in ("no", "date", "content", "hours", "kind")),
        rows=tuple(
            (
                str(line.record_id),
                line.served_on.isoformat(),
                line.content,
                _hours(line.hours),
                t(f"provenance.{line.provenance}", lang),
            )
            for line in content.lines
        ),
        total=t("cert.total", lang, hours=_hours(content.total_hours)),
        footer=(
            t("cert.issuer", lang, committee=content.committee),
            t("cert.responsible", lang, name=content.responsible or "—"),
            t("cert.contact", lang, contact=content.contact or "—"),
            t("cert.issued", lang, date=content.issued_on.isoformat()),
            t("cert.code", lang, code=code),
        ),
        hint=t("cert.verify_hint", lang),
    )


_parse_lock = threading.Lock()
_parsed: list[TTFFont] = []


def parsed_font() -> TTFFont:
    """fpdf2's parse of the bundled font, made once per process (under a lock: renders run on worker threads) and
    never written to a document itself."""
    with _parse_lock:
        if not _parsed:
            scratch = FPDF()
            scratch.add_font(FONT, "", str(FONT_PATH))
            font = scratch.fonts[FONT]
            assert isinstance(font, TTFFont)
            font.ttfont.close()
            _parsed.append(font)
        return _parsed[0]


def _add_font(pdf: FPDF) -> TTFFont:
    """The parsed font added to ``pdf`` as ``add_font`` would: the parse shared, what a document changes (the font
    file fontTools subsets, the glyphs used, the widths looked up) its own."""
    parsed = parsed_font()
    font = copy.copy(parsed)
    font.ttfont = ttLib.TTFont(str(FONT_PATH), recalcBBoxes=False, recalcTimestamp=False, lazy=True)
    font.cw = copy.copy(parsed.cw)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[FONT] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # what add_font does for a CID-keyed CFF font
    return font


def render_pdf(content: CertificateContent, code: str, lang: str = "zh") -> bytes:
    """The certificate as an A4 PDF; the table continues on further pages when it is long."""
    text = certificate_text(content, code, lang)
    pdf = FPDF(format="A4")
    pdf.set_title(text.title)
    pdf.set_creator("ebranch")
    font = _add_font(pdf)
    try:
        return _write_pdf(pdf, text)
    finally:
        font.ttfont.close()


def _write_pdf(pdf: FPDF, text: CertificateText) -> bytes:
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT, size=22)
    pdf.cell(0, 14, text.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.cell(0, 7, text.number, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(0, 7, text.statement, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, size=10)
    with pdf.table(
        col_widths=(14, 24, 82, 20, 24),
        text_align=("CENTER", "CENTER", "LEFT", "CENTER", "CENTER"),
        line_height=6,
        headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)),
    ) as table:
        table.row(text.headers)
        for row in text.rows:
            table.row(row)
    pdf.ln(3)
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 8, text.total, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    for line in text.footer:
        pdf.cell(0, 7, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, text.hint, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


_thread_fonts = threading.local()


def _image_fonts() -> dict[int, ImageFont.FreeTypeFont]:
    """The PNG's fonts by pixel size, opened once per thread."""
    fonts: dict[int, ImageFont.FreeTypeFont] | None = getattr(_thread_fonts, "fonts", None)
    if fonts is None:
        fonts = {size: ImageFont.truetype(str(FONT_PATH), size) for size in (22, 26, 30, 56)}
        _thread_fonts.fonts = fonts
    return fonts


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels, broken at any character (Chinese has no spaces)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if draw.textlength(current + ch, font=font) > width and current:
            lines.append(current)
            current = ch
        else:
            current += ch
    return [*lines, current] if current else lines


def render_png(content: CertificateContent, code: str, lang: str = "zh") -> bytes:
    """The certificate as one grayscale PNG image (white, black text, the table ruled): A4 at 150 dpi, taller when
    its rows need."""
    text = certificate_text(content, code, lang)
    fonts = _image_fonts()
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    inner = PNG_WIDTH - 2 * PNG_MARGIN
    columns = (0.10, 0.16, 0.46, 0.14, 0.14)
    widths = [int(inner * c) for c in columns]
    statement = _wrap(probe, text.statement, fonts[30], inner)
    wrapped_rows = [
        [_wrap(probe, cell, fonts[26], w - 16) or [""] for cell, w in zip(row, widths, strict=True)]
        for row in text.rows
    ]
    row_heights = [max(len(cell) for cell in row) * 36 + 14 for row in wrapped_rows]
    hint = _wrap(probe, text.hint, fonts[22], inner)
    height = PNG_MARGIN + 90 + 50 + len(statement) * 44 + 30 + 50 + sum(row_heights) + 70 + len(text.footer) * 44
    height = max(PNG_MIN_HEIGHT, height + 30 + len(hint) * 32 + PNG_MARGIN)
    image = Image.new("L", (PNG_WIDTH, height), 255)
    draw = ImageDraw.Draw(image)
    y = PNG_MARGIN
    draw.text((PNG_WIDTH // 2, y), text.title, font=fonts[56], fill=0, anchor="mt")
    y += 90
    draw.text((PNG_WIDTH - PNG_MARGIN, y), text.number, font=fonts[22], fill=0, anchor="rt")
    y += 50
    for line in statement:
        draw.text((PNG_MARGIN, y), line, font=fonts[30], fill=0)
        y += 44
    y += 30

    def ruled_row(cells: list[list[str]], top: int, row_height: int, font: ImageFont.FreeTypeFont) -> None:
        x = PNG_MARGIN
        for lines, w in zip(cells, widths, strict=True):
            draw.rectangle((x, top, x + w, top + row_height), outline=0, width=2)
            for i, line in enumerate(lines):
                draw.text((x + 8, top + 7 + i * 36), line, font=font, fill=0)
            x += w

    ruled_row([[h] for h in text.headers], y, 50, fonts[26])
    y += 50
    for cells, row_height in zip(wrapped_rows, row_heights, strict=True):
        ruled_row(cells, y, row_height, fonts[26])
        y += row_height
    y += 20
    draw.text((PNG_WIDTH - PNG_MARGIN, y), text.total, font=fonts[30], fill=0, anchor="rt")
    y += 50
    for line in text.footer:
        draw.text((PNG_MARGIN, y), line, font=fonts[30], fill=0)
        y += 44
    y += 30
    for line in hint:
        draw.text((PNG_MARGIN, y), line, font=fonts[22], fill=80)
        y += 32
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_qr(data: str) -> bytes:
    """A QR code of ``data`` (a sign-in link) as a PNG, scaled to be scanned off a phone screen (segno)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
