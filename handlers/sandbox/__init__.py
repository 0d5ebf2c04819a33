"""A stand-in for Telegram: a local Bot API server with simulated people, for end-to-end tests and the demo."""

from handlers.sandbox.bot_api import ApiError, FakeBotApi
from handlers.sandbox.flood import FloodLimits, Window
from handlers.sandbox.state import (
    CallbackAnswer,
    CallbackQueryRecord,
    SandboxChat,
    SandboxError,
    SandboxFile,
    SandboxMessage,
    SandboxUser,
)
from handlers.sandbox.traffic import ApiCall

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "FakeBotApi",
    "FloodLimits",
    "SandboxChat",
    "SandboxError",
    "SandboxFile",
    "SandboxMessage",
    "SandboxUser",
    "Window",
]
