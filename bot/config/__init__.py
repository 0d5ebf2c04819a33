"""Start-up settings from a TOML file (secrets may come from the environment), checked before start-up."""

from bot.config.loading import default_config, load_config
from bot.config.sections import (
    CONFIG_ENV,
    DATABASE_ENV,
    DEFAULT_CONFIG_FILE,
    EXAMPLE_CONFIG_FILE,
    LOCALES,
    LOG_LEVELS,
    TELEGRAM_TOKEN_ENV,
    TELEGRAM_WEBHOOK_SECRET_ENV,
    WECOM_AES_KEY_ENV,
    WECOM_SECRET_ENV,
    WECOM_TOKEN_ENV,
    Config,
    ConfigError,
    SchedulerConfig,
    TelegramConfig,
    WebhookConfig,
    WeComConfig,
)

__all__ = [
    "CONFIG_ENV",
    "DATABASE_ENV",
    "DEFAULT_CONFIG_FILE",
    "EXAMPLE_CONFIG_FILE",
    "LOCALES",
    "LOG_LEVELS",
    "TELEGRAM_TOKEN_ENV",
    "TELEGRAM_WEBHOOK_SECRET_ENV",
    "WECOM_AES_KEY_ENV",
    "WECOM_SECRET_ENV",
    "WECOM_TOKEN_ENV",
    "Config",
    "ConfigError",
    "SchedulerConfig",
    "TelegramConfig",
    "WeComConfig",
    "WebhookConfig",
    "default_config",
    "load_config",
]
