"""`ebranch certificate`, `ebranch verify` and `ebranch points` as an operator runs them on the server (issue 15)."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bot.bootstrap import open_core
from bot.cli import main
from bot.config import load_config
from bot.domain.model import Account, ChatRef
from bot.usecases import commands as cmd
from tests.test_cli import write_config
from tests.test_records import pdf_text


def seeded(tmp_path: Path, extra: str = "") -> Path:
    """A committee, a branch, its secretary and 张小伟 with two logged (confirmed) services in 2026."""
    config_path = write_config(tmp_path)
    if extra:
        config_path.write_text(config_path.read_text(encoding="utf-8") + extra, encoding="utf-8")

    async def setup() -> None:
        async with open_core(load_config(config_path)) as core:
            app = core.usecases
            admin, secretary = Account("telegram", "1", "区委组织部"), Account("telegram", "2", "王书记")
            member = Account("telegram", "10", "张小伟")
            await app.create_committee(
                cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
            )
            created = await app.create_branch(
                cmd.CreateBranch(secretary, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
            )
            branch = created.branch  # type: ignore[union-attr]
            await app.report_in(cmd.ReportIn(secretary, branch.id, "王书记", "社区", "社区党委", (), "服务"))
            await app.report_in(cmd.ReportIn(member, branch.id, "张小伟", "市税务局", "第三党支部", (), "每月一次"))
            member_id = (await app.roles(member)).member.id  # type: ignore[union-attr]
            for day, hours, note in ((date(2026, 3, 5), 2.0, "社区防汛值守"), (date(2026, 6, 1), 1.5, "义诊")):
                await app.log_service(cmd.LogService(secretary, branch.id, member_id, day, hours, note))

    asyncio.run(setup())
    return config_path


def test_certificate_writes_pdf_and_png_and_verify_checks_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(seeded(tmp_path))]
    out = tmp_path / "证明"

    assert (
        main(
            [
                "certificate",
                *config,
                "--member",
                "张小伟",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--out",
                str(out),
            ]
        )
        == 0
    )

    said = capsys.readouterr().out
    code = re.search(r"验证码 ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", said)
    assert code is not None and "3.5 小时" in said
    pdf, png = sorted(out.glob("ZYFW-*.pdf")), sorted(out.glob("ZYFW-*.png"))
    assert len(pdf) == 1 and len(png) == 1
    text = pdf_text(pdf[0].read_bytes())
    assert "社区防汛值守" in text and "义诊" in text and "张*伟" in text and code.group(1) in text
    assert Image.open(io.BytesIO(png[0].read_bytes())).size == (1240, 1754)

    assert main(["verify", *config, code.group(1).lower()]) == 0
    assert "证明有效" in capsys.readouterr().out
    assert main(["verify", *config, "0000-0000-0000"]) == 1
    assert "查无此证明" in capsys.readouterr().err

    database = tmp_path / "data" / "ebranch.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE certificates SET content = replace(content, '义诊', '义诊和维修')")
    assert main(["verify", *config, code.group(1)]) == 1
    assert "被改动过" in capsys.readouterr().err


def test_certificate_names_an_unknown_member_and_an_empty_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(seeded(tmp_path))]

    assert main(["certificate", *config, "--member", "李四", "--from", "2026-01-01", "--to", "2026-12-31"]) == 1
    assert "没有找到党员：李四" in capsys.readouterr().err
    assert main(["certificate", *config, "--member", "张小伟", "--from", "2025-01-01", "--to", "2025-12-31"]) == 1
    assert "没有已核验或已确认的服务时长" in capsys.readouterr().err


def test_points_are_spent_only_when_enabled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    off = ["--config", str(seeded(tmp_path))]
    assert main(["points", *off, "--member", "张小伟", "--spend", "1"]) == 1
    assert "积分未启用" in capsys.readouterr().err

    on_dir = tmp_path / "on"
    on_dir.mkdir()
    on = ["--config", str(seeded(on_dir, "\n[points]\nenabled = true\nper_confirmed_hour = 2.0\n"))]
    assert main(["points", *on, "--member", "张小伟", "--spend", "3", "--note", "爱心超市"]) == 0
    assert "余额 4 分" in capsys.readouterr().out
