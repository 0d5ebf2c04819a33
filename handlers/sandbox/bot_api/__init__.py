"""The fake Telegram Bot API, one module per part, composed into FakeBotApi in server.py."""

from handlers.sandbox.bot_api.protocol import ApiError, ChatRef, Params, Upload, UserRef
from handlers.sandbox.bot_api.server import FakeBotApi

__all__ = ["ApiError", "ChatRef", "FakeBotApi", "Params", "Upload", "UserRef"]
