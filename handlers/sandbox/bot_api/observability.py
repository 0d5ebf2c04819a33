"""What tests and the viewer read back from the sandbox: history, logged calls, live events, snapshots."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from handlers.sandbox.bot_api.core import SandboxCore
from handlers.sandbox.bot_api.protocol import (
    ChatRef,
    running_loop_time,
)
from handlers.sandbox.state import (
    CallbackQueryRecord,
    SandboxError,
    SandboxMessage,
)
from handlers.sandbox.traffic import ApiCall


class Observability(SandboxCore):
    """Read-only views of the sandbox for tests and the viewer."""

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """An asyncio.Queue of live events: message, edit, delete, callback_query, callback_answer, ..."""
        return self.events.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop a subscription."""
        self.events.unsubscribe(queue)

    def history(self, chat: ChatRef) -> list[SandboxMessage]:
        """Visible messages of a chat, oldest first, each with its current content."""
        return self.chat(chat).history

    def bot_messages(self, chat: ChatRef) -> list[SandboxMessage]:
        """Visible messages the bot sent to a chat."""
        return [m for m in self.history(chat) if m.from_bot]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Logged calls of one Bot API method (case-insensitive)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def unretried_flood_errors(self) -> list[ApiCall]:
        """429 answers never followed by a successful call of the same method to the same chat."""
        pending: list[ApiCall] = []
        for index, call in enumerate(self.calls):
            if call.status != 429:
                continue
            retried = any(
                later.ok and later.method == call.method and later.chat_id == call.chat_id
                for later in self.calls[index + 1 :]
            )
            if not retried:
                pending.append(call)
        return pending

    def replay(self, *update_ids: int) -> int:
        """Deliver already-confirmed updates again, as after a bot crashed before confirming them (see UpdateQueue)."""
        return self.updates.replay(update_ids)

    def update_id_of(self, item: SandboxMessage | CallbackQueryRecord, kind: str = "message") -> int:
        """The id of the update that brought a message (of ``kind``) or a button tap to the bot."""
        if isinstance(item, CallbackQueryRecord):
            what = f"tap {item.id}"
            found = self.updates.find(lambda u: u.get("callback_query", {}).get("id") == item.id)
        else:
            what, where = f"{kind} {item.message_id} in chat {item.chat.id}", (item.chat.id, item.message_id)
            found = self.updates.find(
                lambda u: isinstance(u.get(kind), dict) and (u[kind]["chat"]["id"], u[kind]["message_id"]) == where
            )
        if found is None:
            raise SandboxError(f"the bot was never sent an update for {what}")
        return found

    def my_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """Commands the bot registered for a scope and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.commands.get((key, language_code), [])

    async def wait_for_bot_message(
        self, chat: ChatRef, *, after: SandboxMessage | None = None, within: float = 5.0
    ) -> SandboxMessage:
        """The first bot message in ``chat`` newer than ``after``, waiting up to ``within`` seconds."""
        target = self.chat(chat)
        floor = after.message_id if after is not None else 0
        deadline = running_loop_time() + within
        while True:
            for message in target.messages.values():
                if message.from_bot and message.message_id > floor:
                    return message
            remaining = deadline - running_loop_time()
            if remaining <= 0:
                raise SandboxError(f"the bot sent nothing to chat {target.id} within {within} s")
            await self._messages_changed.wait(remaining)

    def snapshot(self) -> dict[str, Any]:
        """Every chat with its current history, JSON-ready, for a viewer joining late."""
        return {
            "bot": self.bot.to_api(),
            "chats": [
                {
                    "chat": chat.to_api(),
                    "bot_status": chat.bot_status,
                    "migrated_to": chat.migrated_to,
                    "reply_keyboard": chat.reply_keyboard,
                    "messages": [
                        {**m.to_api(), "edit_count": m.edit_count, "from_bot": m.from_bot} for m in chat.history
                    ],
                }
                for chat in self.chats.values()
            ],
        }
