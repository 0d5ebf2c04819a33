"""Turning domain output into Telegram's: HTML text, inline keyboards, toasts and the one map of refusals to text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.errors import DomainError
from bot.domain.wish_text import ParseProblem
from bot.notices.views import describe_error
from bot.ports.chat import Button, Mention
from handlers.telegram.texts import t

TOAST_LIMIT = 200
TEXT_LIMIT = 4096
_TAG = re.compile(r"</?[bi]>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&amp;": "&"}


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard for platform-neutral buttons (callback payload or URL); None when there are none."""
    grouped = [[_button(b) for b in row] for row in rows if row]
    return InlineKeyboardMarkup(grouped) if grouped else None


def _button(b: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(b.label, url=b.url) if b.url else InlineKeyboardButton(b.label, callback_data=b.payload)


def plain(html_text: str) -> str:
    """The text of our light HTML without tags, for toasts."""
    text = _TAG.sub("", html_text)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text


def toast(text: str) -> str:
    """A callback answer: plain text, at most 200 characters."""
    text = plain(text)
    return text if len(text) <= TOAST_LIMIT else text[: TOAST_LIMIT - 1] + "…"


def clip(html_text: str, limit: int = TEXT_LIMIT) -> str:
    """A message text (or caption) that fits Telegram's limit (cut at a line break)."""
    if len(html_text) <= limit:
        return html_text
    cut = html_text.rfind("\n", 0, limit - 2)
    return html_text[: cut if cut > 0 else limit - 2] + "\n…"


def with_mention(html_text: str, mention: Mention | None) -> str:
    """The text with the mentioned person's name made a clickable mention (``tg://user?id=``), which notifies them."""
    if mention is None or not mention.user_id.lstrip("-").isdigit():
        return html_text
    name = mention.name or "👤"
    link = f'<a href="tg://user?id={mention.user_id}">{name}</a>'
    if mention.name and mention.name in html_text:
        return html_text.replace(mention.name, link, 1)
    return f"{link} {html_text}"


def error_text(error: DomainError, lang: str) -> str:
    """What the user reads when the rules refuse something: the only place refusals become text."""
    return describe_error(error, lang)


def problem_text(problem: ParseProblem, lang: str) -> str:
    """One thing the wish parser could not read (or assumed), in the user's language."""
    return t(problem.key, lang, **dict(problem.args))
