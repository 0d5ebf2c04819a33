"""What is left once the recognised phrases are cut out, split into clauses for the title and description."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.domain.wish_text.marks import (
    FLAG_WORDS,
)
from bot.domain.wish_text.spans import Span

_SEPARATORS = re.compile(r"[，,。；;、！!？?#\s]+")
_FLAG_RUN = "(?:" + "|".join(sorted(FLAG_WORDS, key=len, reverse=True)) + ")+"
FLAG_CLAUSE = re.compile(_FLAG_RUN)
FLAG_LABEL = re.compile("^" + _FLAG_RUN + r"\s*[:：]\s*")
_AFTER_CUT = frozenset(" \t:：的-—–")
_RANGE = frozenset("至到~～-—")


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of what is left, the separator after it, and where each of its characters stood in the text."""

    text: str
    separator: str
    origin: tuple[int, ...]

    def without(self, positions: Collection[int]) -> str:
        """The clause with the characters at ``positions`` (of the whole text) taken out, and with them what only
        joined them to the rest: a range's ``至``/``-`` between two cut phrases, a ``的`` or ``：`` right after one."""
        gone = [index in positions for index in self.origin]
        for at in range(len(gone)):
            if not gone[at] and at > 0 and gone[at - 1] and self.text[at] in _AFTER_CUT:
                gone[at] = True
        for at in range(len(gone)):
            if gone[at] or self.text[at] not in _RANGE:
                continue
            left = at - 1
            while left >= 0 and self.text[left].isspace() and not gone[left]:
                left -= 1
            right = at + 1
            while right < len(gone) and self.text[right].isspace() and not gone[right]:
                right += 1
            if left >= 0 and gone[left] and right < len(gone) and gone[right]:
                gone[left + 1 : right] = [True] * (right - left - 1)
        kept = "".join(ch for ch, cut in zip(self.text, gone, strict=True) if not cut)
        return re.sub(r"\s{2,}", " ", kept).strip()

    def touches(self, positions: Collection[int]) -> bool:
        """Whether any of the clause's characters is at one of ``positions``."""
        return any(index in positions for index in self.origin)

    def unlabelled(self) -> Clause:
        """The clause without a leading flag label (``紧急：``, ``战时应急：``)."""
        match = FLAG_LABEL.match(self.text)
        if match is None:
            return self
        return Clause(self.text[match.end() :], self.separator, self.origin[match.end() :])


def split_clauses(text: str, removed: list[Span]) -> list[Clause]:
    """What is left of ``text`` once ``removed`` is cut out, split into clauses; a space beside a Latin letter or
    digit does not split."""
    keep = [True] * len(text)
    for start, end in removed:
        for index in range(max(0, start), min(len(text), end)):
            keep[index] = False
    origin = [index for index, kept in enumerate(keep) if kept]
    rest = "".join(text[index] for index in origin)
    pieces: list[tuple[int, int, str]] = []
    start = 0
    for match in _SEPARATORS.finditer(rest):
        before = rest[match.start() - 1] if match.start() > 0 else ""
        after = rest[match.end()] if match.end() < len(rest) else ""
        if match.group(0).strip(" ") == "" and (_latin(before) or _latin(after)):
            continue
        pieces.append((start, match.start(), match.group(0)))
        start = match.end()
    pieces.append((start, len(rest), ""))
    clauses: list[Clause] = []
    for begin, end, separator in pieces:
        while begin < end and rest[begin].isspace():
            begin += 1
        while end > begin and rest[end - 1].isspace():
            end -= 1
        if begin < end:
            clauses.append(Clause(rest[begin:end], separator, tuple(origin[begin:end])))
    return clauses


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def joined(pieces: list[Clause]) -> str:
    out: list[str] = []
    for index, clause in enumerate(pieces):
        out.append(clause.text)
        if index == len(pieces) - 1:
            break
        if "\n" in clause.separator:
            out.append("\n")
        else:
            marks = [ch for ch in clause.separator if not ch.isspace() and ch != "#"]
            out.append(marks[0] if marks else " ")
    return "".join(out).strip()


def cut_out(text: str, spans: list[Span]) -> str:
    keep = [True] * len(text)
    for start, end in spans:
        for index in range(max(0, start), min(len(text), end)):
            keep[index] = False
    return "".join(ch for ch, kept in zip(text, keep, strict=True) if kept)
