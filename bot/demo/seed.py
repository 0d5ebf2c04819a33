"""The demo's world: a committee, three e-branches and their people, built through the bot's real chat flows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.bootstrap import Core
from bot.domain.model import Account, ChatRef
from bot.domain.quarters import current_quarter, local_date
from bot.notices.callbacks import Act, decode
from bot.ports.clock import OffsetClock
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, SandboxMessage


class Demo(Protocol):
    """What the seeder needs of the running demo: its clock, the sandbox, the core, and a way to wait for the bot."""

    clock: OffsetClock
    sandbox: FakeBotApi
    core: Core | None

    async def settle(self, limit: float = ...) -> None:
        """Wait until the bot has sent everything due and the chats are quiet."""
        ...


log = logging.getLogger(__name__)

COMMITTEE = "南湖区e党委"
COMMITTEE_CHAT = -1001000000001
ADMIN_ID = 1001
SEED_DAYS_BACK = 24


@dataclass(frozen=True)
class DemoPerson:
    """A simulated person of the demo and what the "who am I" picker shows about them."""

    id: int
    name: str
    role: str
    branch: str | None = None
    workplace: str = ""
    workplace_branch: str = ""
    skills: tuple[str, ...] = ()
    commitment: str = ""
    phone: str = ""

    def account(self, language: str | None = "zh-hans") -> Account:
        """The person's Telegram account as the bot sees it."""
        return Account("telegram", str(self.id), self.name, language)

    def to_json(self) -> dict[str, Any]:
        """For the page's picker."""
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "branch": self.branch,
            "workplace": self.workplace,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class BranchPlan:
    """One e-branch: its group chat, secretary, members and the micro-wishes its secretary posts."""

    name: str
    chat_id: int
    secretary: DemoPerson
    members: tuple[DemoPerson, ...]
    wishes: tuple[WishPlan, ...]


@dataclass(frozen=True)
class WishPlan:
    """A micro-wish as the secretary writes it, and who claims, finishes and gets confirmed."""

    text: str
    claimers: tuple[str, ...] = ()
    done: tuple[tuple[str, float, str], ...] = ()
    confirmed: tuple[str, ...] = ()


def _person(
    id: int, name: str, branch: str, workplace: str, workplace_branch: str, skills: tuple[str, ...], commitment: str
) -> DemoPerson:
    phone = f"139{id:08d}"
    return DemoPerson(id, name, "member", branch, workplace, workplace_branch, skills, commitment, phone)


def _secretary(id: int, name: str, branch: str, workplace: str) -> DemoPerson:
    return DemoPerson(
        id, name, "secretary", branch, workplace, "社区党委", ("矛盾调解",), "做好居民的贴心人", f"138{id:08d}"
    )


ADMIN = DemoPerson(ADMIN_ID, "陈志刚", "admin", None, "南湖区委组织部", "机关党支部", (), "", "13700001001")

XFL = "幸福里社区e支部"
HPL = "和平里社区e支部"
YH = "月河街区e支部"

