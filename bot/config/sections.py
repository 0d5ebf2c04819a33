"""What a configuration holds: one frozen dataclass per section, the env variable names and ConfigError."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import LocalizedError

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


class ConfigError(LocalizedError):
    """The configuration cannot be used; the message is one line naming the file and the key, in zh or en."""


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
    proxy: str | None = field(default=None, repr=False)


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
    max_clock_skew_seconds: float = 300.0


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthConfig:
    """The health endpoints (/healthz, /readyz, /leader) a load balancer or a monitor asks each instance."""

    host: str = "127.0.0.1"
    port: int = 8090


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
    outbox_retention_days: int = 30
    skip_public_holidays: bool = True
    digest_weekday: int = 0
    digest_time: time = time(9, 0)
    at_risk_weekday: int = 4
    at_risk_time: time = time(10, 0)
    reminder_time: time = time(10, 0)
    feedback_time: time = time(9, 30)
    workplace_feedback_chat: str | None = None
    deadline_check_minutes: int = 5
    pairing_remind_days_before: int = 2
    recurring_post_days_ahead: int = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class EmergencyConfig:
    """Emergency mode (战时应急): the posts members pick from, when non-responders are asked again and listed."""

    posts: tuple[str, ...] = ("物资配送", "秩序维护", "环境消杀", "治安巡逻", "医疗救护", "信息联络")
    reprompt_minutes: tuple[int, ...] = (10, 30)
    list_after_minutes: int = 40
    respect_quiet_hours: bool = False
    respect_pauses: bool = False
    """Whether a member who paused their reminders (两周内不再提醒) is left unprompted: still called, counted
    as not answered and listed to their secretary; by default a call reaches them too."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsConfig:
    """Service records (issue 15): sign-in codes, the 志愿服务记录证明 and points ([verification], [certificate],
    [points])."""

    signin_minutes: int = 30
    """How long a sign-in code takes check-ins after the secretary opens it."""
    activity_hours: float = 2.0
    """The activity's length when ``/signin N`` names none: hours up to it are verified for who checked in."""
    checkin_tries: int = 5
    """Wrong codes a person may enter per ``checkin_try_minutes`` before being made to wait."""
    checkin_try_minutes: int = 10
    responsible: str = ""
    """The responsible person printed on certificates (负责人); empty: the issuing secretary's name."""
    contact: str = ""
    """The contact printed on certificates (联系方式)."""
    points_enabled: bool = False
    points_per_verified_hour: float = 1.0
    points_per_confirmed_hour: float = 1.0
    points_per_self_reported_hour: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Everything the bot needs to start; platforms that are absent or disabled are None."""

    path: Path
    database: Path | str
    """A SQLite file, or a ``postgresql://`` URL (a str)."""
    database_pool: int = 10
    """Connections each instance keeps to PostgreSQL (SQLite ignores it)."""
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    locale: str = "zh"
    log_level: str = "INFO"
    done_counts_as_served: bool = False
    telegram: TelegramConfig | None = None
    wecom: WeComConfig | None = None
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    instance_name: str | None = None
    """How this instance names itself in logs, the health endpoint and the database; None for ``host:pid``."""
    health: HealthConfig | None = None
    emergency: EmergencyConfig = field(default_factory=EmergencyConfig)
    records: RecordsConfig = field(default_factory=RecordsConfig)
