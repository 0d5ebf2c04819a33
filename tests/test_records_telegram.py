"""Telegram end to end (issue 15): a secretary's /signin code and QR link, members checking in by /checkin, 签到 and
the link, verified hours in /me; /certificate sent as PDF and PNG and checked by /verify; /correct and the
secretary's 接受更正 button."""

from __future__ import annotations

import io
import re

from PIL import Image

from handlers.sandbox import SandboxMessage, SandboxUser
from tests.telegram_fixtures import GROUP_ID, Telegram, api, bot_said, button, eventually, telegram
from tests.test_records import ARTIFACTS, pdf_text
from tests.test_telegram_claims_reviews_and_delivery import posted_card

__all__ = ["api", "telegram"]


async def claimed(tg: Telegram, member: SandboxUser, card: SandboxMessage) -> SandboxMessage:
    await tg.api.user_presses(member, card, button(card, "认领"))
    return await bot_said(tg.api, member.id, "您已认领微心愿")


async def signin_code(tg: Telegram, wish_id: int) -> tuple[str, SandboxMessage]:
    """The secretary opens a sign-in in the group; the code comes privately, as a QR photo with the link."""
    await tg.api.user_sends(tg.secretary, GROUP_ID, f"/signin {wish_id} 2小时")
    sent = await bot_said(tg.api, tg.secretary.id, "现场签到码")
    found = re.search(r"签到码：(\d{6})", sent.caption or sent.text or "")
    assert found is not None
    return found.group(1), sent


async def reported_done(tg: Telegram, member: SandboxUser, private: SandboxMessage, hours: str) -> SandboxMessage:
    await tg.api.user_presses(member, private, button(private, "已完成"))
    await bot_said(tg.api, member.id, "请回复本次服务时长")
    await tg.says(member, member.id, hours)
    await tg.api.user_sends(member, member.id, "/skip")
    return await bot_said(tg.api, member.id, "已报告完成微心愿")


async def test_checked_in_members_get_verified_hours_and_see_them_in_me(telegram: Telegram) -> None:
    tg = telegram
    first, second, third = await tg.reported(10, "张小伟"), await tg.reported(11, "李四"), await tg.reported(12, "王五")
    card = await posted_card(tg, "陪老人看病 名额3", 3)
    privates = [await claimed(tg, m, card) for m in (first, second, third)]

    code, sent = await signin_code(tg, 1)

    assert sent.photo is not None
    qr = Image.open(io.BytesIO(sent.photo.data))
    assert qr.width == qr.height and qr.width > 200
    assert f"start=k{code}" in (sent.caption or "")
    assert not any(code in (m.text or "") for m in tg.api.bot_messages(GROUP_ID))
    assert "已签到" in (await tg.says(first, first.id, f"/checkin {code}")).text  # type: ignore[operator]
    assert "已签到" in (await tg.says(second, second.id, f"签到 {code}")).text  # type: ignore[operator]
    assert "已签到" in (await tg.says(third, third.id, f"/start k{code}")).text  # type: ignore[operator]

    done = await reported_done(tg, first, privates[0], "1.5小时")
    assert "时长已核验" in (done.text or "")
    over = await reported_done(tg, second, privates[1], "3小时")
    assert "等待支部书记确认" in (over.text or "")
    await bot_said(tg.api, tg.secretary.id, "李四")
    me = await tg.says(first, first.id, "/me")
    assert "现场核验 1.5 小时" in (me.text or "") and "（现场核验）" in (me.text or "")


