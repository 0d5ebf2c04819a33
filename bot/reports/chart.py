"""The digest chart: served share and service hours per branch, with the change from last week, against the
quarter's pace; headless, with a bundled CJK font."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from bot.domain.model import BranchStats
from bot.domain.reports import DigestData, sum_stats
from bot.i18n import normalize_language, t
from bot.reports.digest_text import display_width, format_number, is_behind, rank_branches

FONT_PATH = Path(__file__).parent / "fonts" / "NotoSansSC-Regular.otf"
MAX_BARS = 30
WIDTH_PX = 1500
BASE_HEIGHT_PX = 200
BAR_HEIGHT_PX = 40
DPI = 100
TOP_PX = 120
BOTTOM_PX = 80
LABEL_WIDTH = 28
X_MAX = 140.0
HOURS_HEADROOM = 1.7
ON_PACE_COLOR = "#4c9a2a"
BEHIND_COLOR = "#e8833a"
OTHERS_COLOR = "#9e9e9e"
ELAPSED_COLOR = "#1f4e79"
TARGET_COLOR = "#b71c1c"
HOURS_COLOR = "#5b8fc7"


@cache
def _charmap() -> frozenset[int]:
    return frozenset(FT2Font(str(FONT_PATH)).get_charmap())


def font(size: float = 11.0) -> FontProperties:
    """The bundled CJK font at a size, loaded from its file so no system font is needed."""
    return FontProperties(fname=str(FONT_PATH), size=size)


def drawable(text: str) -> str:
    """Text without the characters the bundled font lacks (emoji, rare scripts), so none shows as tofu."""
    supported = _charmap()
    return "".join(c for c in text if ord(c) in supported or c in "\n")


def _short(name: str) -> str:
    name = drawable(" ".join(name.split()))
    if display_width(name) <= LABEL_WIDTH:
        return name
    kept = ""
    for char in name:
        if display_width(kept + char) > LABEL_WIDTH - 2:
            break
        kept += char
    return kept + "…"


@dataclass(frozen=True, slots=True)
class _Bar:
    label: str
    stats: BranchStats
    pooled: bool = False
    previous: BranchStats | None = None


def change(current: float, previous: float | None) -> float | None:
    """The week-over-week change of a number shown to one decimal; None when there is no last week to compare."""
    if previous is None:
        return None
    return round(round(current, 1) - round(previous, 1), 1)


def _arrow(value: float) -> str:
    return f"{'▲' if value > 0 else '▼'}{format_number(abs(value))}"


def _bar_change(value: float | None, key: str, lang: str) -> str:
    """A bar label's change from last week (" ▲5个百分点"), empty without one or when there was none."""
    if not value:
        return ""
    return t(key, lang, change=_arrow(value))


def _total_change(value: float | None, key: str, lang: str) -> str:
    """The subtitle's change from last week, "same as last week" when there was none, empty without last week."""
    if value is None:
        return ""
    if value == 0:
        return t(f"{key}_same", lang)
    return t(key, lang, change=_arrow(value))


def chart_bars(data: DigestData, lang: str) -> list[_Bar]:
    """The bars to draw: every branch up to MAX_BARS, else the top and bottom ones around a pooled middle."""
    ranked = rank_branches(data.branches)
    before = data.previous
    if len(ranked) <= MAX_BARS:
        return [_Bar(_short(s.branch_name), s, previous=before.get(s.branch_id)) for s in ranked]
    top = (MAX_BARS - 1) // 2
    bottom = MAX_BARS - 1 - top
    middle = ranked[top : len(ranked) - bottom]
    pooled = sum_stats(middle, t("report.chart.others", lang, count=len(middle)))
    known = [before[s.branch_id] for s in middle if s.branch_id in before]
    pooled_before = sum_stats(known, pooled.branch_name) if known else None
    return [
        *(_Bar(_short(s.branch_name), s, previous=before.get(s.branch_id)) for s in ranked[:top]),
        _Bar(drawable(pooled.branch_name), pooled, pooled=True, previous=pooled_before),
        *(_Bar(_short(s.branch_name), s, previous=before.get(s.branch_id)) for s in ranked[len(ranked) - bottom :]),
    ]


def chart_size(bars: int) -> tuple[int, int]:
    """Pixel size of a chart with this many bars."""
    return WIDTH_PX, BASE_HEIGHT_PX + BAR_HEIGHT_PX * max(bars, 1)


