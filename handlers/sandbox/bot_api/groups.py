"""The user side of the sandbox for groups: creating them, adding and removing the bot, members, topics, migration."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from handlers.sandbox.bot_api.core import SandboxCore
from handlers.sandbox.bot_api.protocol import (
    ChatRef,
    UserRef,
)
from handlers.sandbox.state import (
    MemberStatus,
    SandboxChat,
    SandboxError,
    SandboxMessage,
)


class GroupSide(SandboxCore):
    """What happens to a group: created, the bot added or removed, members changed, topics, migration."""

    async def add_group(
        self,
        chat_id: int,
        title: str,
        members: Sequence[UserRef] = (),
        *,
        forum: bool = False,
        bot_is_admin: bool = True,
        admins: Sequence[UserRef] = (),
        kind: str | None = None,
        username: str | None = None,
    ) -> SandboxChat:
        """Create a group; the first member is its creator and adds the bot (sending my_chat_member)."""
        if chat_id in self.chats:
            raise SandboxError(f"chat {chat_id} exists")
        chat_type = kind or ("supergroup" if forum or str(chat_id).startswith("-100") else "group")
        if chat_type not in ("group", "supergroup") or (forum and chat_type != "supergroup"):
            raise SandboxError("forum topics need a supergroup")
        chat = SandboxChat(
            id=chat_id,
            type="supergroup" if chat_type == "supergroup" else "group",
            title=title,
            username=username,
            is_forum=forum,
            bot_status="left",
        )
        people = [self.user(m) for m in members]
        admin_ids = {self.user(a).id for a in admins}
        for index, person in enumerate(people):
            chat.members[person.id] = (
                "creator" if index == 0 else "administrator" if person.id in admin_ids else "member"
            )
        self.chats[chat_id] = chat
        self.events.publish({"type": "chat", "change": "created", "chat": chat.to_api()})
        if people:
            await self.add_bot(chat, by=people[0], as_admin=bot_is_admin)
        else:
            chat.bot_status = "administrator" if bot_is_admin else "member"
        return chat

    async def add_bot(self, chat: ChatRef, *, by: UserRef | None = None, as_admin: bool = False) -> SandboxMessage:
        """Someone adds the bot to a group: my_chat_member plus a new_chat_members service message."""
        group = self.chat(chat)
        actor = self._group_actor(group, by)
        old = group.bot_status
        group.bot_status = "administrator" if as_admin else "member"
        self._member_update(group, actor, self.bot, old, group.bot_status)
        return self._store(self._incoming(actor, group, service={"new_chat_members": [self.bot.to_api()]}))

    async def remove_bot(self, chat: ChatRef, *, by: UserRef | None = None, kicked: bool = True) -> dict[str, Any]:
        """Someone removes the bot; returns the my_chat_member payload (status "kicked" or "left")."""
        group = self.chat(chat)
        actor = self._group_actor(group, by)
        old = group.bot_status
        group.bot_status = "kicked" if kicked else "left"
        payload = self._member_update(group, actor, self.bot, old, group.bot_status)
        self._store(self._incoming(actor, group, service={"left_chat_member": self.bot.to_api()}))
        return payload

    async def set_member_status(
        self, chat: ChatRef, user: UserRef, status: MemberStatus, *, by: UserRef | None = None
    ) -> dict[str, Any]:
        """Change a person's membership; admins' bots get a chat_member update if they asked for it."""
        group = self.chat(chat)
        person = self.user(user)
        actor = self.user(by) if by is not None else person
        old = group.members.get(person.id, "left")
        group.members[person.id] = status
        return self._member_update(group, actor, person, old, status)

    async def create_topic(self, chat: ChatRef, name: str, *, by: UserRef | None = None) -> SandboxMessage:
        """Open a forum topic; its id (message_thread_id) is the returned message's id."""
        group = self.chat(chat)
        if not group.is_forum:
            raise SandboxError(f"chat {group.id} is not a forum")
        actor = self._group_actor(group, by)
        message = self._incoming(actor, group, service={"forum_topic_created": {"name": name, "icon_color": 7322096}})
        message.thread_id = message.message_id
        message.is_topic_message = True
        group.topics[message.message_id] = name
        return self._store(message)

    async def migrate_group(self, chat: ChatRef, *, by: UserRef | None = None) -> SandboxChat:
        """Upgrade a basic group to a supergroup like Telegram does; returns the new supergroup."""
        old = self.chat(chat)
        if old.type != "group" or old.migrated_to is not None:
            raise SandboxError(f"chat {old.id} is not a basic group")
        actor = self._group_actor(old, by)
        new_id = int(f"-100{abs(old.id)}")
        new = SandboxChat(
            id=new_id,
            type="supergroup",
            title=old.title,
            members=dict(old.members),
            bot_status=old.bot_status,
            migrated_from=old.id,
            next_message_id=old.next_message_id,
        )
        self.chats[new_id] = new
        copies = {m.message_id: dataclasses.replace(m, chat=new) for m in old.messages.values()}
        self._store(self._incoming(actor, old, service={"migrate_to_chat_id": new_id}))
        old.migrated_to = new_id
        for copy in copies.values():
            if copy.reply_to is not None:
                copy.reply_to = copies.get(copy.reply_to.message_id)
        new.messages = copies
        new.next_message_id = old.next_message_id
        self.flood.forget(old.id)
        self.events.publish({"type": "chat", "change": "migrated", "from": old.id, "chat": new.to_api()})
        self._store(self._incoming(actor, new, service={"migrate_from_chat_id": old.id}))
        return new
