"""The sandbox Bot API speaks real HTTP to real PTB and enforces Telegram's rules."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from handlers.sandbox import FakeBotApi, FloodLimits, SandboxError, SandboxUser, Window

GROUP = -1001234567890
BASIC_GROUP = -4001


class FakeClock:
    """Server time that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(clock=clock)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


@pytest.fixture
async def alice(api: FakeBotApi) -> SandboxUser:
    user = await api.add_user(1001, "丽", "王", username="alice_w")
    await api.user_starts_bot(user)
    return user


def last_description(api: FakeBotApi) -> str | None:
    return api.calls[-1].description


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


def seconds(value: int | dtm.timedelta) -> float:
    assert isinstance(value, dtm.timedelta)
    return value.total_seconds()


async def test_get_me_introduces_the_configured_bot(bot: Bot, api: FakeBotApi) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (api.bot.id, "ebranch_bot", True)
    assert api.base_url.startswith("http://127.0.0.1:")


async def test_a_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("42:wrong", base_url=api.base_url):
            pass

    assert (api.calls[-1].status, last_description(api)) == (401, "Unauthorized")


async def test_methods_are_case_insensitive_and_unknown_ones_are_not_found(api: FakeBotApi, bot: Bot) -> None:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/") as http:
        shouted = (await http.post("GETME", json={})).json()
        missing = await http.post("sendTelepathy", json={})

    assert shouted["result"]["username"] == "ebranch_bot"
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")


async def test_json_bodies_are_accepted_like_forms(api: FakeBotApi, alice: SandboxUser) -> None:
    markup = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/") as http:
        reply = (
            await http.post("sendMessage", json={"chat_id": alice.id, "text": "你好", "reply_markup": markup})
        ).json()

    assert reply["ok"] is True
    assert reply["result"]["reply_markup"] == markup


async def test_messages_are_numbered_per_chat_and_remembered(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    group = await api.add_group(GROUP, "第一支部", [alice])

    first = await bot.send_message(alice.id, "一")
    second = await bot.send_message(alice.id, "二")
    in_group = await bot.send_message(group.id, "大家好")

    assert (first.message_id, second.message_id) == (2, 3)
    assert in_group.message_id == 2
    assert first.from_user is not None and first.from_user.id == api.bot.id
    assert [m.text for m in api.bot_messages(alice.id)] == ["一", "二"]


async def test_html_is_parsed_into_entities(bot: Bot, alice: SandboxUser) -> None:
    message = await bot.send_message(alice.id, "<b>心愿</b> &lt;已认领&gt;", parse_mode="HTML")

    assert message.text == "心愿 <已认领>"
    assert message.entities == (MessageEntity(MessageEntity.BOLD, 0, 2),)


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"'),
        ("换行<br>了", 'Unsupported start tag "br" at byte offset 6'),
        ("多余</i>", "Unexpected end tag at byte offset 6"),
        ("<b>交错</i>", 'Unmatched end tag at byte offset 9, expected "</b>", found "</i>"'),
    ],
)
async def test_bad_html_is_rejected_in_telegrams_words(
    api: FakeBotApi, bot: Bot, alice: SandboxUser, markup: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(alice.id, markup, parse_mode="HTML")

    assert last_description(api) == f"Bad Request: can't parse entities: {reason}"


async def test_text_is_1_to_4096_characters_after_entity_parsing(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    await bot.send_message(alice.id, "党" * 4096)
    await bot.send_message(alice.id, "&lt;" * 4096, parse_mode="HTML")

    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, "a" * 4097)
    assert last_description(api) == "Bad Request: message is too long"
    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, "  \n ")
    assert last_description(api) == "Bad Request: message text is empty"


