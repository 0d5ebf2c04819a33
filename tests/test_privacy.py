"""Residents' phone numbers are found in whatever form a secretary types them, and never shown in full."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.privacy import find_phones, mask_phones, normalize_phone, phone_spans


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("联系电话13812345678", ("13812345678",)),
        ("王奶奶女儿 138 1234 5678", ("13812345678",)),
        ("王奶奶女儿 138-1234-5678", ("13812345678",)),
        ("+86 138 1234 5678", ("13812345678",)),
        ("+8613812345678", ("13812345678",)),
        ("8613812345678", ("13812345678",)),
        ("0086-13812345678", ("13812345678",)),
        ("１３８１２３４５６７８", ("13812345678",)),
        ("社区电话0573-82123456", ("0573-82123456",)),
        ("社区电话(0573)82123456", ("0573-82123456",)),
        ("社区电话０５７３－８２１２３４５６", ("0573-82123456",)),
        ("街道办 010 8765 4321", ("010-87654321",)),
        ("电话：15900001111，或17712345678", ("15900001111", "17712345678")),
        ("13812345678和138 1234 5678是同一个号码", ("13812345678",)),
        ("王奶奶 138.0013.8005", ("13800138005",)),
        ("王奶奶 1 3 8 0 0 1 3 8 0 0 6", ("13800138006",)),
        ("王奶奶 138\u200b0013\u200b8005", ("13800138005",)),
        ("王奶奶 1\u200b3\u200b8\u200b0\u200b0\u200b1\u200b3\u200b8\u200b0\u200b0\u200b7", ("13800138007",)),
        ("王奶奶 138·0013·8005", ("13800138005",)),
    ],
)
def test_phones_are_found_in_the_forms_people_type_them(text: str, phones: tuple[str, ...]) -> None:
    assert find_phones(text) == phones


@pytest.mark.parametrize(
    "text",
    [
        "为90岁老人送年货，名额2",
        "截止2026-12-31",
        "身份证330402199001011234",
        "订单号12345678901234",
        "1381234567 少一位",
        "138123456789 多一位",
        "12345678",
        "门牌 3号楼2单元1201室",
        "010-12345678",
        "截止2026.12.31",
        "版本 1.3.8",
        "3 8 0 0 1 3 8 0 0 6 7",
    ],
)
def test_other_numbers_are_not_phones(text: str) -> None:
    assert find_phones(text) == ()
    assert mask_phones(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("联系电话13812345678", "联系电话138****5678"),
        ("李阿姨 138-1234-5678，王叔 139 8765 4321", "李阿姨 138****5678，王叔 139****4321"),
        ("+8613812345678", "+86 138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("社区电话0573-82123456", "社区电话0573-****3456"),
        ("社区电话(0573)8212345", "社区电话0573-***2345"),
        ("为王奶奶修水管", "为王奶奶修水管"),
    ],
)
def test_phones_are_masked_keeping_the_first_three_and_last_four_digits(text: str, masked: str) -> None:
    assert mask_phones(text) == masked


def test_spans_point_at_the_numbers_in_the_original_text() -> None:
    text = "李阿姨１３８１２３４５６７８，社区0573-82123456"
    assert [text[start:end] for start, end in phone_spans(text)] == ["１３８１２３４５６７８", "0573-82123456"]


digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
mobile = st.builds(lambda head, rest: f"1{head}{rest}", st.sampled_from("3456789"), digits.map(lambda d: d[:9]))
noise = st.text(alphabet=st.sampled_from(list("为王奶奶送菜，名额 -+86号楼")), max_size=6)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_masking_any_text_leaves_no_phone_and_is_stable(text: str) -> None:
    masked = mask_phones(text)
    assert find_phones(masked) == ()
    assert mask_phones(masked) == masked


@settings(max_examples=300, deadline=None)
@given(before=noise, number=mobile, after=noise)
def test_any_mobile_between_words_is_found_and_hidden(before: str, number: str, after: str) -> None:
    text = f"{before}，{number}，{after}"
    assert number in find_phones(text)
    masked = mask_phones(text)
    assert number not in masked
    assert f"{number[:3]}****{number[-4:]}" in masked


@pytest.mark.parametrize(
    "written",
    [
        "138.0013.8005",
        "1 3 8 0 0 1 3 8 0 0 5",
        "138\u200b0013\u200b8005",
        "1\u200b3\u200b8\u200b0\u200b0\u200b1\u200b3\u200b8\u200b0\u200b0\u200b5",
    ],
)
def test_every_form_the_bot_would_dial_is_masked_on_a_public_card(written: str) -> None:
    assert normalize_phone(written) == "13800138005"
    assert mask_phones(f"联系 {written} 王奶奶") == "联系 138****8005 王奶奶"
