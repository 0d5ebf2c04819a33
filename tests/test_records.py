"""Service records through the use cases on both engines: sign-in codes and verified hours, the certificate and its
verification code, corrections and points (issue 15)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import fpdf.fonts
import pypdf
import pytest
from PIL import Image

from bot.config import RecordsConfig
from bot.domain import errors
from bot.domain.model import Account, ChatRef, ClaimStatus
from bot.domain.records import CertificateContent, CertificateLine, mask_name, read_code
from bot.flows.records import GridWorkerArgs, gridworker_args
from bot.notices.views import quarter_text
from bot.reports.certificate import render_pdf, render_png
from bot.usecases import UseCases, outcomes
from bot.usecases import commands as cmd
from bot.usecases.roster import read_roster
from tests.conftest import SHANGHAI, World, execute, query

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


async def serve(world: World, member: Account, title: str, *, checkin: bool, hours: float) -> outcomes.DoneReported:
    """Post a wish, have ``member`` claim it (checking in first when asked) and report ``hours``."""
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, f"{title} 名额3"))
    assert isinstance(posted, outcomes.WishPosted)
    wish = posted.view.wish
    claim = (await world.app.claim(cmd.ClaimWish(member, wish.id))).claim
    if checkin:
        opened = await world.app.open_signin(cmd.OpenSignin(world.secretary, wish.id, 2.0))
        await world.app.check_in(cmd.CheckIn(member, opened.code))
    return await world.app.mark_done(cmd.MarkDone(member, claim.id, hours, "做完了"))


async def test_a_checked_in_member_gets_verified_hours_without_the_secretary(world: World) -> None:
    member = await world.member("10", "张小伟")

    done = await serve(world, member, "帮王奶奶买菜", checkin=True, hours=1.5)

    assert done.verified and done.claim.status == ClaimStatus.CONFIRMED
    rows = await query(
        world.db, "SELECT provenance, confirmed, hours FROM services WHERE claim_id = ?", (done.claim.id,)
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [("verified", 1, 1.5)]
    status = await world.app.my_quarter(member)
    assert (status.verified_hours, status.confirmed_hours, status.self_reported_hours) == (1.5, 0, 0)
    assert status.recent[-1].provenance == "verified"


async def test_hours_beyond_the_activity_length_wait_for_the_secretary_then_count_as_confirmed(world: World) -> None:
    member = await world.member("10", "张小伟")

    done = await serve(world, member, "修水管", checkin=True, hours=3.0)

    assert not done.verified and done.claim.status == ClaimStatus.DONE
    assert done.reviewers == 1
    await world.app.confirm(cmd.ConfirmService(world.secretary, done.claim.id))
    rows = await query(world.db, "SELECT provenance FROM services WHERE claim_id = ?", (done.claim.id,))
    assert rows[0][0] == "confirmed"


async def test_without_a_check_in_hours_are_self_reported_until_confirmed(world: World) -> None:
    member = await world.member("10", "张小伟")

    done = await serve(world, member, "送书包", checkin=False, hours=1.0)

    rows = await query(world.db, "SELECT provenance FROM services WHERE claim_id = ?", (done.claim.id,))
    assert rows[0][0] == "self_reported"
    assert (await world.app.my_quarter(member)).self_reported_hours == 1.0


async def test_the_code_is_stored_hashed_and_expires(world: World) -> None:
    member = await world.member("10", "张小伟")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "扫雪 名额3"))
    assert isinstance(posted, outcomes.WishPosted)
    opened = await world.app.open_signin(cmd.OpenSignin(world.secretary, posted.view.wish.id))

    stored = await query(world.db, "SELECT code_hash, hours FROM signin_codes")
    assert len(opened.code) == 6 and opened.code not in stored[0][0]
    assert stored[0][1] == RecordsConfig().activity_hours
    world.clock.advance(timedelta(minutes=RecordsConfig().signin_minutes + 1))
    with pytest.raises(errors.CheckinCodeWrong):
        await world.app.check_in(cmd.CheckIn(member, opened.code))


async def test_wrong_codes_are_limited_per_person_and_the_count_survives_the_refusal(world: World) -> None:
    member = await world.member("10", "张小伟")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "扫雪 名额3"))
    assert isinstance(posted, outcomes.WishPosted)
    opened = await world.app.open_signin(cmd.OpenSignin(world.secretary, posted.view.wish.id))
    wrong = f"{(int(opened.code) + 1) % 1_000_000:06d}"

    lefts = []
    for _ in range(5):
        with pytest.raises(errors.CheckinCodeWrong) as refused:
            await world.app.check_in(cmd.CheckIn(member, wrong))
        lefts.append(refused.value.args_map["left"])
    assert lefts == [4, 3, 2, 1, 0]
    with pytest.raises(errors.CheckinLimited):
        await world.app.check_in(cmd.CheckIn(member, opened.code))
    world.clock.advance(timedelta(minutes=11))
    checked = await world.app.check_in(cmd.CheckIn(member, opened.code))
    assert checked.wish.id == posted.view.wish.id and not checked.claimed


async def test_only_secretaries_open_sign_ins_and_strangers_cannot_check_in(world: World) -> None:
    member = await world.member("10", "张小伟")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "扫雪 名额3"))
    assert isinstance(posted, outcomes.WishPosted)
    with pytest.raises(errors.NotSecretary):
        await world.app.open_signin(cmd.OpenSignin(member, posted.view.wish.id))
    opened = await world.app.open_signin(cmd.OpenSignin(world.secretary, posted.view.wish.id))
    with pytest.raises(errors.NotAMember):
        await world.app.check_in(cmd.CheckIn(Account("telegram", "999", "路人"), opened.code))


def test_codes_are_read_as_people_type_them() -> None:
    assert read_code("123 456") == "123456"
    assert read_code("１２３４５６") == "123456"
    assert read_code("12345") is None and read_code("abcdef") is None
    assert (mask_name("张三"), mask_name("欧阳小明"), mask_name("Li Ming")) == ("张*", "欧**明", "L* M***")


def pdf_text(pdf: bytes) -> str:
    """The first page's text without whitespace. pypdf reads the two-byte codes of fpdf2's CFF font (Identity
    encoding) with a NUL before each character, which it does not strip; the ToUnicode map itself is right (poppler's
    pdftotext reads the same file without them)."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return "".join(page.extract_text().replace("\x00", "").split())


