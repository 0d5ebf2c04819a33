"""/digest and /export end to end: the real bot against the sandbox, with the reports wired as the app wires them."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from bot.domain.model import Account
from bot.usecases import commands as cmd
from handlers.sandbox import FakeBotApi, SandboxChat, SandboxMessage
from handlers.telegram.gateway import TelegramGateway
from tests.telegram_fixtures import GROUP_ID, SECRETARY_ID, Telegram, api, bot_said, eventually, telegram

__all__ = ["api", "telegram"]

COMMITTEE_ID = -100


@pytest.fixture
async def reports(telegram: Telegram, tmp_path: Path) -> Telegram:
    """The Telegram world with the committee chat (-100) in the sandbox; the platform renders reports."""
    tg = telegram
    await tg.api.add_group(COMMITTEE_ID, "南湖区e党委", [tg.admin])
    return tg


def _workbook_text(document: SandboxMessage) -> str:
    assert document.document is not None and document.document.file_name is not None
    assert document.document.file_name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(document.document.data), read_only=True)
    return " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)


async def _document(api: FakeBotApi, chat: SandboxChat | int) -> SandboxMessage:
    found: list[SandboxMessage] = []

    def seen() -> bool:
        found[:] = [m for m in api.bot_messages(chat) if m.document is not None]
        return bool(found)

    await eventually(seen, within=15)
    return found[-1]


async def test_a_committee_admin_gets_the_digest_now_with_its_chart_and_ledger(reports: Telegram) -> None:
    tg = reports
    await tg.reported(10, "张伟")

    await tg.api.user_sends(tg.admin, COMMITTEE_ID, "/digest")

    await bot_said(tg.api, COMMITTEE_ID, "正在生成本周简报")
    document = await _document(tg.api, COMMITTEE_ID)
    photos = [m for m in tg.api.bot_messages(COMMITTEE_ID) if m.photo is not None]
    assert len(photos) == 1 and photos[0].photo is not None and photos[0].photo.data.startswith(b"\x89PNG")
    digest_text = " ".join(m.text or m.caption or "" for m in tg.api.bot_messages(COMMITTEE_ID))
    assert "幸福里e支部" in digest_text
    assert "张伟" in _workbook_text(document) and "幸福里e支部" in _workbook_text(document)


async def test_export_sends_the_ledger_each_may_see(reports: Telegram) -> None:
    tg = reports
    await tg.reported(10, "张伟")

    await tg.api.user_sends(tg.secretary, SECRETARY_ID, "/export")
    private = await _document(tg.api, SECRETARY_ID)
    assert "幸福里e支部" in (private.document.file_name or "" if private.document else "")
    assert "张伟" in _workbook_text(private)

    await tg.api.user_sends(tg.secretary, GROUP_ID, "/export")
    await bot_said(tg.api, GROUP_ID, "已私信发给您")
    await eventually(lambda: len([m for m in tg.api.bot_messages(SECRETARY_ID) if m.document]) == 2)
    assert not [m for m in tg.api.bot_messages(GROUP_ID) if m.document], "the group never gets the ledger"

    await tg.api.user_sends(tg.admin, COMMITTEE_ID, "/export")
    await bot_said(tg.api, COMMITTEE_ID, "已私信发给您")
    committee = await _document(tg.api, tg.admin.id)
    assert "南湖区e党委" in (committee.document.file_name or "" if committee.document else "")
    assert "张伟" in _workbook_text(committee)
    assert not [m for m in tg.api.bot_messages(COMMITTEE_ID) if m.document]


async def test_atrisk_in_the_group_goes_to_the_secretary_privately_and_the_group_sees_no_name(
    reports: Telegram,
) -> None:
    tg = reports
    await tg.reported(10, "张伟")
    await tg.api.user_sends(tg.secretary, GROUP_ID, "/atrisk")
    await bot_said(tg.api, GROUP_ID, "已私信发给您")
    listed = await bot_said(tg.api, SECRETARY_ID, "· 张伟")
    assert "幸福里e支部" in (listed.text or "")
    assert not [m for m in tg.api.bot_messages(GROUP_ID) if "· 张伟" in (m.text or "")]

    helper = await tg.person(20, "李娜", started=False)
    await tg.world.app.add_secretary(
        cmd.AddSecretary(tg.world.secretary, tg.world.branch.id, Account("telegram", "20", "李娜"))
    )
    await tg.api.user_sends(helper, GROUP_ID, "/atrisk")
    pointer = await bot_said(tg.api, GROUP_ID, "私聊")
    assert "张伟" not in (pointer.text or "")


async def test_a_plain_member_is_refused_both(reports: Telegram) -> None:
    tg = reports
    member = await tg.reported(10, "张伟")
    tg.api.chat(COMMITTEE_ID).members[member.id] = "member"

    assert "只有e党委管理员" in ((await tg.says(member, COMMITTEE_ID, "/digest")).content or "")
    assert "只有支部书记" in ((await tg.says(member, GROUP_ID, "/export")).content or "")
    assert "只有支部书记" in ((await tg.says(member, member.id, "/export")).content or "")
    assert not any(
        m.document or m.photo for chat in (COMMITTEE_ID, GROUP_ID, member.id) for m in tg.api.bot_messages(chat)
    )


async def test_help_and_menus_show_the_report_commands_to_the_right_people(reports: Telegram) -> None:
    tg = reports
    member = await tg.reported(10, "张伟")
    said = await tg.api.user_sends(member, tg.group, "/me")

    admin_help = (await tg.says(tg.admin, COMMITTEE_ID, "/help")).content or ""
    secretary_help = (await tg.says(tg.secretary, SECRETARY_ID, "/help")).content or ""
    member_help = (await tg.says(member, member.id, "/help")).content or ""
    assert "/digest" in admin_help and "/export" in admin_help
    assert "/export" in secretary_help and "/digest" not in secretary_help
    assert "/export" not in member_help and "/digest" not in member_help

    await tg.api.user_sends(tg.secretary, tg.group, "/secretary", reply_to=said)
    private_scope = {"type": "chat", "chat_id": 10}
    await eventually(lambda: bool(tg.api.my_commands(private_scope)))
    assert "export" in [c["command"] for c in tg.api.my_commands(private_scope)]
    group_scope = {"type": "chat_member", "chat_id": GROUP_ID, "user_id": 10}
    assert "export" in [c["command"] for c in tg.api.my_commands(group_scope)]

    await tg.api.user_sends(tg.admin, COMMITTEE_ID, "/committee 南湖区e党委")
    committee_scope = {"type": "chat_member", "chat_id": COMMITTEE_ID, "user_id": tg.admin.id}
    await eventually(lambda: bool(tg.api.my_commands(committee_scope)))
    assert {"digest", "export"} <= {c["command"] for c in tg.api.my_commands(committee_scope)}


async def test_a_ledger_over_the_upload_limit_is_named_in_a_note_and_the_digest_still_goes_out(
    reports: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = reports
    await tg.reported(10, "张伟")
    monkeypatch.setattr(TelegramGateway, "max_file_bytes", 1_000)

    await tg.api.user_sends(tg.admin, COMMITTEE_ID, "/export")
    await bot_said(tg.api, COMMITTEE_ID, "超过本平台")
    assert not [m for m in tg.api.bot_messages(COMMITTEE_ID) if m.document is not None]

    await tg.api.user_sends(tg.admin, COMMITTEE_ID, "/digest")
    digest = await bot_said(tg.api, COMMITTEE_ID, "幸福里e支部")
    assert "台账_南湖区e党委" in (digest.text or "") and "超过本平台" in (digest.text or ""), "notes replace the files"
    assert not [m for m in tg.api.bot_messages(COMMITTEE_ID) if m.document is not None or m.photo is not None]
