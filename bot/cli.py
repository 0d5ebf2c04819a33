"""The `ebranch` command: run the bot, migrate, set up, import a roster, back up; every subcommand takes --config.

Everything it prints follows ``[general] locale`` of the config (Chinese unless it says "en"), argparse's own words
included; a config that cannot be loaded is still reported in the language it asks for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import os
import re
import sys
import traceback
from collections.abc import Callable, Coroutine, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import __version__
from bot.config import CONFIG_ENV, Config, ConfigError, configured_locale, load_config
from bot.config.loading import redacted
from bot.i18n import LocalizedError, Phrase, reason, t
from bot.logs import redact, setup_logging

if TYPE_CHECKING:
    from bot.bootstrap import Core
    from bot.domain.model import Branch, Committee

EXIT_USAGE = 2
EXIT_FAILED = 1
MAX_NAMES_SHOWN = 12

Command = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


_secrets: tuple[str, ...] = ()  # the loaded config's secrets, masked in logs and in a last-resort traceback
_lang = "zh"  # the language of this run: the config's [general] locale


def _config(args: argparse.Namespace, *, secrets: bool = False) -> Config:
    """The configuration; platform secrets are required only by the commands that talk to a platform."""
    global _secrets, _lang
    path = Path(args.config) if args.config else None
    config = load_config(path, secrets=secrets)
    _secrets = config_secrets(config)
    _lang = config.locale
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


def say(key: str, /, **args: object) -> None:
    """Print one line of the run's output in its language."""
    print(t(key, _lang, **args))


def complain(key: str, /, **args: object) -> None:
    """Print one line on stderr in the run's language: what went wrong and what to do."""
    print(t(key, _lang, **args), file=sys.stderr)


def shown(database: Path | str) -> str:
    """A configured database as a message may name it: a file's path, or a URL without its password."""
    return redacted(database) if isinstance(database, str) else str(database)


def names_of(names: Sequence[str]) -> Phrase | str:
    """A list of names to show, shortened when long; "(none yet)" when empty."""
    if not names:
        return Phrase.of("cli.none")
    sep = t("list.sep", _lang)
    if len(names) <= MAX_NAMES_SHOWN:
        return sep.join(names)
    return Phrase.of("cli.more", names=sep.join(names[:MAX_NAMES_SHOWN]), n=len(names))


async def find_committee(core: Core, name: str) -> Committee | None:
    """The committee of this name, or None after saying which exist and how to create it."""
    async with core.store.read() as unit:
        committees = await unit.committees.all()
    found = next((c for c in committees if c.name == name), None)
    if found is None:
        complain("cli.no_committee", name=name, known=names_of([c.name for c in committees]))
    return found


async def find_branch(core: Core, name: str, committee_name: str | None) -> tuple[Branch, Committee] | None:
    """The branch of this name (in the named committee), or None after saying why: none of that name (with those
    that exist and how to create it) or several (with the committees to choose from)."""
    committee = await find_committee(core, committee_name) if committee_name else None
    if committee_name and committee is None:
        return None
    async with core.store.read() as unit:
        committees = [committee] if committee else await unit.committees.all()
        branches = [(b, c) for c in committees for b in await unit.branches.of_committee(c.id)]
    named = [(b, c) for b, c in branches if b.name == name]
    if not named:
        known = names_of([b.name for b, _ in branches])
        if committee is not None:
            complain("cli.no_branch_in", name=name, committee=committee.name, known=known)
        else:
            complain("cli.no_branch", name=name, known=known)
        return None
    if len(named) > 1:
        complain("cli.branch_ambiguous", name=name, n=len(named), committees=names_of([c.name for _, c in named]))
        return None
    return named[0]


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
    from storage.engine import open_engine

    config = _config(args)
    db = await open_engine(config.database, migrate=False)
    try:
        applied = await db.migrate()
        version = await db.schema_version()
    finally:
        await db.close()
    if applied:
        say("cli.migrate.applied", db=shown(config.database), names=", ".join(applied), version=version)
    else:
        say("cli.migrate.current", db=shown(config.database), version=version)
    return 0


