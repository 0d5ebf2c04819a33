"""Each role's /help lists exactly what that role may do here: every command is tried, and the ones listed are
exactly the ones the bot does not refuse (Telegram privately and in groups, and WeCom)."""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from telegram.ext import CommandHandler

from bot.config import RecordsConfig, SchedulerConfig, TelegramConfig
from bot.domain.model import Account, ChatRef
from bot.i18n import Phrase, catalog
from bot.jobs.nudges import JobDeps
from bot.notices.callbacks import Act, encode
from bot.scheduler import jobs, run_job
from bot.usecases import commands as cmd
from bot.usecases.structure import Secretary, StructureRow
from handlers.sandbox import FakeBotApi, SandboxChat, SandboxMessage, SandboxUser
from handlers.sandbox.flood import FloodLimits
from handlers.telegram import TelegramPlatform
from handlers.telegram.emergency import CHINESE_COMMAND
from handlers.telegram.menus import menu
from handlers.telegram.records import CHECKIN_ALIAS
from handlers.telegram.texts import TEXTS as TELEGRAM
from handlers.wecom import SlidingWindowLimiter, records, router
from handlers.wecom.emergency import COMMANDS as WECOM_EMERGENCY
from handlers.wecom.texts import TEXTS as WECOM
from storage.reports import SqlReports
from storage.sqlite import Database
from tests.conftest import SHANGHAI, World
from tests.fakes.wecom_api import text_message_xml
from tests.telegram_fixtures import ADMIN_ID, GROUP_ID, SECRETARY_ID, Telegram, bot_said, button, eventually
from tests.test_wecom_platform import Bench, bench, set_up_branch
from tests.test_wecom_restarts_and_delivery import find_card, has_card

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
    "error.emergency_where",
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
NOT_PRIVATELY = ("em.usage", "em.headcount.usage")
"""What Telegram answers an emergency command sent privately: send it in the committee chat or a branch group."""
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
    "emergency",
    "headcount",
    "series",
    "leaveseries",
    "confirmvisit",
    "pausepair",
    "resumepair",
    "handover",
    "endseries",
    "endpair",
    "post",
    "answer",
    "gridworker",
)
UNPROBED = frozenset({"skip"})
"""Listed, but not probed: /skip answers only a conversation's optional question and is silent elsewhere."""


def fragment(text: str) -> str:
    """The longest piece of a catalog text without a placeholder: what every rendering of it contains."""
    return max(re.split(r"\{\w*\}", text), key=len)


def refused(texts: list[str], keys: tuple[str, ...], messages: dict[str, dict[str, str]]) -> bool:
    said = [fragment(messages[key]["zh"]) for key in keys]
    return any(piece in text for text in texts for piece in said)


@dataclass(frozen=True)
class Numbers:
    """What the commands that take a number name: the wishes, a pairing with a reported visit, two series."""

    wishes: tuple[int, int, int]
    pairing: int
    visit: int
    series: int
    ended_series: int


@dataclass
class Place:
    """Where a person tries the commands, and the numbers a secretary's commands name."""

    tg: Telegram
    chat: SandboxChat | int
    numbers: Numbers


async def drained(tg: Telegram) -> None:
    """Nothing the bot decided to send is still waiting: a later answer cannot be mistaken for this one's."""

    async def empty() -> bool:
        async with tg.world.store.read() as unit:
            return not (await unit.outbox.counts()).get("pending", 0)

    await eventually(empty, within=15)


def _probe_text(name: str, place: Place, private: bool) -> str:
    numbers = place.numbers
    manage, close, cancel = numbers.wishes
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
        "emergency": "/emergency end",
        "series": f"/series {numbers.series}",
        "leaveseries": f"/leaveseries {numbers.series}",
        "confirmvisit": f"/confirmvisit {numbers.visit}",
        "pausepair": f"/pausepair {numbers.pairing}",
        "resumepair": f"/resumepair {numbers.pairing}",
        "handover": f"/handover {numbers.pairing} 陈静",
        "endseries": f"/endseries {numbers.ended_series}",
        "endpair": f"/endpair {numbers.pairing}",
        "post": "/post 物资配送 一网格",
        "answer": "/answer 可到",
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
        if not refused(said, (*REFUSALS, *NOT_PRIVATELY), catalog()) and not refused(
            said, TELEGRAM_REFUSALS, TELEGRAM.messages
        ):
            allowed.add(name)
    return allowed


