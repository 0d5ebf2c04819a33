"""The config file itself: reading the TOML and refusing unknown keys with a did-you-mean hint."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from pathlib import Path

from bot.config.sections import (
    CONFIG_ENV,
    EXAMPLE_CONFIG_FILE,
    ConfigError,
)
from bot.config.table import show

_SCHEMA: dict[str, frozenset[str]] = {
    "": frozenset({"general", "telegram", "wecom", "scheduler"}),
    "general": frozenset({"timezone", "locale", "database", "log_level", "done_counts_as_served"}),
    "telegram": frozenset(
        {"enabled", "token", "admins", "base_url", "base_file_url", "webhook", "card_edit_interval", "pace", "proxy"}
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
            "max_clock_skew_seconds",
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
            "outbox_retention_days",
            "skip_public_holidays",
            "digest_weekday",
            "digest_time",
            "at_risk_weekday",
            "at_risk_time",
            "reminder_time",
            "feedback_time",
            "workplace_feedback_chat",
            "deadline_check_minutes",
        }
    ),
}


def read_toml(path: Path) -> dict[str, object]:
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


def check_known_keys(path: Path, data: Mapping[str, object], section: str = "") -> None:
    allowed = _SCHEMA[section]
    for key, value in data.items():
        dotted = f"{section}.{key}" if section else key
        if key not in allowed:
            raise ConfigError(f"{path}: unknown {_what(section, key, value)}{_hint(section, key, value)}")
        if dotted in _SCHEMA:
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {dotted}: expected a table [{dotted}], got {show(value)}")
            check_known_keys(path, value, dotted)


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