async def certified_member(world: World) -> tuple[Account, outcomes.CertificateIssued]:
    member = await world.member("10", "张小伟")
    await serve(world, member, "帮王奶奶买菜", checkin=True, hours=1.5)
    done = await serve(world, member, "修水管", checkin=False, hours=2.0)
    await world.app.confirm(cmd.ConfirmService(world.secretary, done.claim.id))
    await serve(world, member, "送书包", checkin=False, hours=1.0)  # self-reported: not certified
    issued = await world.app.issue_certificate(cmd.IssueCertificate(member, None, date(2026, 1, 1), date(2026, 12, 31)))
    return member, issued


async def test_a_certificate_counts_verified_and_confirmed_hours_and_verifies(world: World) -> None:
    _, issued = await certified_member(world)

    content = issued.content
    assert content.total_hours == 3.5 and len(content.lines) == 2
    assert content.member_name == "张*伟" and content.committee == "南湖区e党委"
    assert content.number == "ZYFW-2026-001-000001"
    assert content.responsible == "王书记"
    verified = await world.app.verify_certificate(issued.code.lower().replace("-", " "))
    assert verified.content == content


async def test_verify_refuses_a_forged_code_and_an_altered_certificate(world: World) -> None:
    _, issued = await certified_member(world)
    forged = ("0000" if not issued.code.startswith("0000") else "1111") + issued.code[4:]

    with pytest.raises(errors.CertificateUnknown):
        await world.app.verify_certificate(forged)
    with pytest.raises(errors.CertificateUnknown):
        await world.app.verify_certificate("not a code")
    await execute(world.db, "UPDATE certificates SET content = replace(content, '3.5', '35.5')")
    with pytest.raises(errors.CertificateAltered):
        await world.app.verify_certificate(issued.code)