async def cmd_setup(args: argparse.Namespace) -> int:
    """Create committees, branches (without a chat yet) and their secretaries from a file; all or nothing."""
    from bot.bootstrap import open_core
    from bot.usecases.structure import read_structure

    config = _config(args)
    path = Path(args.file)
    result = read_structure(path)
    for problem in result.problems:
        print(problem.text(_lang), file=sys.stderr)
    if result.problems:
        complain("cli.setup.refused", n=len(result.problems), file=args.file)
        return EXIT_FAILED
    if not result.rows:
        complain("cli.setup.empty", file=path.name)
        return EXIT_FAILED
    async with open_core(config) as core:
        done = await core.usecases.set_up_structure(result.rows)
    for where, phone, known in done.notes:
        say("cli.setup.note", where=where, phone=phone, known=known)
    say(
        "cli.setup.summary",
        file=path.name,
        c_new=done.committees_created,
        b_new=done.branches_created,
        s_new=done.secretaries_added,
        c_old=done.committees_existing,
        b_old=done.branches_existing,
        s_old=done.secretaries_existing,
    )
    if done.new_people:
        say("cli.setup.new_people", n=done.new_people)
    if done.waiting:
        say("cli.setup.waiting", n=len(done.waiting), names=names_of([branch for _, branch in done.waiting]))
    say("cli.setup.next")
    return 0


async def cmd_import_roster(args: argparse.Namespace) -> int:
    """Pre-register a branch's members from a CSV or Excel roster; bad rows are reported by line."""
    from bot.bootstrap import open_core
    from bot.usecases.roster import problem_text, read_roster

    config = _config(args)
    result = read_roster(Path(args.file))
    for problem in result.problems:
        print(problem_text(problem, _lang), file=sys.stderr)
    async with open_core(config) as core:
        found = await find_branch(core, args.branch, args.committee)
        if found is None:
            return EXIT_FAILED
        branch, committee = found
        imported = await core.usecases.import_roster(branch.name, result.rows, committee.name)
    for line, name in imported.conflicts:
        complain("cli.roster.conflict", line=line, name=name)
    refused = len(result.problems) + len(imported.conflicts)
    say(
        "cli.roster.summary",
        branch=imported.branch.name,
        created=imported.created,
        updated=imported.updated,
        refused=refused,
    )
    if imported.branch.chat is None:
        say("cli.roster.no_chat", branch=imported.branch.name)
    if refused:
        complain("cli.roster.fix")
    return 0 if not refused else EXIT_FAILED


async def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database with SQLite's online backup (safe while the bot runs)."""
    from storage.sqlite import open_database

    config = _config(args)
    if isinstance(config.database, str):
        complain("cli.backup.postgres", db=shown(config.database))
        return EXIT_FAILED
    target = Path(args.path)
    if target.is_dir() or args.path.endswith(("/", os.sep)):
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"ebranch-{datetime.now().astimezone(config.timezone):%Y%m%d-%H%M%S}.sqlite3"
    if target.exists() and not args.force:
        complain("cli.backup.exists", target=target)
        return EXIT_FAILED
    if not config.database.exists():
        complain("cli.backup.no_database", db=config.database)
        return EXIT_FAILED
    if target.exists():
        target.unlink()
    db = await open_database(config.database, migrate=False)
    try:
        await db.backup(target)
    finally:
        await db.close()
    say("cli.backup.done", db=config.database, target=target, size=target.stat().st_size)
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup (the bot must be stopped); the current one is kept beside it."""
    from storage.lock import InstanceLock
    from storage.sqlite import restore_backup

    config = _config(args)
    if isinstance(config.database, str):
        complain("cli.backup.postgres", db=shown(config.database))
        return EXIT_FAILED
    source = Path(args.file)
    if not source.is_file():
        complain("cli.restore.no_file", file=source)
        return EXIT_FAILED
    with InstanceLock(config.database):
        kept = await restore_backup(source, config.database)
    where = Phrase.of("cli.restore.kept", path=kept) if kept else ""
    say("cli.restore.done", db=config.database, file=source, kept=where)
    return 0


async def cmd_copy_db(args: argparse.Namespace) -> int:
    """Copy a SQLite database's data into an empty PostgreSQL database, checked; all or nothing."""
    from storage.copy import copy_database
    from storage.dialect import is_postgres_url

    if not is_postgres_url(args.to):
        complain("cli.error", message=Phrase.of("copydb.target_not_postgres", target=shown(args.to)))
        return EXIT_USAGE
    if args.source is not None:
        with contextlib.suppress(ConfigError):
            _config(args)
        source = Path(args.source)
    else:
        config = _config(args)
        if isinstance(config.database, str):
            complain("cli.error", message=Phrase.of("copydb.no_from", db=shown(config.database)))
            return EXIT_USAGE
        source = config.database
    say("copydb.starting", source=source, target=shown(args.to))
    report = await copy_database(source, args.to)
    if report.upgraded:
        say("copydb.upgraded", source=source, old=report.source_version, version=report.version)
    for table in report.tables:
        say("copydb.table", table=table.name, rows=table.target_rows)
    say("copydb.done", target=report.target, rows=report.rows, tables=len(report.tables), version=report.version)
    say("copydb.next")
    return 0


