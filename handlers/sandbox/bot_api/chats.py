"""The Bot API methods that read chats and their members, and leaveChat."""

from __future__ import annotations

from typing import Any

from handlers.sandbox.bot_api.core import SandboxCore
from handlers.sandbox.bot_api.protocol import (
    ADMINS,
    PRESENT,
    ApiError,
    Params,
)
from handlers.sandbox.state import (
    member_to_api,
)


class ChatMethods(SandboxCore):
    """getChat, getChatMember, getChatAdministrators, getChatMemberCount and leaveChat."""

    async def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, to_write=False)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, to_write=False)
        user_id = params.integer("user_id")
        if user_id == self.bot.id:
            return member_to_api(self.bot, chat.bot_status if chat.is_group else "member")
        user = self.users.get(user_id) if user_id is not None else None
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        if chat.peer is not None:
            if user is not chat.peer:
                raise ApiError(400, "Bad Request: user not found")
            return member_to_api(user, "member")
        return member_to_api(user, chat.members.get(user.id, "left"))

    async def _get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._chat(params, to_write=False)
        if not chat.is_group:
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        admins = [
            member_to_api(self.users[user_id], status) for user_id, status in chat.members.items() if status in ADMINS
        ]
        if chat.bot_status in ADMINS:
            admins.append(member_to_api(self.bot, chat.bot_status))
        return admins

    async def _get_chat_member_count(self, params: Params) -> int:
        chat = self._chat(params, to_write=False)
        if not chat.is_group:
            return 2
        present = sum(1 for status in chat.members.values() if status in PRESENT)
        return present + (1 if chat.bot_is_member else 0)

    async def _leave_chat(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        if not chat.is_group:
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        old = chat.bot_status
        chat.bot_status = "left"
        self._member_update(chat, self.bot, self.bot, old, "left")
        return True
