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

Fail = Callable[[str], NoReturn]


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

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ConfigError(f"{self.path}: {self.key(key)}: {problem}")

    def fail_at(self, key: str) -> Fail:
        return lambda problem: self.fail(key, problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def table(self, key: str) -> Table:
        value = self.data.get(key, {})
        assert isinstance(value, dict)
        return Table(self.path, self.key(key), value, self.env, secrets=self.secrets)

    def _missing(self, key: str) -> NoReturn:
        section = self.name or "top level"
        self.fail(key, f"missing; add it to [{section}]")

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {show(value)}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self._missing(key)
        if not isinstance(value, str):
            self.fail(key, f"expected text in quotes, got {show(value)}")
        value = value.strip()
        if not value:
            self.fail(key, "must not be empty")
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
            wanted = "an https:// address" if https_only else "an http:// or https:// address"
            self.fail(key, f"expected {wanted}, got {show(value)}")
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...], *, upper: bool = False) -> str:
        value = self.text(key, default)
        normalised = value.upper() if upper else value.lower()
        if normalised not in options:
            self.fail(key, f"expected one of {', '.join(options)}, got {show(value)}")
        return normalised

    def integer(self, key: str, default: int | None = None, *, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if value is None:
            self._missing(key)
        if isinstance(value, str) and value.strip().isdigit():
            self.fail(key, f"expected a whole number, got {show(value)}; write it without quotes")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {show(value)}")
        if not low <= value <= high:
            self.fail(key, f"must be between {low} and {high}, got {value}")
        return value

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"expected a number, got {show(value)}")
        if not low < value <= high:
            self.fail(key, f"must be more than {low:g} and at most {high:g}, got {value:g}")
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
        self.fail(key, f'expected a time of day "HH:MM" such as "09:00", got {show(value)}')

    def weekday(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
            return value
        if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
            return _WEEKDAYS[value.strip().lower()]
        self.fail(key, f'expected a weekday: 0-6 (0 is Monday) or a name such as "mon", got {show(value)}')

    def int_list(self, key: str, default: tuple[int, ...], *, low: int, high: int) -> tuple[int, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            self.fail(key, f"expected a list of whole numbers such as [30, 60], got {show(value)}")
        for item in value:
            if not low <= item <= high:
                self.fail(key, f"every value must be between {low} and {high}, got {item}")
        return tuple(sorted(set(value)))

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.fail(key, f'expected a list of texts such as ["zhangsan"], got {show(value)}')
        return tuple(item.strip() for item in value)

    def secret(self, key: str, env_var: str) -> tuple[str, str]:
        """The secret and where it came from, preferring the environment variable over the file."""
        from_env = self.env.get(env_var, "").strip()
        if from_env:
            return from_env, f"the environment variable {env_var}"
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.fail(key, "expected text in quotes")
        if not value.strip():
            if not self.secrets:
                return "", "unset"
            self.fail(key, f"missing; set it in [{self.name}] or in the environment variable {env_var}")
        return value.strip(), f"[{self.name}] {key}"

    def check_secret(self, key: str, source: tuple[str, str], pattern: re.Pattern[str], shape: str) -> str:
        """The secret if it matches its shape; the message names the source but never shows the value."""
        value, origin = source
        if not value and not self.secrets:
            return value
        if not pattern.fullmatch(value):
            self.fail(key, f"the value from {origin} is not {shape}")
        return value
