"""The `ebranch` command as a newcomer runs it from the README: help, migrate, import-roster, backup."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bootstrap import open_core
from bot.cli import main
from bot.config import load_config
from bot.domain.model import Account, ChatRef
from bot.usecases import commands as cmd
from storage.lock import InstanceLock

EBRANCH = Path(sys.executable).with_name("ebranch")


def write_config(folder: Path) -> Path:
    path = folder / "config.toml"
    path.write_text('[general]\ndatabase = "data/ebranch.sqlite3"\n\n[telegram]\nenabled = false\n', encoding="utf-8")
    (folder / "data").mkdir()
    return path


def test_help_lists_every_command() -> None:
    result = subprocess.run([str(EBRANCH), "--help"], capture_output=True, text=True, check=True)
    for name in ("run", "migrate", "import-roster", "backup"):
        assert name in result.stdout


def test_version() -> None:
    result = subprocess.run([str(EBRANCH), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("ebranch ")


def test_each_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("run", "migrate", "import-roster", "backup"):
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        assert "--config" in capsys.readouterr().out


def test_missing_config_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(EBRANCH), "migrate", "--config", str(tmp_path / "nope.toml")], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "nope.toml" in result.stderr


def test_migrate_creates_the_database_then_reports_it_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)

    assert main(["migrate", "--config", str(config)]) == 0
    assert "applied 0001_initial.sql" in capsys.readouterr().out
    assert main(["migrate", "--config", str(config)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_database_newer_than_the_code_refuses_to_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    main(["migrate", "--config", str(config)])
    with sqlite3.connect(tmp_path / "data" / "ebranch.sqlite3") as conn:
        conn.execute("INSERT INTO schema_version VALUES (999, '0999_future.sql', '2030-01-01')")

    assert main(["migrate", "--config", str(config)]) == 1
    assert "newer than this ebranch knows" in capsys.readouterr().err


def test_import_roster_imports_good_rows_and_names_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = write_config(tmp_path)

    async def make_branch() -> None:
        async with open_core(load_config(config_path)) as core:
            admin = Account("telegram", "1", "管理员")
            await core.usecases.create_committee(cmd.CreateCommittee(admin, "南湖区e党委", None, by_bot_admin=True))
            await core.usecases.create_branch(
                cmd.CreateBranch(admin, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
            )

    asyncio.run(make_branch())
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,手机号,工作单位,技能,服务队\n张伟,13800138000,市税务局,维修、理发,维修服务队\n李娜,12345,区医院,医疗,\n"
        "王芳,139 0013 9000,第一中学,辅导功课,\n",
        encoding="utf-8",
    )

    code = main(["import-roster", str(roster), "--branch", "幸福里e支部", "--config", str(config_path)])

    captured = capsys.readouterr()
    assert code == 1
    assert "幸福里e支部: 2 new, 0 updated, 1 rows refused" in captured.out
    assert "第 3 行" in captured.err and "12345" in captured.err
    with sqlite3.connect(tmp_path / "data" / "ebranch.sqlite3") as conn:
        phones = sorted(r[0] for r in conn.execute("SELECT phone FROM members WHERE phone IS NOT NULL"))
        team = conn.execute("SELECT t.name FROM teams t JOIN team_members tm ON tm.team_id = t.id").fetchall()
    assert phones == ["13800138000", "13900139000"]
    assert team == [("维修服务队",)]


def test_import_roster_into_an_unknown_branch_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_path = write_config(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,手机号\n张伟,13800138000\n", encoding="utf-8")

    assert main(["import-roster", str(roster), "--branch", "不存在", "--config", str(config_path)]) == 1
    assert "不存在" in capsys.readouterr().err


def test_backup_copies_a_live_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    main(["migrate", "--config", str(config)])
    live = sqlite3.connect(tmp_path / "data" / "ebranch.sqlite3")
    live.execute("INSERT INTO committees (name, created_at) VALUES ('南湖区e党委', '2026-11-23T00:00:00+00:00')")
    live.commit()
    target = tmp_path / "backups" / "copy.sqlite3"

    assert main(["backup", str(target), "--config", str(config)]) == 0
    live.close()

    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT name FROM committees").fetchall() == [("南湖区e党委",)]
    assert main(["backup", str(target), "--config", str(config)]) == 1
    assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "database", "what"),
    [
        ("migrate", "not_a_database.sqlite3", "file is not a database"),
        ("run", "no/such/folder/ebranch.sqlite3", "No such file or directory"),
        ("backup", "not_a_database.sqlite3", "file is not a database"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, command: str, database: str, what: str
) -> None:
    (tmp_path / "not_a_database.sqlite3").write_text("this is not a database", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase = "{tmp_path / database}"\n[telegram]\nenabled = true\ntoken = "1:abc"\n',
        encoding="utf-8",
    )
    extra = [str(tmp_path / "copy.sqlite3")] if command == "backup" else []
    result = subprocess.run(
        [str(EBRANCH), command, "--config", str(config), *extra], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and what in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "no").exists(), "no folder is created for a database that was misconfigured"


def test_commands_that_do_not_talk_to_a_platform_run_without_its_secrets(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase = "{tmp_path / "ebranch.sqlite3"}"\n[telegram]\nenabled = true\n[wecom]\nenabled = true\n'
        'corp_id = "ww0123456789abcdef"\nagent_id = 1000002\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EBRANCH_")}
    for command in (["migrate"], ["backup", str(tmp_path / "copy.sqlite3")]):
        done = subprocess.run(
            [str(EBRANCH), *command, "--config", str(config)], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
    refused = subprocess.run([str(EBRANCH), "run", "--config", str(config)], capture_output=True, text=True, env=env)
    assert refused.returncode == 2 and "token" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1


def _committees(database: Path) -> list[tuple[str]]:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return conn.execute("SELECT name FROM committees ORDER BY id").fetchall()


def test_a_backup_into_a_folder_is_dated_and_restore_brings_it_back_keeping_what_it_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    database = tmp_path / "data" / "ebranch.sqlite3"
    main(["migrate", "--config", str(config)])
    with contextlib.closing(sqlite3.connect(database)) as live:
        live.execute("INSERT INTO committees (name, created_at) VALUES ('南湖区e党委', '2026-11-23T00:00:00+00:00')")
        live.commit()
    assert main(["backup", str(tmp_path / "backups") + "/", "--config", str(config)]) == 0
    (copy,) = (tmp_path / "backups").glob("ebranch-*.sqlite3")
    assert re.fullmatch(r"ebranch-\d{8}-\d{6}\.sqlite3", copy.name)
    with contextlib.closing(sqlite3.connect(database)) as live:
        live.execute("INSERT INTO committees (name, created_at) VALUES ('后来的e党委', '2026-11-24T00:00:00+00:00')")
        live.commit()
    capsys.readouterr()

    assert main(["restore", str(copy), "--config", str(config)]) == 0

    assert _committees(database) == [("南湖区e党委",)]
    (kept,) = (tmp_path / "data").glob("ebranch.sqlite3.before-restore-*")
    assert _committees(kept) == [("南湖区e党委",), ("后来的e党委",)]
    assert str(kept) in capsys.readouterr().out


def test_restore_refuses_while_the_bot_runs_and_refuses_what_is_no_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    database = tmp_path / "data" / "ebranch.sqlite3"
    main(["migrate", "--config", str(config)])
    assert main(["backup", str(tmp_path / "copy.sqlite3"), "--config", str(config)]) == 0
    (tmp_path / "junk.sqlite3").write_text("not a database", encoding="utf-8")
    capsys.readouterr()

    with InstanceLock(database):
        assert main(["restore", str(tmp_path / "copy.sqlite3"), "--config", str(config)]) == 1
    assert "already served by a running ebranch" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "junk.sqlite3"), "--config", str(config)]) == 1
    assert "not a database" in capsys.readouterr().err
    assert not list((tmp_path / "data").glob("*.before-restore-*")), "nothing was replaced"


def test_export_writes_csv_for_a_csv_name_and_refuses_what_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = write_config(tmp_path)

    async def setup() -> None:
        async with open_core(load_config(config_path)) as core:
            admin = Account("telegram", "1", "区委组织部")
            await core.usecases.create_committee(
                cmd.CreateCommittee(admin, "南湖区e党委", ChatRef("telegram", "-100"), by_bot_admin=True)
            )
            await core.usecases.create_branch(
                cmd.CreateBranch(admin, "幸福里e支部", ChatRef("telegram", "-200"), None, by_bot_admin=True)
            )

    asyncio.run(setup())
    config = ["--config", str(config_path)]
    assert main(["export", *config, "--out", str(tmp_path / "台账.csv")]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert written == ["台账_党员.csv", "台账_微心愿.csv", "台账_服务记录.csv", "台账_汇总.csv"]
    assert not (tmp_path / "台账.csv").exists()
    assert "4 CSV files, one per sheet" in capsys.readouterr().out
    summary = (tmp_path / "台账_汇总.csv").read_bytes()
    assert summary.startswith(b"\xef\xbb\xbf") and b"PK" not in summary[:4]
    lines = summary.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("e支部,党员人数,已报到") and lines[1].startswith("合计,0,0,0,0,0.0%")
    assert "e党委,南湖区e党委" in lines

    assert main(["export", *config, "--out", str(tmp_path / "台账.pdf")]) == 2
    error = capsys.readouterr().err
    assert "cannot write .pdf" in error and ".xlsx" in error and ".csv" in error and "folder" in error
    assert not (tmp_path / "台账.pdf").exists()
    assert main(["export", *config, "--by-workplace", "--out", str(tmp_path / "反馈.xlsx")]) == 2
    assert "give a folder" in capsys.readouterr().err
    assert main(["export", *config, "--out", str(tmp_path / "台账.XLSX")]) == 0
    assert (tmp_path / "台账.XLSX").read_bytes()[:2] == b"PK"
