"""The Telegram platform adapter: translates between the Bot API (via python-telegram-bot) and the use cases."""

from handlers.telegram.platform import TelegramPlatform

__all__ = ["TelegramPlatform"]