async def test_verify_refuses_content_and_digest_rewritten_together(world: World) -> None:
    _, issued = await certified_member(world)
    altered = issued.content.canonical().replace('"total_hours":3.5', '"total_hours":99')
    digest = hashlib.sha256(altered.encode()).hexdigest()
    await execute(world.db, "UPDATE certificates SET content = ?, digest = ?", (altered, digest))

    with pytest.raises(errors.CertificateAltered):
        await world.app.verify_certificate(issued.code)


async def test_the_certificate_renders_as_pdf_and_png_and_reads_back(world: World, backend: str) -> None:
    _, issued = await certified_member(world)

    pdf = render_pdf(issued.content, issued.code)
    png = render_png(issued.content, issued.code)

    text = pdf_text(pdf)
    for expected in ("志愿服务记录证明", issued.content.number, "张*伟", "帮王奶奶买菜", "修水管", "3.5", issued.code):
        assert expected in text, expected
    assert "送书包" not in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"certificate-{backend}.pdf").write_bytes(pdf)
    (ARTIFACTS / f"certificate-{backend}.png").write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("L")
    assert (image.width, image.height) == (1240, 1754)
    title_band = image.crop((0, 80, image.width, 160))
    darkest = title_band.getextrema()[0]
    assert isinstance(darkest, int) and darkest < 64  # the title is drawn in black across the top
    assert image.getpixel((5, 5)) == 255 and image.getpixel((image.width - 5, image.height - 5)) == 255
    dark = sum(image.histogram()[:128])
    assert 0.01 < dark / (image.width * image.height) < 0.3


async def test_others_than_the_member_need_to_be_their_secretary(world: World) -> None:
    member = await world.member("10", "张小伟")
    other = await world.member("11", "李四")
    await serve(world, member, "帮王奶奶买菜", checkin=True, hours=1.5)
    member_id = (await world.app.roles(member)).member.id  # type: ignore[union-attr]

    with pytest.raises(errors.NotSecretary):
        await world.app.issue_certificate(cmd.IssueCertificate(other, member_id, date(2026, 1, 1), date(2026, 12, 31)))
    by_secretary = await world.app.issue_certificate(
        cmd.IssueCertificate(world.secretary, member_id, date(2026, 1, 1), date(2026, 12, 31))
    )
    by_operator = await world.app.issue_certificate(
        cmd.IssueCertificate(None, member_id, date(2026, 1, 1), date(2026, 12, 31))
    )
    assert by_secretary.content.number != by_operator.content.number
    with pytest.raises(errors.NothingToCertify):
        await world.app.issue_certificate(cmd.IssueCertificate(other, None, date(2026, 1, 1), date(2026, 12, 31)))


async def test_a_correction_is_accepted_or_refused_and_both_stay(world: World) -> None:
    member = await world.member("10", "张小伟")
    done = await serve(world, member, "修水管", checkin=True, hours=1.0)
    record_id = (await query(world.db, "SELECT id FROM services WHERE claim_id = ?", (done.claim.id,)))[0][0]

    asked = await world.app.request_correction(cmd.RequestCorrection(member, record_id, "实际两小时", 2.0))
    assert asked.reviewers == 1
    with pytest.raises(errors.CorrectionPending):
        await world.app.request_correction(cmd.RequestCorrection(member, record_id, "再问一次"))
    with pytest.raises(errors.NotSecretary):
        await world.app.decide_correction(cmd.DecideCorrection(member, asked.correction.id, True))
    decided = await world.app.decide_correction(cmd.DecideCorrection(world.secretary, asked.correction.id, True))
    assert decided.record.hours == 2.0
    with pytest.raises(errors.CorrectionDecided):
        await world.app.decide_correction(cmd.DecideCorrection(world.secretary, asked.correction.id, False))
    again = await world.app.request_correction(cmd.RequestCorrection(member, record_id, "日期不对"))
    refused = await world.app.decide_correction(cmd.DecideCorrection(world.secretary, again.correction.id, False))
    assert refused.record.hours == 2.0

    statuses = await query(world.db, "SELECT status FROM corrections ORDER BY id")
    assert [r[0] for r in statuses] == ["accepted", "refused"]
    audit = await query(world.db, "SELECT action FROM audit_log WHERE action LIKE 'correction.%' ORDER BY id")
    assert [r[0] for r in audit] == [
        "correction.request",
        "correction.accepted",
        "correction.request",
        "correction.refused",
    ]
    with pytest.raises(errors.RecordNotFound):
        await world.app.request_correction(cmd.RequestCorrection(world.secretary, record_id, "不是我的"))