async def cmd_demo(args: argparse.Namespace) -> int:
    """Run the local demo: the sandbox, the real bot on a throw-away database, and the web page."""
    from bot.demo.app import run_demo

    _setup_logging("WARNING")
    try:
        await run_demo(args.host, args.port, open_browser=not args.no_browser, lang=_lang)
    except OSError as error:
        complain("cli.demo.cannot_serve", where=f"{args.host}:{args.port}", reason=reason(error.strerror or ""))
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
        committee = await find_committee(core, args.committee)
        if committee is None:
            return EXIT_FAILED
        if args.out is None:
            try:
                await core.usecases.enqueue_digest(committee.name)
            except DomainError as error:
                print(f"{describe_error(error, _lang)} ({committee.name})", file=sys.stderr)
                return EXIT_FAILED
            say("cli.digest.queued", name=committee.name)
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
    written = [f"{stem}.txt", f"{stem}.html", files.chart.filename, files.ledger.filename]
    say("cli.digest.wrote", files=t("list.sep", _lang).join(written), out=out)
    return 0


def _export_kind(out: Path, *, by_workplace: bool) -> str | None:
    """What ``export --out`` names: "folder", "xlsx" or "csv"; None (said on stderr) for what it cannot write."""
    suffix = out.suffix.lower()
    if out.is_dir() or not suffix:
        return "folder"
    if by_workplace:
        complain("cli.export.folder_for_workplaces", name=out.name)
        return None
    if suffix in (".xlsx", ".csv"):
        return suffix[1:]
    complain("cli.export.bad_suffix", suffix=suffix)
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
        branch: Branch | None = None
        if args.branch:
            found = await find_branch(core, args.branch, args.committee)
            if found is None:
                return EXIT_FAILED
            branch, committee = found
            committees = [committee]
        elif args.committee:
            named = await find_committee(core, args.committee)
            if named is None:
                return EXIT_FAILED
            committees = [named]
        else:
            async with core.store.read() as unit:
                committees = await unit.committees.all()
        if not args.by_workplace:
            if branch is None and len(committees) != 1:
                complain("cli.export.which", known=names_of([c.name for c in committees]))
                return EXIT_USAGE
            ledger = await core.usecases.ledger_of(
                None, committee_id=committees[0].id if branch is None else None, branch_id=branch.id if branch else None
            )
            target = out / ledger.filename(config.locale) if kind == "folder" else out
            target.parent.mkdir(parents=True, exist_ok=True)
            if kind == "csv":
                paths = await asyncio.to_thread(write_ledger_csv, ledger.data, config.locale, target)
                say("cli.export.csv", n=len(paths))
                for path in paths:
                    print(f"  {path}")
                return 0
            target.write_bytes(await asyncio.to_thread(build_ledger_xlsx, ledger.data, config.locale))
            say("cli.export.wrote", path=target)
            return 0
        quarter = current_quarter(core.clock.now(), config.timezone)
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        for item in committees:
            feedbacks = await core.renderer.reports.workplace_feedback(
                item.id, quarter.start, quarter.end, quarter.label(config.locale), core.clock.now()
            )
            for feedback in tqdm(feedbacks, desc=item.name, unit="file", disable=len(feedbacks) < 20 or None):
                label = feedback_label(feedback, config.locale)
                stem = label if feedback.unassigned else f"{item.name}_{label}"
                name = re.sub(r"[\\/:*?\"<>|]", "_", f"{stem}_{quarter.key}.xlsx")
                (out / name).write_bytes(build_workplace_feedback_xlsx(feedback, config.locale))
                written += 1
    say("cli.export.feedback", n=written, out=out)
    return 0