async def test_captions_are_limited_to_1024_characters(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    await bot.send_document(alice.id, b"x", filename="a.txt", caption="c" * 1024)

    with pytest.raises(BadRequest):
        await bot.send_document(alice.id, b"x", filename="a.txt", caption="c" * 1025)
    assert last_description(api) == "Bad Request: message caption is too long"


async def test_callback_data_is_1_to_64_bytes_and_url_buttons_are_fine(
    api: FakeBotApi, bot: Bot, alice: SandboxUser
) -> None:
    await bot.send_message(
        alice.id,
        "按钮",
        reply_markup=keyboard(
            InlineKeyboardButton("ok", callback_data="x" * 64),
            InlineKeyboardButton("链接", url="https://example.org/wish"),
        ),
    )

    for too_long in ("x" * 65, "党" * 22):
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(
                alice.id, "按钮", reply_markup=keyboard(InlineKeyboardButton("x", callback_data=too_long))
            )
        assert last_description(api) == "Bad Request: BUTTON_DATA_INVALID"


async def test_edits_keep_the_current_content_and_reject_no_op_edits(
    api: FakeBotApi, bot: Bot, alice: SandboxUser
) -> None:
    buttons = keyboard(InlineKeyboardButton("认领", callback_data="claim"))
    sent = await bot.send_message(alice.id, "心愿 #1", reply_markup=buttons)

    await bot.edit_message_text("心愿 #1 已认领", alice.id, sent.message_id, reply_markup=buttons)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("心愿 #1 已认领", alice.id, sent.message_id, reply_markup=buttons)
    assert last_description(api) == (
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )
    await bot.edit_message_text("心愿 #1 已认领", alice.id, sent.message_id)

    stored = api.history(alice.id)[-1]
    assert (stored.text, stored.reply_markup, stored.edit_count) == ("心愿 #1 已认领", None, 2)


async def test_editing_a_missing_message_is_rejected(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("新", alice.id, 999)

    assert last_description(api) == "Bad Request: message to edit not found"


async def test_the_bot_cannot_write_first_nor_after_being_blocked(api: FakeBotApi, bot: Bot) -> None:
    bob = await api.add_user(1002, "博")

    with pytest.raises(Forbidden):
        await bot.send_message(bob.id, "你好")
    assert last_description(api) == "Forbidden: bot can't initiate conversation with a user"

    await api.user_starts_bot(bob)
    await bot.send_message(bob.id, "欢迎")
    update = await api.block_bot(bob)
    with pytest.raises(Forbidden):
        await bot.send_message(bob.id, "还在吗")
    assert last_description(api) == "Forbidden: bot was blocked by the user"
    assert update["new_chat_member"]["status"] == "kicked"

    await api.user_starts_bot(bob)
    await bot.send_message(bob.id, "欢迎回来")


async def test_unknown_and_left_chats_are_refused(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    basic = await api.add_group(BASIC_GROUP, "小组", [alice])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-999, "有人吗")
    assert last_description(api) == "Bad Request: chat not found"

    await bot.leave_chat(basic.id)
    with pytest.raises(Forbidden):
        await bot.send_message(basic.id, "我回来了")
    assert last_description(api) == "Forbidden: bot is not a member of the group chat"

    supergroup = await api.add_group(GROUP, "支部", [alice])
    removal = await api.remove_bot(supergroup)
    with pytest.raises(Forbidden):
        await bot.send_message(supergroup.id, "我回来了")
    assert last_description(api) == "Forbidden: bot was kicked from the supergroup chat"
    assert removal["new_chat_member"]["status"] == "kicked"


async def test_flood_control_answers_429_that_ptb_reads_as_retry_after(
    api: FakeBotApi, bot: Bot, alice: SandboxUser, clock: FakeClock
) -> None:
    group = await api.add_group(GROUP, "支部", [alice])
    for n in range(20):
        await bot.send_message(group.id, f"通知 {n}")

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(group.id, "第21条")
    assert seconds(raised.value.retry_after) == 3
    assert api.stats.too_many_requests == 1
    assert api.unretried_flood_errors() == [api.calls[-1]]

    clock.advance(seconds(raised.value.retry_after))
    await bot.send_message(group.id, "第21条")
    assert api.unretried_flood_errors() == []


async def test_private_chats_allow_short_bursts_and_edits_spend_the_budget(
    api: FakeBotApi, bot: Bot, alice: SandboxUser, clock: FakeClock
) -> None:
    sent = [await bot.send_message(alice.id, f"消息 {n}") for n in range(5)]

    with pytest.raises(RetryAfter):
        await bot.edit_message_text("改", alice.id, sent[0].message_id)
    clock.advance(1.0)
    await bot.edit_message_text("改", alice.id, sent[0].message_id)


async def test_the_overall_budget_spans_chats_and_limits_can_be_switched_off(clock: FakeClock) -> None:
    async with FakeBotApi(clock=clock, limits=FloodLimits(overall=Window(3, 1.0))) as api:
        people = [await api.add_user(2000 + n, f"人{n}") for n in range(4)]
        for person in people:
            await api.user_starts_bot(person)
        async with Bot(api.token, base_url=api.base_url) as bot:
            for person in people[:3]:
                await bot.send_message(person.id, "通知")
            with pytest.raises(RetryAfter):
                await bot.send_message(people[3].id, "通知")

    async with FakeBotApi(clock=clock, limits=FloodLimits.off()) as api:
        person = await api.add_user(3000, "人")
        await api.user_starts_bot(person)
        async with Bot(api.token, base_url=api.base_url) as bot:
            for n in range(40):
                await bot.send_message(person.id, f"通知 {n}")
        assert api.stats.too_many_requests == 0


async def test_a_migrated_group_answers_with_chat_migrated(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    basic = await api.add_group(BASIC_GROUP, "小组", [alice])
    await bot.send_message(basic.id, "旧群消息")

    supergroup = await api.migrate_group(basic)

    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(basic.id, "还在吗")
    assert raised.value.new_chat_id == supergroup.id
    assert api.calls[-1].status == 400
    assert last_description(api) == "Bad Request: group chat was upgraded to a supergroup chat"
    moved = [m.to_api() for m in api.history(supergroup)]
    assert "旧群消息" in [m.get("text") for m in moved]
    assert not any("migrate_to_chat_id" in m for m in moved)
    await bot.send_message(supergroup.id, "新群消息")
    services = [
        u.message for u in await bot.get_updates() if u.message and u.message.chat.id in (basic.id, supergroup.id)
    ]
    assert [m.migrate_to_chat_id for m in services if m.migrate_to_chat_id] == [supergroup.id]
    assert [m.migrate_from_chat_id for m in services if m.migrate_from_chat_id] == [basic.id]


async def test_a_callback_query_is_answered_once_only(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    sent = await bot.send_message(
        alice.id, "心愿", reply_markup=keyboard(InlineKeyboardButton("认领", callback_data="claim:7"))
    )
    message = api.history(alice.id)[-1]
    assert message.message_id == sent.message_id

    press = asyncio.create_task(api.user_presses(alice, message, "claim:7"))
    update = (await bot.get_updates(timeout=2))[-1]
    assert update.callback_query is not None and update.callback_query.data == "claim:7"
    assert await update.callback_query.answer("已认领", show_alert=True)
    answer = await press
    assert (answer.text, answer.show_alert) == ("已认领", True)

    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer("再来一次")
    assert last_description(api) == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_a_callback_query_expires_after_15_seconds(
    api: FakeBotApi, bot: Bot, alice: SandboxUser, clock: FakeClock
) -> None:
    await bot.send_message(alice.id, "心愿", reply_markup=keyboard(InlineKeyboardButton("认领", callback_data="claim")))
    query = await api.press_button(alice, api.history(alice.id)[-1], "claim")
    clock.advance(15.5)

    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(SandboxError, match="not answered"):
        await query.wait_answer(0.05)


async def test_people_can_only_press_buttons_that_exist(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    await bot.send_message(alice.id, "无按钮")

    with pytest.raises(SandboxError):
        await api.press_button(alice, api.history(alice.id)[-1], "claim")


async def test_a_long_poll_returns_as_soon_as_an_update_arrives(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    pending = await bot.get_updates()
    poll = asyncio.create_task(bot.get_updates(offset=pending[-1].update_id + 1, timeout=10))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()

    await api.user_sends(alice, alice.id, "我想认领心愿")
    updates = await asyncio.wait_for(poll, 2)

    assert asyncio.get_running_loop().time() - started < 1
    assert [u.message.text for u in updates if u.message] == ["我想认领心愿"]


async def test_updates_repeat_until_an_offset_confirms_them(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    await api.user_sends(alice, alice.id, "一")
    first = await bot.get_updates()
    again = await bot.get_updates()

    assert [u.update_id for u in first] == [u.update_id for u in again] == [1, 2]
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    await api.user_sends(alice, alice.id, "二")
    assert [u.update_id for u in await bot.get_updates()] == [3]


async def test_a_second_poller_terminates_the_first(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)

    async with Bot(api.token, base_url=api.base_url) as twin:
        await twin.get_updates(timeout=0)

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)


async def test_allowed_updates_filter_later_updates(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    seen = await bot.get_updates(allowed_updates=["callback_query"])
    await bot.send_message(alice.id, "心愿", reply_markup=keyboard(InlineKeyboardButton("认领", callback_data="c")))
    await api.user_sends(alice, alice.id, "不会送达")
    await api.press_button(alice, api.history(alice.id)[-2], "c")

    later = await bot.get_updates(offset=seen[-1].update_id + 1)
    assert [u.callback_query is not None for u in later] == [True]


async def test_files_round_trip(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    sent = await bot.send_document(alice.id, "名单".encode(), filename="名单.csv", caption="本月名单")
    assert sent.document is not None and sent.document.file_name == "名单.csv"
    stored = await bot.get_file(sent.document.file_id)
    assert bytes(await stored.download_as_bytearray()) == "名单".encode()
    assert api.history(alice.id)[-1].document is not None

    picture = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    from_user = await api.user_sends(alice, alice.id, "现场照片", photo=picture)
    update = (await bot.get_updates())[-1]
    assert update.message is not None and update.message.caption == "现场照片"
    largest = update.message.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    photo_file = await bot.get_file(largest.file_id)
    assert bytes(await photo_file.download_as_bytearray()) == picture
    resent = await bot.send_photo(alice.id, largest.file_id)
    assert resent.photo[-1].file_id == largest.file_id
    assert from_user.photo is not None


async def test_commands_are_kept_per_scope_and_language(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("wishes", "心愿")])
    await bot.set_my_commands([BotCommand("digest", "汇总")], scope=BotCommandScopeAllGroupChats(), language_code="zh")

    assert [c.command for c in await bot.get_my_commands()] == ["start", "wishes"]
    assert api.my_commands({"type": "all_group_chats"}, "zh") == [{"command": "digest", "description": "汇总"}]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_commands_carry_entities_ptb_understands(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    group = await api.add_group(GROUP, "支部", [alice], bot_is_admin=False)
    await api.user_sends(alice, group, "/claim@ebranch_bot 7")

    message = (await bot.get_updates())[-1].message
    assert message is not None
    assert message.parse_entities([MessageEntity.BOT_COMMAND]) == {message.entities[0]: "/claim@ebranch_bot"}


async def test_privacy_mode_hides_chatter_from_a_non_admin_bot(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    group = await api.add_group(GROUP, "支部", [alice], bot_is_admin=False)
    await bot.get_updates(offset=-1)
    await bot.send_message(group.id, "有新心愿")
    notice = api.history(group)[-1]

    await api.user_sends(alice, group, "闲聊")
    await api.user_sends(alice, group, "/help@other_bot")
    await api.user_sends(alice, group, "/help")
    await api.user_sends(alice, group, "收到", reply_to=notice)

    texts = [u.message.text for u in await bot.get_updates() if u.message and u.message.text]
    assert texts == ["/help", "收到"]
    assert [m.text for m in api.history(group)][-4:] == ["闲聊", "/help@other_bot", "/help", "收到"]


async def test_an_anonymous_admin_posts_as_the_group(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    group = await api.add_group(GROUP, "支部", [alice])

    await api.admin_sends_anonymously(group, "/digest")

    message = (await bot.get_updates())[-1].message
    assert message is not None and message.sender_chat is not None
    assert message.sender_chat.id == group.id
    assert message.from_user is not None and message.from_user.username == "GroupAnonymousBot"


async def test_forum_topics_carry_thread_ids(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    forum = await api.add_group(GROUP, "支部论坛", [alice], forum=True)
    topic = await api.create_topic(forum, "微心愿")

    posted = await bot.send_message(forum.id, "新心愿", message_thread_id=topic.message_id)
    mine = await api.user_sends(alice, forum, "我来认领", thread_id=topic.message_id)

    assert (posted.message_thread_id, posted.is_topic_message) == (topic.message_id, True)
    assert mine.to_api()["message_thread_id"] == topic.message_id
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum.id, "迷路", message_thread_id=999)


async def test_people_edit_and_share_contacts(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    typo = await api.user_sends(alice, alice.id, "我叫王丽丽")
    await api.user_edits(typo, "我叫王丽")
    await api.user_sends(alice, alice.id, contact="+8613800000000")

    updates = (await bot.get_updates())[-2:]
    assert updates[0].edited_message is not None and updates[0].edited_message.text == "我叫王丽"
    contact = updates[1].message.contact if updates[1].message else None
    assert contact is not None and (contact.phone_number, contact.user_id) == ("+8613800000000", alice.id)
    assert typo.edit_count == 1


async def test_replies_must_point_at_existing_messages(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "回复", reply_parameters=ReplyParameters(999))

    sent = await bot.send_message(
        alice.id, "回复", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert sent.reply_to_message is None


async def test_chat_lookups_describe_members(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    bob = await api.add_user(1002, "博")
    group = await api.add_group(GROUP, "支部", [alice, bob])

    chat = await bot.get_chat(group.id)
    admins = await bot.get_chat_administrators(group.id)
    assert (chat.title, chat.type) == ("支部", "supergroup")
    assert {a.user.id for a in admins} == {alice.id, api.bot.id}
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    assert await bot.get_chat_member_count(group.id) == 3
    assert await bot.send_chat_action(group.id, "typing")
    assert await bot.delete_message(group.id, api.history(group)[-1].message_id)


async def test_viewers_see_live_events(api: FakeBotApi, bot: Bot, alice: SandboxUser) -> None:
    events = api.subscribe()

    sent = await bot.send_message(
        alice.id, "心愿", reply_markup=keyboard(InlineKeyboardButton("认领", callback_data="c"))
    )
    await bot.edit_message_text("心愿（已认领）", alice.id, sent.message_id)
    await bot.delete_message(alice.id, sent.message_id)

    kinds = [events.get_nowait()["type"] for _ in range(events.qsize())]
    assert kinds == ["message", "edit", "delete"]
    assert api.snapshot()["chats"][0]["messages"][-1]["text"] == "/start"


async def test_a_real_application_replies_to_start_and_answers_buttons(api: FakeBotApi, alice: SandboxUser) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"欢迎 {' '.join(context.args or [])}".strip(),
            reply_markup=keyboard(InlineKeyboardButton("认领心愿", callback_data="claim:1")),
        )

    async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("认领成功")
        await update.callback_query.edit_message_text("心愿已认领 ✅")

    app = Application.builder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(claim))
    events = api.subscribe()

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=True)
        try:
            hello = await api.user_starts_bot(alice, "wish-1")
            welcome = await api.wait_for_bot_message(alice.id, after=hello)
            assert welcome.text == "欢迎 wish-1"

            answer = await api.user_presses(alice, welcome, "claim:1")
            assert answer.text == "认领成功"
            edited = await _next_event(events, "edit")
        finally:
            await app.updater.stop()
            await app.stop()

    assert edited["message"]["text"] == welcome.text == "心愿已认领 ✅"
    assert welcome.reply_markup is None
    assert [c for c in api.calls if not c.ok] == []


async def _next_event(events: asyncio.Queue[dict[str, Any]], kind: str) -> dict[str, Any]:
    while True:
        event = await asyncio.wait_for(events.get(), 5)
        if event["type"] == kind:
            return event