async def test_points_are_off_by_default_and_follow_the_rule_when_on(world: World) -> None:
    member = await world.member("10", "张小伟")
    await serve(world, member, "帮王奶奶买菜", checkin=True, hours=1.5)
    await serve(world, member, "送书包", checkin=False, hours=1.0)
    assert (await world.app.my_quarter(member)).points is None

    rule = RecordsConfig(points_enabled=True, points_per_verified_hour=2.0, points_per_confirmed_hour=1.0)
    app = UseCases(world.store, world.clock, SHANGHAI, records=rule)
    assert (await app.my_quarter(member)).points == 3.0
    member_id = (await app.roles(member)).member.id  # type: ignore[union-attr]
    assert await app.spend_points(member_id, 1.0, "爱心超市 牙膏") == 2.0
    assert (await app.my_quarter(member)).points == 2.0
    with pytest.raises(errors.InvalidInput):
        await app.spend_points(member_id, 5.0, "太多")


async def test_the_ledgers_members_sheet_shows_each_balance_when_points_are_on(world: World) -> None:
    import openpyxl

    from bot.reports import build_ledger_xlsx
    from storage.reports import SqlReports

    member = await world.member("10", "张小伟")
    await serve(world, member, "帮王奶奶买菜", checkin=True, hours=1.5)  # verified: 1.5 x 2
    done = await serve(world, member, "修水管", checkin=False, hours=2.0)
    await world.app.confirm(cmd.ConfirmService(world.secretary, done.claim.id))  # confirmed: 2 x 1
    await serve(world, member, "送书包", checkin=False, hours=1.0)  # self-reported: 0
    rule = RecordsConfig(points_enabled=True, points_per_verified_hour=2.0, points_per_confirmed_hour=1.0)
    app = UseCases(world.store, world.clock, SHANGHAI, reports=SqlReports(world.db), records=rule)
    member_id = (await app.roles(member)).member.id  # type: ignore[union-attr]
    await app.spend_points(member_id, 1.0, "爱心超市")

    off = await world.app.ledger_of(None, committee_id=world.branch.committee_id)
    on = await app.ledger_of(None, committee_id=world.branch.committee_id)

    sheet_off = openpyxl.load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, off.data, "zh")))["党员"]
    assert "积分" not in [c.value for c in sheet_off[1]]
    sheet = openpyxl.load_workbook(io.BytesIO(await asyncio.to_thread(build_ledger_xlsx, on.data, "zh")))["党员"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "积分"
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "张小伟")
    assert row[-1] == 4.0


async def test_verify_refuses_when_the_key_was_removed_and_makes_none(world: World) -> None:
    _, issued = await certified_member(world)
    await execute(world.db, "DELETE FROM certificate_keys")

    with pytest.raises(errors.CertificateAltered):
        await world.app.verify_certificate(issued.code)
    assert (await query(world.db, "SELECT count(*) FROM certificate_keys"))[0][0] == 0