BRANCHES: tuple[BranchPlan, ...] = (
    BranchPlan(
        XFL,
        -1001000000101,
        _secretary(2001, "王秀英", XFL, "幸福里社区居委会"),
        (
            _person(3001, "刘洋", XFL, "市税务局", "第二党支部", ("政策宣讲",), "每月为居民讲一次税费政策"),
            _person(3002, "陈静", XFL, "区人民医院", "内科党支部", ("医疗健康",), "每季度为老人义诊一次"),
            _person(3003, "杨帆", XFL, "第一中学", "教工第一党支部", ("助学",), "周末为社区孩子辅导功课"),
            _person(3004, "赵磊", XFL, "市供电公司", "运维党支部", ("维修",), "帮独居老人检修家电线路"),
            _person(3005, "黄丽", XFL, "区司法局", "机关党支部", ("法律服务", "矛盾调解"), "每月一次法律咨询"),
            _person(3006, "周强", XFL, "区城管局", "执法党支部", ("环境整治", "治安巡逻"), "参加周末环境整治"),
            _person(3007, "吴敏", XFL, "市图书馆", "机关党支部", ("文体活动",), "组织亲子阅读活动"),
            _person(3008, "徐鹏", XFL, "区财政局", "第一党支部", ("政策宣讲",), "宣讲惠民政策"),
        ),
        (
            WishPlan(
                "#微心愿 为独居老人王奶奶安装一键通紧急呼叫电话 名额2",
                claimers=("赵磊", "刘洋"),
                done=(("赵磊", 2.0, "已安装并教会王奶奶使用"), ("刘洋", 1.5, "")),
                confirmed=("赵磊", "刘洋"),
            ),
            WishPlan(
                "#微心愿 给留守儿童小宇买一个新书包和一套文具 名额1",
                claimers=("杨帆",),
                done=(("杨帆", 1.0, "书包已送到小宇手里"),),
                confirmed=("杨帆",),
            ),
            WishPlan("#微心愿 陪社区老人去区人民医院做健康体检 名额3", claimers=("陈静",)),
            WishPlan("#微心愿 帮90岁的李爷爷置办年货 名额2"),
        ),
    ),
    BranchPlan(
        HPL,
        -1001000000102,
        _secretary(2002, "李建国", HPL, "和平里社区居委会"),
        (
            _person(3101, "孙丽娟", HPL, "区人民医院", "护理党支部", ("医疗健康", "居家养老"), "每月上门看望一位老人"),
            _person(3102, "马超", HPL, "市公安局南湖分局", "巡警党支部", ("治安巡逻",), "每月参加一次夜间巡逻"),
            _person(3103, "朱红梅", HPL, "第一中学", "教工第二党支部", ("助学", "文体活动"), "带孩子们打乒乓球"),
            _person(3104, "胡军", HPL, "市自来水公司", "供水党支部", ("维修",), "免费帮邻居修水管"),
            _person(3105, "郭晓燕", HPL, "市税务局", "第一党支部", ("政策宣讲",), "讲解医保社保政策"),
            _person(3106, "林峰", HPL, "区住建局", "机关党支部", ("维修", "环境整治"), "楼道安全隐患排查"),
            _person(3107, "何婷", HPL, "区民政局", "社会事务党支部", ("居家养老",), "结对帮扶一户困难家庭"),
        ),
        (
            WishPlan(
                "#微心愿 修理3号楼楼道的声控灯 名额1",
                claimers=("胡军",),
                done=(("胡军", 1.0, "换了两个灯泡"),),
                confirmed=("胡军",),
            ),
            WishPlan(
                "#微心愿 为困难家庭张阿姨讲解医保报销政策 名额1",
                claimers=("郭晓燕",),
                done=(("郭晓燕", 1.5, "已上门讲解，张阿姨学会了线上报销"),),
            ),
            WishPlan("#微心愿 组织小区垃圾分类宣传活动 名额4"),
        ),
    ),
    BranchPlan(
        YH,
        -1001000000103,
        _secretary(2003, "张丽华", YH, "月河街区居委会"),
        (
            _person(3201, "高明", YH, "市中级人民法院", "第三党支部", ("法律服务",), "为居民提供法律咨询"),
            _person(3202, "罗芳", YH, "区妇幼保健院", "机关党支部", ("医疗健康",), "开展儿童健康讲座"),
            _person(3203, "梁志强", YH, "市交通运输局", "运输党支部", ("治安巡逻",), "上下学时段护学"),
            _person(3204, "宋佳", YH, "实验小学", "教工党支部", ("助学",), "辅导外来务工子女功课"),
            _person(3205, "郑伟", YH, "市电信公司", "网络党支部", ("维修",), "教老人用智能手机"),
            _person(3206, "谢丹", YH, "区文旅局", "机关党支部", ("文体活动",), "组织广场舞队"),
        ),
        (
            WishPlan(
                "#微心愿 帮外来务工人员子女辅导作业 名额2",
                claimers=("宋佳",),
                done=(("宋佳", 2.0, "辅导了数学和语文"),),
                confirmed=("宋佳",),
            ),
            WishPlan("#微心愿 为孤寡老人刘奶奶上门理发 名额1"),
        ),
    ),
)

LOGGED_SERVICE = (("马超", HPL, 2.0, "夜间治安巡逻"),)


def seed_start(now: datetime, tz: ZoneInfo) -> datetime:
    """When the seeded story begins: a few weeks back at 09:00 local time, inside the quarter, never in the future."""
    quarter_start = current_quarter(now, tz).start
    day = max(local_date(now, tz) - timedelta(days=SEED_DAYS_BACK), quarter_start + timedelta(days=1))
    return min(datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz), now)


