"""A wish number typed after /close, /cancel or /manage that the bot never showed (a superscript or other non-ASCII
digit, a number past SQLite's INTEGER) is answered as a word that is no number is, on Telegram and WeCom: never a
traceback and an empty answer."""

from __future__ import annotations

import pytest

from bot.domain.model import WishStatus
from tests.fakes import eventually
from tests.telegram_fixtures import SECRETARY_ID, Telegram, api, telegram
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, rig

__all__ = ["api", "rig", "telegram"]

NOT_NUMBERS = ["²", "١٢", "9" * 60, str(2**63)]


@pytest.mark.parametrize("number", NOT_NUMBERS)
@pytest.mark.parametrize("command", ["/close", "/manage", "/cancel"])
async def test_telegram_answers_a_wish_number_it_never_showed_as_no_number(
    telegram: Telegram, command: str, number: str
) -> None:
    tg = telegram
    await tg.says(tg.secretary, SECRETARY_ID, "/wish 帮忙买年货 名额2")
    as_a_word = (await tg.says(tg.secretary, SECRETARY_ID, f"{command} 某条")).text

    answer = (await tg.says(tg.secretary, SECRETARY_ID, f"{command} {number}")).text

    assert answer == as_a_word and answer, answer
    assert (await tg.world.app.wish_view(1)).wish.status == WishStatus.OPEN


async def answered(rig: Rig, text: str) -> str:
    """The admin sends a text to the app; the text the bot answers with."""
    before = len(rig.bench.fake.texts("admin"))
    await rig.bench.say("admin", text)
    await eventually(lambda: len(rig.bench.fake.texts("admin")) > before)
    return rig.bench.last_text("admin")


@pytest.mark.parametrize("number", NOT_NUMBERS)
@pytest.mark.parametrize("command", ["/close", "/cancel", "/manage", "结束", "取消", "管理"])
async def test_wecom_answers_a_wish_number_it_never_showed_as_no_number(rig: Rig, command: str, number: str) -> None:
    await committee_and_branch(rig.bench, "zhangsan", "lisi")
    assert "已发布" in await answered(rig, "#微心愿 帮独居老人买年货 名额2")
    as_a_word = await answered(rig, f"{command} 某条")

    assert await answered(rig, f"{command} {number}") == as_a_word
    assert (await rig.bench.usecases.wish_view(1)).wish.status == WishStatus.OPEN