# -- service records: certificates, verification, points (issue 15) -------------------------------------------


def _day(text: str) -> datetime:
    """A YYYY-MM-DD argument."""
    return datetime.strptime(text, "%Y-%m-%d")


async def _member_id(core: Core, wanted: str) -> int | None:
    """The member a ``--member`` names: an id, a phone on file, or a name only one member has; says why not."""
    from bot.domain.privacy import normalize_phone

    async with core.store.read() as unit:
        phone = normalize_phone(wanted)
        if phone is not None:
            found = await unit.people.by_phone(phone)
            if found is not None:
                return found.id
        if wanted.isdigit() and len(wanted) <= 10:
            found = await unit.people.get(int(wanted))
            if found is not None:
                return found.id
        named: dict[int, str] = {}
        for committee in await unit.committees.all():
            for branch in await unit.branches.of_committee(committee.id):
                for member in await unit.people.of_branch(branch.id):
                    if member.name == wanted.strip() and member.left_at is None:
                        named[member.id] = member.name
    if len(named) == 1:
        return next(iter(named))
    if named:
        complain("cli.certificate.many", member=wanted, ids=", ".join(str(i) for i in sorted(named)))
    else:
        complain("cli.certificate.no_member", member=wanted)
    return None


async def cmd_certificate(args: argparse.Namespace) -> int:
    """``ebranch certificate --member M --from D --to D [--out DIR]``: issue a certificate, write its PDF and PNG."""
    from bot.bootstrap import open_core
    from bot.domain.errors import DomainError
    from bot.notices.views import describe_error
    from bot.reports.certificate import render_pdf, render_png
    from bot.usecases import commands as cmd

    config = _config(args)
    out = Path(args.out or ".")
    async with open_core(config) as core:
        member_id = await _member_id(core, args.member)
        if member_id is None:
            return EXIT_FAILED
        try:
            issued = await core.usecases.issue_certificate(
                cmd.IssueCertificate(None, member_id, args.start.date(), args.end.date())
            )
        except DomainError as error:
            complain("cli.error", message=describe_error(error, _lang))
            return EXIT_FAILED
    out.mkdir(parents=True, exist_ok=True)
    pdf, png = out / f"{issued.content.number}.pdf", out / f"{issued.content.number}.png"
    pdf.write_bytes(await asyncio.to_thread(render_pdf, issued.content, issued.code, config.locale))
    png.write_bytes(await asyncio.to_thread(render_png, issued.content, issued.code, config.locale))
    say(
        "cli.certificate.written",
        number=issued.content.number,
        hours=f"{issued.content.total_hours:g}",
        code=issued.code,
        pdf=pdf,
        png=png,
    )
    return 0


async def cmd_verify(args: argparse.Namespace) -> int:
    """``ebranch verify CODE``: whether a certificate with this code was issued and is unchanged."""
    from bot.bootstrap import open_core
    from bot.domain.errors import DomainError
    from bot.notices.views import describe_error, verified_text

    config = _config(args)
    async with open_core(config) as core:
        try:
            verified = await core.usecases.verify_certificate(args.code)
        except DomainError as error:
            complain("cli.error", message=describe_error(error, _lang))
            return EXIT_FAILED
    print(html.unescape(re.sub(r"<[^>]+>", "", verified_text(verified.content, _lang))))
    return 0


