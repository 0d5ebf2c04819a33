"""Logging that keeps secrets and personal data out: configured secrets, bot tokens and mobile numbers are masked."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.domain.privacy import mask_phones

MASK = "***"

# A Telegram bot token (also inside a Bot API URL path such as /bot123:AA.../getMe).
_BOT_TOKEN = re.compile(r"\d{8,10}:[A-Za-z0-9_-]{30,}")
_BOT_PATH = re.compile(r"/bot[^/\s'\"`]+")

# Libraries that log whole API payloads or SQL parameters (names, phone numbers, message texts) at DEBUG:
# they are held at INFO even when our own code logs at DEBUG.
PAYLOAD_LOGGERS = ("telegram", "httpx", "httpcore", "aiosqlite", "wechatpy", "hpack", "urllib3")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every configured secret, bot token, Bot API URL path and mainland phone number masked."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _BOT_TOKEN.sub(MASK, text)
    text = _BOT_PATH.sub(f"/bot{MASK}", text)
    return mask_phones(text)


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites each record's message, traceback and stack with :func:`redact`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string still gets logged, masked
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def redact(self, text: str) -> str:
        """:func:`redact` with this filter's secrets."""
        return redact(text, self.secrets)


def setup_logging(level: str, secrets: Iterable[str] = ()) -> RedactingFilter:
    """Log to stderr at ``level`` with every record masked; payload-dumping libraries stay at INFO or above."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(numeric)
    redacting = RedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redacting)
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redacting
