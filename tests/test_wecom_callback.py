"""WeCom callbacks: parsing into events, and the HTTP server that verifies, acknowledges and handles them once."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import pytest
from yarl import URL

from handlers.wecom.callback_server import CallbackServer, RecentKeys
from handlers.wecom.crypto import MAX_BODY_BYTES, CallbackCrypto, InvalidCallback, extract_ciphertext
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
from tests.fakes import eventually
from tests.fakes.wecom_api import (
    FakeClock,
    encrypt_callback,
    event_xml,
    image_message_xml,
    template_card_event_xml,
    text_message_xml,
)

TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
OFFICIAL_CHECK = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
}


class Recorder:
    """An on_event handler that records events; it can be told to wait or to fail."""

    def __init__(self) -> None:
        self.events: list[WeComEvent] = []
        self.finished: list[WeComEvent] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail = False

    async def __call__(self, event: WeComEvent) -> None:
        self.events.append(event)
        await self.release.wait()
        if self.fail:
            raise RuntimeError("handler blew up")
        self.finished.append(event)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def server(recorder: Recorder) -> AsyncIterator[CallbackServer]:
    server = CallbackServer(CallbackCrypto(TOKEN, AES_KEY, CORP_ID), recorder, port=0, path="/wecom/callback")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post_callback(http: aiohttp.ClientSession, server: CallbackServer, xml: str) -> tuple[int, str]:
    query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, xml)
    async with http.post(server.url, params=query, data=body) as response:
        return response.status, await response.text()


class TestParsing:
    def test_a_text_message(self) -> None:
        event = parse_event(text_message_xml("zhangsan", "认领 12", "7001", create_time=1700000001))

        assert event == TextMessage("zhangsan", "认领 12", "7001", 1700000001, 1000002)
        assert event.dedupe_key == "msg:7001"

    def test_an_image_message(self) -> None:
        event = parse_event(image_message_xml("lisi", "MEDIA1", "https://wework.qpic.cn/x", "7002"))

        assert event == ImageMessage("lisi", "MEDIA1", "https://wework.qpic.cn/x", "7002", 1700000000, 1000002)

    def test_a_template_card_button_press(self) -> None:
        xml = template_card_event_xml("lisi", "wish-12", "claim:12", "RC1", create_time=1700000005)

        event = parse_event(xml)

        assert event == TemplateCardEvent(
            user_id="lisi",
            event_key="claim:12",
            task_id="wish-12",
            card_type="button_interaction",
            response_code="RC1",
            create_time=1700000005,
            agent_id=1000002,
        )

    def test_a_multiple_choice_submission_keeps_the_selected_items(self) -> None:
        xml = template_card_event_xml(
            "lisi", "vote-1", "submit", "RC2", card_type="multiple_interaction", selected=[("q1", ["a", "c"])]
        )

        event = parse_event(xml)

        assert isinstance(event, TemplateCardEvent)
        assert event.selected_items == (SelectedItem("q1", ("a", "c")),)

    def test_presses_differ_by_button_and_by_second_but_a_retry_does_not(self) -> None:
        press = template_card_event_xml("lisi", "wish-12", "claim:12", "RC1", create_time=1700000005)
        retry = template_card_event_xml("lisi", "wish-12", "claim:12", "RC1", create_time=1700000005)
        other_button = template_card_event_xml("lisi", "wish-12", "show:12", "RC3", create_time=1700000005)
        later = template_card_event_xml("lisi", "wish-12", "claim:12", "RC4", create_time=1700000009)
        other_card = template_card_event_xml("lisi", "wish-13", "claim:12", "RC5", create_time=1700000005)

        keys = [parse_event(xml).dedupe_key for xml in (press, retry, other_button, later, other_card)]

        assert keys[0] == keys[1]
        assert len(set(keys)) == 4

    def test_entering_the_app(self) -> None:
        event = parse_event(event_xml("wangwu", "enter_agent"))

        assert event == EnterAgentEvent("wangwu", 1700000000, 1000002, "")

    def test_other_events_are_kept_with_their_xml(self) -> None:
        xml = event_xml("wangwu", "click", event_key="menu:wishes")

        event = parse_event(xml)

        assert isinstance(event, OtherEvent)
        assert (event.event, event.event_key, event.raw) == ("click", "menu:wishes", xml)

    def test_other_message_types_are_kept(self) -> None:
        xml = (
            "<xml><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1700000000</CreateTime>"
            "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[V1]]></MediaId><MsgId>7003</MsgId></xml>"
        )

        event = parse_event(xml)

        assert isinstance(event, UnknownMessage)
        assert (event.msg_type, event.dedupe_key, event.agent_id) == ("voice", "msg:7003", None)

    @pytest.mark.parametrize("xml", ["", "<xml>", "not xml at all", "<xml><MsgType>text</MsgType></xml>"])
    def test_unreadable_input_never_raises(self, xml: str) -> None:
        assert isinstance(parse_event(xml), UnknownMessage)


async def test_url_verification_answers_the_official_echostr(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(server.url, params=OFFICIAL_CHECK) as response:
        assert response.status == 200
        assert await response.text() == "1288432023552776189"


async def test_url_verification_survives_an_unescaped_plus(server: CallbackServer, http: aiohttp.ClientSession) -> None:
    raw = "&".join(f"{k}={quote(v, safe='+/=')}" for k, v in OFFICIAL_CHECK.items())
    assert "+" in raw

    async with http.get(URL(f"{server.url}?{raw}", encoded=True)) as response:
        assert await response.text() == "1288432023552776189"


async def test_url_verification_with_a_wrong_signature_is_forbidden(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(server.url, params={**OFFICIAL_CHECK, "msg_signature": "0" * 40}) as response:
        assert response.status == 403


async def test_a_message_is_acknowledged_and_handled(
    server: CallbackServer, http: aiohttp.ClientSession, recorder: Recorder
) -> None:
    status, body = await post_callback(http, server, text_message_xml("zhangsan", "我要认领", "7101"))

    assert (status, body) == (200, "")
    await eventually(lambda: len(recorder.finished) == 1)
    assert recorder.finished == [TextMessage("zhangsan", "我要认领", "7101", 1700000000, 1000002)]


async def test_wecom_retries_are_handled_once(
    server: CallbackServer, http: aiohttp.ClientSession, recorder: Recorder
) -> None:
    xml = template_card_event_xml("lisi", "wish-12", "claim:12", "RC1")
    query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, xml)

    for _ in range(3):
        async with http.post(server.url, params=query, data=body) as response:
            assert response.status == 200
    assert (await post_callback(http, server, xml))[0] == 200

    await eventually(lambda: len(recorder.finished) == 1)
    await asyncio.sleep(0.05)
    assert len(recorder.events) == 1


async def test_a_forged_signature_is_forbidden_and_nothing_is_handled(
    server: CallbackServer, http: aiohttp.ClientSession, recorder: Recorder
) -> None:
    query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, text_message_xml("zhangsan", "伪造", "7102"))

    async with http.post(server.url, params={**query, "msg_signature": "f" * 40}, data=body) as response:
        assert response.status == 403
    async with http.post(server.url, data=body) as response:
        assert response.status == 403

    await asyncio.sleep(0.05)
    assert recorder.events == []
    assert (await post_callback(http, server, text_message_xml("zhangsan", "真的", "7102")))[0] == 200
    await eventually(lambda: len(recorder.finished) == 1)


async def test_the_ack_does_not_wait_for_a_slow_handler(
    server: CallbackServer, http: aiohttp.ClientSession, recorder: Recorder
) -> None:
    recorder.release.clear()

    status, _ = await asyncio.wait_for(
        post_callback(http, server, text_message_xml("zhangsan", "慢", "7103")), timeout=2
    )

    assert status == 200
    await eventually(lambda: len(recorder.events) == 1)
    assert recorder.finished == []
    recorder.release.set()
    await eventually(lambda: len(recorder.finished) == 1)


async def test_a_failing_handler_is_logged_not_lost(
    server: CallbackServer, http: aiohttp.ClientSession, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.fail = True

    with caplog.at_level(logging.ERROR, logger="handlers.wecom.callback_server"):
        assert (await post_callback(http, server, text_message_xml("zhangsan", "炸", "7104")))[0] == 200
        await eventually(lambda: any(r.exc_info for r in caplog.records))

    [record] = [r for r in caplog.records if r.exc_info]
    assert "msg:7104" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


async def test_stop_lets_running_handlers_finish(recorder: Recorder, http: aiohttp.ClientSession) -> None:
    server = CallbackServer(CallbackCrypto(TOKEN, AES_KEY, CORP_ID), recorder, port=0)
    await server.start()
    recorder.release.clear()
    await post_callback(http, server, text_message_xml("zhangsan", "收尾", "7105"))
    await eventually(lambda: len(recorder.events) == 1)

    stopping = asyncio.create_task(server.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()
    recorder.release.set()
    await stopping

    assert len(recorder.finished) == 1


async def test_stop_cancels_handlers_that_outlive_the_drain_timeout(
    recorder: Recorder, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    server = CallbackServer(CallbackCrypto(TOKEN, AES_KEY, CORP_ID), recorder, port=0, drain_timeout=0.05)
    await server.start()
    recorder.release.clear()
    await post_callback(http, server, text_message_xml("zhangsan", "卡住", "7106"))
    await eventually(lambda: len(recorder.events) == 1)

    with caplog.at_level(logging.WARNING, logger="handlers.wecom.callback_server"):
        await asyncio.wait_for(server.stop(), timeout=2)

    assert recorder.finished == []
    assert any("Cancelling" in r.getMessage() for r in caplog.records)


async def test_a_caller_supplied_seen_store_decides_what_is_new(
    recorder: Recorder, http: aiohttp.ClientSession
) -> None:
    asked: list[str] = []

    async def seen(key: str) -> bool:
        asked.append(key)
        return key == "msg:7107"

    server = CallbackServer(CallbackCrypto(TOKEN, AES_KEY, CORP_ID), recorder, port=0, seen=seen)
    await server.start()
    try:
        await post_callback(http, server, text_message_xml("zhangsan", "旧", "7107"))
        await post_callback(http, server, text_message_xml("zhangsan", "新", "7108"))
        await eventually(lambda: len(recorder.finished) == 1)
    finally:
        await server.stop()

    assert asked == ["msg:7107", "msg:7108"]
    assert [e.dedupe_key for e in recorder.finished] == ["msg:7108"]


async def test_recent_keys_forget_after_their_ttl_and_stay_bounded() -> None:
    clock = FakeClock()
    recent = RecentKeys(maxsize=2, ttl=60, clock=clock)

    assert await recent("a") is False
    assert await recent("a") is True
    clock.advance(61)
    assert await recent("a") is False

    await recent("b")
    await recent("c")
    assert await recent("a") is False


def entity_bomb() -> str:
    """An unsigned envelope of nested entities: 452 bytes that keep expat busy for a quarter of a second."""
    entities = ['<!ENTITY a0 "x">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 8)]
    return f"<!DOCTYPE xml [{''.join(entities)}]><xml><Encrypt>&a7;</Encrypt></xml>"


# Another process (so it takes no time from the server's loop) opens 50 connections, sends a bomb on each, says
# "sent" and then reads the 50 answers' status codes.
_ATTACKER = """
import socket, sys
port, path, body, count = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
request = (
    f"POST {path}?msg_signature={'0' * 40}&timestamp=1700000000&nonce=1 HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\n"
    f"Content-Length: {len(body)}\\r\\nConnection: close\\r\\n\\r\\n"
).encode() + body
sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
for sock in sockets:
    sock.sendall(request)
