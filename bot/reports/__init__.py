"""Platform-free weekly digest, chart and ledger rendering from plain data."""

from __future__ import annotations

from bot.domain.reports import (
    DigestData,
    LedgerData,
    LedgerMember,
    LedgerService,
    LedgerWish,
    WorkplaceFeedback,
    WorkplaceMember,
)
from bot.reports.chart import render_chart_png
from bot.reports.digest_text import render_digest_text
from bot.reports.ledger import build_ledger_xlsx, build_workplace_feedback_xlsx

__all__ = [
    "DigestData",
    "LedgerData",
    "LedgerMember",
    "LedgerService",
    "LedgerWish",
    "WorkplaceFeedback",
    "WorkplaceMember",
    "build_ledger_xlsx",
    "build_workplace_feedback_xlsx",
    "render_chart_png",
    "render_digest_text",
]