def _content(n: int, title: str) -> CertificateContent:
    line = CertificateLine(n, date(2026, 3, 1), title, 2.0, "verified")
    return CertificateContent(
        f"ZYFW-2026-001-{n:06d}", "张*伟", "", "南湖区e党委", "幸福里e支部", date(2026, 1, 1), date(2026, 12, 31),
        (line,), 2.0, "王书记", "", date(2026, 12, 28),
    )  # fmt: skip


async def test_the_font_is_parsed_once_and_each_pdf_and_png_on_any_thread_has_its_own_glyphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses = []
    parse = fpdf.fonts.TTFFont.__init__

    def counted(self: fpdf.fonts.TTFFont, *args: Any, **kwargs: Any) -> None:
        parses.append(1)
        parse(self, *args, **kwargs)

    monkeypatch.setattr(fpdf.fonts.TTFFont, "__init__", counted)
    titles = ("为独居老人安装一键通", "陪伴卧床十九年的李阿姨", "社区防汛值守", "帮邻居修缮屋顶", "义诊", "楼道清扫")
    contents = [_content(n + 1, title) for n, title in enumerate(titles)]
    pdfs = [render_pdf(contents[0], "AAAA-BBBB-CCCC")]
    pdfs += await asyncio.gather(*(asyncio.to_thread(render_pdf, c, "AAAA-BBBB-CCCC") for c in contents[1:]))
    pngs = await asyncio.gather(*(asyncio.to_thread(render_png, c, "AAAA-BBBB-CCCC") for c in contents))

    assert len(parses) <= 1  # once per process (none when an earlier test parsed it)
    for title, pdf in zip(titles, pdfs, strict=True):
        text = pdf_text(pdf)
        assert title in text and "志愿服务记录证明" in text
        assert not any(other in text for other in titles if other != title)
    for png in pngs:
        image = Image.open(io.BytesIO(png))
        assert image.mode == "L" and (image.width, image.height) == (1240, 1754)
        assert 0.01 < sum(image.histogram()[:128]) / (image.width * image.height) < 0.3


async def test_a_grid_worker_opens_sign_in_codes_of_their_branch_and_nothing_else(world: World) -> None:
    worker = await world.member("20", "刘网格")
    present = await world.member("21", "陈志愿")
    stranger = await world.member("22", "赵路人")
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "小区巡逻 名额3"))
    assert isinstance(posted, outcomes.WishPosted)
    wish = posted.view.wish
    with pytest.raises(errors.NotSigninIssuer):
        await world.app.open_signin(cmd.OpenSignin(worker, wish.id, 2.0))
    with pytest.raises(errors.NotSecretary):
        await world.app.set_grid_worker(cmd.SetGridWorker(stranger, world.branch.id, "刘网格"))
    with pytest.raises(errors.GridWorkerUnknown):
        await world.app.set_grid_worker(cmd.SetGridWorker(world.secretary, world.branch.id, "刘 网格"))

    appointed = await world.app.set_grid_worker(cmd.SetGridWorker(world.secretary, world.branch.id, " 刘网格 "))
    again = await world.app.set_grid_worker(cmd.SetGridWorker(world.secretary, world.branch.id, "刘网格"))
    assert (appointed.appointed, appointed.changed, appointed.told) == (True, True, True)
    assert (again.appointed, again.changed) == (True, False)
    told = await query(world.db, "SELECT chat_id FROM outbox WHERE kind = 'gridworker'")
    assert [row[0] for row in told] == ["20"]

    opened = await world.app.open_signin(cmd.OpenSignin(worker, wish.id, 2.0))
    assert opened.by_grid_worker
    claim = (await world.app.claim(cmd.ClaimWish(present, wish.id))).claim
    await world.app.check_in(cmd.CheckIn(present, opened.code))
    done = await world.app.mark_done(cmd.MarkDone(present, claim.id, 1.5, "巡逻完了"))
    assert done.verified
    worker_id = (await world.get_member(worker)).id
    audit = await query(world.db, "SELECT actor_id, detail FROM audit_log WHERE action = 'signin.open'")
    assert [(row[0], json.loads(row[1])["role"]) for row in audit] == [(worker_id, "grid_worker")]
    opened_by = await query(world.db, "SELECT opened_by FROM signin_codes")
    assert [row[0] for row in opened_by] == [worker_id]

    with pytest.raises(errors.NotSecretary):  # a grid worker confirms nothing and posts nothing
        await world.app.confirm(cmd.ConfirmService(worker, claim.id))
    with pytest.raises(errors.NotSecretary):
        await world.app.post_wish(cmd.PostWish(worker, world.branch.id, "发传单 名额2"))
    with pytest.raises(errors.NotSecretary):
        await world.app.set_grid_worker(cmd.SetGridWorker(worker, world.branch.id, "陈志愿"))

    status = await world.app.my_quarter(worker)
    assert status.grid_worker_of == (world.branch.name,)
    assert f"网格员：{world.branch.name}" in quarter_text(status, "zh")
    assert (await world.app.roles(worker)).grid_worker_of == (world.branch,)
    assert [m.name for m in await world.app.grid_workers(world.secretary, world.branch.id)] == ["刘网格"]

    removed = await world.app.set_grid_worker(cmd.SetGridWorker(world.secretary, world.branch.id, "刘网格", off=True))
    assert (removed.appointed, removed.changed) == (False, True)
    with pytest.raises(errors.NotSigninIssuer):
        await world.app.open_signin(cmd.OpenSignin(worker, wish.id, 2.0))
    assert (await world.app.my_quarter(worker)).grid_worker_of == ()
    actions = await query(world.db, "SELECT action FROM audit_log WHERE action LIKE 'gridworker.%' ORDER BY id")
    assert [row[0] for row in actions] == ["gridworker.appoint", "gridworker.remove"]


