"""A Telegram name up to Telegram's own limit (64 + 64 characters) never keeps a person from reporting in."""

from __future__ import annotations

from bot.domain.model import Account
from bot.usecases import MAX_NAME
from bot.usecases.base import platform_name
from tests.telegram_fixtures import Telegram, api, bot_said, button, eventually, telegram

__all__ = ["api", "telegram"]

LONG_FIRST = "长" * 64
LONG_LAST = "名" * 63


async def test_a_person_with_a_128_character_telegram_name_reports_in(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.api.add_user(30, LONG_FIRST, LONG_LAST)
    tg.group.members[member.id] = "member"
    member.started = True
    assert len(member.full_name) == 128

    await tg.api.user_starts_bot(member, f"j{tg.world.branch.id}")
    await bot_said(tg.api, member.id, "姓名")
    await tg.says(member, member.id, "李娜")
    await tg.says(member, member.id, "市教育局")
    skills = await tg.says(member, member.id, "第二党支部")
    await tg.api.user_presses(member, skills, button(skills, "完成 ✔"))
    posts = await tg.says(member, member.id, "每月辅导功课一次")
    await tg.api.user_presses(member, posts, button(posts, "跳过"))
    await eventually(lambda: "网格或楼栋" in (posts.text or ""))
    summary = await tg.says(member, member.id, "/skip")
    await tg.api.user_presses(member, summary, button(summary, "确认报到"))

    await bot_said(tg.api, tg.group, "李娜（市教育局）已到本支部报到")
    roles = await tg.world.app.roles(Account("telegram", "30", member.full_name))
    assert roles.member is not None and roles.member.reported


def test_a_platform_name_is_trimmed_never_refused() -> None:
    long = Account("telegram", "31", f"{LONG_FIRST}  {LONG_LAST}")

    trimmed = platform_name(long)

    assert len(trimmed) == MAX_NAME * 2 and trimmed.endswith("…") and "  " not in trimmed
    assert platform_name(Account("telegram", "32", " 张  伟 ")) == "张 伟"
    assert platform_name(Account("telegram", "33", "")) == "33"
