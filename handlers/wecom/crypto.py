"""Verifies and decrypts WeCom callbacks with wechatpy's WeChatCrypto; the server sees only plaintext XML."""

from __future__ import annotations

import hashlib
import hmac
import struct
import xml.etree.ElementTree as ET

from wechatpy.exceptions import WeChatException
from wechatpy.work.crypto import WeChatCrypto

_DECRYPT_ERRORS = (WeChatException, ValueError, IndexError, struct.error)


class InvalidCallback(Exception):
    """A callback whose signature does not match, or whose payload does not decrypt for our corp."""


def callback_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's msg_signature: SHA-1 of the sorted, concatenated token, timestamp, nonce and ciphertext."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypted))).encode()).hexdigest()


class CallbackCrypto:
    """The callback credentials of one WeCom app (Token, EncodingAESKey, corp id)."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self.token = token
        self.corp_id = corp_id
        self._crypto = WeChatCrypto(token, encoding_aes_key, corp_id)

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Answer WeCom's URL verification: check the signature and return the decrypted echostr."""
        self._check(msg_signature, timestamp, nonce, echostr)
        try:
            return str(self._crypto.check_signature(msg_signature, timestamp, nonce, echostr))
        except _DECRYPT_ERRORS as exc:
            raise InvalidCallback("echostr does not decrypt for this corp") from exc

    def decrypt(self, body: bytes | str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Check the signature of an encrypted callback body and return the plaintext message XML."""
        try:
            encrypted = ET.fromstring(body).findtext("Encrypt")
        except ET.ParseError as exc:
            raise InvalidCallback("callback body is not XML") from exc
        if not encrypted:
            raise InvalidCallback("callback body has no <Encrypt>")
        self._check(msg_signature, timestamp, nonce, encrypted)
        try:
            return str(self._crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce))
        except _DECRYPT_ERRORS as exc:
            raise InvalidCallback("callback payload does not decrypt for this corp") from exc

    def _check(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        # wechatpy compares with ``!=``; checking first in constant time keeps the signature from leaking.
        expected = callback_signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature):
            raise InvalidCallback("msg_signature mismatch")