async def help_of(tg: Telegram, user: SandboxUser, chat: SandboxChat | int) -> str:
    """The bot's answer to this /help (in a group, the message quoting it: notices may come in between)."""
    sent = await tg.api.user_sends(user, chat, "/help")
    found: list[SandboxMessage] = []

    def answered() -> bool:
        found[:] = [m for m in tg.api.bot_messages(chat) if m.message_id > sent.message_id and m.reply_to is sent]
        found.extend(m for m in tg.api.bot_messages(chat) if chat == user.id and m.message_id > sent.message_id)
        return bool(found)

    await eventually(answered)
    return found[0].text or ""


def names_in(help_text: str) -> set[str]:
    """The commands a /help lists: each line's ``/name``, before its Chinese spelling and the dash."""
    return set(re.findall(r"^/(\w+)(?:（[^）]*）| \([^)]*\))? —", help_text, flags=re.MULTILINE))


async def listed(tg: Telegram, user: SandboxUser, chat: SandboxChat | int) -> set[str]:
    return names_in(await help_of(tg, user, chat))


async def numbers_of(tg: Telegram) -> Numbers:
    """Three wishes, a pairing of 陈静 with a visit reported, and two recurring activities of the test branch."""
    world = tg.world
    ids = []
    for title in ("帮忙买年货 名额2", "陪老人看病 名额1", "打扫楼道 名额1"):
        posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, title))
        ids.append(posted.view.wish.id)  # type: ignore[union-attr]
    await tg.reported(70, "陈静")
    paired = await world.app.create_pairing(cmd.CreatePairing(world.secretary, world.branch.id, "陈静 王奶奶 每月"))
    pairing = paired.view.pairing.id
    visit = await world.app.report_visit(cmd.ReportVisit(Account("telegram", "70"), pairing, 1.5))
    series = [
        (await world.app.post_series(cmd.PostSeries(world.secretary, world.branch.id, text))).series_id
        for text in ("每周六上午 小区巡逻 名额4", "每月15号 理发 名额2")
    ]
    tg.platform.poke()
    return Numbers((ids[0], ids[1], ids[2]), pairing, visit.visit.id, series[0], series[1])


async def check(place: Place, user: SandboxUser, *, target: SandboxUser | None = None) -> set[str]:
    await drained(place.tg)
    shown = await listed(place.tg, user, place.chat)
    assert shown - UNPROBED == await permitted(place, user, target)
    return shown


async def test_a_stranger_privately(telegram: Telegram) -> None:
    tg = telegram
    stranger = await tg.person(40, "路人")
    shown = await check(Place(tg, stranger.id, await numbers_of(tg)), stranger)
    assert shown == {"start", "help", "lang", "mydata", "cancel", "verify", "post", "answer"}


