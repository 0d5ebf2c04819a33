"""WeCom end to end (issue 15): the secretary's /signin code and its QR image, members' /签到, verified hours on
report; /证明 sent as a PDF file and a PNG image and checked by /verify; /更正 and the secretary's 接受更正 card
button; a grid worker (/网格员) opening a sign-in code. On both engines."""

from __future__ import annotations

import io
import re
from functools import partial
from typing import Any

from PIL import Image

from bot.notices.callbacks import Act, encode
from bot.reports.certificate import render_qr
from tests.fakes import eventually
from tests.test_records import ARTIFACTS, pdf_text
from tests.test_wecom_platform import Bench, bench
from tests.test_wecom_restarts_and_delivery import committee_and_branch, find_card, has_card

__all__ = ["bench"]


async def claimed_and_signed_in(bench: Bench) -> str:
    """张三 and 李四 report in; wish 1 is posted and 张三 claims it; the admin (its secretary) opens a sign-in."""
    await committee_and_branch(bench, "zhangsan", "lisi")
    await bench.say("lisi", "/报到 市税务局 | 维修 | 每月服务一次")
    await bench.say("zhangsan", "/报到 区教育局 | 助学 | 每周一次")
    await bench.say("admin", "#微心愿 帮独居老人买年货 名额2")
    await eventually(partial(has_card, bench, "zhangsan", encode(Act.CLAIM, 1)))
    task_id, _, key = find_card(bench, "zhangsan", encode(Act.CLAIM, 1))
    await bench.press("zhangsan", task_id, key)
    await eventually(lambda: has_card(bench, "zhangsan", "1:d:"))
    await bench.say("admin", "/signin 1 2小时")
    await eventually(lambda: images_to(bench, "admin") == 1)  # the QR follows the code
    found = re.search(r"签到码：\**(\d{6})", bench.last_text("admin"))
    assert found is not None, bench.last_text("admin")
    return found.group(1)


def images_to(bench: Any, user_id: str) -> int:
    """How many image messages a member has been sent."""
    return sum(1 for d in bench.fake.inbox.get(user_id, []) if d.msgtype == "image")


async def report_done(bench: Bench, hours: str) -> str:
    task_id, _, done_key = find_card(bench, "zhangsan", "1:d:")
    await bench.press("zhangsan", task_id, done_key)
    await eventually(lambda: "请回复本次服务时长" in bench.last_text("zhangsan"))
    await bench.say("zhangsan", hours)
    await eventually(lambda: "/skip" in bench.last_text("zhangsan"))
    await bench.say("zhangsan", "/skip")
    await eventually(lambda: "已报告完成" in bench.last_text("zhangsan"))
    return bench.last_text("zhangsan")


async def test_a_member_checks_in_and_the_hours_are_verified(bench: Bench) -> None:
    code = await claimed_and_signed_in(bench)

    await bench.say("lisi", "签到 000000" if code != "000000" else "签到 111111")
    assert "签到码不对" in bench.last_text("lisi")
    await bench.say("zhangsan", f"/签到 {code}")
    assert "已签到" in bench.last_text("zhangsan")

    said = await report_done(bench, "1.5小时")
    assert "时长已核验" in said, [(d.msgtype, str(d.content)[:200]) for d in bench.fake.inbox["zhangsan"][-3:]]
    await bench.say("zhangsan", "/me")
    assert "现场核验 1.5 小时" in bench.last_text("zhangsan")


async def test_a_certificate_is_sent_as_files_verifies_and_a_correction_is_accepted(bench: Bench) -> None:
    code = await claimed_and_signed_in(bench)
    await bench.say("zhangsan", f"签到 {code}")
    await report_done(bench, "2小时")

    before = set(bench.fake.media)
    await bench.say("zhangsan", "/证明")
    await eventually(lambda: len(set(bench.fake.media) - before) == 2, within=60)  # rendering takes seconds
    caption = next(text for text in bench.fake.texts("zhangsan") if "志愿服务记录证明" in text)
    files = {kind: data for kind, _, data in (bench.fake.media[m] for m in set(bench.fake.media) - before)}
    assert "帮独居老人买年货" in pdf_text(files["file"])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate-wecom.png").write_bytes(files["image"])
    assert Image.open(io.BytesIO(files["image"])).size == (1240, 1754)
    verification = re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", caption)
    assert verification is not None
    await bench.say("admin", f"/verify {verification.group(1)}")
    assert "证明有效" in bench.last_text("admin")
    await bench.say("admin", "/核验 ZZZZ-ZZZZ-ZZZZ")
    assert "查无此证明" in bench.last_text("admin")

    await bench.say("zhangsan", "/me")
    record = re.search(r"第(\d+)号", bench.last_text("zhangsan"))
    assert record is not None
    await bench.say("zhangsan", f"/更正 {record.group(1)} 2.5 实际两个半小时")
    assert "已提交" in bench.last_text("zhangsan")
    accept = encode(Act.CORRECTION_ACCEPT, 1)
    await eventually(lambda: has_card(bench, "admin", accept))
    task_id, _, key = find_card(bench, "admin", accept)
    await bench.press("admin", task_id, key)
    await eventually(lambda: any("已被接受" in text for text in bench.fake.texts("zhangsan")))
    await bench.say("zhangsan", "/me")
    assert "2.5小时" in bench.last_text("zhangsan")


async def test_the_sign_in_code_comes_with_its_qr_as_an_uploaded_image(bench: Bench) -> None:
    code = await claimed_and_signed_in(bench)

    def images() -> list[Any]:
        return [d for d in bench.fake.inbox["admin"] if d.msgtype == "image"]

    await eventually(lambda: len(images()) == 1)
    assert len(images()) == 1
    kind, filename, data = bench.fake.media[images()[0].content["media_id"]]
    assert (kind, filename) == ("image", "signin-1.png")
    assert data == render_qr(f"签到 {code}")  # the QR of the text a member sends
    qr = Image.open(io.BytesIO(data))
    assert qr.width == qr.height and qr.width > 200
    assert any("扫下方二维码" in text for text in bench.fake.texts("admin"))


async def test_a_grid_worker_appointed_on_wecom_opens_a_sign_in_code(bench: Bench) -> None:
    await claimed_and_signed_in(bench)
    await bench.say("lisi", "/signin 1 2小时")
    assert "网格员" in bench.last_text("lisi")  # refused: not appointed yet

    await bench.say("admin", "/网格员 李四")
    assert "已任命 李四" in bench.last_text("admin")
    await eventually(lambda: any("您已被任命为幸福里e支部网格员" in t for t in bench.fake.texts("lisi")))
    await bench.say("lisi", "/help")
    assert "/signin" in bench.last_text("lisi") and "/网格员" not in bench.last_text("lisi")
    await bench.say("lisi", "/me")
    assert "网格员：幸福里e支部" in bench.last_text("lisi")
    await bench.say("lisi", "/signin 1 2小时")
    await eventually(lambda: images_to(bench, "lisi") == 1)
    found = re.search(r"签到码：\**(\d{6})", next(t for t in reversed(bench.fake.texts("lisi")) if "签到码" in t))
    assert found is not None
    await bench.say("zhangsan", f"签到 {found.group(1)}")
    assert "已签到" in bench.last_text("zhangsan")
    await bench.say("lisi", "#微心愿 发传单 名额2")
    assert "只有支部书记" in bench.last_text("lisi")

    await bench.say("admin", "/网格员 取消 李四")
    assert "已取消 李四" in bench.last_text("admin")
    await bench.say("lisi", "/signin 1 2小时")
    assert "只有本支部书记或网格员" in bench.last_text("lisi")
