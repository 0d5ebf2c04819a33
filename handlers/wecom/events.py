"""Turns decrypted WeCom callback XML into typed, frozen events; anything unexpected is kept, never fatal."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A member typed text to the app."""

    user_id: str
    content: str
    msg_id: str
    create_time: int
    agent_id: int | None

    @property
    def dedupe_key(self) -> str:
        """Stable across WeCom's retries of this delivery."""
        return f"msg:{self.msg_id}"


@dataclass(frozen=True, slots=True)
class ImageMessage:
    """A member sent a picture to the app."""

    user_id: str
    media_id: str
    pic_url: str
    msg_id: str
    create_time: int
    agent_id: int | None

    @property
    def dedupe_key(self) -> str:
        """Stable across WeCom's retries of this delivery."""
        return f"msg:{self.msg_id}"


@dataclass(frozen=True, slots=True)
class SelectedItem:
    """One answered question of a vote or multiple-choice template card."""

    question_key: str
    option_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TemplateCardEvent:
    """A member pressed a button (or submitted a choice) on a template card the app sent."""

    user_id: str
    event_key: str
    task_id: str
    card_type: str
    response_code: str
    create_time: int
    agent_id: int | None
    selected_items: tuple[SelectedItem, ...] = ()

    @property
    def dedupe_key(self) -> str:
        """Same press, same key; a second button or a later press differs."""
        return _event_key(self.user_id, self.create_time, "template_card_event", self.event_key, self.task_id)


@dataclass(frozen=True, slots=True)
class EnterAgentEvent:
    """A member opened the app's conversation."""

    user_id: str
    create_time: int
    agent_id: int | None
    event_key: str = ""

    @property
    def dedupe_key(self) -> str:
        """Stable across WeCom's retries of this delivery."""
        return _event_key(self.user_id, self.create_time, "enter_agent", self.event_key)


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """An event this transport does not model (subscribe, click, location, ...); the raw XML is kept."""

    user_id: str
    event: str
    event_key: str
    create_time: int
    agent_id: int | None
    raw: str

    @property
    def dedupe_key(self) -> str:
        """Stable across WeCom's retries of this delivery."""
        return _event_key(self.user_id, self.create_time, self.event, self.event_key)


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A message type this transport does not model (voice, video, location, ...) or unreadable XML."""

    user_id: str
    msg_type: str
    msg_id: str
    create_time: int
    agent_id: int | None
    raw: str

    @property
    def dedupe_key(self) -> str:
        """The MsgId when WeCom gave one, else who, when and what."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return _event_key(self.user_id, self.create_time, self.msg_type or "unknown", "")


WeComEvent = TextMessage | ImageMessage | TemplateCardEvent | EnterAgentEvent | OtherEvent | UnknownMessage


def parse_event(xml: str) -> WeComEvent:
    """Parse one decrypted callback; never raises, unreadable input becomes an UnknownMessage."""
    try:
        root = fromstring(xml)
    except (ET.ParseError, DefusedXmlException):
        return UnknownMessage(user_id="", msg_type="", msg_id="", create_time=0, agent_id=None, raw=xml)

    def text(tag: str) -> str:
        return (root.findtext(tag) or "").strip()

    user_id = text("FromUserName")
    create_time = _int(text("CreateTime")) or 0
    agent_id = _int(text("AgentID"))
    msg_type = text("MsgType").lower()

    if msg_type == "event":
        event = text("Event").lower()
        if event == "template_card_event":
            return TemplateCardEvent(
                user_id=user_id,
                event_key=text("EventKey"),
                task_id=text("TaskId"),
                card_type=text("CardType"),
                response_code=text("ResponseCode"),
                create_time=create_time,
                agent_id=agent_id,
                selected_items=_selected_items(root),
            )
        if event == "enter_agent":
            return EnterAgentEvent(
                user_id=user_id, create_time=create_time, agent_id=agent_id, event_key=text("EventKey")
            )
        return OtherEvent(
            user_id=user_id,
            event=event,
            event_key=text("EventKey"),
            create_time=create_time,
            agent_id=agent_id,
            raw=xml,
        )
    if msg_type == "text" and text("MsgId"):
        return TextMessage(
            user_id=user_id,
            content=root.findtext("Content") or "",
            msg_id=text("MsgId"),
            create_time=create_time,
            agent_id=agent_id,
        )
    if msg_type == "image" and text("MsgId"):
        return ImageMessage(
            user_id=user_id,
            media_id=text("MediaId"),
            pic_url=text("PicUrl"),
            msg_id=text("MsgId"),
            create_time=create_time,
            agent_id=agent_id,
        )
    return UnknownMessage(
        user_id=user_id,
        msg_type=msg_type,
        msg_id=text("MsgId"),
        create_time=create_time,
        agent_id=agent_id,
        raw=xml,
    )


def _selected_items(root: ET.Element) -> tuple[SelectedItem, ...]:
    return tuple(
        SelectedItem(
            question_key=(item.findtext("QuestionKey") or "").strip(),
            option_ids=tuple((o.text or "").strip() for o in item.iterfind("OptionIds/OptionId")),
        )
        for item in root.iterfind("SelectedItems/SelectedItem")
    )


def _event_key(user_id: str, create_time: int, event: str, event_key: str, task_id: str = "") -> str:
    return f"event:{user_id}:{create_time}:{event}:{event_key}:{task_id}"


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
