"""The `ebranch` command: run the bot, migrate, import a roster, back up; every subcommand takes --config."""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
import traceback
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.logs import redact, setup_logging
from bot.ports.chat import PlatformRefused
from storage.lock import DatabaseInUse, DatabaseUnavailable

EXIT_USAGE = 2
EXIT_FAILED = 1

Command = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


_secrets: tuple[str, ...] = ()  # the loaded config's secrets, masked in logs and in a last-resort traceback


def _config(args: argparse.Namespace, *, secrets: bool = False) -> Config:
    """The configuration; platform secrets are required only by the commands that talk to a platform."""
    global _secrets
    path = Path(args.config) if args.config else None
    config = load_config(path, secrets=secrets)
    _secrets = config_secrets(config)
    return config


def config_secrets(config: Config) -> tuple[str, ...]:
    """Every secret a configuration holds (bot token, webhook secret, WeCom secret, token and AES key)."""
    secrets: list[str | None] = []
    if config.telegram is not None:
        secrets.append(config.telegram.token)
        if config.telegram.webhook is not None:
            secrets.append(config.telegram.webhook.secret_token)
    if config.wecom is not None:
        secrets += [config.wecom.secret, config.wecom.token, config.wecom.aes_key]
    return tuple(s for s in secrets if s)


def _setup_logging(level: str) -> None:
    setup_logging(level, _secrets)


async def cmd_run(args: argparse.Namespace) -> int:
    """Start the platforms enabled in the config."""
    from bot.bootstrap import run

    config = _config(args, secrets=True)
    _setup_logging(config.log_level)
    await run(config)
    return 0


async def cmd_migrate(args: argparse.Namespace) -> int:
    """Create or upgrade the database."""
    from storage.sqlite import open_database

    config = _config(args)
    db = await open_database(config.database, migrate=False)
    try:
        applied = await db.migrate()
        version = await db.schema_version()
    finally:
        await db.close()
    if applied:
        print(f"{config.database}: applied {', '.join(applied)}; schema version {version}")
    else:
        print(f"{config.database}: up to date (schema version {version})")
    return 0


async def cmd_import_roster(args: argparse.Namespace) -> int:
    """Pre-register a branch's members from a CSV or Excel roster; bad rows are reported by line."""
    from bot.bootstrap import open_core
    from bot.domain.errors import DomainError
    from bot.notices.views import describe_error
    from bot.usecases.roster import RosterFileError, problem_text, read_roster

    config = _config(args)
    lang = config.locale
    try:
        result = read_roster(Path(args.file))
    except RosterFileError as error:
        print(error.message(lang), file=sys.stderr)
        return EXIT_FAILED
    for problem in result.problems:
        print(problem_text(problem, lang), file=sys.stderr)
    async with open_core(config) as core:
        try:
            imported = await core.usecases.import_roster(args.branch, result.rows, args.committee)
        except DomainError as error:
            print(f"{describe_error(error, lang)} ({args.branch})", file=sys.stderr)
            return EXIT_FAILED
    for line, name in imported.conflicts:
        print(f"line {line}: {name}: already registered in another branch; left unchanged", file=sys.stderr)
    print(
        f"{imported.branch.name}: {imported.created} new, {imported.updated} updated,"
        f" {len(result.problems) + len(imported.conflicts)} rows refused"
    )
    return 0 if not result.problems and not imported.conflicts else EXIT_FAILED


