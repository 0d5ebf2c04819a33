"""A call's hardest minute: 2,000 members answer within 10 seconds over real HTTP against the sandbox. Every answer is
acknowledged, the board's counts are exact, and its edits stay within the group's budget (no 429 at all)."""

from __future__ import annotations

import asyncio

from bot.config import TelegramConfig
from bot.delivery.pacing import Budget
from bot.domain.emergency import Answer
from handlers.sandbox import FakeBotApi, SandboxMessage, SandboxUser
from handlers.sandbox.flood import FloodLimits, Window
from handlers.telegram import TelegramPlatform
from handlers.telegram.platform import telegram_pace
from tests.conftest import World
from tests.telegram_fixtures import ADMIN_ID, GROUP_ID, SECRETARY_ID, eventually

MEMBERS = 2_000
CHOICES = (Answer.YES, Answer.LATER, Answer.NO)
LABELS = {Answer.YES: "可到", Answer.LATER: "稍后可到", Answer.NO: "不可"}
UNLIMITED = 1_000_000


def fast_private_sends(api: FakeBotApi, world: World) -> TelegramPlatform:
    """The bot as in production except for the overall 30-a-second budget (lifted on both sides so 2,000 prompts go
    out within seconds): each group keeps its 20 a minute, each private chat its own budget."""
    config = TelegramConfig(token=api.token, admins=(ADMIN_ID,), base_url=api.base_url, base_file_url=api.base_file_url)
    pace = telegram_pace(overall=Budget(UNLIMITED, 1.0))
    return TelegramPlatform(
        config,
        world.app,
        world.store,
        world.clock,
        poll_timeout=1,
        idle_wait=0.2,
        renderer=world.renderer,
        limiter=pace,
    )


async def test_two_thousand_answers_in_ten_seconds_are_counted_exactly_and_the_board_never_floods(world: World) -> None:
    limits = FloodLimits(overall=Window(UNLIMITED, 1.0))
    api = FakeBotApi(limits=limits)
    await api.start()
    try:
        admin = await api.add_user(ADMIN_ID, "区委组织部")
        secretary = await api.add_user(SECRETARY_ID, "王书记")
        admin.started = secretary.started = True
        group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary, admin])
        group.bot_status = "administrator"
        members: list[SandboxUser] = []
        for i in range(MEMBERS):
            user = await api.add_user(10_000 + i, f"党员{i:04d}")
            user.started = True
            group.members[user.id] = "member"
            members.append(user)
            await world.member(str(user.id), user.first_name)
        async with world.store.unit() as unit:
            for row in await unit.outbox.due("telegram", world.clock.now(), 10_000):
                await unit.outbox.mark(row.id, "sent", world.clock.now())
        platform = fast_private_sends(api, world)
        await platform.start()
        try:
            await api.user_sends(secretary, GROUP_ID, "/emergency 封控小区急需物资配送")
            board = await _message(api, GROUP_ID, "🚨 应急召集 #1")
            prompts = [await _message(api, member.id, "请问您能否到岗", within=120) for member in members]

            presses = []
            for index, (member, prompt) in enumerate(zip(members, prompts, strict=True)):
                choice = CHOICES[index % 3]
                data = next(str(b["callback_data"]) for b in prompt.buttons() if b.get("text") == LABELS[choice])
                presses.append(await api.press_button(member, prompt, data))
                if index % 200 == 199:
                    await asyncio.sleep(1.0)  # 2,000 taps over ten seconds
            answers = await asyncio.gather(*(press.wait_answer(30) for press in presses))

            assert sum(1 for a in answers if a.text and a.text.startswith("已记录")) == MEMBERS
            yes, later, no = (sum(1 for i in range(MEMBERS) if CHOICES[i % 3] == c) for c in CHOICES)
            expected = f"✅ 可到 {yes} · 🕒 稍后可到 {later} · ❌ 不可 {no} · ⏳ 未回复 1（共 {MEMBERS + 1} 人）"
            await eventually(lambda: expected in (board.text or ""), within=90)
            shown = await world.app.headcount(world.secretary, world.branch.chat)  # type: ignore[arg-type]
            assert (shown.headcount.total.yes, shown.headcount.total.later, shown.headcount.total.no) == (
                yes,
                later,
                no,
            )
            assert [c for c in api.calls if c.status == 429] == []
            group_edits = [c for c in api.calls_to("editMessageText") if c.chat_id == GROUP_ID]
            assert 1 <= len(group_edits) < 50  # coalesced: a handful of edits for 2,000 answers
        finally:
            await platform.stop()
    finally:
        await api.stop()


async def _message(api: FakeBotApi, chat: int, fragment: str, within: float = 20.0) -> SandboxMessage:
    """The first bot message in ``chat`` holding ``fragment``, once it arrived."""
    found: list[SandboxMessage] = []

    def seen() -> bool:
        found[:] = [m for m in api.bot_messages(chat) if fragment in (m.text or "")]
        return bool(found)

    await eventually(seen, within)
    return found[0]
