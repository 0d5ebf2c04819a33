"""The Bot API methods that send, edit and delete messages, answer button taps and serve files."""

from __future__ import annotations

import dataclasses
from typing import Any

from handlers.sandbox.bot_api.core import SandboxCore
from handlers.sandbox.bot_api.protocol import (
    ADMINS,
    CHAT_ACTIONS,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    ApiError,
    Params,
)
from handlers.sandbox.state import (
    CallbackAnswer,
)


class MessageMethods(SandboxCore):
    """Sending, editing and deleting messages, reactions, chat actions, answerCallbackQuery and getFile."""

    async def _send_message(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        text, entities = self._formatted(params, caption=False)
        return self._outgoing(chat, params, text=text, entities=entities)

    async def _send_photo(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        caption, entities = self._formatted(params, caption=True)
        photo = self._input_file(params, "photo")
        return self._outgoing(chat, params, caption=caption, entities=entities, photo=photo)

    async def _send_document(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        caption, entities = self._formatted(params, caption=True)
        document = self._input_file(params, "document")
        return self._outgoing(chat, params, caption=caption, entities=entities, document=document)

    async def _edit_message_text(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._formatted(params, caption=False)
        markup = self._markup(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, text=text, entities=entities, reply_markup=markup)

    async def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        if message.photo is None and message.document is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._formatted(params, caption=True)
        markup = self._markup(params)
        if (caption, entities, markup) == (message.caption, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, caption=caption, entities=entities, reply_markup=markup)

    async def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(message, reply_markup=markup)

    async def _delete_message(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        message_id = params.integer("message_id")
        message = chat.messages.get(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        if not message.from_bot and chat.is_group and chat.bot_status not in ADMINS:
            raise ApiError(400, "Bad Request: message can't be deleted")
        if self._now() - message.date > 48 * 3600:
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")
        message.deleted = True
        self.events.publish({"type": "delete", "chat_id": chat.id, "message_id": message.message_id})
        self._messages_changed.notify()
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        record = self.callback_queries.get(params.text("callback_query_id") or "")
        if (
            record is None
            or record.answer is not None
            or self.clock() - record.created_at > self.callback_answer_window
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            text=text,
            show_alert=params.flag("show_alert"),
            url=params.text("url"),
            cache_time=params.integer("cache_time") or 0,
        )
        record.resolve(answer)
        self.events.publish(
            {
                "type": "callback_answer",
                "query_id": record.id,
                "chat_id": record.message.chat.id,
                "message_id": record.message.message_id,
                **dataclasses.asdict(answer),
            }
        )
        return True

    async def _get_file(self, params: Params) -> dict[str, Any]:
        stored = self.files.get(params.text("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.size > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.events.publish({"type": "chat_action", "chat_id": chat.id, "action": action})
        return True

    async def _set_message_reaction(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        message_id = params.integer("message_id")
        message = chat.messages.get(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to react not found")
        reaction = params.obj("reaction") or []
        if not isinstance(reaction, list) or any(
            not isinstance(r, dict) or r.get("type") not in ("emoji", "custom_emoji", "paid") for r in reaction
        ):
            raise ApiError(400, "Bad Request: REACTION_INVALID")
        message.reactions = reaction
        self.events.publish(
            {"type": "reaction", "chat_id": chat.id, "message_id": message.message_id, "reaction": reaction}
        )
        return True

    async def _pin_chat_message(self, params: Params) -> bool:
        chat = self._chat(params, to_write=False)
        message_id = params.integer("message_id")
        message = chat.messages.get(message_id) if message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to pin not found")
        if chat.is_group and chat.bot_status not in ADMINS:
            raise ApiError(400, "Bad Request: not enough rights to manage pinned messages in the chat")
        chat.pinned = [m for m in chat.pinned if m != message.message_id] + [message.message_id]
        self.events.publish({"type": "pin", "chat_id": chat.id, "message_id": message.message_id})
        return True
