"""Turning domain output into WeCom's: markdown text, button_interaction template cards, and refusals as text."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.domain.errors import DomainError
from bot.domain.wish_text import ParseProblem
from bot.notices.callbacks import Act, decode
from bot.notices.views import describe_error
from bot.ports.chat import Button, OutgoingMessage
from handlers.wecom.texts import t

TEXT_LIMIT_BYTES = 2000
MAX_BUTTONS = 6
NOOP_KEY = "wc:noop"
_TITLE_CHARS = 36
_DESC_CHARS = 44
_SUB_TITLE_CHARS = 400
_BUTTON_CHARS = 10
_TAG = re.compile(r"</?[bi]>")


def plain(text: str) -> str:
    """Our light HTML as plain text."""
    return html.unescape(_TAG.sub("", text))


def markdown(text: str) -> str:
    """Our light HTML as WeCom markdown: bold stays bold, italics (unsupported) become plain."""
    text = text.replace("<b>", "**").replace("</b>", "**").replace("<i>", "").replace("</i>", "")
    return html.unescape(text)


def chunks(text: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """Split a text into pieces of at most ``limit`` UTF-8 bytes, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line.encode()) > limit:
            cut = len(line.encode()[:limit].decode(errors="ignore"))
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        pieces.append(current)
    return pieces or [" "]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _buttons(message: OutgoingMessage) -> list[Button]:
    buttons = [b for row in message.buttons for b in row if b.payload]
    if len(buttons) > MAX_BUTTONS:
        ratings = sorted(
            (b for b in buttons if (p := decode(b.payload)) is not None and p.act == Act.RATE),
            key=lambda b: b.payload or "",
        )
        for low in ratings[: len(buttons) - MAX_BUTTONS]:
            buttons.remove(low)
    return buttons[:MAX_BUTTONS]


def template_card(
    message: OutgoingMessage, task_id: str, lang: str, *, closed_label: str | None = None
) -> dict[str, Any]:
    """A ``button_interaction`` card (title, description, text, payload-keyed buttons; an inert one if none)."""
    lines = [plain(line).strip() for line in message.text.split("\n")]
    lines = [line for line in lines if line]
    title = lines[0] if lines else t("wc.source", lang)
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": t("wc.source", lang)},
        "main_title": {"title": _clip(title, _TITLE_CHARS)},
        "task_id": task_id,
    }
    if len(lines) > 1:
        card["main_title"]["desc"] = _clip(lines[1], _DESC_CHARS)
    if len(lines) > 2:
        card["sub_title_text"] = _clip("\n".join(lines[2:]), _SUB_TITLE_CHARS)
    buttons = [
        {"text": _clip(b.label, _BUTTON_CHARS), "style": 1 if i == 0 else 2, "key": b.payload}
        for i, b in enumerate(_buttons(message))
    ]
    if not buttons:
        buttons = [{"text": closed_label or t("wc.card.closed", lang), "style": 2, "key": NOOP_KEY}]
    card["button_list"] = buttons
    return card


def error_text(error: DomainError, lang: str) -> str:
    """What the user reads when the rules refuse something: the only place refusals become text."""
    return plain(describe_error(error, lang))


def problem_text(problem: ParseProblem, lang: str) -> str:
    """One thing the wish parser could not read (or assumed), in the user's language."""
    return plain(t(problem.key, lang, **dict(problem.args)))
