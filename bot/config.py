"""Start-up settings from a TOML file (secrets may come from the environment), checked before start-up."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_FILE = "config.toml"
EXAMPLE_CONFIG_FILE = "config.example.toml"
CONFIG_ENV = "EBRANCH_CONFIG"
DATABASE_ENV = "EBRANCH_DATABASE"
TELEGRAM_TOKEN_ENV = "EBRANCH_TELEGRAM_TOKEN"
TELEGRAM_WEBHOOK_SECRET_ENV = "EBRANCH_TELEGRAM_WEBHOOK_SECRET"
WECOM_SECRET_ENV = "EBRANCH_WECOM_SECRET"
WECOM_TOKEN_ENV = "EBRANCH_WECOM_TOKEN"
WECOM_AES_KEY_ENV = "EBRANCH_WECOM_AES_KEY"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOCALES = ("zh", "en")

_SCHEMA: dict[str, frozenset[str]] = {
    "": frozenset({"general", "telegram", "wecom", "scheduler"}),
    "general": frozenset({"timezone", "locale", "database", "log_level", "done_counts_as_served"}),
    "telegram": frozenset(
        {"enabled", "token", "admins", "base_url", "base_file_url", "webhook", "card_edit_interval", "pace"}
    ),
    "telegram.webhook": frozenset({"url", "listen", "port", "secret_token"}),
    "wecom": frozenset(
        {
            "enabled",
            "corp_id",
            "agent_id",
            "secret",
            "token",
            "aes_key",
            "api_base_url",
            "listen",
            "port",
            "path",
            "admins",
        }
    ),
    "scheduler": frozenset(
        {
            "enabled",
            "quiet_start",
            "quiet_end",
            "nudge_after_days",
            "weekly_in_last_weeks",
            "pause_days",
            "unclaimed_reminder_days",
            "release_after_days",
            "digest_weekday",
            "digest_time",
            "at_risk_weekday",
            "at_risk_time",
            "reminder_time",
            "feedback_time",
            "workplace_feedback_chat",
        }
    ),
}

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

_TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WECOM_TOKEN = re.compile(r"[A-Za-z0-9]{1,32}")
_WECOM_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

_Fail = Callable[[str], NoReturn]


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the key and the file."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookConfig:
    """Receive Telegram updates by webhook instead of long polling."""

    url: str
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramConfig:
    """The Telegram bot: its token, its operators and how it receives updates."""

    token: str = field(repr=False)
    enabled: bool = True
    admins: tuple[int, ...] = ()
    base_url: str | None = None
    base_file_url: str | None = None
    webhook: WebhookConfig | None = None
    card_edit_interval: float = 3.0
    pace: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class WeComConfig:
    """The WeCom (企业微信) self-built app and the callback server it posts messages to."""

    corp_id: str
    agent_id: int
    secret: str = field(repr=False)
    token: str = field(repr=False)
    aes_key: str = field(repr=False)
    enabled: bool = True
    api_base_url: str | None = None
    listen: str = "0.0.0.0"
    port: int = 8081
    path: str = "/wecom/callback"
    admins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulerConfig:
    """When reminders, the weekly digest and the at-risk lists go out, and when the bot keeps quiet."""

    enabled: bool = True
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    nudge_after_days: tuple[int, ...] = (30, 60)
    weekly_in_last_weeks: int = 3
    pause_days: int = 14
    unclaimed_reminder_days: int = 3
    release_after_days: int = 3
    digest_weekday: int = 0
    digest_time: time = time(9, 0)
    at_risk_weekday: int = 4
    at_risk_time: time = time(10, 0)
    reminder_time: time = time(10, 0)
    feedback_time: time = time(9, 30)
    workplace_feedback_chat: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Everything the bot needs to start; platforms that are absent or disabled are None."""

    path: Path
    database: Path
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    locale: str = "zh"
    log_level: str = "INFO"
    done_counts_as_served: bool = False
    telegram: TelegramConfig | None = None
    wecom: WeComConfig | None = None
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read, check and return the configuration; any problem raises a one-line ConfigError."""
    env = os.environ if env is None else env
    if path is None:
        path = Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)
    data = _read_toml(path)
    _check_known_keys(path, data)
    root = _Table(path, "", data, env)
    general = root.table("general")
    config_dir = path.resolve().parent
    database = _database_path(general, env, config_dir)
    return Config(
        path=path.resolve(),
        database=database,
        timezone=_zone(general.text("timezone", "Asia/Shanghai"), general.fail_at("timezone")),
        locale=general.choice("locale", "zh", LOCALES),
        log_level=general.choice("log_level", "INFO", LOG_LEVELS, upper=True),
        done_counts_as_served=general.boolean("done_counts_as_served", False),
        telegram=_telegram(root),
        wecom=_wecom(root),
        scheduler=_scheduler(root.table("scheduler")),
    )


def default_config(database: Path, timezone: str = "Asia/Shanghai") -> Config:
    """A configuration with every default and no platform, for tests and the demo; no file is read."""
    return Config(
        path=database.parent / DEFAULT_CONFIG_FILE,
        database=database,
        timezone=_zone(timezone, lambda problem: _raise(f"general.timezone: {problem}")),
    )


def _raise(message: str) -> NoReturn:
    raise ConfigError(message)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} not found: copy {EXAMPLE_CONFIG_FILE} to {path} and fill it in"
            f" (or point {CONFIG_ENV} at your config file)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8; save the config file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {_one_line(str(exc))}") from None


def _check_known_keys(path: Path, data: Mapping[str, object], section: str = "") -> None:
    allowed = _SCHEMA[section]
    for key, value in data.items():
        dotted = f"{section}.{key}" if section else key
        if key not in allowed:
            raise ConfigError(f"{path}: unknown {_what(section, key, value)}{_hint(section, key, value)}")
        if dotted in _SCHEMA:
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {dotted}: expected a table [{dotted}], got {_show(value)}")
            _check_known_keys(path, value, dotted)


def _what(section: str, key: str, value: object) -> str:
    if not section and isinstance(value, dict):
        return f"section [{key}]"
    return f"key {section}.{key}" if section else f"key {key}"


def _hint(section: str, key: str, value: object) -> str:
    close = difflib.get_close_matches(key, sorted(_SCHEMA[section]), n=1, cutoff=0.6)
    if close:
        if section:
            return f" (did you mean {section}.{close[0]}?)"
        return f" (did you mean [{close[0]}]?)" if isinstance(value, dict) else f" (did you mean {close[0]}?)"
    if not section:
        homes = [name for name in ("general", "telegram", "wecom", "scheduler") if key in _SCHEMA[name]]
        if homes:
            return f" (it belongs in the [{homes[0]}] section)"
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _show(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


class _Table:
    """One TOML table being read, able to name its keys and the file in error messages."""

    def __init__(self, path: Path, name: str, data: Mapping[str, object], env: Mapping[str, str]) -> None:
        self.path = path
        self.name = name
        self.data = data
        self.env = env

    def key(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ConfigError(f"{self.path}: {self.key(key)}: {problem}")

    def fail_at(self, key: str) -> _Fail:
        return lambda problem: self.fail(key, problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def table(self, key: str) -> _Table:
        value = self.data.get(key, {})
        assert isinstance(value, dict)
        return _Table(self.path, self.key(key), value, self.env)

    def _missing(self, key: str) -> NoReturn:
        section = self.name or "top level"
        self.fail(key, f"missing; add it to [{section}]")

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {_show(value)}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self._missing(key)
        if not isinstance(value, str):
            self.fail(key, f"expected text in quotes, got {_show(value)}")
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
            self.fail(key, f"expected {wanted}, got {_show(value)}")
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...], *, upper: bool = False) -> str:
        value = self.text(key, default)
        normalised = value.upper() if upper else value.lower()
        if normalised not in options:
            self.fail(key, f"expected one of {', '.join(options)}, got {_show(value)}")
        return normalised

    def integer(self, key: str, default: int | None = None, *, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if value is None:
            self._missing(key)
        if isinstance(value, str) and value.strip().isdigit():
            self.fail(key, f"expected a whole number, got {_show(value)}; write it without quotes")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {_show(value)}")
        if not low <= value <= high:
            self.fail(key, f"must be between {low} and {high}, got {value}")
        return value

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"expected a number, got {_show(value)}")
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
        self.fail(key, f'expected a time of day "HH:MM" such as "09:00", got {_show(value)}')

    def weekday(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
            return value
        if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
            return _WEEKDAYS[value.strip().lower()]
        self.fail(key, f'expected a weekday: 0-6 (0 is Monday) or a name such as "mon", got {_show(value)}')

    def int_list(self, key: str, default: tuple[int, ...], *, low: int, high: int) -> tuple[int, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            self.fail(key, f"expected a list of whole numbers such as [30, 60], got {_show(value)}")
        for item in value:
            if not low <= item <= high:
                self.fail(key, f"every value must be between {low} and {high}, got {item}")
        return tuple(sorted(set(value)))

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.fail(key, f'expected a list of texts such as ["zhangsan"], got {_show(value)}')
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
            self.fail(key, f"missing; set it in [{self.name}] or in the environment variable {env_var}")
        return value.strip(), f"[{self.name}] {key}"

    def check_secret(self, key: str, source: tuple[str, str], pattern: re.Pattern[str], shape: str) -> str:
        """The secret if it matches its shape; the message names the source but never shows the value."""
        value, origin = source
        if not pattern.fullmatch(value):
            self.fail(key, f"the value from {origin} is not {shape}")
        return value


def _zone(name: str, fail: _Fail) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f'unknown time zone {_show(name)}; use an IANA name such as "Asia/Shanghai"')


def _database_path(general: _Table, env: Mapping[str, str], config_dir: Path) -> Path:
    from_env = env.get(DATABASE_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser().resolve()
    database = Path(general.text("database", "ebranch.sqlite3")).expanduser()
    return database if database.is_absolute() else config_dir / database


def _enabled(root: _Table, name: str) -> bool:
    return root.has(name) and root.table(name).boolean("enabled", True)


def _telegram(root: _Table) -> TelegramConfig | None:
    section = root.table("telegram")
    if not _enabled(root, "telegram"):
        return None
    token = section.check_secret(
        "token",
        section.secret("token", TELEGRAM_TOKEN_ENV),
        _TELEGRAM_TOKEN,
        'a bot token from @BotFather, which looks like "123456789:AAE..."',
    )
    admins = section.data.get("admins", [])
    if not isinstance(admins, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in admins
    ):
        section.fail("admins", f"expected a list of numeric Telegram user ids, got {_show(admins)}")
    return TelegramConfig(
        token=token,
        admins=tuple(admins),
        base_url=section.url("base_url"),
        base_file_url=section.url("base_file_url"),
        webhook=_webhook(section) if section.has("webhook") else None,
        card_edit_interval=section.number("card_edit_interval", 3.0, low=0.0, high=60.0),
        pace=section.boolean("pace", True),
    )


def _webhook(telegram: _Table) -> WebhookConfig:
    section = telegram.table("webhook")
    url = section.url("url", https_only=True)
    if url is None:
        section.fail("url", "missing; Telegram needs the public https:// address it should post updates to")
    secret_token: str | None = None
    if section.optional_text("secret_token") or telegram.env.get(TELEGRAM_WEBHOOK_SECRET_ENV, "").strip():
        secret_token = section.check_secret(
            "secret_token",
            section.secret("secret_token", TELEGRAM_WEBHOOK_SECRET_ENV),
            _WEBHOOK_SECRET,
            "1-256 letters, digits, _ or -",
        )
    return WebhookConfig(
        url=url,
        listen=section.text("listen", "0.0.0.0"),
        port=section.port("port", 8443),
        secret_token=secret_token,
    )


def _wecom(root: _Table) -> WeComConfig | None:
    section = root.table("wecom")
    if not _enabled(root, "wecom"):
        return None
    corp_id = section.text("corp_id")
    agent_id = section.integer("agent_id", low=1, high=2**63 - 1)
    secret = section.secret("secret", WECOM_SECRET_ENV)[0]
    token = section.check_secret(
        "token", section.secret("token", WECOM_TOKEN_ENV), _WECOM_TOKEN, "1-32 letters or digits"
    )
    aes_key = section.check_secret(
        "aes_key",
        section.secret("aes_key", WECOM_AES_KEY_ENV),
        _WECOM_AES_KEY,
        "an EncodingAESKey of exactly 43 letters and digits",
    )
    path = section.text("path", "/wecom/callback")
    if not path.startswith("/"):
        section.fail("path", f'expected a path starting with "/", got {_show(path)}')
    return WeComConfig(
        corp_id=corp_id,
        agent_id=agent_id,
        secret=secret,
        token=token,
        aes_key=aes_key,
        api_base_url=section.url("api_base_url"),
        listen=section.text("listen", "0.0.0.0"),
        port=section.port("port", 8081),
        path=path,
        admins=section.text_list("admins"),
    )


def _scheduler(section: _Table) -> SchedulerConfig:
    defaults = SchedulerConfig()
    quiet_start = section.clock("quiet_start", defaults.quiet_start)
    quiet_end = section.clock("quiet_end", defaults.quiet_end)
    if quiet_start == quiet_end:
        section.fail("quiet_end", "must differ from quiet_start (quiet hours run from start to end)")
    return SchedulerConfig(
        enabled=section.boolean("enabled", defaults.enabled),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        nudge_after_days=section.int_list("nudge_after_days", defaults.nudge_after_days, low=1, high=92),
        weekly_in_last_weeks=section.integer("weekly_in_last_weeks", defaults.weekly_in_last_weeks, low=0, high=13),
        pause_days=section.days("pause_days", defaults.pause_days),
        unclaimed_reminder_days=section.days("unclaimed_reminder_days", defaults.unclaimed_reminder_days),
        release_after_days=section.days("release_after_days", defaults.release_after_days),
        digest_weekday=section.weekday("digest_weekday", defaults.digest_weekday),
        digest_time=section.clock("digest_time", defaults.digest_time),
        at_risk_weekday=section.weekday("at_risk_weekday", defaults.at_risk_weekday),
        at_risk_time=section.clock("at_risk_time", defaults.at_risk_time),
        reminder_time=section.clock("reminder_time", defaults.reminder_time),
        feedback_time=section.clock("feedback_time", defaults.feedback_time),
        workplace_feedback_chat=section.optional_text("workplace_feedback_chat"),
    )
