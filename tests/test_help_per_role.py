"""Each role's /help lists exactly what that role may do here: every command is tried, and the ones listed are
exactly the ones the bot does not refuse (Telegram privately and in groups, and WeCom)."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.config import TelegramConfig
from bot.domain.model import Account, ChatRef
from bot.i18n import Phrase, catalog
from bot.usecases import commands as cmd
from bot.usecases.structure import Secretary, StructureRow
from handlers.sandbox import FakeBotApi, SandboxChat, SandboxMessage, SandboxUser
from handlers.sandbox.flood import FloodLimits
from handlers.telegram import TelegramPlatform
from handlers.telegram.texts import TEXTS as TELEGRAM
from handlers.wecom import SlidingWindowLimiter
from handlers.wecom.texts import TEXTS as WECOM
from tests.conftest import World
from tests.fakes.wecom_api import text_message_xml
from tests.telegram_fixtures import ADMIN_ID, GROUP_ID, SECRETARY_ID, Telegram, eventually
from tests.test_wecom_platform import Bench, bench, set_up_branch

__all__ = ["bench"]

REFUSALS = (
    "error.not_secretary",
    "error.not_committee_admin",
    "error.not_admin",
    "error.not_reported",
    "error.committee_not_found",
    "error.branch_not_found",
    "error.chat_already_bound",
    "error.branch_not_bound",
    "error.branch_awaits_secretary",
    "error.invalid_input.chat",
    "error.wish_not_found",
    "error.member_left",
    "error.generic",
    "error.not_a_member",
    "error.not_signin_issuer",
)
TELEGRAM_REFUSALS = (
    "tg.not_branch",
    "tg.group_only",
    "tg.private_only",
    "tg.no_home_branch",
    "tg.register.no_branch",
    "tg.leave.nothing",
)
WECOM_REFUSALS = ("wc.not_admin", "wc.report.no_branch")
EVERY_TELEGRAM_COMMAND = (
    "help",
    "start",
    "me",
    "mine",
    "verify",
    "checkin",
    "certificate",
    "correct",
    "wishes",
    "mydata",
    "leave",
    "join",
    "export",
    "digest",
    "atrisk",
    "manage",
    "extend",
    "lang",
    "signin",
    "register",
    "wish",
    "close",
    "cancel",
    "secretary",
    "branch",
    "committee",
    "pair",
    "pairings",
    "recurring",
    "visit",
    "calendar",
    "gridworker",
)


def fragment(text: str) -> str:
    """The longest piece of a catalog text without a placeholder: what every rendering of it contains."""
    return max(re.split(r"\{\w*\}", text), key=len)


def refused(texts: list[str], keys: tuple[str, ...], messages: dict[str, dict[str, str]]) -> bool:
    said = [fragment(messages[key]["zh"]) for key in keys]
    return any(piece in text for text in texts for piece in said)


@dataclass
class Place:
    """Where a person tries the commands, and the wishes a secretary's commands name."""

    tg: Telegram
    chat: SandboxChat | int
    wishes: tuple[int, int, int]


async def drained(tg: Telegram) -> None:
    """Nothing the bot decided to send is still waiting: a later answer cannot be mistaken for this one's."""

    async def empty() -> bool:
        async with tg.world.store.read() as unit:
            return not (await unit.outbox.counts()).get("pending", 0)

    await eventually(empty, within=15)


def _probe_text(name: str, place: Place, private: bool) -> str:
    manage, close, cancel = place.wishes
    return {
        "lang": "/lang zh",
        "register": "/register 探测员 | 探测单位 | 每月服务一次",
        "wish": "/wish 帮忙修水管 名额1",
        "manage": f"/manage {manage}",
        "extend": f"/extend {manage} 12月31日",
        "close": f"/close {close}",
        "cancel": "/cancel" if private else f"/cancel {cancel}",
        "branch": "/branch 探测e支部",
        "committee": "/committee 探测e党委",
        "pair": "/pair 探测员 王奶奶",
        "recurring": "/recurring 探测",
        "checkin": "/checkin 000001",
        "correct": "/correct 999999 探测",
        "signin": f"/signin {manage}",
        "gridworker": "/gridworker 探测员",
    }.get(name, f"/{name}")


