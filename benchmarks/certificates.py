"""A year's 志愿服务记录证明 for a city: 10,000 members with a year of verified and confirmed service each; every
certificate issued through UseCases.issue_certificate, every code checked by verify_certificate, and a sample
rendered to PDF and PNG to project the rendering of all of them."""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF

from benchmarks import common
from benchmarks.populate import connect, migrate, ts
from bot.ports.clock import ManualClock
from bot.reports import certificate as files
from bot.reports.certificate import render_pdf, render_png
from bot.usecases import UseCases
from bot.usecases import commands as cmd
from storage.sqlite import open_database
from storage.uow import SqlStore

NAME = "certificates"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
CONTENTS = ("为独居老人王奶奶安装一键通", "社区防汛值守", "垃圾分类宣传", "为留守儿童辅导功课", "楼道清扫", "义诊")


def seed(path: Path, *, members: int, branches: int, services: int) -> list[int]:
    """One committee, ``branches`` branches with their secretaries, ``members`` reported-in members each with
    ``services`` records spread over the year (half verified at the place, half confirmed); the member ids."""
    migrate(path)
    conn = connect(path)
    rng = random.Random(15)
    now = ts(NOW)
    conn.execute("BEGIN")
    committee = conn.execute(
        "INSERT INTO committees (name, chat_platform, chat_id, created_at)"
        " VALUES ('南湖区e党委', 'telegram', '-100', ?)",
        (now,),
    ).lastrowid
    branch_ids = []
    for b in range(branches):
        branch = conn.execute(
            "INSERT INTO branches (committee_id, name, chat_platform, chat_id, created_at)"
            " VALUES (?, ?, 'telegram', ?, ?)",
            (committee, f"第{b + 1}e支部", str(-2000 - b), now),
        ).lastrowid
        secretary = conn.execute(
            "INSERT INTO members (name, home_branch_id, reported_at, created_at) VALUES (?, ?, ?, ?)",
            (f"书记{b + 1:03d}", branch, now, now),
        ).lastrowid
        conn.execute(
            "INSERT INTO branch_secretaries (branch_id, member_id, created_at) VALUES (?, ?, ?)",
            (branch, secretary, now),
        )
        branch_ids.append(int(branch or 0))
    member_ids = []
    for index in range(members):
        branch = branch_ids[index % branches]
        member = conn.execute(
            "INSERT INTO members (name, phone, home_branch_id, reported_at, created_at) VALUES (?, ?, ?, ?, ?)",
            (f"志愿者{index:05d}", f"139{index:08d}", branch, now, now),
        ).lastrowid
        member_ids.append(int(member or 0))
        rows = []
        for s in range(services):
            served = YEAR[0] + timedelta(days=rng.randrange(0, 360))
            provenance = "verified" if s % 2 else "confirmed"
            rows.append(
                (member, branch, served.isoformat(), rng.choice((1.0, 1.5, 2.0, 3.0)), CONTENTS[s % 6], provenance, now)
            )
        conn.executemany(
            "INSERT INTO services (member_id, branch_id, served_on, hours, note, confirmed, provenance, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
            rows,
        )
    conn.execute("COMMIT")
    conn.close()
    return member_ids


async def issue_all(path: Path, member_ids: Sequence[int]) -> dict[str, Any]:
    """Issue every member's certificate for the year, then verify every code; timings and the certificates kept
    for rendering."""
    db = await open_database(path)
    try:
        app = UseCases(SqlStore(db), ManualClock(NOW), SHANGHAI)
        issue_ms: list[float] = []
        issued = []
        started = time.perf_counter()
        for member_id in member_ids:
            t0 = time.perf_counter()
            issued.append(await app.issue_certificate(cmd.IssueCertificate(None, member_id, *YEAR)))
            issue_ms.append(1000 * (time.perf_counter() - t0))
        issue_s = time.perf_counter() - started
        verify_ms: list[float] = []
        started = time.perf_counter()
        for certificate in issued:
            t0 = time.perf_counter()
            await app.verify_certificate(certificate.code)
            verify_ms.append(1000 * (time.perf_counter() - t0))
        verify_s = time.perf_counter() - started
    finally:
        await db.close()
    return {
        "issued": issued,
        "issue_s": issue_s,
        "issue_ms_p50": common.percentile(issue_ms, 50),
        "issue_ms_p95": common.percentile(issue_ms, 95),
        "verify_s": verify_s,
        "verify_ms_p50": common.percentile(verify_ms, 50),
        "verify_ms_p95": common.percentile(verify_ms, 95),
    }


def render_pdf_parsing_the_font(content: Any, code: str) -> bytes:
    """The PDF as it was rendered before the font was kept: fpdf2's ``add_font`` parses the font for this document
    (and fontTools recomputes the subset's bounding boxes when it writes it)."""
    pdf = FPDF(format="A4")
    text = files.certificate_text(content, code, "zh")
    pdf.set_title(text.title)
    pdf.set_creator("ebranch")
    pdf.add_font(files.FONT, "", str(files.FONT_PATH))
    return files._write_pdf(pdf, text)


