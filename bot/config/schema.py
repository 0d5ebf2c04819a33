"""The config file itself: reading the TOML and refusing unknown keys with a did-you-mean hint."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from bot.config.sections import (
    CONFIG_ENV,
    EXAMPLE_CONFIG_FILE,
    ConfigError,
)
from bot.config.table import show
from bot.i18n import Phrase, reason

_SCHEMA: dict[str, frozenset[str]] = {
    "": frozenset(
        {"general", "telegram", "wecom", "scheduler", "health", "emergency", "verification", "certificate", "points"}
    ),
    "verification": frozenset({"signin_minutes", "activity_hours", "checkin_tries", "checkin_try_minutes"}),
    "certificate": frozenset({"responsible", "contact"}),
    "points": frozenset({"enabled", "per_verified_hour", "per_confirmed_hour", "per_self_reported_hour"}),
    "general": frozenset(
        {"timezone", "locale", "database", "database_pool", "log_level", "done_counts_as_served", "instance_name"}
    ),
    "health": frozenset({"listen"}),
    "emergency": frozenset(
        {"posts", "reprompt_minutes", "list_after_minutes", "respect_quiet_hours", "respect_pauses"}
    ),
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
            "pairing_remind_days_before",
            "recurring_post_days_ahead",
        }
    ),
}


def read_toml(path: Path) -> dict[str, object]:
    """The config file's TOML; a file that cannot be read or parsed is a one-line ConfigError."""
    file = str(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("config.file_not_found", file=file, example=EXAMPLE_CONFIG_FILE, env=CONFIG_ENV) from None
    except IsADirectoryError:
        raise ConfigError("config.file_is_dir", file=file) from None
    except OSError as exc:
        raise ConfigError("config.file_unreadable", file=file, reason=reason(exc.strerror or str(exc))) from None
    except UnicodeDecodeError:
        raise ConfigError("config.file_not_utf8", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        problem = toml_problem(file, exc)
        raise ConfigError(problem.key, **problem.args) from None


_TOML_AT = re.compile(r"^(?P<what>.*?) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_TOML_PROBLEMS = (
    ("Invalid value", "config.toml.invalid_value"),
    ("Expected '=' after a key", "config.toml.expected_equals"),
    ("Unclosed array", "config.toml.unclosed_array"),
    ("Unclosed inline table", "config.toml.unclosed_table"),
    ("Unterminated string", "config.toml.unterminated_string"),
    ("Cannot declare", "config.toml.twice"),
    ("Cannot overwrite", "config.toml.twice"),
    ("Cannot redefine", "config.toml.twice"),
    ("Duplicate inline table key", "config.toml.twice"),
    ("Found invalid character", "config.toml.bad_character"),
    ("Illegal character", "config.toml.bad_character"),
    ("Invalid date or datetime", "config.toml.bad_date"),
    ("Invalid statement", "config.toml.bad_statement"),
    ("Invalid initial character for a key", "config.toml.bad_key"),
    ("Expected ']'", "config.toml.bracket"),
)


def toml_problem(file: str, error: tomllib.TOMLDecodeError) -> Phrase:
    """tomllib's message (English, with its position) as one we can say in zh or en: where, and what is wrong."""
    detail = _one_line(str(error))
    found = _TOML_AT.match(detail)
    what_text = found["what"] if found else detail.removesuffix(" (at end of document)")
    what: object = next((Phrase.of(key) for start, key in _TOML_PROBLEMS if what_text.startswith(start)), what_text)
    if found is None:
        return Phrase.of("config.file_bad_toml_end", file=file, what=what)
    return Phrase.of("config.file_bad_toml", file=file, line=found["line"], column=found["column"], what=what)


def check_known_keys(path: Path, data: Mapping[str, object], section: str = "") -> None:
    """Refuse a key or section the schema does not know, suggesting the one probably meant."""
    allowed = _SCHEMA[section]
    for key, value in data.items():
        dotted = f"{section}.{key}" if section else key
        if key not in allowed:
            unknown = "config.unknown_section" if not section and isinstance(value, dict) else "config.unknown_key"
            raise ConfigError(unknown, file=str(path), name=dotted, hint=_hint(section, key, value))
        if dotted in _SCHEMA:
            if not isinstance(value, dict):
                problem = Phrase.of("config.expected_table", name=dotted, got=show(value))
                raise ConfigError("config.at", file=str(path), key=dotted, problem=problem)
            check_known_keys(path, value, dotted)


def _hint(section: str, key: str, value: object) -> Phrase | str:
    close = difflib.get_close_matches(key, sorted(_SCHEMA[section]), n=1, cutoff=0.6)
    if close:
        if section:
            return Phrase.of("config.hint_did_you_mean", name=f"{section}.{close[0]}")
        name = f"[{close[0]}]" if isinstance(value, dict) else close[0]
        return Phrase.of("config.hint_did_you_mean", name=name)
    if not section:
        homes = [name for name in ("general", "telegram", "wecom", "scheduler", "health") if key in _SCHEMA[name]]
        if homes:
            return Phrase.of("config.hint_belongs", section=homes[0])
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
