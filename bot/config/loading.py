"""load_config and default_config: each section built from its table, secrets preferring the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.schema import check_known_keys, read_toml
from bot.config.sections import (
    CONFIG_ENV,
    DATABASE_ENV,
    DEFAULT_CONFIG_FILE,
    LOCALES,
    LOG_LEVELS,
    TELEGRAM_TOKEN_ENV,
    TELEGRAM_WEBHOOK_SECRET_ENV,
    WECOM_AES_KEY_ENV,
    WECOM_SECRET_ENV,
    WECOM_TOKEN_ENV,
    Config,
    ConfigError,
    EmergencyConfig,
    HealthConfig,
    RecordsConfig,
    SchedulerConfig,
    TelegramConfig,
    WebhookConfig,
    WeComConfig,
)
from bot.config.table import Fail, Table, show
from bot.i18n import Phrase

_TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WECOM_TOKEN = re.compile(r"[A-Za-z0-9]{1,32}")
_WECOM_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
_MAX_TELEGRAM_USER_ID = 2**52  # Telegram user ids have at most 52 significant bits


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None, *, secrets: bool = True) -> Config:
    """Read, check and return the configuration; any problem raises a one-line ConfigError.

    With ``secrets=False`` (commands that never talk to a platform: migrate, backup, export...) platform secrets
    may be missing; when they are given they are still checked.
    """
    env = os.environ if env is None else env
    if path is None:
        path = Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)
    data = read_toml(path)
    check_known_keys(path, data)
    root = Table(path, "", data, env, secrets=secrets)
    general = root.table("general")
    config_dir = path.resolve().parent
    database = _database_path(general, env, config_dir)
    return Config(
        path=path.resolve(),
        database=database,
        database_pool=general.integer("database_pool", 10, low=1, high=200),
        timezone=_zone(general.text("timezone", "Asia/Shanghai"), general.fail_at("timezone")),
        locale=general.choice("locale", "zh", LOCALES),
        log_level=general.choice("log_level", "INFO", LOG_LEVELS, upper=True),
        done_counts_as_served=general.boolean("done_counts_as_served", False),
        telegram=_telegram(root),
        wecom=_wecom(root),
        scheduler=_scheduler(root.table("scheduler")),
        instance_name=_instance_name(general),
        health=_health(root.table("health")) if root.has("health") else None,
        emergency=_emergency(root.table("emergency")),
        records=_records(root),
    )


def configured_locale(path: Path | None = None, env: Mapping[str, str] | None = None) -> str:
    """The ``[general] locale`` a config file asks for, read leniently so that even a config failing its checks is
    reported in its own language; Chinese when the file cannot tell."""
    env = os.environ if env is None else env
    if path is None:
        path = Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)
    try:
        data = read_toml(path)
    except ConfigError:
        return _locale_in_text(path)
    general = data.get("general")
    locale = general.get("locale") if isinstance(general, dict) else None
    wanted = locale.strip().lower() if isinstance(locale, str) else ""
    return wanted if wanted in LOCALES else LOCALES[0]


_LOCALE_LINE = re.compile(r"""^\s*locale\s*=\s*["']\s*(\w+)\s*["']""", re.MULTILINE)


def _locale_in_text(path: Path) -> str:
    """The locale a config file that is not valid TOML still spells out on a line of its own."""
    try:
        found = _LOCALE_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return LOCALES[0]
    wanted = found.group(1).lower() if found else ""
    return wanted if wanted in LOCALES else LOCALES[0]


def default_config(database: Path, timezone: str = "Asia/Shanghai") -> Config:
    """A configuration with every default and no platform, for tests and the demo; no file is read."""
    return Config(
        path=database.parent / DEFAULT_CONFIG_FILE,
        database=database,
        timezone=_zone(timezone, _timezone_refused),
    )


def _timezone_refused(problem: str, /, **args: object) -> NoReturn:
    raise ConfigError("config.at_key", key="general.timezone", problem=Phrase(problem, args))


def _zone(name: str, fail: Fail) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail("config.unknown_zone", got=show(name))


def _database_path(general: Table, env: Mapping[str, str], config_dir: Path) -> Path | str:
    """A SQLite file (relative to the config's folder) or a PostgreSQL URL, from the environment or the file."""
    from_env = env.get(DATABASE_ENV, "").strip()
    if from_env:
        if from_env.startswith(POSTGRES_SCHEMES):
            return _postgres_url(from_env, lambda problem, /, **args: _env_refused(DATABASE_ENV, problem, **args))
        return Path(from_env).expanduser().resolve()
    text = general.text("database", "ebranch.sqlite3")
    if text.startswith(POSTGRES_SCHEMES):
        return _postgres_url(text, general.fail_at("database"))
    database = Path(text).expanduser()
    return database if database.is_absolute() else config_dir / database


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def _postgres_url(url: str, fail: Fail) -> str:
    """A PostgreSQL URL with a host and a database name (user, password, port and options as libpq takes them)."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018
    except ValueError:
        fail("config.postgres_url", got=redacted(url))
    if not parts.hostname or not parts.path.strip("/"):
        fail("config.postgres_url", got=redacted(url))
    return url


def redacted(url: str) -> str:
    """A database URL without its password, fit for a message or a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def _env_refused(name: str, problem: str, /, **args: object) -> NoReturn:
    raise ConfigError("config.at_key", key=name, problem=Phrase(problem, args))


_INSTANCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,62}")
_LISTEN = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})")


