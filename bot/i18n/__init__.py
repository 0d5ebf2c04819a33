"""User-facing text in Simplified Chinese (default) and English, looked up by key.

Each area keeps its own catalog module (``core``, ``parser``, ``reports``, ``telegram``, ``wecom``...), a dict of
``key -> {"zh": ..., "en": ...}``; a test checks every key has both languages and the same placeholders.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

DEFAULT_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")


def normalize_language(code: str | None) -> str:
    """Map a platform language code (``en-GB``, ``zh-hans``, None) to one we speak."""
    if code and code.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All catalogs merged; a duplicated key across catalogs is a programming error."""
    merged: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        messages: dict[str, dict[str, str]] = getattr(module, "MESSAGES", {})
        for key, value in messages.items():
            if key in merged:
                raise RuntimeError(f"i18n key {key!r} defined twice (second in {info.name})")
            merged[key] = value
    return merged


def t(key: str, lang: str | None = None, /, **kwargs: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to Chinese), formatted with ``kwargs``."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(normalize_language(lang)) or entry[DEFAULT_LANGUAGE]
    return text.format_map(_Lenient(kwargs)) if "{" in text else text


def has(key: str) -> bool:
    """Whether the catalog knows ``key``."""
    return key in catalog()


class _Lenient(dict[str, object]):
    """Format arguments where a missing placeholder renders empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""
