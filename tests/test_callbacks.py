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


@pytest.mark.parametrize(
    "text",
    [
        "1:c:1\ud800",  # a lone surrogate: not encodable as UTF-8
        "1:c:\udcff",
        "1:s:5:\ud83d",
        "1:c:²",  # a superscript digit, which int() would read as 2... or refuse
        "1:c:١٢",  # Arabic-Indic digits, which int() reads as 12
        "1:c:１２",  # full-width digits
        "1:c:1_000",  # int() accepts underscores
        "1:c: 12",
        "1:c:+12",
        "1:c:" + "9" * 60,  # overflows SQLite's INTEGER
        f"1:c:{2**63}",
        f"1:c:{2**53 + 1}",
        "1:s:5:★",
        "1:s:5:\x00",
        "1:ｃ:1",
    ],
)
def test_non_ascii_out_of_range_or_unencodable_payloads_decode_to_none(text: str) -> None:
    assert decode(text) is None


_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=())


@given(st.text(alphabet=st.one_of(st.characters(), _SURROGATES), max_size=80).map(lambda rest: "1:c:" + rest))
def test_decoding_never_raises_even_on_surrogates(text: str) -> None:
    decode(text)


@pytest.mark.parametrize(("target", "arg"), [(2**53 + 1, ""), (-1, ""), (1, "★"), (1, "\ud800")])
def test_what_decode_would_refuse_is_not_encoded(target: int, arg: str) -> None:
    with pytest.raises(PayloadError):
        encode(Act.RATE, target, arg)


def test_the_largest_target_round_trips() -> None:
    assert decode(encode(Act.CLAIM, 2**53)) == Payload(Act.CLAIM, 2**53)
