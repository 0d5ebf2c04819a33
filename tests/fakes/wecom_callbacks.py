"""What WeCom POSTs to the bot's callback server: encrypted envelopes and the XML of messages and events."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterable

from wechatpy.utils import WeChatSigner
from wechatpy.work.crypto import PrpCrypto


def encrypt_callback(
    token: str,
    encoding_aes_key: str,
    corp_id: str,
    xml: str,
    *,
    agent_id: int = 1000002,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> tuple[dict[str, str], str]:
    """What WeCom POSTs for a callback: the query (msg_signature, timestamp, nonce) and the XML envelope."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:10]
    key = base64.b64decode(encoding_aes_key + "=")
    encrypted = PrpCrypto(key).encrypt(xml, corp_id).decode()
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce, encrypted)
    body = (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    return {"msg_signature": signer.signature, "timestamp": timestamp, "nonce": nonce}, body


def _cdata(value: object) -> str:
    return f"<![CDATA[{value}]]>"


def text_message_xml(
    user_id: str, content: str, msg_id: str, *, create_time: int = 1_700_000_000, agent_id: int = 1000002
) -> str:
    """A member's text message as WeCom delivers it (before encryption)."""
    return (
        f"<xml><ToUserName>{_cdata('wwfakecorp0001')}</ToUserName><FromUserName>{_cdata(user_id)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content><MsgId>{msg_id}</MsgId><AgentID>{agent_id}</AgentID></xml>"
    )


def image_message_xml(
    user_id: str, media_id: str, pic_url: str, msg_id: str, *, create_time: int = 1_700_000_000
) -> str:
    """A member's picture message as WeCom delivers it."""
    return (
        f"<xml><ToUserName>{_cdata('wwfakecorp0001')}</ToUserName><FromUserName>{_cdata(user_id)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{_cdata('image')}</MsgType>"
        f"<PicUrl>{_cdata(pic_url)}</PicUrl><MediaId>{_cdata(media_id)}</MediaId>"
        f"<MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )


def event_xml(user_id: str, event: str, *, create_time: int = 1_700_000_000, event_key: str = "") -> str:
    """A plain event (enter_agent, subscribe, click, ...) as WeCom delivers it."""
    return (
        f"<xml><ToUserName>{_cdata('wwfakecorp0001')}</ToUserName><FromUserName>{_cdata(user_id)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{_cdata('event')}</MsgType>"
        f"<Event>{_cdata(event)}</Event><EventKey>{_cdata(event_key)}</EventKey><AgentID>1000002</AgentID></xml>"
    )


def template_card_event_xml(
    user_id: str,
    task_id: str,
    event_key: str,
    response_code: str,
    *,
    create_time: int = 1_700_000_000,
    card_type: str = "button_interaction",
    selected: Iterable[tuple[str, Iterable[str]]] = (),
) -> str:
    """A member's press on a template card button, as WeCom delivers it."""
    items = "".join(
        f"<SelectedItem><QuestionKey>{_cdata(question)}</QuestionKey><OptionIds>"
        + "".join(f"<OptionId>{_cdata(o)}</OptionId>" for o in options)
        + "</OptionIds></SelectedItem>"
        for question, options in selected
    )
    return (
        f"<xml><ToUserName>{_cdata('wwfakecorp0001')}</ToUserName><FromUserName>{_cdata(user_id)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>{_cdata('event')}</MsgType>"
        f"<Event>{_cdata('template_card_event')}</Event><EventKey>{_cdata(event_key)}</EventKey>"
        f"<TaskId>{_cdata(task_id)}</TaskId><CardType>{_cdata(card_type)}</CardType>"
        f"<ResponseCode>{_cdata(response_code)}</ResponseCode><AgentID>1000002</AgentID>"
        + (f"<SelectedItems>{items}</SelectedItems>" if items else "")
        + "</xml>"
    )