async def cmd_points(args: argparse.Namespace) -> int:
    """``ebranch points --member M --spend N [--note TEXT]``: points spent at a 时间银行 or 爱心超市."""
    from bot.bootstrap import open_core
    from bot.domain.errors import DomainError
    from bot.notices.views import describe_error

    config = _config(args)
    async with open_core(config) as core:
        member_id = await _member_id(core, args.member)
        if member_id is None:
            return EXIT_FAILED
        try:
            balance = await core.usecases.spend_points(member_id, args.spend, args.note)
        except DomainError as error:
            complain("cli.error", message=describe_error(error, _lang))
            return EXIT_FAILED
    say("cli.points.spent", points=f"{args.spend:g}", balance=f"{balance:g}")
    return 0


_ARGPARSE_TEXTS = {
    "usage: ": ("cli.argparse.usage", {}),
    "positional arguments": ("cli.argparse.positionals", {}),
    "options": ("cli.argparse.options", {}),
    "show this help message and exit": ("cli.argparse.help", {}),
    "show program's version number and exit": ("cli.argparse.version", {}),
    "the following arguments are required: %s": ("cli.argparse.required", {"names": "%s"}),
    "unrecognized arguments: %s": ("cli.argparse.unrecognized", {"names": "%s"}),
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "cli.argparse.invalid_choice",
        {"value": "%(value)r", "choices": "%(choices)s"},
    ),
    "invalid %(type)s value: %(value)r": ("cli.argparse.invalid_value", {"type": "%(type)s", "value": "%(value)r"}),
    "expected one argument": ("cli.argparse.expected_one", {}),
    "argument %(argument_name)s: %(message)s": (
        "cli.argparse.argument",
        {"name": "%(argument_name)s", "message": "%(message)s"},
    ),
    "%(prog)s: error: %(message)s\n": ("cli.argparse.error", {"prog": "%(prog)s", "message": "%(message)s"}),
}