async def test_a_member_privately_and_in_the_branch_group(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    wishes = await numbers_of(tg)
    privately = await check(Place(tg, member.id, wishes), member)
    in_group = await check(Place(tg, tg.group, wishes), member)
    assert {"me", "mine", "wishes", "register", "leave"} <= privately
    assert {"checkin", "certificate", "correct", "visit", "calendar", "series", "post", "skip"} <= privately
    assert {"join", "wishes", "me", "mine", "headcount", "post", "series"} <= in_group and "wish" not in in_group
    for lead in ("emergency", "pair", "pairings", "confirmvisit", "endpair", "endseries", "signin"):
        assert lead not in privately and lead not in in_group, lead


async def test_a_secretary_privately_and_in_their_group(telegram: Telegram) -> None:
    tg = telegram
    wishes = await numbers_of(tg)
    target = await tg.reported(11, "李娜")
    privately = await check(Place(tg, SECRETARY_ID, wishes), tg.secretary)
    in_group = await check(Place(tg, tg.group, wishes), tg.secretary, target=target)
    assert {"wish", "manage", "close", "atrisk", "export"} <= privately and "secretary" not in privately
    assert {"wish", "manage", "close", "cancel", "atrisk", "secretary", "export"} <= in_group
    pairings = {"pair", "pairings", "confirmvisit", "pausepair", "resumepair", "handover", "endpair"}
    assert pairings | {"recurring", "endseries", "signin"} <= privately and "emergency" not in privately
    assert pairings | {"recurring", "endseries", "signin", "emergency", "headcount"} <= in_group


async def test_a_grid_worker_privately_and_in_their_branch_group(telegram: Telegram) -> None:
    tg = telegram
    worker = await tg.reported(12, "刘网格")
    wishes = await numbers_of(tg)
    await tg.world.app.set_grid_worker(cmd.SetGridWorker(tg.world.secretary, tg.world.branch.id, "刘网格"))
    privately = await check(Place(tg, worker.id, wishes), worker)
    in_group = await check(Place(tg, tg.group, wishes), worker)
    for shown in (privately, in_group):
        assert "signin" in shown and not {"wish", "gridworker", "manage", "close"} & shown


async def test_a_committee_admin_privately_and_in_the_committee_chat(telegram: Telegram) -> None:
    tg = telegram
    wishes = await numbers_of(tg)
    admin = await tg.reported(50, "组织委员")
    async with tg.world.store.unit() as unit:
        member = await unit.people.by_account("telegram", "50")
        assert member is not None
        await unit.committees.add_admin(tg.world.clock.now(), tg.world.branch.committee_id, member.id)
    committee_chat = await tg.api.add_group(-100, "南湖区e党委", [tg.admin, admin])
    privately = await check(Place(tg, admin.id, wishes), admin)
    in_committee = await check(Place(tg, committee_chat, wishes), admin)
    assert {"digest", "export"} <= privately and "wish" not in privately
    assert {"digest", "export", "emergency", "headcount"} <= in_committee and "join" not in in_committee
    assert "pair" not in privately | in_committee and "emergency" not in privately


async def test_a_bot_admin_in_a_group_bound_to_nothing_yet(telegram: Telegram) -> None:
    tg = telegram
    wishes = await numbers_of(tg)
    group = await tg.api.add_group(-900, "新群", [tg.admin])
    shown = await check(Place(tg, group, wishes), tg.admin)
    assert {"branch", "committee"} <= shown and tg.admin.id == ADMIN_ID


async def test_a_secretary_set_up_offline_in_the_group_they_are_to_bind(telegram: Telegram) -> None:
    tg = telegram
    wishes = await numbers_of(tg)
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
    "/应急",
    "/人数",
    "/series",
    "/leaveseries",
    "/confirmvisit",
    "/pausepair",
    "/resumepair",
    "/handover",
    "/endseries",
    "/endpair",
    "/应急岗位",
    "/answer",
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


@dataclass(frozen=True)
class WeComNumbers:
    """What the WeCom probes name: a wish, a pairing of 张三 with a visit reported, two series."""

    wish: int
    pairing: int
    visit: int
    series: int
    ended_series: int


async def wecom_numbers(bench: Bench, branch_id: int) -> WeComNumbers:
    secretary = Account("wecom", "admin")
    usecases = bench.usecases
    posted = await usecases.post_wish(cmd.PostWish(secretary, branch_id, "帮忙买年货 名额2"))
    paired = await usecases.create_pairing(cmd.CreatePairing(secretary, branch_id, "张三 王奶奶 每月"))
    pairing = paired.view.pairing.id
    visit = await usecases.report_visit(cmd.ReportVisit(Account("wecom", "zhangsan"), pairing, 1.5))
    series = [
        (await usecases.post_series(cmd.PostSeries(secretary, branch_id, text))).series_id
        for text in ("每周六上午 小区巡逻 名额4", "每月15号 理发 名额2")
    ]
    bench.platform.poke()
    wish = posted.view.wish.id  # type: ignore[union-attr]
    return WeComNumbers(wish, pairing, visit.visit.id, series[0], series[1])


async def wecom_permitted(bench: Bench, user_id: str, numbers: WeComNumbers) -> set[str]:
    allowed: set[str] = set()
    wish_id = numbers.wish
    for name in EVERY_WECOM_COMMAND:
        text = {
            "/应急": "/应急 结束",
            "/应急岗位": "/应急岗位 物资配送 一网格",
            "/answer": "/answer 可到",
            "/series": f"/series {numbers.series}",
            "/leaveseries": f"/leaveseries {numbers.series}",
            "/confirmvisit": f"/confirmvisit {numbers.visit}",
            "/pausepair": f"/pausepair {numbers.pairing}",
            "/resumepair": f"/resumepair {numbers.pairing}",
            "/handover": f"/handover {numbers.pairing} 王五",
            "/endseries": f"/endseries {numbers.ended_series}",
            "/endpair": f"/endpair {numbers.pairing}",
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


async def wecom_help(bench: Bench, user_id: str) -> str:
    """The whole answer to /help (WeCom takes 2,048 bytes a message, so a long one comes in parts)."""
    await wecom_settled(bench)
    before = len(bench.fake.texts(user_id))
    await bench.say(user_id, "/help")
    await wecom_settled(bench)
    return "\n".join(bench.fake.texts(user_id)[before:])


def wecom_names_in(help_text: str) -> set[str]:
    """The commands a WeCom /help lists: each line's first word, before its other spelling and the dash."""
    return set(re.findall(r"^(/[^\s（(]+)(?:（[^）]*）| \([^)]*\))? —", help_text, flags=re.MULTILINE))


async def wecom_listed(bench: Bench, user_id: str) -> set[str]:
    return wecom_names_in(await wecom_help(bench, user_id))


async def test_on_wecom_each_role_is_listed_what_it_may_do(bench: Bench) -> None:
    """Each person is probed with every command, more than WeCom's 30 messages a minute to one member: the limit
    (the bot's pacing and the fake's) is lifted here, so answers are not held back or dropped."""
    bench.platform.api.user_limiter = SlidingWindowLimiter(1000, 60.0)
    bench.fake.per_member_limit = 1000
    await set_up_branch(bench)
    async with bench.store.read() as unit:
        found = await unit.branches.by_name("幸福里e支部")
    assert found is not None
    numbers = await wecom_numbers(bench, found.id)
    async with bench.store.unit() as unit:
        person = await unit.people.by_account("wecom", "sunqi")
        sunqi = person.id if person else await unit.people.create(bench.usecases.clock.now(), "孙七")
        await unit.people.link_account(bench.usecases.clock.now(), Account("wecom", "sunqi", "孙七"), sunqi)
        await unit.committees.add_admin(bench.usecases.clock.now(), found.committee_id, sunqi)
    await bench.usecases.add_secretary(
        cmd.AddSecretary(Account("wecom", "admin"), found.id, Account("wecom", "lisi"), by_bot_admin=True)
    )
    await bench.usecases.set_grid_worker(cmd.SetGridWorker(Account("wecom", "admin"), found.id, "王五"))
    shown = {}
    for user_id in ("zhaoliu", "zhangsan", "lisi", "sunqi", "admin", "wangwu"):
        shown[user_id] = await wecom_listed(bench, user_id)
        assert shown[user_id] == await wecom_permitted(bench, user_id, numbers), user_id
    lead = {"/应急", "/pair", "/confirmvisit", "/pausepair", "/handover", "/endpair", "/endseries"}
    assert {"/应急岗位", "/series", "/visit", "/签到"} <= shown["zhangsan"] and not lead & shown["zhangsan"]
    assert lead | {"/人数", "/pairings", "/resumepair", "/signin"} <= shown["lisi"]
    assert shown["zhaoliu"] == {"/help", "/cancel", "/verify", "/应急岗位", "/answer"}
    assert "/signin" in shown["wangwu"] and "/网格员" in shown["admin"]


# Drift guard: no command the bot takes is missing from every /help


async def helps_of_every_role(tg: Telegram) -> list[str]:
    """/help as a stranger, a member, a secretary, a committee admin and a bot admin, wherever each may ask."""
    stranger = await tg.person(40, "路人")
    member = await tg.reported(10, "张伟")
    admin = await tg.reported(50, "组织委员")
    async with tg.world.store.unit() as unit:
        person = await unit.people.by_account("telegram", "50")
        assert person is not None
        await unit.committees.add_admin(tg.world.clock.now(), tg.world.branch.committee_id, person.id)
    committee_chat = await tg.api.add_group(-100, "南湖区e党委", [tg.admin, admin])
    unbound = await tg.api.add_group(-900, "新群", [tg.admin])
    asked: list[tuple[SandboxUser, SandboxChat | int]] = [
        (stranger, stranger.id),
        (member, member.id),
        (member, tg.group),
        (tg.secretary, SECRETARY_ID),
        (tg.secretary, tg.group),
        (admin, admin.id),
        (admin, committee_chat),
        (tg.admin, ADMIN_ID),
        (tg.admin, unbound),
    ]
    return [await help_of(tg, user, chat) for user, chat in asked]


def spelled(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` as a command of its own (``/应急`` is not in ``/应急演练``)."""
    return re.search(rf"(?<![\w/]){re.escape(word)}(?!\w)", text) is not None


async def test_every_command_telegram_takes_is_in_the_help_of_some_role(telegram: Telegram) -> None:
    """A command registered on the platform (or a Chinese spelling it reads) that no /help lists fails here."""
    tg = telegram
    registered = {
        name
        for handlers in tg.platform.application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    found = re.search(r"\(([^()?]+)\)", CHINESE_COMMAND.pattern)
    assert found is not None
    chinese = {f"/{word}" for word in found.group(1).split("|")} | set(
        re.findall(r"[\u4e00-\u9fff]+", CHECKIN_ALIAS.pattern)
    )
    assert {"emergency", "headcount", "post", "pair", "endpair", "series", "signin", "correct"} <= registered
    assert {"/应急", "/应急演练", "/应急结束", "/人数", "/应急岗位", "签到"} <= chinese

    helps = await helps_of_every_role(tg)

    listed = set().union(*(names_in(text) for text in helps))
    everything = "\n".join(helps)
    assert registered - listed == set()
    assert {word for word in chinese if not re.search(rf"[（(]{re.escape(word)}[）)]", everything)} == set()
    assert "/emergency drill" in everything and "/emergency end" in everything


def wecom_words() -> set[str]:
    """Every ``/word`` the WeCom router takes: its command tables, and each one its text handler compares."""
    source = textwrap.dedent(inspect.getsource(router.WeComRouter._text))
    compared = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/")
    }
    tables = (WECOM_EMERGENCY, router.PAIRING_COMMANDS, router.RECURRING_COMMANDS, records.COMMANDS)
    return (
        compared
        | {word for table in tables for word in table if word.startswith("/")}
        | {marker for marker in router.WISH_MARKERS if marker.startswith("/")}
    )


async def test_every_command_wecom_takes_is_in_the_help_of_some_role(bench: Bench) -> None:
    words = wecom_words()
    assert {"/help", "/cancel", "/应急", "/应急结束", "/人数", "/post", "/endpair", "/series", "/核验"} <= words
    await set_up_branch(bench)
    async with bench.store.unit() as unit:
        person = await unit.people.by_account("wecom", "sunqi")
        sunqi = person.id if person else await unit.people.create(bench.usecases.clock.now(), "孙七")
        await unit.people.link_account(bench.usecases.clock.now(), Account("wecom", "sunqi", "孙七"), sunqi)
        found = await unit.branches.by_name("幸福里e支部")
        assert found is not None
        await unit.committees.add_admin(bench.usecases.clock.now(), found.committee_id, sunqi)
    await bench.usecases.add_secretary(
        cmd.AddSecretary(Account("wecom", "admin"), found.id, Account("wecom", "lisi"), by_bot_admin=True)
    )

    helps = [await wecom_help(bench, user_id) for user_id in ("zhaoliu", "zhangsan", "lisi", "sunqi", "admin")]

    everything = "\n".join(helps)
    assert {word for word in words if not spelled(everything, word)} == set()


# The command menus (setMyCommands) per scope


def commands_in(tg: Telegram, scope: dict[str, Any], lang: str = "") -> dict[str, str]:
    return {c["command"]: c["description"] for c in tg.api.my_commands(scope, lang)}


async def test_the_menus_carry_the_everyday_commands_of_each_scope_in_each_language(telegram: Telegram) -> None:
    tg = telegram
    everyday = {"checkin", "certificate", "visit", "calendar", "post"}
    for scope in ({"type": "default"}, {"type": "all_private_chats"}):
        for lang in ("", "en"):
            private = commands_in(tg, scope, lang)
            assert everyday <= set(private), (scope, lang)
            assert not {"emergency", "pair", "signin", "headcount"} & set(private), (scope, lang)
    assert commands_in(tg, {"type": "all_private_chats"})["post"] == TELEGRAM.t("tg.cmd.post", "zh")
    assert commands_in(tg, {"type": "all_private_chats"}, "en")["post"] == TELEGRAM.t("tg.cmd.post", "en")
    group = commands_in(tg, {"type": "all_group_chats"})
    assert "headcount" in group and not {"emergency", "pair", "signin"} & set(group)

    english = await tg.person(12, "Li Na", language="en")
    said = await tg.api.user_sends(english, tg.group, "我也想当书记")
    await tg.api.user_sends(tg.secretary, tg.group, "/secretary", reply_to=said)
    in_group_scope = {"type": "chat_member", "chat_id": GROUP_ID, "user_id": 12}
    private_scope = {"type": "chat", "chat_id": 12}
    await eventually(lambda: bool(tg.api.my_commands(private_scope)))
    in_group = commands_in(tg, in_group_scope)
    assert {"emergency", "headcount", "signin", "pair", "pairings", "recurring", "wish", "export"} <= set(in_group)
    assert in_group["emergency"] == TELEGRAM.t("tg.cmd.emergency", "en"), "the new secretary reads English"
    privately = commands_in(tg, private_scope)
    assert {"pair", "pairings", "confirmvisit", "signin", "atrisk", "export", "checkin", "post"} <= set(privately)
    assert "emergency" not in privately and "digest" not in privately

    committee = await tg.api.add_group(-100, "南湖区e党委", [tg.admin])
    await tg.api.user_sends(tg.admin, committee, "/committee 南湖区e党委")
    committee_scope = {"type": "chat_member", "chat_id": -100, "user_id": ADMIN_ID}
    await eventually(lambda: bool(tg.api.my_commands(committee_scope)))
    assert {"emergency", "headcount", "digest", "export"} <= set(commands_in(tg, committee_scope))
    for kind in ("private", "group", "secretary", "committee", "private_secretary", "private_secretary_admin"):
        assert len(menu(kind, "zh")) <= 100 and all(1 <= len(c.description) <= 256 for c in menu(kind, "en"))


# /headcount in a group: counts for everyone, names only privately to secretaries


async def test_headcount_in_the_branch_group_shows_counts_and_no_name_of_those_who_did_not_answer(
    telegram: Telegram,
) -> None:
    tg = telegram
    answering, silent = await tg.reported(10, "张伟"), await tg.reported(11, "李娜")
    await drained(tg)  # the report-in notes, which name them, are posted before the call
    before = {m.message_id for m in tg.api.bot_messages(GROUP_ID)}
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/emergency 防汛转移群众")
    board = await bot_said(tg.api, GROUP_ID, "🚨 应急召集 #1")
    prompt = await bot_said(tg.api, answering.id, "请问您能否到岗")
    await bot_said(tg.api, silent.id, "请问您能否到岗")
    await tg.api.user_presses(answering, prompt, button(prompt, "可到"))
    await eventually(lambda: "✅ 可到 1" in (board.text or ""))

    by_member = await tg.says(answering, GROUP_ID, "/headcount")
    by_secretary = await tg.says(tg.secretary, GROUP_ID, "/headcount")
    names = await bot_said(tg.api, SECRETARY_ID, "尚未回复")
    deps = tg.world.jobs
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "emergencies")
    for minutes in (11, 31, 41):
        await run_job(deps, job, tg.world.clock.now() + timedelta(minutes=minutes), tg.platform.poke)
    listed = await bot_said(tg.api, SECRETARY_ID, "次提醒仍未回复")

    assert "⏳ 未回复" in (by_member.text or "") and "⏳ 未回复" in (by_secretary.text or "")
    assert "李娜" in (names.text or "") and "李娜" in (listed.text or "")
    in_group = [m.text or m.caption or "" for m in tg.api.bot_messages(GROUP_ID) if m.message_id not in before]
    assert len(in_group) >= 3 and not [text for text in in_group if "李娜" in text]
    assert not [m for m in tg.api.bot_messages(answering.id) if "李娜" in (m.text or "")]


async def test_on_wecom_no_name_of_those_who_did_not_answer_reaches_the_branch_appchat(
    bench: Bench, db: Database
) -> None:
    chat = await set_up_branch(bench)
    await wecom_settled(bench)  # the report-in notes, which name them, are posted before the call
    appchat = bench.fake.chats[chat.chat_id]
    before = len(appchat.messages)
    await bench.say("admin", "/应急 防汛转移群众")
    yes = encode(Act.EMERGENCY_ANSWER, 1, "y")
    await eventually(lambda: has_card(bench, "zhangsan", yes) and has_card(bench, "lisi", yes))
    task, _, _ = find_card(bench, "zhangsan", yes)
    await bench.press("zhangsan", task, yes)
    await eventually(lambda: "已记录：可到" in bench.last_text("zhangsan"))

    await bench.say("zhangsan", "/人数")
    refused = bench.last_text("zhangsan")
    await bench.say("admin", "/人数")
    await eventually(lambda: any("尚未回复" in text for text in bench.fake.texts("admin")))
    deps = JobDeps(SqlReports(db), bench.usecases, SHANGHAI, SchedulerConfig())
    job = next(job for job in jobs(deps.settings, deps.tz) if job.name == "emergencies")
    for minutes in (11, 31, 41):
        await run_job(deps, job, bench.usecases.clock.now() + timedelta(minutes=minutes), bench.platform.poke)
    await eventually(lambda: any("次提醒仍未回复" in text for text in bench.fake.texts("admin")))
    await wecom_settled(bench)

    assert fragment(catalog()["error.emergency_where"]["zh"]) in refused, "a member is shown no board on WeCom"
    told = [text for text in bench.fake.texts("admin") if "未回复" in text]
    assert any("李四" in text and "王五" in text for text in told)
    in_appchat = [str(m.content.get("content", "")) for m in appchat.messages[before:]]
    assert any("应急召集 #1" in text for text in in_appchat)
    assert not [text for text in in_appchat if "李四" in text or "王五" in text]


# Points, when enabled, are named where /me is


async def test_help_names_the_points_beside_me_when_they_are_enabled(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张伟")
    assert "积分" not in await help_of(tg, member, member.id)
    tg.world.app.records = RecordsConfig(points_enabled=True)
    assert "/me — 我的本季度服务与积分" in await help_of(tg, member, member.id)


async def test_on_wecom_help_names_the_points_beside_me_when_they_are_enabled(bench: Bench) -> None:
    await set_up_branch(bench)
    assert "积分" not in await wecom_help(bench, "lisi")
    bench.usecases.records = RecordsConfig(points_enabled=True)
    assert "/me — 我的本季度服务与积分" in await wecom_help(bench, "lisi")


async def test_help_speaks_english_to_an_english_user_with_the_chinese_spellings(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(13, "Li Na")
    zh = await help_of(tg, member, tg.group)
    await tg.says(member, member.id, "/lang en")

    privately, in_group = await help_of(tg, member, member.id), await help_of(tg, member, tg.group)

    assert "/post（/应急岗位） — 我的应急岗位" in zh and "/headcount（/人数） — 应急召集的人数看板" in zh
    assert privately.startswith("Commands you can use:")
    assert "/post (/应急岗位) — My emergency post: /post POST GRID" in privately
    assert "/checkin (签到) — Sign in at the place: /checkin CODE" in privately
    assert "/series — Claim every occurrence: /series N" in privately
    assert "/headcount (/人数) — The emergency call's headcount" in in_group
