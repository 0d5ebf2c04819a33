"""The `ebranch` command as a newcomer runs it from the README: help, migrate, import-roster, backup.

Each run speaks the config's ``[general] locale``: the tests run the commands in both languages and check that
nothing of the other one slips in.
"""

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
LOCALES = ["zh", "en"]
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_TECHNICAL = frozenset(
    "ebranch setup branch committee import roster migrate backup restore export digest demo force config toml"
    " general database locale token telegram wecom enabled true false sql xlsx csv txt html png run help start"
    " share join report out workplace sqlite utf bom version botfather aae copy postgresql"
    " certificate verify points pdf yyyy spend note member".split()
)


def write_config(folder: Path, locale: str = "zh") -> Path:
    path = folder / "config.toml"
    path.write_text(
        f'[general]\ndatabase = "data/ebranch.sqlite3"\nlocale = "{locale}"\n\n[telegram]\nenabled = false\n',
        encoding="utf-8",
    )
    (folder / "data").mkdir(exist_ok=True)
    return path


def one_language(text: str, locale: str, *, names: tuple[str, ...] = ()) -> None:
    """The output is in ``locale`` only: English has no Chinese but the data's names; Chinese no English words
    but commands, keys, paths and file names."""
    for name in names:
        text = text.replace(name, "")
    words = [w for w in re.split(r"\s+", text) if "/" not in w and "." not in w and "_" not in w and "=" not in w]
    if locale == "en":
        assert not _CJK.search(" ".join(words)), text
        return
    english = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", " ".join(words))} - _TECHNICAL
    assert _CJK.search(text) and not english, (english, text)


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


