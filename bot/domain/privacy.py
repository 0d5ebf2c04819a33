"""Finds and masks Chinese phone numbers so residents' numbers never show in full in a group chat."""

from __future__ import annotations

import re
import unicodedata

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－＋（）", "0123456789-+()")

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_GAP = r"[ \-\u3000]?"
_DIGIT_GAP = rf"[ \-\u3000.·{_INVISIBLE}]{{0,2}}"
"""Between any two digits of a mobile number: a space, dash, dot or invisible character (138.0013.8005, 1 3 8 ...)."""
_MOBILE = re.compile(
    r"(?<![0-9])"
    rf"(?P<prefix>(?:\+|00)?86{_GAP})?"
    rf"(?P<number>1{_DIGIT_GAP}[3-9](?:{_DIGIT_GAP}[0-9]){{9}})"
    r"(?![0-9])"
)
_LANDLINE = re.compile(
    r"(?<![0-9])"
    r"(?P<area>\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2})"
    rf"{_GAP}"
    rf"(?P<number>[2-9][0-9]{{2,3}}{_GAP}[0-9]{{4}})"
    r"(?![0-9])"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def _matches(text: str) -> list[re.Match[str]]:
    normalized = text.translate(_FULL_WIDTH)
    found = list(_MOBILE.finditer(normalized))
    taken = [(m.start(), m.end()) for m in found]
    for match in _LANDLINE.finditer(normalized):
        if not any(match.start() < end and start < match.end() for start, end in taken):
            found.append(match)
    return sorted(found, key=lambda m: m.start())


def phone_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) positions of every phone number in ``text``, in order, so parsers can skip them."""
    return tuple((m.start(), m.end()) for m in _matches(text))


def _canonical(match: re.Match[str]) -> str:
    if "area" in match.re.groupindex:
        return f"{_digits(match.group('area'))}-{_digits(match.group('number'))}"
    return _digits(match.group("number"))


def find_phones(text: str) -> tuple[str, ...]:
    """Phone numbers in ``text`` in canonical form (``13812345678``, ``0573-12345678``), first-seen order, no repeats.

    Mobiles lose their ``+86``/``86`` prefix and any spaces or dashes; landlines keep the area code and one dash.
    """
    seen: dict[str, None] = {}
    for match in _matches(text):
        seen.setdefault(_canonical(match), None)
    return tuple(seen)


def _masked(match: re.Match[str], original: str) -> str:
    number = _digits(match.group("number"))
    if "area" in match.re.groupindex:
        return f"{_digits(match.group('area'))}-{'*' * (len(number) - 4)}{number[-4:]}"
    prefix_end = match.start("number") - match.start()
    prefix = original[:prefix_end].rstrip(" -\u3000－") + " " if match.group("prefix") else ""
    return f"{prefix}{number[:3]}****{number[-4:]}"


def mask_phones(text: str) -> str:
    """``text`` with every phone number masked: ``138****5678`` for mobiles, ``0573-****5678`` for landlines."""
    parts: list[str] = []
    position = 0
    for match in _matches(text):
        parts.append(text[position : match.start()])
        parts.append(_masked(match, text[match.start() : match.end()]))
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


_ONE_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_NOISE = re.compile(rf"[\s\-‐‑‒–—―()（）.·{_INVISIBLE}]")


def normalize_phone(text: str) -> str | None:
    """The 11-digit mainland mobile number in ``text`` (spaces, dashes and +86 removed), or None."""
    digits = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    else:
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
    return digits if _ONE_MOBILE.fullmatch(digits) else None
