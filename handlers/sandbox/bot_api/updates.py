"""The bot's own set-up methods and update delivery: getMe, getUpdates long polling, webhooks, commands."""

from __future__ import annotations

import json
from typing import Any

from handlers.sandbox.bot_api.core import SandboxCore
from handlers.sandbox.bot_api.protocol import (
    COMMAND_NAME,
    SECRET_TOKEN,
    ApiError,
    Params,
    client_gone,
    running_loop_time,
)
from handlers.sandbox.bot_api.webhook import WebhookPush

# Telegram answers a second setWebhook of the same bot within about a second with 429.
WEBHOOK_INTERVAL = 1.0


class UpdateMethods(SandboxCore):
    """getMe, getUpdates, the webhook methods and the command menus."""

    async def _get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.integer("timeout") or 0, 0)
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self.updates.set_allowed(str(kind) for kind in allowed)
        self._poll_generation += 1
        generation = self._poll_generation
        self.updates.changed.notify()
        self.updates.confirm(offset)
        loop_time = running_loop_time()
        deadline = loop_time + timeout
        while True:
            batch = self.updates.peek(limit)
            if batch or self._closing:
                return batch
            if generation != self._poll_generation:
                if client_gone():
                    return []
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            remaining = deadline - running_loop_time()
            if remaining <= 0:
                return []
            await self.updates.changed.wait(remaining)

    async def _set_webhook(self, params: Params) -> bool:
        now = self.clock()
        if self.webhook_set_at is not None and now - self.webhook_set_at < WEBHOOK_INTERVAL:
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self.webhook_set_at = now
        secret = params.text("secret_token") or None
        if secret is not None and not SECRET_TOKEN.match(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url = params.text("url") or None
        self.webhook_secret = secret if self.webhook_url else None
        if params.flag("drop_pending_updates"):
            self.updates.clear()
        await self._stop_push()
        address = self.webhook_routes.get(self.webhook_url or "")
        if address is not None:
            self.webhook_push = WebhookPush(
                self.updates, address, self.webhook_secret, params.integer("max_connections") or 40
            )
            self.webhook_push.start()
        return True

    async def _stop_push(self) -> None:
        if self.webhook_push is not None:
            push, self.webhook_push = self.webhook_push, None
            await push.stop()

    async def _delete_webhook(self, params: Params) -> bool:
        await self._stop_push()
        self.webhook_url = None
        self.webhook_secret = None
        if params.flag("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending,
        }

    async def _acknowledge(self, params: Params) -> bool:
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.obj("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.text("language_code") or ""

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.obj("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: Params) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True