async def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database with SQLite's online backup (safe while the bot runs)."""
    from storage.sqlite import open_database

    config = _config(args)
    target = Path(args.path)
    if target.is_dir() or args.path.endswith(("/", os.sep)):
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"ebranch-{datetime.now().astimezone(config.timezone):%Y%m%d-%H%M%S}.sqlite3"
    if target.exists() and not args.force:
        print(f"{target} exists; pass --force to overwrite", file=sys.stderr)
        return EXIT_FAILED
    if not config.database.exists():
        print(f"{config.database}: no database yet (run: ebranch migrate)", file=sys.stderr)
        return EXIT_FAILED
    if target.exists():
        target.unlink()
    db = await open_database(config.database, migrate=False)
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(f"backed up {config.database} to {target} ({target.stat().st_size} bytes)")
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup (the bot must be stopped); the current one is kept beside it."""
    from storage.lock import InstanceLock
    from storage.sqlite import restore_backup

    config = _config(args)
    source = Path(args.file)
    if not source.is_file():
        print(f"{source}: no such backup file", file=sys.stderr)
        return EXIT_FAILED
    with InstanceLock(config.database):
        kept = await restore_backup(source, config.database)
    where = f"; the database it replaced is kept as {kept}" if kept else ""
    print(f"restored {config.database} from {source}{where}")
    return 0


async def cmd_demo(args: argparse.Namespace) -> int:
    """Run the local demo: the sandbox, the real bot on a throw-away database, and the web page."""
    from bot.demo.app import run_demo

    _setup_logging("WARNING")
    try:
        await run_demo(args.host, args.port, open_browser=not args.no_browser)
    except OSError as error:
        where = f"{args.host}:{args.port}"
        print(f"ebranch demo: cannot serve on {where} ({error.strerror}); try --port 0", file=sys.stderr)
        return EXIT_FAILED
    return 0


async def cmd_digest(args: argparse.Namespace) -> int:
    """Write a committee's digest (text, chart, ledger) to a folder, or have the bot send it to the committee chat."""
    from bot.bootstrap import open_core
    from bot.domain.errors import DomainError
    from bot.notices.views import describe_error
    from bot.reports.render import render_digest_files

    config = _config(args)
    async with open_core(config) as core:
        async with core.store.read() as unit:
            committee = await unit.committees.by_name(args.committee)
        if committee is None:
            print(f"no committee named {args.committee!r}", file=sys.stderr)
            return EXIT_FAILED
        if args.out is None:
            try:
                await core.usecases.enqueue_digest(committee.name)
            except DomainError as error:
                print(f"{describe_error(error, config.locale)} ({committee.name})", file=sys.stderr)
                return EXIT_FAILED
            print(f"{committee.name}: digest queued for its chat; the running bot sends it")
            return 0
        files = await render_digest_files(
            core.store, core.renderer.reports, committee.id, core.clock.now(), config.timezone, config.locale
        )
    assert files is not None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"digest_{committee.id}_{files.chart.filename.rsplit('_', 1)[-1].removesuffix('.png')}"
    (out / f"{stem}.txt").write_text(re.sub(r"</?[bi]>", "", html.unescape(files.text)), encoding="utf-8")
    (out / f"{stem}.html").write_text(f"<!doctype html><meta charset=utf-8><pre>{files.text}</pre>", encoding="utf-8")
    (out / files.chart.filename).write_bytes(files.chart.content)
    (out / files.ledger.filename).write_bytes(files.ledger.content)
    print(f"wrote {stem}.txt, {stem}.html, {files.chart.filename} and {files.ledger.filename} to {out}")
    return 0


def _export_kind(out: Path, *, by_workplace: bool) -> str | None:
    """What ``export --out`` names: "folder", "xlsx" or "csv"; None (said on stderr) for what it cannot write."""
    suffix = out.suffix.lower()
    if out.is_dir() or not suffix:
        return "folder"
    if by_workplace:
        print(
            f"ebranch export: --by-workplace writes one .xlsx per workplace branch; give a folder, not {out.name}",
            file=sys.stderr,
        )
        return None
    if suffix in (".xlsx", ".csv"):
        return suffix[1:]
    print(
        f"ebranch export: cannot write {suffix} files; --out takes a .xlsx file (the ledger workbook), a .csv"
        " file (one CSV per sheet beside it: NAME_汇总.csv, NAME_党员.csv, NAME_微心愿.csv, NAME_服务记录.csv)"
        " or a folder",
        file=sys.stderr,
    )
    return None


