"""The digest chart is a PNG of the promised size, drawn in the bundled CJK font with no missing glyph."""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib import image as mpimg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot.domain.reports import DigestData
from bot.reports.chart import FONT_PATH, MAX_BARS, build_chart_figure, chart_size, render_chart_png
from tests.test_reports_digest import many_branches, three_branches

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def visible_texts(fig: Figure) -> list[Text]:
    """Every non-empty text artist in the figure, tick labels and legend included."""
    fig.canvas.draw()
    return [artist for artist in fig.findobj(Text) if artist.get_visible() and artist.get_text()]


def test_font_ships_with_its_license() -> None:
    assert FONT_PATH.is_file()
    license_text = (Path(FONT_PATH).parent / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in license_text
    assert FT2Font(str(FONT_PATH)).family_name == "Noto Sans SC"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_png_of_fixed_size(lang: str) -> None:
    png = render_chart_png(three_branches(), lang)
    assert png.startswith(PNG_SIGNATURE)
    pixels = mpimg.imread(io.BytesIO(png), format="png")
    assert (pixels.shape[1], pixels.shape[0]) == chart_size(3) == (1500, 320)


@pytest.mark.parametrize(
    "data", [three_branches(), many_branches(45), many_branches(1)], ids=["three", "pooled", "one"]
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_is_in_the_cjk_font_and_covered(data: DigestData, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = build_chart_figure(data, lang)
        texts = visible_texts(fig)
        render_chart_png(data, lang)
    charmap = FT2Font(str(FONT_PATH)).get_charmap()
    chinese = 0
    for text in texts:
        assert Path(os.fsdecode(text.get_fontproperties().get_file() or "")) == FONT_PATH, text.get_text()
        missing = {c for c in text.get_text() if ord(c) not in charmap and not c.isspace()}
        assert not missing, (text.get_text(), missing)
        chinese += any("\u4e00" <= c <= "\u9fff" for c in text.get_text())
    assert chinese >= (5 if lang == "zh" else 1)
    if lang == "zh":
        labels = {text.get_text() for text in texts}
        assert "季度已过 58%" in labels or "季度已过 60%" in labels
        assert "目标 100%" in labels


def test_missing_glyph_would_be_caught() -> None:
    fig = build_chart_figure(three_branches(), "zh")
    fig.text(0.5, 0.5, "\U00013000", fontproperties=fig.texts[0].get_fontproperties())
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        fig.canvas.draw()


def test_unsupported_characters_are_left_out_of_labels() -> None:
    data = three_branches()
    first = replace(data.branches[0], branch_name="🌸幸福里\U00013000e支部")
    data = replace(data, branches=(first, *data.branches[1:]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        texts = visible_texts(build_chart_figure(data, "zh"))
    assert "幸福里e支部" in {text.get_text() for text in texts}


def test_many_branches_pool_the_middle() -> None:
    data = many_branches(45)
    fig = build_chart_figure(data, "zh")
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert len(labels) == MAX_BARS
    assert "其余16个支部（合计）" in labels
    pixels = mpimg.imread(io.BytesIO(render_chart_png(data, "zh")), format="png")
    assert (pixels.shape[1], pixels.shape[0]) == chart_size(MAX_BARS) == (1500, 200 + 40 * MAX_BARS)


def test_no_branches_still_draws() -> None:
    data = replace(three_branches(), branches=(), previous={})
    png = render_chart_png(data, "zh")
    assert png.startswith(PNG_SIGNATURE)


def test_the_chart_shows_service_hours_and_the_change_from_last_week() -> None:
    texts = {text.get_text() for text in visible_texts(build_chart_figure(three_branches(), "zh"))}
    assert "75%（30/40） ▲9.2个百分点" in texts  # 30/40 now, 25/38 last week
    assert "40%（10/25）" in texts  # no change, no arrow
    assert {"36.5小时 ▲6.5", "12小时", "0小时", "本季度服务时长（小时）", "▲▼为较上周增减"} <= texts
    (subtitle,) = [text for text in texts if text.startswith("全委")]
    assert "（61.5%，较上周▲5.9个百分点）" in subtitle and "服务时长48.5小时（较上周▲6.5）" in subtitle

    english = {text.get_text() for text in visible_texts(build_chart_figure(three_branches(), "en"))}
    assert {"75% (30/40) ▲9.2 pts", "36.5 h ▲6.5", "Service hours this quarter"} <= english

    first_week = {text.get_text() for text in visible_texts(build_chart_figure(three_branches(False), "zh"))}
    assert "36.5小时" in first_week and not any("▲" in text or "较上周" in text for text in first_week)
