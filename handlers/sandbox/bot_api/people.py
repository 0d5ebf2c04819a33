"""The user side of the sandbox: simulated people who start the bot, write, edit and tap buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.sandbox.bot_api.core import SandboxCore
from handlers.sandbox.bot_api.protocol import (
    ADMINS,
    PRESENT,
    ChatRef,
    UserRef,
)
from handlers.sandbox.formatting import user_entities
from handlers.sandbox.state import (
    CallbackAnswer,
    CallbackQueryRecord,
    SandboxChat,
    SandboxError,
    SandboxMessage,
    SandboxUser,
)


class PeopleSide(SandboxCore):
    """What a simulated person does in a chat."""

    async def add_user(
        self,
        id: int,
        first_name: str,
        last_name: str = "",
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> SandboxUser:
        """Create a person (and the private chat the bot would have with them)."""
        if id in self.users or id in self.chats:
            raise SandboxError(f"id {id} is taken")
        user = SandboxUser(
            id=id, first_name=first_name, last_name=last_name, username=username, language_code=language_code
        )
        self.users[id] = user
        self.chats[id] = SandboxChat(id=id, type="private", peer=user)
        self.events.publish({"type": "user", "user": user.to_api()})
        return user

    async def user_starts_bot(self, user: UserRef, payload: str | None = None) -> SandboxMessage:
        """The person presses Start (or opens a ``t.me/bot?start=payload`` link)."""
        person = self.user(user)
        chat = self.chats[person.id]
        if person.blocked:
            person.blocked = False
            self._member_update(chat, person, self.bot, "kicked", "member")
        person.started = True
        text = "/start" if not payload else f"/start {payload}"
        return self._store(self._incoming(person, chat, text=text))

    async def block_bot(self, user: UserRef) -> dict[str, Any]:
        """The person blocks the bot; returns the my_chat_member update payload."""
        person = self.user(user)
        person.blocked = True
        return self._member_update(self.chats[person.id], person, self.bot, "member", "kicked")

    async def user_sends(
        self,
        user: UserRef,
        chat: ChatRef,
        text: str | None = None,
        *,
        reply_to: SandboxMessage | None = None,
        thread_id: int | None = None,
        contact: str | dict[str, Any] | None = None,
        photo: bytes | None = None,
        sender_chat: ChatRef | None = None,
    ) -> SandboxMessage:
        """A person posts a message (text, photo with caption, or contact); returns it as stored."""
        person = self.user(user)
        target = self.chat(chat)
        self._check_can_post(person, target, text)
        sender: SandboxUser = person
        as_chat: SandboxChat | None = None
        if sender_chat is not None:
            as_chat = self.chat(sender_chat)
            if as_chat is not target or target.members.get(person.id) not in ADMINS:
                raise SandboxError("only the group's own admins can post as the group")
            sender = self.anonymous_admin
        if reply_to is not None and (reply_to.chat is not target or reply_to.deleted):
            raise SandboxError("can only reply to a visible message of the same chat")
        if thread_id is None and reply_to is not None and target.is_forum:
            thread_id = reply_to.thread_id
        if thread_id is not None and thread_id not in target.topics:
            raise SandboxError(f"chat {target.id} has no topic {thread_id}")
        contact_data = None
        if contact is not None:
            contact_data = (
                {"phone_number": contact, "first_name": person.first_name, "user_id": person.id}
                if isinstance(contact, str)
                else dict(contact)
            )
            if isinstance(contact, str) and person.last_name:
                contact_data["last_name"] = person.last_name
        stored_photo = self._store_file(photo, None, "image/jpeg", "photo") if photo is not None else None
        message = self._incoming(
            sender,
            target,
            text=text if stored_photo is None else None,
            caption=text if stored_photo is not None else None,
            sender_chat=as_chat,
            contact=contact_data,
            photo=stored_photo,
        )
        if thread_id is not None:
            message.thread_id = thread_id
            message.is_topic_message = True
        message.reply_to = reply_to or self._topic_root(target, thread_id)
        return self._store(message)

    async def admin_sends_anonymously(
        self, chat: ChatRef, text: str, *, admin: UserRef | None = None
    ) -> SandboxMessage:
        """An admin posts as the group itself (from=GroupAnonymousBot, sender_chat=the group)."""
        group = self.chat(chat)
        person = self.user(admin) if admin is not None else self._group_actor(group, None)
        return await self.user_sends(person, group, text, sender_chat=group)

    async def user_edits(self, message: SandboxMessage, new_text: str) -> SandboxMessage:
        """The author edits their message; the bot gets an edited_message update."""
        if message.from_bot or message.deleted or message.content is None:
            raise SandboxError("people can only edit their own visible text messages")
        entities = user_entities(new_text)
        if message.text is not None:
            message.text = new_text
        else:
            message.caption = new_text
        message.entities = entities
        message.edit_count += 1
        message.edit_date = self._now()
        if self._bot_sees(message):
            self.updates.push("edited_message", message.to_api())
        self.events.publish(
            {
                "type": "edit",
                "chat_id": message.chat.id,
                "message_id": message.message_id,
                "edit_count": message.edit_count,
                "message": message.to_api(),
            }
        )
        self._messages_changed.notify()
        return message

    async def press_button(
        self, user: UserRef, message: SandboxMessage, callback_data: str, *, seen: Sequence[str] = ()
    ) -> CallbackQueryRecord:
        """A person taps an inline button; returns the pending query without waiting for the answer.

        ``seen`` lists callback data of buttons this person's client still shows from before an edit reached it
        (on a real phone a tap in flight carries the old button), so a burst can tap a card that just changed.
        """
        person = self.user(user)
        shown = callback_data in seen or any(b.get("callback_data") == callback_data for b in message.buttons())
        if message.deleted or not shown:
            raise SandboxError(f"message {message.message_id} shows no button with data {callback_data!r}")
        chat = message.chat
        if chat.peer is not None and chat.peer is not person:
            raise SandboxError("that private chat belongs to someone else")
        if chat.is_group and chat.members.get(person.id) not in PRESENT:
            raise SandboxError(f"{person.full_name} is not in chat {chat.id}")
        record = CallbackQueryRecord(
            id=str(4_000_000_000_000_000 + self._next_id()),
            user=person,
            message=message,
            data=callback_data,
            created_at=self.clock(),
        )
        self.callback_queries[record.id] = record
        payload = {
            "id": record.id,
            "from": person.to_api(),
            "message": message.to_api(),
            "chat_instance": str(abs(hash((chat.id, self.bot.id)))),
            "data": callback_data,
        }
        self.updates.push("callback_query", payload)
        self.events.publish({"type": "callback_query", "chat_id": chat.id, "query": payload})
        return record

    async def user_presses(
        self, user: UserRef, message: SandboxMessage, callback_data: str, *, within: float = 5.0
    ) -> CallbackAnswer:
        """A person taps an inline button and waits for the bot's answerCallbackQuery (SandboxError if none)."""
        record = await self.press_button(user, message, callback_data)
        return await record.wait_answer(within)

    def _check_can_post(self, person: SandboxUser, chat: SandboxChat, text: str | None) -> None:
        if chat.peer is not None:
            if chat.peer is not person:
                raise SandboxError("that private chat belongs to someone else")
            if (person.blocked or not person.started) and not (text or "").startswith("/start"):
                raise SandboxError(f"{person.full_name} has not started the bot; call user_starts_bot")
            if person.blocked:
                person.blocked = False
                self._member_update(chat, person, self.bot, "kicked", "member")
            person.started = True
            return
        if chat.migrated_to is not None:
            raise SandboxError(f"group {chat.id} became supergroup {chat.migrated_to}")
        if chat.members.get(person.id) not in PRESENT:
            raise SandboxError(f"{person.full_name} is not in chat {chat.id}")