@dataclass
class Seeder:
    """Builds the demo world through the chats (setup, wishes, claims) and the use cases (report-in, done, confirm)."""

    demo: Demo
    say: Callable[[str], None] = field(default=lambda _step: None)
    """Told each step as it begins, as a ``demo.seed.*`` catalog key."""
    branch_ids: dict[str, int] = field(default_factory=dict)
    wish_ids: list[int] = field(default_factory=list)

    @staticmethod
    def operator_ids() -> tuple[int, ...]:
        """The bot admins of the demo (``telegram.admins``): the committee admin and the secretaries."""
        return (ADMIN.id, *(b.secretary.id for b in BRANCHES))

    @staticmethod
    def everyone() -> list[DemoPerson]:
        """Every seeded person: admin, secretaries, then members."""
        return [ADMIN, *(b.secretary for b in BRANCHES), *(m for b in BRANCHES for m in b.members)]

    async def run(self) -> None:
        """Seed while the demo clock replays the past weeks (see seed_start); the clock ends at real time."""
        demo, say = self.demo, self.say
        say("demo.seed.people")
        await self._people()
        say("demo.seed.groups")
        await self._groups()
        say("demo.seed.report_in")
        await self._report_in()
        self._step(hours=26)
        say("demo.seed.wishes")
        await self._wishes()
        self._step(hours=30)
        say("demo.seed.claims")
        await self._claims()
        self._step(days=4)
        say("demo.seed.done")
        await self._done()
        self._step(days=2)
        await self._confirm()
        await self._logged()
        offset = demo.clock.offset
        if offset < timedelta(0):
            demo.clock.advance(-offset)
        await demo.settle()

    def _step(self, *, days: float = 0, hours: float = 0) -> None:
        wanted = timedelta(days=days, hours=hours)
        room = -self.demo.clock.offset - timedelta(hours=1)
        if room > timedelta(0):
            self.demo.clock.advance(min(wanted, room))

    async def _people(self) -> None:
        sandbox = self.demo.sandbox
        for person in self.everyone():
            await sandbox.add_user(person.id, person.name, language_code="zh-hans")

    async def _groups(self) -> None:
        demo, sandbox = self.demo, self.demo.sandbox
        committee = await sandbox.add_group(
            COMMITTEE_CHAT, COMMITTEE, [ADMIN.id, *(b.secretary.id for b in BRANCHES)], bot_is_admin=True
        )
        await self._say(ADMIN, committee.id, f"/committee {COMMITTEE}")
        for plan in BRANCHES:
            people = [plan.secretary.id, ADMIN.id, *(m.id for m in plan.members)]
            group = await sandbox.add_group(plan.chat_id, plan.name, people, bot_is_admin=True)
            await self._say(plan.secretary, group.id, f"/branch {plan.name}")
            branch = await demo.core.usecases.branch_of_chat(ChatRef("telegram", str(group.id)))  # type: ignore[union-attr]
            if branch is None:
                raise RuntimeError(f"the bot did not bind {plan.name}")
            self.branch_ids[plan.name] = branch.id
            await self._say(plan.secretary, group.id, "/join")

    async def _report_in(self) -> None:
        demo = self.demo
        assert demo.core is not None
        for plan in BRANCHES:
            branch_id = self.branch_ids[plan.name]
            for person in (plan.secretary, *plan.members):
                if person.role == "member":
                    await demo.sandbox.user_starts_bot(person.id)
                await demo.core.usecases.report_in(
                    cmd.ReportIn(
                        person.account(),
                        branch_id,
                        person.name,
                        person.workplace,
                        person.workplace_branch,
                        person.skills,
                        person.commitment,
                    )
                )
            await demo.settle()
        await demo.sandbox.user_starts_bot(ADMIN.id)
        for plan in BRANCHES:
            await demo.sandbox.user_starts_bot(plan.secretary.id)
        await demo.settle()

    async def _wishes(self) -> None:
        for plan in BRANCHES:
            for wish in plan.wishes:
                card = await self._post_wish(plan, wish.text)
                self.wish_ids.append(_wish_id(card))
            self._step(hours=3)

    async def _post_wish(self, plan: BranchPlan, text: str) -> SandboxMessage:
        sandbox = self.demo.sandbox
        before = sandbox.history(plan.chat_id)[-1]
        await sandbox.user_sends(plan.secretary.id, plan.chat_id, text)
        await self.demo.settle()
        for message in sandbox.history(plan.chat_id):
            if message.message_id > before.message_id and message.from_bot and _wish_id(message) >= 0:
                return message
        raise RuntimeError(f"the bot posted no card for {text!r}")

    def _plans(self) -> list[tuple[BranchPlan, WishPlan, int]]:
        pairs = [(plan, wish) for plan in BRANCHES for wish in plan.wishes]
        return [(plan, wish, wish_id) for (plan, wish), wish_id in zip(pairs, self.wish_ids, strict=True)]

    def _member(self, plan: BranchPlan, name: str) -> DemoPerson:
        return next(m for m in plan.members if m.name == name)

    async def _claims(self) -> None:
        sandbox = self.demo.sandbox
        for plan, wish, wish_id in self._plans():
            for name in wish.claimers:
                card = self._card(plan.chat_id, wish_id)
                data = next(b["callback_data"] for b in card.buttons() if _act(b) == Act.CLAIM)
                await sandbox.user_presses(self._member(plan, name).id, card, data, within=10.0)
                await self.demo.settle()
                self._step(hours=2)

    def _card(self, chat_id: int, wish_id: int) -> SandboxMessage:
        for message in self.demo.sandbox.history(chat_id):
            if message.from_bot and _wish_id(message) == wish_id:
                return message
        raise RuntimeError(f"no card of wish {wish_id} in chat {chat_id}")

    async def _claim_id(self, person: DemoPerson, wish_id: int) -> int:
        core = self.demo.core
        assert core is not None
        async with core.store.unit() as unit:
            member = await unit.people.by_account("telegram", str(person.id))
            assert member is not None
            claim = await unit.claims.active(wish_id, member.id)
        if claim is None:
            raise RuntimeError(f"{person.name} holds no claim on wish {wish_id}")
        return claim.id

    async def _done(self) -> None:
        for plan, wish, wish_id in self._plans():
            for name, hours, note in wish.done:
                person = self._member(plan, name)
                claim_id = await self._claim_id(person, wish_id)
                await self._press_private(person, Act.DONE, claim_id)
                await self._say(person, person.id, f"{hours:g}")
                await self._say(person, person.id, note or "/skip")
                self._step(hours=5)

    async def _confirm(self) -> None:
        for plan, wish, wish_id in self._plans():
            for name in wish.confirmed:
                claim_id = await self._claim_id(self._member(plan, name), wish_id)
                await self._press_private(plan.secretary, Act.CONFIRM, claim_id)
                self._step(hours=1)

    async def _press_private(self, person: DemoPerson, act: Act, target: int) -> None:
        """The person taps a button the bot sent them privately (已完成, 确认)."""
        sandbox = self.demo.sandbox
        for message in reversed(sandbox.history(person.id)):
            for button in message.buttons():
                payload = decode(button.get("callback_data"))
                if payload is not None and payload.act == act and payload.target == target:
                    await sandbox.user_presses(person.id, message, button["callback_data"], within=10.0)
                    await self.demo.settle()
                    return
        raise RuntimeError(f"{person.name} has no {act.name} button for {target}")

    async def _logged(self) -> None:
        core = self.demo.core
        assert core is not None
        plans = {plan.name: plan for plan in BRANCHES}
        for name, branch, hours, note in LOGGED_SERVICE:
            plan = plans[branch]
            person = self._member(plan, name)
            async with core.store.unit() as unit:
                member = await unit.people.by_account("telegram", str(person.id))
            assert member is not None
            served_on = local_date(self.demo.clock.now() - timedelta(days=1), core.config.timezone)
            await core.usecases.log_service(
                cmd.LogService(plan.secretary.account(), self.branch_ids[branch], member.id, served_on, hours, note)
            )
        await self.demo.settle()

    async def _say(self, person: DemoPerson, chat_id: int, text: str) -> None:
        sandbox = self.demo.sandbox
        sent = await sandbox.user_sends(person.id, chat_id, text)
        await sandbox.wait_for_bot_message(chat_id, after=sent, within=10.0)
        await self.demo.settle()


def _act(button: dict[str, Any]) -> Act | None:
    payload = decode(button.get("callback_data"))
    return payload.act if payload is not None else None


def _wish_id(message: SandboxMessage) -> int:
    """The wish a card shows (from its claim or waitlist button), or -1."""
    for button in message.buttons():
        payload = decode(button.get("callback_data"))
        if payload is not None and payload.act in (Act.CLAIM, Act.WAITLIST, Act.WITHDRAW):
            return payload.target
    return -1
