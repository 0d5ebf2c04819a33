"""Numbers written in Arabic or Chinese numerals, and the character spans of phrases already recognised."""

from __future__ import annotations

import re

_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def read_number(text: str) -> int | None:
    digits = re.sub(r"[\s日号]", "", text)
    if not digits:
        return None
    if all("0" <= ch <= "9" for ch in digits):
        return int(digits)
    if any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in digits):
        return None
    if not any(ch in _CN_UNITS for ch in digits):
        return int("".join(str(_CN_DIGITS[ch]) for ch in digits))
    total = current = 0
    for ch in digits:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


Span = tuple[int, int]


def overlaps(span: Span, others: list[Span] | tuple[Span, ...]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)