def _instance_name(general: Table) -> str | None:
    """A short name of letters, digits and ``.-_:@`` (it goes into logs, a JSON answer and a database session)."""
    name = general.optional_text("instance_name")
    if name is not None and not _INSTANCE_NAME.fullmatch(name):
        general.fail("instance_name", "config.expected_instance_name", got=show(name))
    return name


def _records(root: Table) -> RecordsConfig:
    """[verification], [certificate] and [points]: sign-in codes, what certificates print, the points rule."""
    verification, certificate, points = root.table("verification"), root.table("certificate"), root.table("points")
    return RecordsConfig(
        signin_minutes=verification.integer("signin_minutes", 30, low=1, high=24 * 60),
        activity_hours=verification.number("activity_hours", 2.0, low=0.25, high=24.0),
        checkin_tries=verification.integer("checkin_tries", 5, low=1, high=100),
        checkin_try_minutes=verification.integer("checkin_try_minutes", 10, low=1, high=24 * 60),
        responsible=certificate.optional_text("responsible") or "",
        contact=certificate.optional_text("contact") or "",
        points_enabled=points.boolean("enabled", False),
        points_per_verified_hour=_rate(points, "per_verified_hour", 1.0),
        points_per_confirmed_hour=_rate(points, "per_confirmed_hour", 1.0),
        points_per_self_reported_hour=_rate(points, "per_self_reported_hour", 0.0),
    )


def _rate(section: Table, key: str, default: float) -> float:
    """Points per hour: 0 (none) or a positive number up to 1000."""
    if section.data.get(key, default) == 0 and not isinstance(section.data.get(key), bool):
        return 0.0
    return section.number(key, default, low=0.0, high=1000.0)


def _health(section: Table) -> HealthConfig:
    """``listen = "HOST:PORT"``: where this instance answers /healthz, /readyz and /leader."""
    listen = section.text("listen", "127.0.0.1:8090")
    found = _LISTEN.fullmatch(listen)
    if found is None or not 1 <= int(found["port"]) <= 65535:
        section.fail("listen", "config.expected_listen", got=show(listen))
    return HealthConfig(host=found["host"].strip("[]"), port=int(found["port"]))


def _enabled(root: Table, name: str) -> bool:
    return root.has(name) and root.table(name).boolean("enabled", True)


def _telegram(root: Table) -> TelegramConfig | None:
    section = root.table("telegram")
    if not _enabled(root, "telegram"):
        return None
    token = section.check_secret(
        "token",
        section.secret("token", TELEGRAM_TOKEN_ENV),
        _TELEGRAM_TOKEN,
        "config.shape_telegram_token",
    )
    admins = section.data.get("admins", [])
    if not isinstance(admins, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in admins):
        section.fail("admins", "config.expected_telegram_admins", got=show(admins))
    for item in admins:
        if not 1 <= item <= _MAX_TELEGRAM_USER_ID:
            section.fail("admins", "config.bad_telegram_admin", value=item, high=_MAX_TELEGRAM_USER_ID)
    return TelegramConfig(
        token=token,
        admins=tuple(admins),
        base_url=section.url("base_url"),
        base_file_url=section.url("base_file_url"),
        webhook=_webhook(section) if section.has("webhook") else None,
        card_edit_interval=section.number("card_edit_interval", 3.0, low=0.0, high=60.0),
        pace=section.boolean("pace", True),
        proxy=_proxy(section),
    )


_PROXY_SCHEMES = ("http://", "https://", "socks5://", "socks5h://")


def _proxy(section: Table) -> str | None:
    """An HTTP(S) or SOCKS5 proxy for every call to Telegram (servers in mainland China cannot reach it directly)."""
    value = section.optional_text("proxy")
    if value is not None and (
        not value.startswith(_PROXY_SCHEMES) or "//" not in value or len(value.split("//", 1)[1]) < 3
    ):
        section.fail("proxy", "config.expected_proxy", got=show(value))
    return value