_GROUP_IDS = itertools.count(-5000, -1)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The sandbox Bot API without flood limits (what these tests check is who may do what, not pacing)."""
    fake = FakeBotApi(limits=FloodLimits.off())
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def telegram(api: FakeBotApi, world: World) -> AsyncIterator[Telegram]:
    """The test world on Telegram as ``tests.telegram_fixtures.telegram``, neither paced nor flood-limited: these
    tests send a few hundred commands, which Telegram's pace (a message a second per person) would stretch to
    minutes."""
    admin = await api.add_user(ADMIN_ID, "区委组织部")
    secretary = await api.add_user(SECRETARY_ID, "王书记")
    admin.started = secretary.started = True
    group = await api.add_group(GROUP_ID, "幸福里e支部", [secretary, admin])
    config = TelegramConfig(
        token=api.token, admins=(ADMIN_ID,), base_url=api.base_url, base_file_url=api.base_file_url, pace=False
    )
    platform = TelegramPlatform(
        config, world.app, world.store, world.clock, poll_timeout=1, idle_wait=0.2, renderer=world.renderer
    )
    await platform.start()
    env = Telegram(api, world, platform, group, admin, secretary)
    yield env
    await env.platform.stop()


async def _unbound(tg: Telegram, chat: SandboxChat | int) -> bool:
    ref = ChatRef("telegram", str(chat.id if isinstance(chat, SandboxChat) else chat))
    return await tg.world.app.branch_of_chat(ref) is None and await tg.world.app.committee_of_chat(ref) is None


async def permitted(place: Place, user: SandboxUser, target: SandboxUser | None = None) -> set[str]:
    """The commands the bot does not refuse this person here, each tried in turn (those changing who may do what
    last). The answer to a command is the bot's reply to it (in a group: the message quoting it; privately: the
    next message) or what it sent through the outbox; refused when that says one of the refusals."""
    tg = place.tg
    private = place.chat == user.id
    if target is None and not private:
        target = await tg.person(99, "被任命者")
        assert isinstance(place.chat, SandboxChat)
        place.chat.members[target.id] = "member"
    names = EVERY_TELEGRAM_COMMAND if private else tuple(n for n in EVERY_TELEGRAM_COMMAND if n != "start")
    unbound = not private and await _unbound(tg, place.chat)
    allowed: set[str] = set()
    for name in names:
        await drained(tg)
        tg.world.clock.advance(timedelta(seconds=1))
        chat = place.chat
        if unbound and name in ("branch", "committee"):  # each binds the group: try each in a group of its own
            assert isinstance(place.chat, SandboxChat)
            chat = await tg.api.add_group(next(_GROUP_IDS), "又一个新群", [])
            chat.members.update(place.chat.members)
        seen = {id(m) for c in (chat, user.id) for m in tg.api.bot_messages(c)}
        reply_to = None
        if name == "secretary" and not private and target is not None:
            reply_to = await tg.api.user_sends(target, chat, "我也想当书记")
        probe = await tg.api.user_sends(user, chat, _probe_text(name, place, private), reply_to=reply_to)

        def fresh(
            probe: SandboxMessage = probe, seen: set[int] = seen, chat: SandboxChat | int = chat
        ) -> list[SandboxMessage]:
            found = [
                m
                for c in {str(chat): chat, str(user.id): user.id}.values()
                for m in tg.api.bot_messages(c)
                if id(m) not in seen
            ]
            return [m for m in found if private or m.chat.id == user.id or m.reply_to in (None, probe)]

        try:
            await eventually(lambda: bool(fresh()), within=10)
        except AssertionError:
            raise AssertionError(f"no answer to {probe.text!r}") from None
        await drained(tg)
        said = [m.text or m.caption or "" for m in fresh()]
        if not refused(said, REFUSALS, catalog()) and not refused(said, TELEGRAM_REFUSALS, TELEGRAM.messages):
            allowed.add(name)
    return allowed


async def listed(tg: Telegram, user: SandboxUser, chat: SandboxChat | int) -> set[str]:
    sent = await tg.api.user_sends(user, chat, "/help")
    answer = await tg.api.wait_for_bot_message(chat, after=sent)
    return set(re.findall(r"^/(\w+) —", answer.text or "", flags=re.MULTILINE))


async def wishes_of(tg: Telegram) -> tuple[int, int, int]:
    ids = []
    for title in ("帮忙买年货 名额2", "陪老人看病 名额1", "打扫楼道 名额1"):
        posted = await tg.world.app.post_wish(cmd.PostWish(tg.world.secretary, tg.world.branch.id, title))
        ids.append(posted.view.wish.id)  # type: ignore[union-attr]
    tg.platform.poke()
    return ids[0], ids[1], ids[2]


async def check(place: Place, user: SandboxUser, *, target: SandboxUser | None = None) -> set[str]:
    await drained(place.tg)
    shown = await listed(place.tg, user, place.chat)
    assert shown == await permitted(place, user, target)
    return shown


async def test_a_stranger_privately(telegram: Telegram) -> None:
    tg = telegram
    stranger = await tg.person(40, "路人")
    shown = await check(Place(tg, stranger.id, await wishes_of(tg)), stranger)
    assert shown == {"start", "help", "lang", "mydata", "cancel", "verify"}


async def test_a_member_privately_and_in_the_branch_group(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    wishes = await wishes_of(tg)
    assert {"me", "mine", "wishes", "register", "leave"} <= await check(Place(tg, member.id, wishes), member)
    in_group = await check(Place(tg, tg.group, wishes), member)
    assert {"join", "wishes", "me", "mine"} <= in_group and "wish" not in in_group


async def test_a_secretary_privately_and_in_their_group(telegram: Telegram) -> None:
    tg = telegram
    wishes = await wishes_of(tg)
    target = await tg.reported(11, "李娜")
    privately = await check(Place(tg, SECRETARY_ID, wishes), tg.secretary)
    in_group = await check(Place(tg, tg.group, wishes), tg.secretary, target=target)
    assert {"wish", "manage", "close", "atrisk", "export"} <= privately and "secretary" not in privately
    assert {"wish", "manage", "close", "cancel", "atrisk", "secretary", "export"} <= in_group


async def test_a_grid_worker_privately_and_in_their_branch_group(telegram: Telegram) -> None:
    tg = telegram
    worker = await tg.reported(12, "刘网格")
    wishes = await wishes_of(tg)
    await tg.world.app.set_grid_worker(cmd.SetGridWorker(tg.world.secretary, tg.world.branch.id, "刘网格"))
    privately = await check(Place(tg, worker.id, wishes), worker)
    in_group = await check(Place(tg, tg.group, wishes), worker)
    for shown in (privately, in_group):
        assert "signin" in shown and not {"wish", "gridworker", "manage", "close"} & shown


async def test_a_committee_admin_privately_and_in_the_committee_chat(telegram: Telegram) -> None:
    tg = telegram
    wishes = await wishes_of(tg)
    admin = await tg.reported(50, "组织委员")
    async with tg.world.store.unit() as unit:
        member = await unit.people.by_account("telegram", "50")
        assert member is not None
        await unit.committees.add_admin(tg.world.clock.now(), tg.world.branch.committee_id, member.id)
    committee_chat = await tg.api.add_group(-100, "南湖区e党委", [tg.admin, admin])
    privately = await check(Place(tg, admin.id, wishes), admin)
    in_committee = await check(Place(tg, committee_chat, wishes), admin)
    assert {"digest", "export"} <= privately and "wish" not in privately
    assert {"digest", "export"} <= in_committee and "join" not in in_committee


async def test_a_bot_admin_in_a_group_bound_to_nothing_yet(telegram: Telegram) -> None:
    tg = telegram
    wishes = await wishes_of(tg)
    group = await tg.api.add_group(-900, "新群", [tg.admin])
    shown = await check(Place(tg, group, wishes), tg.admin)
    assert {"branch", "committee"} <= shown and tg.admin.id == ADMIN_ID


async def test_a_secretary_set_up_offline_in_the_group_they_are_to_bind(telegram: Telegram) -> None:
    tg = telegram
    wishes = await wishes_of(tg)
    await tg.world.app.set_up_structure(
        [
            StructureRow(
                Phrase.of("setup.where_line", line=2), "南湖区e党委", "探测e支部", Secretary("赵敏", "13800138000")
            )
        ]
    )
    secretary = await tg.person(60, "赵敏")
    await tg.world.app.link_phone(cmd.LinkPhone(Account("telegram", "60", "赵敏"), "13800138000"))
    group = await tg.api.add_group(-901, "探测e支部", [secretary])
    shown = await check(Place(tg, group, wishes), secretary)
    assert "branch" in shown
    async with tg.world.store.read() as unit:
        branch = await unit.branches.by_name("探测e支部")
    assert branch is not None and branch.chat is not None, "the probe of /branch bound the branch set up for it"


# WeCom: every command is sent privately to the app

EVERY_WECOM_COMMAND = (
    "/help",
    "/me",
    "/mine",
    "/签到",
    "/证明",
    "/更正",
    "/verify",
    "/wishes",
    "/atrisk",
    "/export",
    "/digest",
    "/manage",
    "/extend",
    "/close",
    "/wish",
    "/报到",
    "/cancel",
    "/branch",
    "/committee",
    "/pair",
    "/pairings",
    "/recurring",
    "/visit",
    "/calendar",
    "/signin",
    "/网格员",
)


async def wecom_settled(bench: Bench) -> None:
    """Every callback handled (each runs as its own task) and everything it queued delivered."""

    async def settled() -> bool:
        if bench.platform.server.handling:
            return False
        async with bench.store.read() as unit:
            return not (await unit.outbox.counts()).get("pending", 0)

    await eventually(settled, within=15)


async def wecom_permitted(bench: Bench, user_id: str, wish_id: int) -> set[str]:
    allowed: set[str] = set()
    for name in EVERY_WECOM_COMMAND:
        text = {
            "/manage": f"/manage {wish_id}",
            "/extend": f"/extend {wish_id} 12月31日",
            "/close": f"/close {wish_id}",
            "/wish": "/wish 帮忙修水管 名额1",
            "/branch": "/branch 探测e支部 sunqi",
            "/committee": "/committee 探测e党委",
            "/pair": "/pair 探测员 王奶奶",
            "/recurring": "/recurring 探测",
            "/签到": "/签到 000001",
            "/更正": "/更正 999999 探测",
            "/signin": f"/signin {wish_id}",
            "/网格员": "/网格员 探测员",
        }.get(name, name)
        before = len(bench.fake.texts(user_id))
        status, _, _ = await bench.post(text_message_xml(user_id, text, str(next(bench.ids))))
        assert status == 200
        await wecom_settled(bench)
        said = bench.fake.texts(user_id)[before:]
        if not refused(said, REFUSALS, catalog()) and not refused(said, WECOM_REFUSALS, WECOM.messages):
            allowed.add(name)
    return allowed


async def wecom_listed(bench: Bench, user_id: str) -> set[str]:
    await wecom_settled(bench)
    await bench.say(user_id, "/help")
    await wecom_settled(bench)
    return set(re.findall(r"^(/\S+) —", bench.last_text(user_id), flags=re.MULTILINE))


async def test_on_wecom_each_role_is_listed_what_it_may_do(bench: Bench) -> None:
    """Each person is probed with every command, more than WeCom's 30 messages a minute to one member: the limit
    (the bot's pacing and the fake's) is lifted here, so answers are not held back or dropped."""
    bench.platform.api.user_limiter = SlidingWindowLimiter(1000, 60.0)
    bench.fake.per_member_limit = 1000
    await set_up_branch(bench)
    async with bench.store.read() as unit:
        found = await unit.branches.by_name("幸福里e支部")
    assert found is not None
    posted = await bench.usecases.post_wish(cmd.PostWish(Account("wecom", "admin"), found.id, "帮忙买年货 名额2"))
    wish_id = posted.view.wish.id  # type: ignore[union-attr]
    async with bench.store.unit() as unit:
        person = await unit.people.by_account("wecom", "sunqi")
        sunqi = person.id if person else await unit.people.create(bench.usecases.clock.now(), "孙七")
        await unit.people.link_account(bench.usecases.clock.now(), Account("wecom", "sunqi", "孙七"), sunqi)
        await unit.committees.add_admin(bench.usecases.clock.now(), found.committee_id, sunqi)
    await bench.usecases.add_secretary(
        cmd.AddSecretary(Account("wecom", "admin"), found.id, Account("wecom", "lisi"), by_bot_admin=True)
    )
    await bench.usecases.set_grid_worker(cmd.SetGridWorker(Account("wecom", "admin"), found.id, "王五"))
    for user_id in ("zhaoliu", "zhangsan", "lisi", "sunqi", "admin", "wangwu"):
        shown = await wecom_listed(bench, user_id)
        assert shown == await wecom_permitted(bench, user_id, wish_id), user_id
    assert "/signin" in await wecom_listed(bench, "wangwu") and "/网格员" in await wecom_listed(bench, "admin")
