"""A wish text the parser could not read: the draft is kept (by the use case) and its problems are listed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.wish_text import ParseProblem
from bot.flows.base import Prompt
from bot.i18n import t


def needs_fix(problems: Sequence[ParseProblem], lang: str) -> Prompt:
    """What could not be read, one line each; the next message (or an edit of this one) is read again."""
    lines = "\n".join(f"· {t(p.key, lang, **dict(p.args))}" for p in problems)
    return Prompt("flow.wish.needs_fix", (("problems", lines),))
