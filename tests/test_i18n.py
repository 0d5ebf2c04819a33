"""Every text exists in Chinese and English with the same placeholders, and the default is Chinese."""

from __future__ import annotations

import string

import pytest

from bot.i18n import Texts, catalog, normalize_language, t
from handlers.telegram.texts import TEXTS as TELEGRAM
from handlers.wecom.texts import TEXTS as WECOM

PLATFORMS: dict[str, Texts] = {"telegram": TELEGRAM, "wecom": WECOM}
EVERY = {**catalog(), **TELEGRAM.messages, **WECOM.messages}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(EVERY))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = EVERY[key]
    assert entry.get("zh") and entry.get("en"), key
    assert placeholders(entry["zh"]) == placeholders(entry["en"]), key


def test_language_codes_map_to_chinese_unless_english() -> None:
    assert [normalize_language(c) for c in ("en", "en-GB", "zh-hans", "ru", None, "")] == [
        "en",
        "en",
        "zh",
        "zh",
        "zh",
        "zh",
    ]


def test_a_missing_argument_renders_empty_instead_of_failing() -> None:
    assert t("card.taken", "zh", taken=1) == "已认领 1/"
    assert t("no.such.key", "en") == "no.such.key"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_platform_texts_live_with_their_platform_and_never_shadow_a_core_key(platform: str) -> None:
    texts = PLATFORMS[platform]
    assert texts.clashes() == set()
    assert texts.t("card.taken", "en", taken=1, slots=2) == "Claimed 1/2"
