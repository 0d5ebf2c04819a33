"""WeCom callback crypto, checked against Tencent's published sample vectors and a WeCom-style round trip."""

from __future__ import annotations

import pytest

from handlers.wecom.crypto import CallbackCrypto, InvalidCallback
from tests.fakes.wecom_api import encrypt_callback, text_message_xml

TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
ECHOSTR = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="

# The older sample shipped with Tencent's WXBizMsgCrypt libraries: a real encrypted POST body.
LEGACY_TOKEN, LEGACY_AES_KEY, LEGACY_CORP_ID = (
    "QDG6eK",
    "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "wx5823bf96d3bd56c7",
)
LEGACY_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/"
    "sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJ"
    "YuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUc"
    "allcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5"
    "Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)


@pytest.fixture
def crypto() -> CallbackCrypto:
    return CallbackCrypto(TOKEN, AES_KEY, CORP_ID)


def test_url_verification_decrypts_the_official_echostr(crypto: CallbackCrypto) -> None:
    echo = crypto.verify_url("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", ECHOSTR)

    assert echo == "1288432023552776189"


def test_url_verification_refuses_a_wrong_signature(crypto: CallbackCrypto) -> None:
    with pytest.raises(InvalidCallback):
        crypto.verify_url("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebec", "1476416373", "47744683", ECHOSTR)


def test_url_verification_refuses_a_replayed_signature_with_another_timestamp(crypto: CallbackCrypto) -> None:
    with pytest.raises(InvalidCallback):
        crypto.verify_url("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416374", "47744683", ECHOSTR)


def test_the_legacy_official_post_sample_decrypts_to_a_text_message() -> None:
    body = (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
        f"<Encrypt><![CDATA[{LEGACY_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    )

    legacy = CallbackCrypto(LEGACY_TOKEN, LEGACY_AES_KEY, LEGACY_CORP_ID)

    xml = legacy.decrypt(body, "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149")

    assert "<FromUserName><![CDATA[mycreate]]></FromUserName>" in xml
    assert "<Content><![CDATA[hello]]></Content>" in xml


def test_a_message_encrypted_as_wecom_does_decrypts_back(crypto: CallbackCrypto) -> None:
    xml = text_message_xml("zhangsan", "认领微心愿 #12", "7000000000000000001")
    query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, xml)

    assert crypto.decrypt(body, query["msg_signature"], query["timestamp"], query["nonce"]) == xml


def test_a_forged_signature_is_refused(crypto: CallbackCrypto) -> None:
    query, body = encrypt_callback(TOKEN, AES_KEY, CORP_ID, text_message_xml("zhangsan", "hi", "1"))

    with pytest.raises(InvalidCallback):
        crypto.decrypt(body, "0" * 40, query["timestamp"], query["nonce"])


def test_a_body_signed_with_another_token_is_refused(crypto: CallbackCrypto) -> None:
    query, body = encrypt_callback("not-our-token", AES_KEY, CORP_ID, text_message_xml("zhangsan", "hi", "1"))

    with pytest.raises(InvalidCallback):
        crypto.decrypt(body, query["msg_signature"], query["timestamp"], query["nonce"])


def test_a_payload_for_another_corp_is_refused_even_when_signed(crypto: CallbackCrypto) -> None:
    query, body = encrypt_callback(TOKEN, AES_KEY, "wwsomeoneelse", text_message_xml("zhangsan", "hi", "1"))

    with pytest.raises(InvalidCallback):
        crypto.decrypt(body, query["msg_signature"], query["timestamp"], query["nonce"])


@pytest.mark.parametrize("body", ["", "not xml", "<xml><ToUserName>x</ToUserName></xml>"])
def test_a_body_without_ciphertext_is_refused(crypto: CallbackCrypto, body: str) -> None:
    with pytest.raises(InvalidCallback):
        crypto.decrypt(body, "0" * 40, "1476416373", "47744683")