@pytest.mark.parametrize("locale", LOCALES)
def test_migrate_creates_the_database_then_reports_it_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config = write_config(tmp_path, locale)

    assert main(["migrate", "--config", str(config)]) == 0
    created = capsys.readouterr().out
    assert main(["migrate", "--config", str(config)]) == 0
    current = capsys.readouterr().out

    expected = {"zh": ("已升级（0001_initial.sql", "已是最新"), "en": ("applied 0001_initial.sql", "up to date")}
    assert expected[locale][0] in created and expected[locale][1] in current
    one_language(created + current, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_database_newer_than_the_code_refuses_to_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config = write_config(tmp_path, locale)
    main(["migrate", "--config", str(config)])
    with sqlite3.connect(tmp_path / "data" / "ebranch.sqlite3") as conn:
        conn.execute("INSERT INTO schema_version VALUES (999, '0999_future.sql', '2030-01-01')")
    capsys.readouterr()

    assert main(["migrate", "--config", str(config)]) == 1
    error = capsys.readouterr().err
    assert {"zh": "比这个 ebranch 认识的（", "en": "newer than this ebranch knows"}[locale] in error
    assert {"zh": "请升级 ebranch", "en": "upgrade ebranch"}[locale] in error
    one_language(error, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_import_roster_imports_good_rows_and_names_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config_path = write_config(tmp_path, locale)

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
    summary = {
        "zh": "幸福里e支部：新增 2 人，更新 0 人，1 行未导入",
        "en": "幸福里e支部: 2 new, 0 updated, 1 rows refused",
    }
    assert summary[locale] in captured.out
    assert {"zh": "第 3 行", "en": "Line 3"}[locale] in captured.err and "12345" in captured.err
    assert {"zh": "再运行一次同样的命令", "en": "run the same command again"}[locale] in captured.err
    one_language(captured.out + captured.err, locale, names=("幸福里e支部",))
    with sqlite3.connect(tmp_path / "data" / "ebranch.sqlite3") as conn:
        phones = sorted(r[0] for r in conn.execute("SELECT phone FROM members WHERE phone IS NOT NULL"))
        team = conn.execute("SELECT t.name FROM teams t JOIN team_members tm ON tm.team_id = t.id").fetchall()
    assert phones == ["13800138000", "13900139000"]
    assert team == [("维修服务队",)]


@pytest.mark.parametrize("locale", LOCALES)
def test_import_roster_into_an_unknown_branch_says_what_to_do_and_which_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config_path = write_config(tmp_path, locale)
    setup = tmp_path / "setup.csv"
    setup.write_text("党委,支部\n南湖区e党委,幸福里e支部\n,和平里e支部\n", encoding="utf-8")
    assert main(["setup", str(setup), "--config", str(config_path)]) == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,手机号\n张伟,13800138000\n", encoding="utf-8")
    capsys.readouterr()

    assert main(["import-roster", str(roster), "--branch", "幸福", "--config", str(config_path)]) == 1

    error = capsys.readouterr().err
    expected = {
        "zh": "没有名为「幸福」的支部：请在该支部群里发送 /branch 幸福，或用 ebranch setup 创建；"
        "已有支部：幸福里e支部、和平里e支部",
        "en": "there is no branch named “幸福”: send /branch 幸福 in its group, or create it with ebranch setup;"
        " branches that exist: 幸福里e支部, 和平里e支部",
    }
    assert expected[locale] in error
    one_language(error, locale, names=("幸福里e支部", "和平里e支部", "幸福"))
    assert main(["import-roster", str(roster), "--branch", "幸福", "--committee", "北湖", "--config", str(config_path)])
    assert {"zh": "没有名为「北湖」的党委", "en": "no committee named “北湖”"}[locale] in capsys.readouterr().err


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
    ("command", "database", "locale", "what"),
    [
        ("migrate", "not_a_database.sqlite3", "en", "file is not a database"),
        ("migrate", "not_a_database.sqlite3", "zh", "这个文件不是数据库"),
        ("run", "no/such/folder/ebranch.sqlite3", "en", "No such file or directory"),
        ("run", "no/such/folder/ebranch.sqlite3", "zh", "文件或文件夹不存在"),
        ("backup", "not_a_database.sqlite3", "zh", "这个文件不是数据库"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, command: str, database: str, locale: str, what: str
) -> None:
    (tmp_path / "not_a_database.sqlite3").write_text("this is not a database", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase = "{tmp_path / database}"\nlocale = "{locale}"\n'
        '[telegram]\nenabled = true\ntoken = "1:abc"\n',
        encoding="utf-8",
    )
    extra = [str(tmp_path / "copy.sqlite3")] if command == "backup" else []
    result = subprocess.run(
        [str(EBRANCH), command, "--config", str(config), *extra], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and what in lines[0] and "Traceback" not in result.stderr, result.stderr
    one_language(result.stderr, locale)
    assert not (tmp_path / "no").exists(), "no folder is created for a database that was misconfigured"


def test_commands_that_do_not_talk_to_a_platform_run_without_its_secrets(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase = "{tmp_path / "ebranch.sqlite3"}"\n[telegram]\nenabled = true\n[wecom]\nenabled = true\n'
        'corp_id = "ww0123456789abcdef"\nagent_id = 1000002\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EBRANCH_")}
    structure = tmp_path / "setup.csv"
    structure.write_text("党委,支部\n南湖区e党委,幸福里e支部\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,手机号\n张伟,13800138000\n", encoding="utf-8")
    for command in (
        ["migrate"],
        ["backup", str(tmp_path / "copy.sqlite3")],
        ["setup", str(structure)],
        ["import-roster", str(roster), "--branch", "幸福里e支部"],
        ["export", "--committee", "南湖区e党委", "--out", str(tmp_path / "ledger.xlsx")],
        ["digest", "--committee", "南湖区e党委", "--out", str(tmp_path / "digest")],
    ):
        done = subprocess.run(
            [str(EBRANCH), *command, "--config", str(config)], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, (command, done.stderr)
    assert (tmp_path / "ledger.xlsx").read_bytes()[:2] == b"PK"
    assert any(path.suffix == ".png" for path in (tmp_path / "digest").iterdir())
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
    assert "正由一个运行中的 ebranch 使用" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "junk.sqlite3"), "--config", str(config)]) == 1
    assert "不是数据库" in capsys.readouterr().err
    assert not list((tmp_path / "data").glob("*.before-restore-*")), "nothing was replaced"


@pytest.mark.parametrize("locale", LOCALES)
def test_export_writes_csv_for_a_csv_name_and_refuses_what_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config_path = write_config(tmp_path, locale)

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
    sheets = {
        "zh": ["党员", "微心愿", "服务记录", "汇总", "结对", "走访"],
        "en": ["Members", "Micro-wishes", "Pairings", "Services", "Summary", "Visits"],
    }[locale]
    assert written == sorted(f"台账_{sheet}.csv" for sheet in sheets)
    assert not (tmp_path / "台账.csv").exists()
    out = capsys.readouterr().out
    assert {"zh": "已写入 6 个 CSV 文件，每张表一个", "en": "6 CSV files, one per sheet"}[locale] in out
    summary_sheet = {"zh": "汇总", "en": "Summary"}[locale]
    summary = (tmp_path / f"台账_{summary_sheet}.csv").read_bytes()
    assert summary.startswith(b"\xef\xbb\xbf") and b"PK" not in summary[:4]
    if locale == "zh":
        lines = summary.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("e支部,党员人数,已报到") and lines[1].startswith("合计,0,0,0,0,0.0%")
        assert "e党委,南湖区e党委" in lines

    assert main(["export", *config, "--out", str(tmp_path / "台账.pdf")]) == 2
    error = capsys.readouterr().err
    assert ".pdf" in error and ".xlsx" in error and ".csv" in error
    assert {"zh": "文件夹", "en": "folder"}[locale] in error
    assert not (tmp_path / "台账.pdf").exists()
    assert main(["export", *config, "--by-workplace", "--out", str(tmp_path / "反馈.xlsx")]) == 2
    folder = capsys.readouterr().err
    assert {"zh": "请给一个文件夹", "en": "give a folder"}[locale] in folder
    one_language(out + error + folder, locale, names=("台账", "反馈", "汇总", "党员", "微心愿", "服务记录"))
    assert main(["export", *config, "--out", str(tmp_path / "台账.XLSX")]) == 0
    assert (tmp_path / "台账.XLSX").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("locale", LOCALES)
def test_help_and_usage_errors_speak_the_configs_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str
) -> None:
    config = str(write_config(tmp_path, locale))
    with pytest.raises(SystemExit):
        main(["--config", config, "--help"])
    top = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["setup", "--help", "--config", config])
    setup = capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["import-roster", f"--config={config}"])
    usage = capsys.readouterr().err

    assert refused.value.code == 2
    assert {"zh": "用法：", "en": "usage: "}[locale] in top and "setup" in top
    assert {"zh": "书记手机号", "en": "secretary"}[locale] in setup
    required = {"zh": "缺少必需的参数：文件, --branch", "en": "the following arguments are required: FILE, --branch"}
    assert required[locale] in usage
    one_language(top + setup + usage, locale, names=("党委", "支部", "书记手机号", "书记", "姓名", "手机号"))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh", "未知的配置项 general.timezon（您是不是想写 general.timezone？）"),
        ("en", "unknown key general.timezon (did you mean general.timezone?)"),
    ],
)
def test_a_config_that_fails_its_checks_is_reported_in_the_language_it_asks_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: str, expected: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[general]\nlocale = "{locale}"\ntimezon = "Asia/Shanghai"\n', encoding="utf-8")

    assert main(["migrate", "--config", str(config)]) == 2

    error = capsys.readouterr().err
    assert expected in error and len(error.strip().splitlines()) == 1
    one_language(error, locale)


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            '[general]\nlocale = "{locale}"\nlog_level = 5\n',
            "应为带引号的文字，实际是 5",
            "expected text in quotes, got 5",
        ),
        (
            '[general]\nlocale = "{locale}"\n[scheduler]\ndigest_time = "25:00"\n',
            'scheduler.digest_time：应为 "HH:MM" 格式的时刻',
            'scheduler.digest_time: expected a time of day "HH:MM"',
        ),
        (
            '[general]\nlocale = "{locale}"\n[telegram]\ntoken = "nope"\n',
            "telegram.token：[telegram] token 中的值不是从 @BotFather 获得的机器人令牌",
            "telegram.token: the value from [telegram] token is not a bot token from @BotFather",
        ),
        (
            '[general]\nlocale = "{locale}"\ndatabase = \n',
            "第 3 行第 12 列不是有效的 TOML 写法（值无效，文字要加引号）",
            "not valid TOML at line 3, column 12 (invalid value; text needs quotes)",
        ),
    ],
)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_of_config_error_follows_the_locale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, zh: str, en: str, locale: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text.replace("{locale}", locale), encoding="utf-8")

    assert main(["run", "--config", str(config)]) == 2

    error = capsys.readouterr().err
    assert {"zh": zh, "en": en}[locale] in error, error
    one_language(error, locale)
