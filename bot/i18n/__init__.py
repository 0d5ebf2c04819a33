"""User-facing text in Simplified Chinese (default) and English, looked up by key.

Each area of the core keeps its own catalog module here (``core``, ``parser``, ``reports``...), a dict of
``key -> {"zh": ..., "en": ...}``; each platform keeps its own texts beside its handlers as a :class:`Texts` in
front of this catalog. A test checks every key has both languages and the same placeholders.
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
    return _render(entry, lang, kwargs)


def has(key: str) -> bool:
    """Whether the catalog knows ``key``."""
    return key in catalog()


def _render(entry: dict[str, str], lang: str | None, kwargs: dict[str, object]) -> str:
    text = entry.get(normalize_language(lang)) or entry[DEFAULT_LANGUAGE]
    return text.format_map(_Lenient(kwargs)) if "{" in text else text


class Texts:
    """A platform's own texts, looked up before the core catalog's; a key in both is a programming error."""

    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self.messages = messages

    def t(self, key: str, lang: str | None = None, /, **kwargs: object) -> str:
        """The platform's text for ``key`` (else the core's) in ``lang``, formatted with ``kwargs``."""
        entry = self.messages.get(key)
        return _render(entry, lang, kwargs) if entry is not None else t(key, lang, **kwargs)

    def clashes(self) -> set[str]:
        """Keys defined both here and in the core catalog."""
        return set(self.messages) & set(catalog())


class _Lenient(dict[str, object]):
    """Format arguments where a missing placeholder renders empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""
