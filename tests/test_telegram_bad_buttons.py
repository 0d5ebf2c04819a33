"""Button data the bot never made (non-ASCII digits, ids past SQLite's INTEGER) is answered "this button expired".

Lone surrogates are covered in tests/test_callbacks.py: the sandbox cannot carry them in JSON it sends as UTF-8.
"""

from __future__ import annotations

import pytest

from tests.telegram_fixtures import Telegram, api, bot_said, telegram

__all__ = ["api", "telegram"]


@pytest.mark.parametrize("data", ["1:c:²", "1:c:١٢", "1:c:" + "9" * 60, f"1:c:{2**63}", f"1:d:{2**53 + 1}"])
async def test_foreign_button_data_is_answered_as_an_outdated_button(telegram: Telegram, data: str) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, tg.group, "/wish 帮忙买年货 名额2")
    card = await bot_said(tg.api, tg.group, "已认领 0/2")

    press = await tg.api.press_button(member, card, data, seen=[data])
    answer = await press.wait_answer(5.0)

    assert answer.text == "这个按钮已过期。"
