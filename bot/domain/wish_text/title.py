"""What is left once the recognised phrases are cut out, split into clauses for the title and description."""

from __future__ import annotations

import re

from bot.domain.wish_text.marks import (
    FLAG_WORDS,
)
from bot.domain.wish_text.spans import Span

_SEPARATORS = re.compile(r"[，,。；;、！!？?#\s]+")
_FLAG_RUN = "(?:" + "|".join(sorted(FLAG_WORDS, key=len, reverse=True)) + ")+"
FLAG_CLAUSE = re.compile(_FLAG_RUN)
FLAG_LABEL = re.compile("^" + _FLAG_RUN + r"\s*[:：]\s*")


def split_clauses(text: str) -> list[tuple[str, str]]:
    """Split into (clause, separator-after) pairs; a space beside a Latin letter or digit does not split."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _SEPARATORS.finditer(text):
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if match.group(0).strip(" ") == "" and (_latin(before) or _latin(after)):
            continue
        pieces.append((text[start : match.start()], match.group(0)))
        start = match.end()
    pieces.append((text[start:], ""))
    return [(clause.strip(), separator) for clause, separator in pieces if clause.strip()]


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def joined(pieces: list[tuple[str, str]]) -> str:
    out: list[str] = []
    for index, (clause, separator) in enumerate(pieces):
        out.append(clause)
        if index == len(pieces) - 1:
            break
        if "\n" in separator:
            out.append("\n")
        else:
            marks = [ch for ch in separator if not ch.isspace() and ch != "#"]
            out.append(marks[0] if marks else " ")
    return "".join(out).strip()


def cut_out(text: str, spans: list[Span]) -> str:
    keep = [True] * len(text)
    for start, end in spans:
        for index in range(max(0, start), min(len(text), end)):
            keep[index] = False
    return "".join(ch for ch, kept in zip(text, keep, strict=True) if kept)