@contextlib.contextmanager
def argparse_speaks(lang: str) -> Iterator[None]:
    """argparse says its own words ("usage:", "the following arguments are required") in the run's language.

    argparse looks them up through ``gettext`` by module-global name at the moment it says them, and Python ships
    no Chinese catalog for it; so while the parser is built and used, that name answers from our catalog.
    """

    def translate(message: str) -> str:
        found = _ARGPARSE_TEXTS.get(message)
        if found is None:
            return message
        key, args = found
        text = t(key, lang, **args)
        return text + "\n" if message.endswith("\n") else text

    original = argparse._  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = original  # type: ignore[attr-defined]


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser with every subcommand, its help in ``lang``."""

    def h(key: str) -> str:
        return t(f"cli.help.{key}", lang)

    def m(key: str) -> str:
        return t(f"cli.meta.{key}", lang)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar=m("path"), default=argparse.SUPPRESS, help=h("config"))
    parser = argparse.ArgumentParser(prog="ebranch", description=h("description"), parents=[common])
    parser.add_argument(
        "--version", action="version", version=f"ebranch {__version__}", help=t("cli.argparse.version", lang)
    )
    sub = parser.add_subparsers(dest="command", metavar=h("command"))

    run = sub.add_parser("run", parents=[common], help=h("run"))
    run.set_defaults(func=cmd_run)
    migrate = sub.add_parser("migrate", parents=[common], help=h("migrate"))
    migrate.set_defaults(func=cmd_migrate)
    setup = sub.add_parser("setup", parents=[common], help=h("setup"), description=h("setup"))
    setup.add_argument("file", metavar=m("file"), help=h("setup_file"))
    setup.set_defaults(func=cmd_setup)
    roster = sub.add_parser("import-roster", parents=[common], help=h("roster"))
    roster.add_argument("file", metavar=m("file"), help=h("roster_file"))
    roster.add_argument("--branch", required=True, metavar=m("name"), help=h("roster_branch"))
    roster.add_argument("--committee", metavar=m("name"), help=h("roster_committee"))
    roster.set_defaults(func=cmd_import_roster)
    backup = sub.add_parser("backup", parents=[common], help=h("backup"))
    backup.add_argument("path", metavar=m("path"), help=h("backup_path"))
    backup.add_argument("--force", action="store_true", help=h("force"))
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", parents=[common], help=h("restore"))
    restore.add_argument("file", metavar=m("file"), help=h("restore_file"))
    restore.set_defaults(func=cmd_restore)
    copy_db = sub.add_parser("copy-db", parents=[common], help=h("copy_db"), description=h("copy_db"))
    copy_db.add_argument("--from", dest="source", metavar=m("file"), help=h("copy_from"))
    copy_db.add_argument("--to", required=True, metavar=m("url"), help=h("copy_to"))
    copy_db.set_defaults(func=cmd_copy_db)
    digest = sub.add_parser("digest", parents=[common], help=h("digest"))
    digest.add_argument("--committee", required=True, metavar=m("name"), help=h("digest_committee"))
    digest.add_argument("--out", metavar=m("dir"), help=h("digest_out"))
    digest.set_defaults(func=cmd_digest)
    export = sub.add_parser("export", parents=[common], help=h("export"))
    export.add_argument("--committee", metavar=m("name"), help=h("export_committee"))
    export.add_argument("--branch", metavar=m("name"), help=h("export_branch"))
    export.add_argument("--by-workplace", action="store_true", help=h("by_workplace"))
    export.add_argument("--out", required=True, metavar=m("out"), help=h("export_out"))
    export.set_defaults(func=cmd_export)
    demo = sub.add_parser("demo", help=h("demo"))
    demo.add_argument("--port", type=int, default=8080, metavar=m("port"), help=h("demo_port"))
    demo.add_argument("--host", default="127.0.0.1", metavar=m("host"), help=h("demo_host"))
    demo.add_argument("--no-browser", action="store_true", help=h("no_browser"))
    demo.set_defaults(func=cmd_demo)
    certificate = sub.add_parser("certificate", parents=[common], help=t("cli.certificate.help", lang))
    certificate.add_argument("--member", required=True, metavar=m("name"), help=t("cli.certificate.member", lang))
    certificate.add_argument(
        "--from", dest="start", required=True, type=_day, metavar="YYYY-MM-DD", help=t("cli.certificate.from", lang)
    )
    certificate.add_argument(
        "--to", dest="end", required=True, type=_day, metavar="YYYY-MM-DD", help=t("cli.certificate.to", lang)
    )
    certificate.add_argument("--out", metavar=m("dir"), help=t("cli.certificate.out", lang))
    certificate.set_defaults(func=cmd_certificate)
    verify = sub.add_parser("verify", parents=[common], help=t("cli.verify.help", lang))
    verify.add_argument("code", help=t("cli.verify.code", lang))
    verify.set_defaults(func=cmd_verify)
    points = sub.add_parser("points", parents=[common], help=t("cli.points.help", lang))
    points.add_argument("--member", required=True, metavar=m("name"), help=t("cli.certificate.member", lang))
    points.add_argument("--spend", required=True, type=float, help=t("cli.points.help", lang))
    points.add_argument("--note", default="", help=t("cli.points.help", lang))
    points.set_defaults(func=cmd_points)
    return parser


def _config_named(argv: Sequence[str]) -> Path | None:
    """The config file a command line names (``--config X`` or ``--config=X``), else the one of the environment."""
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            return Path(argv[index + 1])
        if arg.startswith("--config="):
            return Path(arg.removeprefix("--config="))
    named = os.environ.get(CONFIG_ENV)
    return Path(named) if named else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ebranch` console script."""
    global _lang
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    arguments = list(sys.argv[1:] if argv is None else argv)
    _lang = configured_locale(_config_named(arguments))
    with argparse_speaks(_lang):
        parser = build_parser(_lang)
        args = parser.parse_args(arguments)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return EXIT_USAGE
    if not hasattr(args, "config"):
        args.config = os.environ.get(CONFIG_ENV)
    try:
        return asyncio.run(args.func(args))
    except KeyboardInterrupt:
        return 130
    except LocalizedError as error:
        complain("cli.error", message=error.message(_lang))
        return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED
    except Exception as error:
        from telegram.error import InvalidToken

        if isinstance(error, InvalidToken):
            # PTB's own message repeats the token; the server's answer (its cause) does not.
            why = redact(str(error.__cause__ or "rejected"), _secrets)
            complain("cli.error", message=Phrase.of("platform.telegram_token", reason=why))
            return EXIT_FAILED
        sys.stderr.write(redact(traceback.format_exc(), _secrets))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
