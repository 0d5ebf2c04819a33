"""Reading one TOML table key by key, typed and checked, with error messages naming the key and the file."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import time
from pathlib import Path
from typing import NoReturn

from bot.config.sections import (
    ConfigError,
)
from bot.i18n import Phrase

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("mon", "monday", "周一", "星期一"),
        ("tue", "tuesday", "周二", "星期二"),
        ("wed", "wednesday", "周三", "星期三"),
        ("thu", "thursday", "周四", "星期四"),
        ("fri", "friday", "周五", "星期五"),
        ("sat", "saturday", "周六", "星期六"),
        ("sun", "sunday", "周日", "星期日", "周天", "星期天"),
    )
):
    _WEEKDAYS.update(dict.fromkeys(_names, _number))

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

Fail = Callable[..., NoReturn]
"""Refuses a value: ``fail(problem_key, **args)`` with a ``config.*`` catalog key saying what is wrong."""


def show(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


class Table:
    """One TOML table being read, able to name its keys and the file in error messages."""

    def __init__(
        self, path: Path, name: str, data: Mapping[str, object], env: Mapping[str, str], *, secrets: bool = True
    ) -> None:
        self.path = path
        self.name = name
        self.data = data
        self.env = env
        self.secrets = secrets

    def key(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def fail(self, key: str, problem: str, /, **args: object) -> NoReturn:
        raise ConfigError("config.at", file=str(self.path), key=self.key(key), problem=Phrase(problem, args))

    def fail_at(self, key: str) -> Fail:
        return lambda problem, **args: self.fail(key, problem, **args)

    def has(self, key: str) -> bool:
        return key in self.data

    def table(self, key: str) -> Table:
        value = self.data.get(key, {})
        assert isinstance(value, dict)
        return Table(self.path, self.key(key), value, self.env, secrets=self.secrets)

    def _missing(self, key: str) -> NoReturn:
        section: object = self.name or Phrase.of("config.top_level")
        self.fail(key, "config.missing", section=section)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "config.expected_bool", got=show(value))
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self._missing(key)
        if not isinstance(value, str):
            self.fail(key, "config.expected_text", got=show(value))
        value = value.strip()
        if not value:
            self.fail(key, "config.empty")
        return value

    def optional_text(self, key: str) -> str | None:
        if self.data.get(key) in (None, ""):
            return None
        return self.text(key)

    def url(self, key: str, *, https_only: bool = False) -> str | None:
        value = self.optional_text(key)
        if value is None:
            return None
        schemes = ("https://",) if https_only else ("https://", "http://")
        if not value.startswith(schemes) or len(value) <= len("https://"):
            self.fail(key, "config.expected_https" if https_only else "config.expected_url", got=show(value))
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...], *, upper: bool = False) -> str:
        value = self.text(key, default)
        normalised = value.upper() if upper else value.lower()
        if normalised not in options:
            self.fail(key, "config.expected_choice", options=", ".join(options), got=show(value))
        return normalised

    def integer(self, key: str, default: int | None = None, *, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if value is None:
            self._missing(key)
        if isinstance(value, str) and value.strip().isdigit():
            self.fail(key, "config.integer_quoted", got=show(value))
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, "config.expected_integer", got=show(value))
        if not low <= value <= high:
            self.fail(key, "config.out_of_range", low=low, high=high, value=value)
        return value

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, "config.expected_number", got=show(value))
        if not low < value <= high:
            self.fail(key, "config.number_range", low=f"{low:g}", high=f"{high:g}", value=f"{value:g}")
        return float(value)

    def port(self, key: str, default: int) -> int:
        return self.integer(key, default, low=1, high=65535)

    def days(self, key: str, default: int, *, high: int = 365) -> int:
        return self.integer(key, default, low=1, high=high)

    def clock(self, key: str, default: time) -> time:
        value = self.data.get(key, default)
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        if isinstance(value, str):
            match = _CLOCK.fullmatch(value.strip())
            if match and int(match[1]) < 24 and int(match[2]) < 60:
                return time(int(match[1]), int(match[2]))
        self._bad_clock(key, value)

    def _bad_clock(self, key: str, value: object) -> NoReturn:
        self.fail(key, "config.expected_clock", got=show(value))

    def weekday(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
            return value
        if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
            return _WEEKDAYS[value.strip().lower()]
        self.fail(key, "config.expected_weekday", got=show(value))

    def int_list(self, key: str, default: tuple[int, ...], *, low: int, high: int) -> tuple[int, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            self.fail(key, "config.expected_int_list", got=show(value))
        for item in value:
            if not low <= item <= high:
                self.fail(key, "config.list_out_of_range", low=low, high=high, value=item)
        return tuple(sorted(set(value)))

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.fail(key, "config.expected_text_list", got=show(value))
        return tuple(item.strip() for item in value)

    def secret(self, key: str, env_var: str) -> tuple[str, Phrase]:
        """The secret and where it came from, preferring the environment variable over the file."""
        from_env = self.env.get(env_var, "").strip()
        if from_env:
            return from_env, Phrase.of("config.origin_env", env=env_var)
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.fail(key, "config.expected_quoted")
        if not value.strip():
            if not self.secrets:
                return "", Phrase.of("config.origin_file", section=self.name, key=key)
            self.fail(key, "config.secret_missing", section=self.name, env=env_var)
        return value.strip(), Phrase.of("config.origin_file", section=self.name, key=key)

    def check_secret(self, key: str, source: tuple[str, Phrase], pattern: re.Pattern[str], shape: str) -> str:
        """The secret if it matches its shape (a ``config.shape_*`` key); the message names the source but never
        shows the value."""
        value, origin = source
        if not value and not self.secrets:
            return value
        if not pattern.fullmatch(value):
            self.fail(key, "config.secret_bad", origin=origin, shape=Phrase.of(shape))
        return value