def build_chart_figure(data: DigestData, lang: str) -> Figure:
    """The chart as a matplotlib Figure on an Agg canvas (no pyplot, no global backend)."""
    lang = normalize_language(lang)
    bars = chart_bars(data, lang)
    width, height = chart_size(len(bars))
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    bottom_edge, plot_height = BOTTOM_PX / height, 1 - (TOP_PX + BOTTOM_PX) / height
    ax = fig.add_axes((0.18, bottom_edge, 0.54, plot_height))
    hours_ax = fig.add_axes((0.75, bottom_edge, 0.22, plot_height))

    totals, totals_before = data.totals, data.previous_totals
    elapsed_pct = 100 * min(max(data.quarter_elapsed, 0.0), 1.0)
    expected = data.target_pct * elapsed_pct / 100
    title = t("report.chart.title", lang, committee=data.committee_name, quarter=data.quarter_label)
    fig.text(0.02, 1 - 12 / height, drawable(title), fontproperties=font(16), va="top")
    subtitle = t(
        "report.chart.subtitle",
        lang,
        served=totals.served_this_quarter,
        reported=totals.members_reported,
        pct=format_number(totals.served_pct),
        d_pct=_total_change(
            change(totals.served_pct, totals_before.served_pct if totals_before else None),
            "report.chart.total_pp",
            lang,
        ),
        hours=format_number(totals.hours_quarter),
        d_hours=_total_change(
            change(totals.hours_quarter, totals_before.hours_quarter if totals_before else None),
            "report.chart.total_hours",
            lang,
        ),
        date=data.generated_at.strftime("%Y-%m-%d"),
    )
    fig.text(0.02, 1 - 48 / height, drawable(subtitle), fontproperties=font(11), va="top", color="#444444")

    positions = list(range(len(bars)))
    values = [bar.stats.served_pct for bar in bars]
    colors = [
        OTHERS_COLOR if bar.pooled else BEHIND_COLOR if is_behind(bar.stats, expected) else ON_PACE_COLOR
        for bar in bars
    ]
    ax.barh(positions, values, height=0.6, color=colors)
    ax.set_yticks(positions, [bar.label for bar in bars], fontproperties=font(11))
    ax.set_ylim(max(len(bars), 1) - 0.5, -0.5)
    ticks = [0, 20, 40, 60, 80, 100]
    ax.set_xticks(ticks, [f"{tick}%" for tick in ticks], fontproperties=font(10))
    ax.set_xlim(0, X_MAX)
    ax.set_xlabel(t("report.chart.xlabel", lang), fontproperties=font(11))
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    for position, bar, value in zip(positions, bars, values, strict=True):
        if bar.stats.members_reported:
            label = t(
                "report.chart.bar_label",
                lang,
                pct=format_number(value),
                served=bar.stats.served_this_quarter,
                reported=bar.stats.members_reported,
            )
            previous_pct = bar.previous.served_pct if bar.previous and bar.previous.members_reported else None
            label += _bar_change(change(value, previous_pct), "report.chart.bar_pp", lang)
        else:
            label = t("report.chart.none_reported", lang)
        ax.text(
            value + 1,
            position,
            label,
            va="center",
            fontproperties=font(10),
            color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.8},
        )

    _draw_hours(hours_ax, bars, lang)
    if data.previous:
        fig.text(0.02, 8 / height, t("report.chart.change_note", lang), fontproperties=font(10), color="#444444")

    elapsed_label = t("report.chart.elapsed", lang, pct=format_number(elapsed_pct))
    target_label = t("report.chart.target", lang, pct=format_number(data.target_pct))
    ax.axvline(expected, color=ELAPSED_COLOR, linestyle="--", linewidth=1.5)
    ax.axvline(data.target_pct, color=TARGET_COLOR, linestyle=":", linewidth=1.5)
    top_edge = blended_transform_factory(ax.transData, ax.transAxes)
    ax.plot([expected], [1.0], marker="v", color=ELAPSED_COLOR, transform=top_edge, clip_on=False)

    if not data.branches:
        ax.text(50, 0, t("report.chart.empty", lang), ha="center", va="center", fontproperties=font(12))
    handles = [
        Patch(color=ON_PACE_COLOR, label=t("report.chart.on_pace", lang)),
        Patch(color=BEHIND_COLOR, label=t("report.chart.behind", lang)),
        *([Patch(color=OTHERS_COLOR, label=t("report.chart.pooled", lang))] if any(bar.pooled for bar in bars) else []),
        Line2D([], [], color=ELAPSED_COLOR, linestyle="--", marker="v", label=elapsed_label),
        Line2D([], [], color=TARGET_COLOR, linestyle=":", label=target_label),
    ]
    fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(0.98, 1 - 72 / height),
        ncol=len(handles),
        prop=font(10),
        frameon=False,
    )
    return fig


def _draw_hours(ax: Axes, bars: list[_Bar], lang: str) -> None:
    """Service hours this quarter beside each branch's served share, with the change from last week."""
    positions = list(range(len(bars)))
    hours = [bar.stats.hours_quarter for bar in bars]
    ax.barh(positions, hours, height=0.6, color=[OTHERS_COLOR if bar.pooled else HOURS_COLOR for bar in bars])
    ax.set_ylim(max(len(bars), 1) - 0.5, -0.5)
    ax.set_xlim(0, max([*hours, 1.0]) * HOURS_HEADROOM)
    ax.set_yticks([])
    ax.set_xticks([])
    ax.set_xlabel(t("report.chart.hours_xlabel", lang), fontproperties=font(11))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    room = max([*hours, 1.0]) * 0.02
    for position, bar, value in zip(positions, bars, hours, strict=True):
        previous = bar.previous.hours_quarter if bar.previous else None
        label = t("report.chart.hours_label", lang, hours=format_number(value))
        label += _bar_change(change(value, previous), "report.chart.bar_hours", lang)
        ax.text(value + room, position, label, va="center", fontproperties=font(10), color="#333333")


def render_chart_png(data: DigestData, lang: str) -> bytes:
    """The digest chart as PNG bytes, of a fixed size that grows with the number of bars."""
    fig = build_chart_figure(data, lang)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
