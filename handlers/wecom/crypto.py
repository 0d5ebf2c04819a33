"""Verifies and decrypts WeCom callbacks with wechatpy's WeChatCrypto; the server sees only plaintext XML."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct

from wechatpy.exceptions import WeChatException
from wechatpy.work.crypto import WeChatCrypto

_DECRYPT_ERRORS = (WeChatException, ValueError, IndexError, struct.error)

MAX_BODY_BYTES = 64 * 1024
"""The largest callback envelope accepted; WeCom's (a few ciphertext kilobytes) are far below it."""

# The envelope is parsed by a bounded regular expression, never by an XML parser: only the base64 <Encrypt> text is
# taken, and any markup declaration (<!DOCTYPE, <!ENTITY, ...) refuses the body before any work is done for it.
_ENCRYPT = re.compile(
    rb"<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]{1,65536})\]\]>|([A-Za-z0-9+/=]{1,65536}))\s*</Encrypt>"
)
_DECLARATION = re.compile(rb"<!(?!\[CDATA\[)")


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
        encrypted = self.verified_ciphertext(body, msg_signature, timestamp, nonce)
        return self.decrypt_verified(encrypted, msg_signature, timestamp, nonce)

    def verified_ciphertext(self, body: bytes | str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """The envelope's <Encrypt> text once its signature checks; cheap, and no XML parser sees the body."""
        encrypted = extract_ciphertext(body)
        self._check(msg_signature, timestamp, nonce, encrypted)
        return encrypted

    def decrypt_verified(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Decrypt a ciphertext whose signature :meth:`verified_ciphertext` checked; returns the message XML."""
        try:
            return str(self._crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce))
        except _DECRYPT_ERRORS as exc:
            raise InvalidCallback("callback payload does not decrypt for this corp") from exc

    def _check(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        # wechatpy compares with ``!=``; checking first in constant time keeps the signature from leaking.
        expected = callback_signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature):
            raise InvalidCallback("msg_signature mismatch")


def extract_ciphertext(body: bytes | str) -> str:
    """The base64 text of the envelope's <Encrypt>, found without an XML parser; refuses declarations and big bodies."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidCallback(f"callback body over {MAX_BODY_BYTES} bytes")
    if _DECLARATION.search(raw):
        raise InvalidCallback("callback body carries a DOCTYPE or entity declaration")
    match = _ENCRYPT.search(raw)
    if match is None:
        raise InvalidCallback("callback body has no <Encrypt>")
    return (match[1] or match[2]).decode("ascii")