def _webhook(telegram: Table) -> WebhookConfig:
    section = telegram.table("webhook")
    url = section.url("url", https_only=True)
    if url is None:
        section.fail("url", "config.webhook_url_missing")
    secret_token: str | None = None
    if section.optional_text("secret_token") or telegram.env.get(TELEGRAM_WEBHOOK_SECRET_ENV, "").strip():
        secret_token = section.check_secret(
            "secret_token",
            section.secret("secret_token", TELEGRAM_WEBHOOK_SECRET_ENV),
            _WEBHOOK_SECRET,
            "config.shape_webhook_secret",
        )
    return WebhookConfig(
        url=url,
        listen=section.text("listen", "0.0.0.0"),
        port=section.port("port", 8443),
        secret_token=secret_token,
    )


def _wecom(root: Table) -> WeComConfig | None:
    section = root.table("wecom")
    if not _enabled(root, "wecom"):
        return None
    corp_id = section.text("corp_id")
    agent_id = section.integer("agent_id", low=1, high=2**63 - 1)
    secret = section.secret("secret", WECOM_SECRET_ENV)[0]
    token = section.check_secret(
        "token", section.secret("token", WECOM_TOKEN_ENV), _WECOM_TOKEN, "config.shape_wecom_token"
    )
    aes_key = section.check_secret(
        "aes_key",
        section.secret("aes_key", WECOM_AES_KEY_ENV),
        _WECOM_AES_KEY,
        "config.shape_aes_key",
    )
    path = section.text("path", "/wecom/callback")
    if not path.startswith("/"):
        section.fail("path", "config.expected_path", got=show(path))
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
        max_clock_skew_seconds=section.number("max_clock_skew_seconds", 300.0, low=0.0, high=86400.0),
    )


def _emergency(section: Table) -> EmergencyConfig:
    """[emergency]: the posts offered at report-in, the re-prompt minutes, when non-responders are listed, and
    whether prompts wait for quiet hours and skip members who paused their reminders."""
    defaults = EmergencyConfig()
    posts = section.text_list("posts") if section.has("posts") else defaults.posts
    reprompts = section.int_list("reprompt_minutes", defaults.reprompt_minutes, low=1, high=1440)
    list_after = section.integer("list_after_minutes", defaults.list_after_minutes, low=1, high=1440)
    if reprompts and list_after <= reprompts[-1]:
        section.fail("list_after_minutes", "config.emergency_list_after", last=reprompts[-1])
    return EmergencyConfig(
        posts=tuple(" ".join(p.split()) for p in posts),
        reprompt_minutes=reprompts,
        list_after_minutes=list_after,
        respect_quiet_hours=section.boolean("respect_quiet_hours", defaults.respect_quiet_hours),
        respect_pauses=section.boolean("respect_pauses", defaults.respect_pauses),
    )


def _scheduler(section: Table) -> SchedulerConfig:
    defaults = SchedulerConfig()
    quiet_start = section.clock("quiet_start", defaults.quiet_start)
    quiet_end = section.clock("quiet_end", defaults.quiet_end)
    if quiet_start == quiet_end:
        section.fail("quiet_end", "config.quiet_same")
    return SchedulerConfig(
        enabled=section.boolean("enabled", defaults.enabled),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        nudge_after_days=section.int_list("nudge_after_days", defaults.nudge_after_days, low=1, high=92),
        weekly_in_last_weeks=section.integer("weekly_in_last_weeks", defaults.weekly_in_last_weeks, low=0, high=13),
        pause_days=section.days("pause_days", defaults.pause_days),
        unclaimed_reminder_days=section.days("unclaimed_reminder_days", defaults.unclaimed_reminder_days),
        release_after_days=section.days("release_after_days", defaults.release_after_days),
        outbox_retention_days=section.days("outbox_retention_days", defaults.outbox_retention_days),
        skip_public_holidays=section.boolean("skip_public_holidays", defaults.skip_public_holidays),
        digest_weekday=section.weekday("digest_weekday", defaults.digest_weekday),
        digest_time=section.clock("digest_time", defaults.digest_time),
        at_risk_weekday=section.weekday("at_risk_weekday", defaults.at_risk_weekday),
        at_risk_time=section.clock("at_risk_time", defaults.at_risk_time),
        reminder_time=section.clock("reminder_time", defaults.reminder_time),
        feedback_time=section.clock("feedback_time", defaults.feedback_time),
        workplace_feedback_chat=section.optional_text("workplace_feedback_chat"),
        deadline_check_minutes=section.integer(
            "deadline_check_minutes", defaults.deadline_check_minutes, low=1, high=30
        ),
        pairing_remind_days_before=section.integer(
            "pairing_remind_days_before", defaults.pairing_remind_days_before, low=0, high=30
        ),
        recurring_post_days_ahead=section.integer(
            "recurring_post_days_ahead", defaults.recurring_post_days_ahead, low=0, high=60
        ),
    )