async def cmd_export(args: argparse.Namespace) -> int:
    """Write the ledger (台账) of a committee or branch, or one 双报到 feedback workbook per workplace branch."""
    from tqdm import tqdm

    from bot.bootstrap import open_core
    from bot.domain.quarters import current_quarter
    from bot.reports import build_ledger_xlsx, build_workplace_feedback_xlsx
    from bot.reports.ledger import feedback_label, write_ledger_csv

    config = _config(args)
    out = Path(args.out)
    kind = _export_kind(out, by_workplace=args.by_workplace)
    if kind is None:
        return EXIT_USAGE
    async with open_core(config) as core:
        async with core.store.read() as unit:
            committee = await unit.committees.by_name(args.committee) if args.committee else None
            if args.committee and committee is None:
                print(f"no committee named {args.committee!r}", file=sys.stderr)
                return EXIT_FAILED
            branch = (
                await unit.branches.by_name(args.branch, committee.id if committee else None) if args.branch else None
            )
            if args.branch and branch is None:
                print(f"no branch named {args.branch!r}", file=sys.stderr)
                return EXIT_FAILED
            committees = [committee] if committee else await unit.committees.all()
        if not args.by_workplace:
            if branch is None and len(committees) != 1:
                print("name the --committee (or --branch) to export", file=sys.stderr)
                return EXIT_USAGE
            ledger = await core.usecases.ledger_of(
                None, committee_id=committees[0].id if branch is None else None, branch_id=branch.id if branch else None
            )
            target = out / ledger.filename(config.locale) if kind == "folder" else out
            target.parent.mkdir(parents=True, exist_ok=True)
            if kind == "csv":
                paths = await asyncio.to_thread(write_ledger_csv, ledger.data, config.locale, target)
                print(f"wrote {len(paths)} CSV files, one per sheet (UTF-8 with BOM):")
                for path in paths:
                    print(f"  {path}")
                return 0
            target.write_bytes(await asyncio.to_thread(build_ledger_xlsx, ledger.data, config.locale))
            print(f"wrote {target}")
            return 0
        quarter = current_quarter(core.clock.now(), config.timezone)
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        for item in committees:
            found = await core.renderer.reports.workplace_feedback(
                item.id, quarter.start, quarter.end, quarter.label(config.locale), core.clock.now()
            )
            for feedback in tqdm(found, desc=item.name, unit="file", disable=len(found) < 20 or None):
                label = feedback_label(feedback, config.locale)
                stem = label if feedback.unassigned else f"{item.name}_{label}"
                name = re.sub(r"[\\/:*?\"<>|]", "_", f"{stem}_{quarter.key}.xlsx")
                (out / name).write_bytes(build_workplace_feedback_xlsx(feedback, config.locale))
                written += 1
    print(f"wrote {written} workplace feedback files to {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: $EBRANCH_CONFIG or ./config.toml)",
    )
    parser = argparse.ArgumentParser(
        prog="ebranch",
        description="e-branch bot (e党委): micro-wishes, claims and quarterly service on Telegram and WeCom.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"ebranch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="run the bot on the platforms enabled in the config")
    run.set_defaults(func=cmd_run)
    migrate = sub.add_parser("migrate", parents=[common], help="create or upgrade the database")
    migrate.set_defaults(func=cmd_migrate)
    roster = sub.add_parser("import-roster", parents=[common], help="pre-register members from a .csv or .xlsx roster")
    roster.add_argument(
        "file", metavar="FILE", help="roster file: 姓名, 手机号, 工作单位, 单位党支部, 技能, 承诺, 服务队"
    )
    roster.add_argument("--branch", required=True, metavar="NAME", help="the e-branch the members belong to")
    roster.add_argument("--committee", metavar="NAME", help="the committee, when branch names repeat")
    roster.set_defaults(func=cmd_import_roster)
    backup = sub.add_parser("backup", parents=[common], help="copy the database safely while the bot runs")
    backup.add_argument(
        "path",
        metavar="PATH",
        help="a file to write, or a folder to write a dated copy into (ebranch-DATE-TIME.sqlite3)",
    )
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", parents=[common], help="replace the database with a backup (bot stopped)")
    restore.add_argument("file", metavar="FILE", help="a copy made by ebranch backup")
    restore.set_defaults(func=cmd_restore)
    digest = sub.add_parser("digest", parents=[common], help="write or send a committee's weekly digest now")
    digest.add_argument("--committee", required=True, metavar="NAME", help="the committee (e党委)")
    digest.add_argument("--out", metavar="DIR", help="write text, chart and ledger here instead of sending")
    digest.set_defaults(func=cmd_digest)
    export = sub.add_parser(
        "export", parents=[common], help="write the ledger (台账) as .xlsx or .csv, or workplace feedback as .xlsx"
    )
    export.add_argument("--committee", metavar="NAME", help="the committee (default: the only one)")
    export.add_argument("--branch", metavar="NAME", help="only this e-branch")
    export.add_argument("--by-workplace", action="store_true", help="one 双报到 feedback file per workplace branch")
    export.add_argument(
        "--out",
        required=True,
        metavar="FILE_OR_DIR",
        help="a folder, an .xlsx file, or a .csv file: CSV holds one sheet, so x.csv writes x_汇总.csv, x_党员.csv,"
        " x_微心愿.csv and x_服务记录.csv (UTF-8 with BOM)",
    )
    export.set_defaults(func=cmd_export)
    demo = sub.add_parser("demo", help="try the bot in a browser: local chat sandbox, seeded data, no account needed")
    demo.add_argument("--port", type=int, default=8080, help="port of the web page (default 8080; 0 picks one)")
    demo.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ebranch` console script."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "config"):
        args.config = os.environ.get("EBRANCH_CONFIG")
    if getattr(args, "func", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return asyncio.run(args.func(args))
    except ConfigError as error:
        print(f"ebranch: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except (DatabaseInUse, DatabaseUnavailable, PlatformRefused) as error:
        print(f"ebranch: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:
        from telegram.error import InvalidToken

        from storage.sqlite import SchemaTooNew

        if isinstance(error, SchemaTooNew):
            print(f"ebranch: {error}", file=sys.stderr)
            return EXIT_FAILED
        if isinstance(error, InvalidToken):
            # PTB's own message repeats the token; the server's answer (its cause) does not.
            reason = redact(str(error.__cause__ or "rejected"), _secrets)
            print(
                f"ebranch: Telegram refused the bot token ({reason}); check [telegram] token / EBRANCH_TELEGRAM_TOKEN",
                file=sys.stderr,
            )
            return EXIT_FAILED
        sys.stderr.write(redact(traceback.format_exc(), _secrets))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
