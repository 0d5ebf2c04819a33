"""WeCom /digest and /export end to end: encrypted callbacks, the fake WeCom API over HTTP, reports wired."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from bot.domain.model import Account
from bot.usecases import commands as cmd
from handlers.wecom.gateway import WeComGateway
from tests.fakes import eventually
from tests.test_wecom_platform import Bench
from tests.test_wecom_restarts_and_delivery import Rig, committee_and_branch, rig

__all__ = ["rig"]


@pytest.fixture
async def reports(rig: Rig, tmp_path: Path) -> Bench:
    """南湖区e党委 (admin, with its appchat) and 幸福里e支部 (secretary zhangsan, lisi reported in); reports wired."""
    bench = rig.bench
    chat = await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    branch = await bench.usecases.branch_of_chat(chat)
    assert branch is not None
    admin, zhangsan = Account("wecom", "admin", "区委组织部"), Account("wecom", "zhangsan", "张三")
    await bench.usecases.add_secretary(cmd.AddSecretary(admin, branch.id, zhangsan, by_bot_admin=True))
    return bench


def _files(bench: Bench, user_id: str) -> list[tuple[str, str, bytes]]:
    """The uploaded media (kind, file name, bytes) of every file a member received privately."""
    return [bench.fake.media[d.content["media_id"]] for d in bench.fake.inbox.get(user_id, []) if d.msgtype == "file"]


def _workbook_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)


async def test_a_committee_admin_has_the_digest_posted_to_the_committee_appchat(reports: Bench) -> None:
    bench = reports
    committee_chat = next(cid for cid, c in bench.fake.chats.items() if c.name == "南湖区e党委")
    messages = bench.fake.chats[committee_chat].messages
    before = len(messages)

    await bench.say("admin", "/digest")

    assert "正在生成本周简报" in bench.last_text("admin")
    await eventually(lambda: [m.msgtype for m in messages[before:]][-2:] == ["image", "file"], within=20)
    sent = messages[before:]
    assert "幸福里e支部" in "".join(m.content["content"] for m in sent if m.msgtype == "markdown")
    image, ledger = (bench.fake.media[m.content["media_id"]] for m in sent[-2:])
    assert image[0] == "image" and image[1].endswith(".png") and image[2].startswith(b"\x89PNG")
    assert ledger[0] == "file" and ledger[1].endswith(".xlsx") and "李四" in _workbook_text(ledger[2])
    assert [params.get("type") for path, params in bench.fake.calls if path == "media/upload"] == ["image", "file"]

    await bench.say("admin", "/digest")  # asked again within the minute: not a second digest
    assert "已在生成" in bench.last_text("admin")


async def test_export_sends_each_the_ledger_they_may_see_privately(reports: Bench) -> None:
    bench = reports

    await bench.say("zhangsan", "/export")
    await eventually(lambda: bool(_files(bench, "zhangsan")))
    kind, name, content = _files(bench, "zhangsan")[-1]
    assert kind == "file" and name.endswith(".xlsx") and "幸福里e支部" in name
    assert "台账已导出" in " ".join(bench.fake.texts("zhangsan"))
    assert "李四" in _workbook_text(content) and "幸福里e支部" in _workbook_text(content)

    await bench.say("admin", "/export")
    await eventually(lambda: bool(_files(bench, "admin")))
    _, name, content = _files(bench, "admin")[-1]
    assert "南湖区e党委" in name and "李四" in _workbook_text(content)


async def test_a_plain_member_is_refused_both(reports: Bench) -> None:
    bench = reports
    uploads = len([path for path, _ in bench.fake.calls if path == "media/upload"])

    await bench.say("lisi", "/digest")
    assert "只有e党委管理员" in bench.last_text("lisi")
    await bench.say("lisi", "/export")
    assert "只有支部书记" in bench.last_text("lisi")

    assert not _files(bench, "lisi")
    assert len([path for path, _ in bench.fake.calls if path == "media/upload"]) == uploads


async def test_help_shows_the_report_commands_to_the_right_people(reports: Bench) -> None:
    bench = reports

    async def help_of(user_id: str) -> str:
        """The whole answer to /help: WeCom takes 2,048 bytes a message, so a secretary's comes in parts."""
        before = len(bench.fake.texts(user_id))
        await bench.say(user_id, "/help")
        return "\n".join(bench.fake.texts(user_id)[before:])

    admin, zhangsan, lisi = await help_of("admin"), await help_of("zhangsan"), await help_of("lisi")
    assert "/digest" in admin and "/export" in admin
    assert "/export" in zhangsan and "/digest" not in zhangsan
    assert "/export" not in lisi and "/digest" not in lisi


async def test_a_ledger_over_the_upload_limit_is_named_in_a_note_instead(
    reports: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = reports
    monkeypatch.setattr(WeComGateway, "max_file_bytes", 1_000)

    await bench.say("admin", "/export")

    assert "超过本平台" in bench.last_text("admin") and "南湖区e党委" in bench.last_text("admin")
    assert not _files(bench, "admin")
