"""Button payloads: one small versioned codec, never over Telegram's 64 bytes, old buttons recognised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.notices.callbacks import MAX_BYTES, Act, Payload, PayloadError, decode, encode


@given(
    act=st.sampled_from(list(Act)),
    target=st.integers(0, 10**15),
    arg=st.text(max_size=8).filter(lambda a: ":" not in a),
)
def test_whatever_encodes_decodes_back_and_fits(act: Act, target: int, arg: str) -> None:
    try:
        text = encode(act, target, arg)
    except PayloadError:
        return
    assert len(text.encode("utf-8")) <= MAX_BYTES
    assert decode(text) == Payload(act, target, arg)


def test_a_payload_over_64_bytes_is_refused() -> None:
    with pytest.raises(PayloadError):
        encode(Act.RATE, 1, "x" * 60)


@pytest.mark.parametrize("text", [None, "", "0:c:1", "2:c:1", "1:?:1", "1:c:abc", "1:c:-4", "garbage", "1:c"])
def test_foreign_or_outdated_payloads_decode_to_none(text: str | None) -> None:
    assert decode(text) is None


@given(st.text(max_size=80))
def test_decoding_never_raises(text: str) -> None:
    decode(text)