async def test_a_grid_worker_of_another_branch_opens_no_code_here(world: World) -> None:
    worker = await world.member("30", "孙网格")
    async with world.store.unit() as unit:
        other = await unit.branches.create(
            world.clock.now(), world.branch.committee_id, "第二e支部", ChatRef("telegram", "-777")
        )
        member = await unit.people.by_account("telegram", "30")
        assert member is not None
        await unit.grid_workers.appoint(world.clock.now(), other, member.id, None)
    posted = await world.app.post_wish(cmd.PostWish(world.secretary, world.branch.id, "义诊 名额3"))
    assert isinstance(posted, outcomes.WishPosted)
    with pytest.raises(errors.NotSigninIssuer):
        await world.app.open_signin(cmd.OpenSignin(worker, posted.view.wish.id, 2.0))


def test_gridworker_arguments_read_the_name_and_off() -> None:
    assert gridworker_args("张三") == GridWorkerArgs("张三", False)
    assert gridworker_args("off 张三") == GridWorkerArgs("张三", True)
    assert gridworker_args("取消 张三") == GridWorkerArgs("张三", True)
    assert gridworker_args("Li Ming off") == GridWorkerArgs("Li Ming", True)
    assert gridworker_args("") is None and gridworker_args("off") is None


async def test_the_roster_import_appoints_the_grid_workers_its_column_names(world: World, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "姓名,手机号,网格,网格员\n陈静,13800138000,3号楼,是\n李强,13900139000,4号楼,\n王芳,13700137000,,√\n",
        encoding="utf-8",
    )
    rows = read_roster(path).rows
    assert [(r.grid, r.grid_worker) for r in rows] == [("3号楼", True), ("4号楼", False), ("", True)]

    await world.app.import_roster(world.branch.name, rows)
    await world.app.import_roster(world.branch.name, rows)  # again: nothing more

    workers = await world.app.grid_workers(world.secretary, world.branch.id)
    assert sorted(m.name for m in workers) == ["王芳", "陈静"]
    appointed = await query(world.db, "SELECT count(*) FROM audit_log WHERE action = 'gridworker.appoint'")
    assert appointed[0][0] == 2
