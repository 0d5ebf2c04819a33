"""WeCom (企业微信) transport: callback crypto and parsing, the callback HTTP server, the async API facade."""

from handlers.wecom.api import SentMessage, SlidingWindowLimiter, WeComApi, WeComApiError, WeComUser
from handlers.wecom.callback_server import CallbackServer, RecentKeys, make_callback_app
from handlers.wecom.crypto import CallbackCrypto, InvalidCallback
from handlers.wecom.events import (
    EnterAgentEvent,
    ImageMessage,
    OtherEvent,
    SelectedItem,
    TemplateCardEvent,
    TextMessage,
    UnknownMessage,
    WeComEvent,
    parse_event,
)

__all__ = [
    "CallbackCrypto",
    "CallbackServer",
    "EnterAgentEvent",
    "ImageMessage",
    "InvalidCallback",
    "OtherEvent",
    "RecentKeys",
    "SelectedItem",
    "SentMessage",
    "SlidingWindowLimiter",
    "TemplateCardEvent",
    "TextMessage",
    "UnknownMessage",
    "WeComApi",
    "WeComApiError",
    "WeComEvent",
    "WeComUser",
    "make_callback_app",
    "parse_event",
]
