"""The async WeCom API facade, exercised over real HTTP against the local fake of WeCom."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from wechatpy.session.memorystorage import MemoryStorage

from bot.ports.chat import RecipientUnreachable, RetryLater
from handlers.wecom.api import (
    PACING_WINDOW,
    USER_MESSAGES_PER_MINUTE,
    SlidingWindowLimiter,
    WeComApi,
    WeComApiError,
    WeComUser,
)
from tests.fakes import eventually
from tests.fakes.wecom_api import FakeClock, FakeMember, FakeWeComApi

MEMBERS = {
    "zhangsan": FakeMember("张三", (2,)),
    "lisi": FakeMember("李四", (2, 3)),
    "wangwu": FakeMember("王五", (3,)),
}


def wish_card(task_id: str, title: str = "微心愿 #12：给社区老人送菜") -> dict[str, Any]:
    return {
        "card_type": "button_interaction",
        "main_title": {"title": title, "desc": "第一支部"},
        "sub_title_text": "还差 2 人",
        "task_id": task_id,
        "button_list": [
            {"text": "认领", "style": 1, "key": "claim:12"},
            {"text": "详情", "style": 2, "key": "show:12"},
        ],
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def wecom(clock: FakeClock) -> AsyncIterator[FakeWeComApi]:
    async with FakeWeComApi(members=MEMBERS, clock=clock) as fake:
        yield fake


def facade(wecom: FakeWeComApi, clock: FakeClock, **kwargs: Any) -> WeComApi:
    kwargs.setdefault(
        "user_limiter",
        SlidingWindowLimiter(USER_MESSAGES_PER_MINUTE, PACING_WINDOW, clock=clock, sleep=clock.sleep),
    )
    return WeComApi(wecom.corp_id, wecom.secret, wecom.agent_id, api_base_url=wecom.base_url, **kwargs)


@pytest.fixture
async def api(wecom: FakeWeComApi, clock: FakeClock) -> AsyncIterator[WeComApi]:
    async with facade(wecom, clock) as api:
        yield api


async def test_text_and_markdown_reach_the_member(api: WeComApi, wecom: FakeWeComApi) -> None:
    sent = await api.send_text("zhangsan", "你好")
    await api.send_markdown(["zhangsan"], "**微心愿** 已认领")

    assert sent.msgid
    assert wecom.texts("zhangsan") == ["你好", "**微心愿** 已认领"]
    assert [d.msgtype for d in wecom.inbox["zhangsan"]] == ["text", "markdown"]


async def test_many_concurrent_calls_fetch_the_access_token_once(api: WeComApi, wecom: FakeWeComApi) -> None:
    await asyncio.gather(*(api.send_text(user, f"第 {i} 条") for i in range(4) for user in MEMBERS))
    await api.get_user("lisi")

    assert wecom.gettoken_calls == 1
    assert sum(len(v) for v in wecom.inbox.values()) == 12


async def test_facades_sharing_a_session_storage_share_the_token(wecom: FakeWeComApi, clock: FakeClock) -> None:
    storage = MemoryStorage()
    async with facade(wecom, clock, session=storage) as first, facade(wecom, clock, session=storage) as second:
        await first.send_text("zhangsan", "一")
        await second.send_text("lisi", "二")

    assert wecom.gettoken_calls == 1


async def test_an_expired_token_is_fetched_again_and_the_call_retried(api: WeComApi, wecom: FakeWeComApi) -> None:
    await api.send_text("zhangsan", "before")
    wecom.expire_tokens()

    await api.send_text("zhangsan", "after")

    assert wecom.gettoken_calls == 2
    assert wecom.texts("zhangsan") == ["before", "after"]


@pytest.mark.parametrize("errcode", [42001, 40014, 40001])
async def test_a_stale_token_answer_refetches_once_then_retries(
    api: WeComApi, wecom: FakeWeComApi, errcode: int
) -> None:
    await api.send_text("zhangsan", "warm up")
    wecom.fail_next(errcode)

    await api.send_text("zhangsan", "retried")

    assert wecom.gettoken_calls == 2
    assert wecom.texts("zhangsan") == ["warm up", "retried"]


async def test_a_token_that_stays_stale_is_refetched_only_once(api: WeComApi, wecom: FakeWeComApi) -> None:
    wecom.fail_next(42001, times=5)

    with pytest.raises(WeComApiError) as refused:
        await api.send_text("zhangsan", "never")

    assert refused.value.errcode == 42001
    assert wecom.gettoken_calls == 2
    assert [path for path, _ in wecom.calls] == ["message/send", "message/send"]


async def test_a_wrong_secret_is_a_plain_api_error(wecom: FakeWeComApi, clock: FakeClock) -> None:
    api = WeComApi(wecom.corp_id, "wrong-secret", wecom.agent_id, api_base_url=wecom.base_url)
    async with api:
        with pytest.raises(WeComApiError) as refused:
            await api.send_text("zhangsan", "hi")

    assert refused.value.errcode == 40001


async def test_blocking_http_runs_off_the_event_loop(api: WeComApi, wecom: FakeWeComApi) -> None:
    await api.get_user("zhangsan")
    wecom.latency = 0.2
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    started = time.monotonic()
    await asyncio.gather(*(api.send_text(user, "并发") for user in MEMBERS), api.get_user("lisi"))
    elapsed = time.monotonic() - started
    ticking.cancel()

    assert elapsed < 0.6
    assert wecom.max_in_flight >= 2
    assert ticks >= 5


async def test_a_template_card_update_replaces_what_that_member_sees(api: WeComApi, wecom: FakeWeComApi) -> None:
    sent = await api.send_template_card(["zhangsan", "lisi"], wish_card("wish-12"))
    assert sent.response_code

    claimed = {**wish_card("wish-12", "微心愿 #12：已被张三认领"), "button_list": [{"text": "已认领", "key": "noop"}]}
    await api.update_template_card(["zhangsan"], sent.response_code, claimed)

    assert wecom.card_seen("zhangsan", "wish-12") == claimed
    assert wecom.card_seen("lisi", "wish-12") == wish_card("wish-12")


async def test_a_response_code_works_only_once(api: WeComApi, wecom: FakeWeComApi) -> None:
    sent = await api.send_template_card("zhangsan", wish_card("wish-13"))
    assert sent.response_code
    await api.update_template_card("zhangsan", sent.response_code, wish_card("wish-13", "第一次更新"))

    with pytest.raises(WeComApiError):
        await api.update_template_card("zhangsan", sent.response_code, wish_card("wish-13", "第二次更新"))

    assert wecom.card_seen("zhangsan", "wish-13") == wish_card("wish-13", "第一次更新")


async def test_a_button_press_gives_a_fresh_code_for_the_presser(api: WeComApi, wecom: FakeWeComApi) -> None:
    await api.send_template_card(["zhangsan", "lisi"], wish_card("wish-14"))
    code = wecom.press_button("lisi", "wish-14", "claim:12")

    await api.update_template_card("lisi", code, wish_card("wish-14", "李四已认领"))

    assert wecom.card_seen("lisi", "wish-14") == wish_card("wish-14", "李四已认领")
    assert wecom.card_seen("zhangsan", "wish-14") == wish_card("wish-14")


async def test_a_response_code_expires_after_72_hours(api: WeComApi, wecom: FakeWeComApi, clock: FakeClock) -> None:
    sent = await api.send_template_card("zhangsan", wish_card("wish-15"))
    assert sent.response_code
    clock.advance(72 * 3600 + 1)

    with pytest.raises(WeComApiError):
        await api.update_template_card("zhangsan", sent.response_code, wish_card("wish-15", "太晚了"))


async def test_a_task_id_is_unique_per_app(api: WeComApi) -> None:
    await api.send_template_card("zhangsan", wish_card("wish-16"))

    with pytest.raises(WeComApiError) as refused:
        await api.send_template_card("lisi", wish_card("wish-16"))

    assert refused.value.errcode == 40058


async def test_a_card_button_without_key_is_refused(api: WeComApi, wecom: FakeWeComApi) -> None:
    card = {**wish_card("wish-17"), "button_list": [{"text": "认领"}]}

    with pytest.raises(WeComApiError) as refused:
        await api.send_template_card("zhangsan", card)

    assert refused.value.errcode == 42019
    assert "zhangsan" not in wecom.inbox


async def test_uploaded_media_can_be_sent_as_file_and_image(api: WeComApi, wecom: FakeWeComApi) -> None:
    ledger = b"PK\x03\x04 fake xlsx bytes"
    chart = b"\x89PNG\r\n\x1a\n fake png bytes"

    file_id = await api.media_upload("file", "2026年第三季度台账.xlsx", ledger)
    image_id = await api.media_upload("image", "digest.png", chart)
    await api.send_file("zhangsan", file_id)
    await api.send_image("zhangsan", image_id)

    assert wecom.media[file_id] == ("file", "2026年第三季度台账.xlsx", ledger)
    assert wecom.media[image_id] == ("image", "digest.png", chart)
    assert [(d.msgtype, d.content["media_id"]) for d in wecom.inbox["zhangsan"]] == [
        ("file", file_id),
        ("image", image_id),
    ]


async def test_empty_media_is_refused(api: WeComApi) -> None:
    with pytest.raises(WeComApiError) as refused:
        await api.media_upload("file", "empty.txt", b"")

    assert refused.value.errcode == 44001


async def test_an_app_chat_is_created_and_receives_every_kind(api: WeComApi, wecom: FakeWeComApi) -> None:
    chat_id = await api.appchat_create("第一支部", "zhangsan", ["zhangsan", "lisi", "wangwu"], chat_id="branch1")
    media_id = await api.media_upload("image", "chart.png", b"\x89PNG fake")
    file_id = await api.media_upload("file", "ledger.xlsx", b"PK fake ledger")

    await api.appchat_send_text(chat_id, "本周微心愿")
    await api.appchat_send_markdown(chat_id, "**3** 个待认领")
    await api.appchat_send_image(chat_id, media_id)
    await api.appchat_send_file(chat_id, file_id)

    assert chat_id == "branch1"
    assert wecom.chats[chat_id].members == ("zhangsan", "lisi", "wangwu")
    assert [m.msgtype for m in wecom.chats[chat_id].messages] == ["text", "markdown", "image", "file"]


async def test_a_chat_that_does_not_exist_is_unreachable(api: WeComApi) -> None:
    with pytest.raises(RecipientUnreachable):
        await api.appchat_send_text("nosuchchat", "hi")


async def test_a_member_is_read_from_the_directory(api: WeComApi) -> None:
    assert await api.get_user("lisi") == WeComUser("lisi", "李四", (2, 3))


async def test_an_unknown_member_is_unreachable(api: WeComApi, wecom: FakeWeComApi) -> None:
    with pytest.raises(RecipientUnreachable):
        await api.get_user("ghost")
    with pytest.raises(RecipientUnreachable):
        await api.send_text("ghost", "hi")


async def test_unknown_members_among_known_ones_are_reported(api: WeComApi, wecom: FakeWeComApi) -> None:
    sent = await api.send_text(["zhangsan", "ghost"], "hi")

    assert sent.invalid_users == ("ghost",)
    assert wecom.texts("zhangsan") == ["hi"]


@pytest.mark.parametrize(("errcode", "retry_after"), [(45009, 60.0), (45033, 1.0), (-1, 2.0)])
async def test_wecom_limits_and_busy_answers_mean_retry_later(
    api: WeComApi, wecom: FakeWeComApi, errcode: int, retry_after: float
) -> None:
    wecom.fail_next(errcode)

    with pytest.raises(RetryLater) as later:
        await api.send_text("zhangsan", "hi")

    assert later.value.retry_after == retry_after


async def test_an_unreachable_wecom_means_retry_later(clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    api = WeComApi("wwcorp", "secret", 1, api_base_url=f"http://127.0.0.1:{closed_port}/cgi-bin", timeout=2.0)
    async with api:
        with pytest.raises(RetryLater):
            await api.send_text("zhangsan", "hi")


async def test_sends_to_one_member_are_paced_to_30_a_minute_without_holding_up_others(
    api: WeComApi, wecom: FakeWeComApi, clock: FakeClock
) -> None:
    burst = asyncio.gather(*(api.send_text("zhangsan", f"第 {i} 条") for i in range(31)))
    await eventually(lambda: len(wecom.texts("zhangsan")) == 30 and clock.sleepers == 1)

    await api.send_text("lisi", "不用等")
    assert wecom.texts("lisi") == ["不用等"]
    assert len(wecom.texts("zhangsan")) == 30

    clock.advance(PACING_WINDOW)
    await burst

    assert len(wecom.texts("zhangsan")) == 31
    assert wecom.inbox["zhangsan"][30].at - wecom.inbox["zhangsan"][0].at >= 60
    assert wecom.dropped == []


async def test_without_pacing_wecom_silently_drops_the_31st_message(wecom: FakeWeComApi, clock: FakeClock) -> None:
    unpaced = SlidingWindowLimiter(1000, 60.0, clock=clock, sleep=clock.sleep)
    async with facade(wecom, clock, user_limiter=unpaced) as api:
        results = await asyncio.gather(*(api.send_text("zhangsan", f"第 {i} 条") for i in range(31)))

    assert all(r.msgid for r in results)
    assert len(wecom.texts("zhangsan")) == 30
    assert [d.user_id for d in wecom.dropped] == ["zhangsan"]


async def test_a_send_to_several_members_waits_for_the_busiest(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(2, 60.0, clock=clock, sleep=clock.sleep)
    await limiter.acquire(["zhangsan"])
    await limiter.acquire(["zhangsan"])

    both = asyncio.create_task(limiter.acquire(["lisi", "zhangsan"]))
    await eventually(lambda: clock.sleepers == 1)
    await limiter.acquire(["lisi"])
    assert not both.done()

    clock.advance(60)
    await both