print("sent", flush=True)
for sock in sockets:
    print(sock.makefile("rb").readline().split()[1].decode(), flush=True)
"""


async def test_entity_bombs_are_refused_without_stalling_the_loop(
    server: CallbackServer, http: aiohttp.ClientSession, recorder: Recorder
) -> None:
    loop = asyncio.get_running_loop()

    async def ping() -> float:
        started = loop.time()
        async with http.get(server.url, params=OFFICIAL_CHECK) as response:
            assert response.status == 200
        return loop.time() - started

    await ping()  # warm the connection pool
    attacker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _ATTACKER,
        str(server.port),
        server.path,
        entity_bomb(),
        "50",
        stdout=asyncio.subprocess.PIPE,
    )
    assert attacker.stdout is not None
    assert await asyncio.wait_for(attacker.stdout.readline(), timeout=10) == b"sent\n"
    took = await ping()
    statuses, _ = await asyncio.wait_for(attacker.communicate(), timeout=60)

    assert statuses.split() == [b"403"] * 50
    assert took < 0.1
    assert recorder.events == []


async def test_an_oversized_body_is_refused(server: CallbackServer, http: aiohttp.ClientSession) -> None:
    query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, text_message_xml("zhangsan", "大", "7110"))
    padded = body.replace("</xml>", " " * (MAX_BODY_BYTES + 1) + "</xml>")

    async with http.post(server.url, params=query, data=padded) as response:
        assert response.status == 413


@pytest.mark.parametrize(("age", "status"), [(0, 200), (-299, 200), (299, 200), (-301, 403), (3600, 403)])
async def test_a_signed_callback_outside_the_clock_window_is_refused(
    recorder: Recorder, http: aiohttp.ClientSession, age: int, status: int
) -> None:
    now = 1_800_000_000.0
    server = CallbackServer(CallbackCrypto(TOKEN, AES_KEY, CORP_ID), recorder, port=0, clock=lambda: now)
    await server.start()
    try:
        xml = text_message_xml("zhangsan", "重放", "7111")
        query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, xml, timestamp=str(int(now) - age))
        async with http.post(server.url, params=query, data=body) as response:
            assert response.status == status
    finally:
        await server.stop()


def test_the_envelope_is_read_without_an_xml_parser() -> None:
    assert extract_ciphertext("<xml><Encrypt><![CDATA[QUJD+/==]]></Encrypt></xml>") == "QUJD+/=="
    assert extract_ciphertext(b"<xml><Encrypt>QUJD</Encrypt></xml>") == "QUJD"
    for body in [entity_bomb(), '<!DOCTYPE x SYSTEM "file:///etc/passwd"><xml><Encrypt>QUJD</Encrypt></xml>', "<x/>"]:
        with pytest.raises(InvalidCallback):
            extract_ciphertext(body)


def test_decrypted_xml_with_entities_is_not_expanded() -> None:
    assert isinstance(parse_event(entity_bomb()), UnknownMessage)