async def test_wrong_codes_are_refused_then_limited(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张小伟")
    await posted_card(tg, "陪老人看病 名额3", 3)
    code, _ = await signin_code(tg, 1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [(await tg.says(member, member.id, f"/checkin {wrong}")).text or "" for _ in range(5)]

    assert "还可再试 4 次" in answers[0] and "还可再试 0 次" in answers[4]
    limited = await tg.says(member, member.id, f"/checkin {code}")
    assert "分钟后再试" in (limited.text or "")


async def test_a_member_gets_a_certificate_that_verifies_and_asks_a_correction(telegram: Telegram) -> None:
    tg = telegram
    member = await tg.reported(10, "张小伟")
    card = await posted_card(tg, "陪老人看病 名额3", 3)
    private = await claimed(tg, member, card)
    code, _ = await signin_code(tg, 1)
    await tg.says(member, member.id, f"/checkin {code}")
    await reported_done(tg, member, private, "2小时")

    await tg.api.user_sends(member, member.id, "/certificate")
    caption = await bot_said(tg.api, member.id, "志愿服务记录证明 ZYFW-", within=60)  # rendering takes seconds

    await eventually(lambda: len([m for m in tg.api.bot_messages(member.id) if m.document is not None]) == 2, 30)
    documents = [m.document for m in tg.api.bot_messages(member.id) if m.document is not None]
    pdf, png = documents[-2], documents[-1]
    assert pdf is not None and png is not None
    assert "陪老人看病" in pdf_text(pdf.data) and "张*伟" in pdf_text(pdf.data)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate-telegram.png").write_bytes(png.data)
    assert Image.open(io.BytesIO(png.data)).size == (1240, 1754)
    verification = re.search(r"验证码 ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", caption.caption or "")
    assert verification is not None
    ok = await tg.says(tg.admin, tg.admin.id, f"/verify {verification.group(1)}")
    assert "证明有效" in (ok.text or "") and "2 小时" in (ok.text or "")
    forged = await tg.says(tg.admin, tg.admin.id, "/verify AAAA-BBBB-CCCC")
    assert "查无此证明" in (forged.text or "")

    record = re.search(r"第(\d+)号", (await tg.says(member, member.id, "/me")).text or "")
    assert record is not None
    asked = await tg.says(member, member.id, f"/correct {record.group(1)} 2.5 实际两个半小时")
    assert "已提交" in (asked.text or "")
    request = await bot_said(tg.api, tg.secretary.id, "申请更正")
    await tg.api.user_presses(tg.secretary, request, button(request, "接受更正"))
    await bot_said(tg.api, member.id, "已被接受")
    await eventually(lambda: "已接受更正" in (request.text or ""))
    me = await tg.says(member, member.id, "/me")
    assert "2.5小时" in (me.text or "")


async def test_a_grid_worker_appointed_in_the_group_opens_a_sign_in_code_privately(telegram: Telegram) -> None:
    tg = telegram
    worker, member = await tg.reported(11, "李四"), await tg.reported(12, "王五")
    card = await posted_card(tg, "小区巡逻 名额3", 3)
    await claimed(tg, member, card)
    refused = await tg.says(worker, worker.id, "/signin 1 2小时")
    assert "只有本支部书记或网格员" in (refused.text or "")

    appointed = await tg.says(tg.secretary, GROUP_ID, "/gridworker 李四")
    assert "已任命 李四 为幸福里e支部网格员" in (appointed.text or "")
    await bot_said(tg.api, worker.id, "您已被任命为幸福里e支部网格员")
    me = await tg.says(worker, worker.id, "/me")
    assert "网格员：幸福里e支部" in (me.text or "")
    shown = await tg.says(worker, worker.id, "/help")
    assert "/signin" in (shown.text or "") and "/gridworker" not in (shown.text or "")

    await tg.api.user_sends(worker, worker.id, "/signin 1 2小时")
    sent = await bot_said(tg.api, worker.id, "请参加的党员发送")
    found = re.search(r"签到码：(\d{6})", sent.caption or sent.text or "")
    assert found is not None and sent.photo is not None, (sent.text, sent.caption)
    assert "已签到" in ((await tg.says(member, member.id, f"/checkin {found.group(1)}")).text or "")
    posting = await tg.says(worker, worker.id, "/wish 发传单 名额2")
    assert "只有支部书记" in (posting.text or "")

    removed = await tg.says(tg.secretary, GROUP_ID, "/网格员 off 李四")
    assert "已取消 李四 的幸福里e支部网格员身份" in (removed.text or "")
    again = await tg.says(worker, worker.id, "/signin 1 2小时")
    assert "只有本支部书记或网格员" in (again.text or "")