def render_sample(issued: Sequence[Any], sample: int) -> dict[str, Any]:
    """Render ``sample`` certificates spread over the list to PDF and PNG; seconds and bytes per certificate. Each
    PDF is also rendered the way it was before the font was kept (parsed for each document), one after the other,
    so the two are compared in one run."""
    step = max(1, len(issued) // max(1, sample))
    chosen = list(issued[::step])[:sample]
    pdf_s, png_s, pdf_bytes, png_bytes, parsing_s = [], [], [], [], []
    first_pdf_s = 0.0
    for certificate in chosen:
        t0 = time.perf_counter()
        pdf = render_pdf(certificate.content, certificate.code)
        t1 = time.perf_counter()
        png = render_png(certificate.content, certificate.code)
        t2 = time.perf_counter()
        render_pdf_parsing_the_font(certificate.content, certificate.code)
        t3 = time.perf_counter()
        if not first_pdf_s:
            first_pdf_s = t1 - t0
        pdf_s.append(t1 - t0)
        png_s.append(t2 - t1)
        parsing_s.append(t3 - t2)
        pdf_bytes.append(len(pdf))
        png_bytes.append(len(png))
    return {
        "rendered": len(chosen),
        "pdf_s_median": common.median(pdf_s),
        "pdf_first_s": first_pdf_s,
        "pdf_parsing_font_s_median": common.median(parsing_s),
        "png_s_median": common.median(png_s),
        "pdf_kib_mean": sum(pdf_bytes) / len(chosen) / 1024 if chosen else 0.0,
        "png_kib_mean": sum(png_bytes) / len(chosen) / 1024 if chosen else 0.0,
    }


def run(members: int, branches: int, services: int, sample: int) -> dict[str, Any]:
    """One whole run in a scratch folder."""
    workdir = common.scratch_dir(NAME)
    try:
        path = workdir / "ebranch.sqlite3"
        t0 = time.perf_counter()
        member_ids = seed(path, members=members, branches=branches, services=services)
        seed_s = time.perf_counter() - t0
        timings = asyncio.run(issue_all(path, member_ids))
        issued = timings.pop("issued")
        rendering = render_sample(issued, sample)
        db_mib = path.stat().st_size / 2**20
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    per_certificate = rendering["pdf_s_median"] + rendering["png_s_median"]
    return {
        "members": members,
        "branches": branches,
        "services_per_member": services,
        "seed_s": seed_s,
        "db_mib": db_mib,
        **timings,
        **rendering,
        "projected_render_hours_1_core": members * per_certificate / 3600,
        "projected_render_hours_2_cores": members * per_certificate / 3600 / 2,
        "projected_files_gib": members * (rendering["pdf_kib_mean"] + rendering["png_kib_mean"]) / 2**20,
    }


def render(result: dict[str, Any]) -> str:
    """The section of docs/benchmarks.md."""
    r = result["results"]
    n = r["members"]
    return "\n".join(
        [
            f"{n:,} members in {r['branches']} branches, {r['services_per_member']} verified or confirmed records each"
            f" over 2026 ({n * r['services_per_member']:,} records; SQLite file {common.fmt(r['db_mib'], 0)} MiB"
            " after issuing). Every certificate is issued through `UseCases.issue_certificate` (one transaction:"
            " the records, the masked identity, the number, the HMAC code) and every code checked by"
            " `verify_certificate`, one after another on one core.",
            "",
            "| step | total | per certificate (p50 / p95) |",
            "|---|---|---|",
            f"| issue {n:,} certificates | {common.fmt(r['issue_s'], 1)} s |"
            f" {common.fmt(r['issue_ms_p50'])} / {common.fmt(r['issue_ms_p95'])} ms |",
            f"| verify {n:,} codes | {common.fmt(r['verify_s'], 1)} s |"
            f" {common.fmt(r['verify_ms_p50'])} / {common.fmt(r['verify_ms_p95'])} ms |",
            f"| render PDF (fpdf2, font subset; the font parsed once per process) | {r['rendered']} sampled |"
            f" {common.fmt(r['pdf_s_median'], 2)} s (the first, parsing the font: {common.fmt(r['pdf_first_s'], 2)}"
            f" s), {common.fmt(r['pdf_kib_mean'], 0)} KiB |",
            f"| render PDF as before, the font parsed for each document | the same {r['rendered']} |"
            f" {common.fmt(r['pdf_parsing_font_s_median'], 2)} s |",
            f"| render PNG (Pillow, 1240 x 1754 grayscale) | {r['rendered']} sampled |"
            f" {common.fmt(r['png_s_median'], 2)} s, {common.fmt(r['png_kib_mean'], 0)} KiB |",
            "",
            f"Rendering all {n:,} as PDF and PNG would take about {common.fmt(r['projected_render_hours_1_core'], 1)}"
            f" hours on one core ({common.fmt(r['projected_render_hours_2_cores'], 1)} on two) and"
            f" {common.fmt(r['projected_files_gib'], 1)} GiB. Issuing and verifying are cheap; rendering is the cost."
            " fpdf2's parse of the 8 MiB Noto Sans SC is made once per process and each PDF gets a copy of it; what"
            " is left per PDF is fontTools reading and subsetting the font's CFF outlines for the characters used."
            " The two PDF rows were measured in one run, one after the other for each sampled certificate. The bot"
            " renders a certificate only when one is asked for (`/certificate`, `ebranch certificate`), so the"
            " figure that matters to a person is the per-certificate time; a committee printing everyone's at year"
            " end should run `ebranch certificate` in parallel processes, or overnight.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark (defaults: 10,000 members, 24 records each, 40 rendered) and save its result."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--services", type=int, default=24, help="records per member over the year")
    parser.add_argument("--render-sample", type=int, default=40, help="certificates rendered to project the rest")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    results = run(args.members, min(args.branches, args.members), args.services, args.render_sample)
    flags = [
        f"--members={args.members}",
        f"--branches={args.branches}",
        f"--services={args.services}",
        f"--render-sample={args.render_sample}",
    ]
    result: dict[str, Any] = {"command": common.command_line(f"benchmarks.{NAME}", flags), "results": results}
    if not args.no_save:
        common.save_result(NAME, result)
    print(render({**result, "at": datetime.now(UTC).isoformat()}))
    return result


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
