"""User-facing text in Simplified Chinese (default) and English, looked up by key.

Each area of the core keeps its own catalog module here (``core``, ``parser``, ``reports``...), a dict of
``key -> {"zh": ..., "en": ...}``; each platform keeps its own texts beside its handlers as a :class:`Texts` in
front of this catalog. A test checks every key has both languages and the same placeholders.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
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
    if "{" not in text:
        return text
    said = {name: value.render(lang) if isinstance(value, Phrase) else value for name, value in kwargs.items()}
    return text.format_map(_Lenient(said))


@dataclass(frozen=True, slots=True)
class Phrase:
    """A text not yet said: a catalog key and its arguments, rendered in the reader's language when it is shown.

    A phrase may be the argument of another (a config error names the key, then what is wrong with it).
    """

    key: str
    args: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, /, **args: object) -> Phrase:
        """A phrase with keyword arguments."""
        return cls(key, args)

    def render(self, lang: str | None) -> str:
        """The phrase in ``lang``."""
        return t(self.key, lang, **self.args)


_REASONS = (
    ("no such file or directory", "reason.no_such_file"),
    ("permission denied", "reason.permission_denied"),
    ("read-only file system", "reason.read_only_fs"),
    ("no space left on device", "reason.disk_full"),
    ("database or disk is full", "reason.disk_full"),
    ("is a directory", "reason.is_directory"),
    ("not a directory", "reason.not_directory"),
    ("file is not a database", "reason.not_a_database"),
    ("database disk image is malformed", "reason.malformed"),
    ("unable to open database file", "reason.cannot_open"),
    ("attempt to write a readonly database", "reason.read_only_database"),
    ("disk i/o error", "reason.io_error"),
    ("database is locked", "reason.locked"),
)


def reason(text: str) -> Phrase | str:
    """A reason the system gave in English (an OS error, SQLite's message) as a phrase we can say in Chinese too;
    one we do not know stays as it is."""
    lowered = text.lower()
    return next((Phrase(key) for fragment, key in _REASONS if fragment in lowered), text)


class LocalizedError(Exception):
    """A failure an operator reads (a config, database or file problem), said in the configured language.

    ``str()`` is the English text, for logs; :meth:`message` says it in the language of the reader.
    """

    def __init__(self, key: str, /, **args: object) -> None:
        self.phrase = Phrase(key, args)
        super().__init__(self.phrase.render("en"))

    @property
    def key(self) -> str:
        """The catalog key of the message."""
        return self.phrase.key

    @property
    def args_map(self) -> dict[str, object]:
        """The message's arguments."""
        return self.phrase.args

    def message(self, lang: str | None = None) -> str:
        """The message in the reader's language (Chinese by default)."""
        return self.phrase.render(lang)


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
