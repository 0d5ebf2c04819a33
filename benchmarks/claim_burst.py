"""Claim burst end to end: the real PTB Application polling the sandbox over HTTP, beside a bare PTB bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from benchmarks import common
from benchmarks.populate import BranchWorld, seed_branch
from bot.notices.callbacks import Act, decode
from bot.notices.views import wish_card
from bot.ports.clock import SystemClock
from bot.usecases import UseCases
from handlers.sandbox import FakeBotApi, FloodLimits
from handlers.sandbox.flood import FloodControl
from handlers.sandbox.state import CallbackQueryRecord, SandboxMessage, SandboxUser
from storage.sqlite import open_database
from storage.uow import SqlStore

NAME = "claim_burst"
SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUP_ID = -1001000000001
VARIANTS = ("bare", "ours")


async def _bot_process(variant: str, db_path: Path, base_url: str, file_url: str, token: str) -> None:
    """The bot under test, in its own interpreter: TelegramPlatform (ours) or a PTB bot that only answers taps."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if variant == "bare":
        from telegram import Update

        application = common.bare_application(token, base_url, file_url)
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)
        print("READY", flush=True)
        await stop.wait()
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        return
    from bot.config import TelegramConfig
    from handlers.telegram import TelegramPlatform

    db = await open_database(db_path)
    store = SqlStore(db)
    clock = SystemClock()
    usecases = UseCases(store, clock, SHANGHAI)
    config = TelegramConfig(token=token, base_url=base_url, base_file_url=file_url)
    platform = TelegramPlatform(config, usecases, store, clock, lang="zh", idle_wait=1.0)
    await platform.start()
    print("READY", flush=True)
    await stop.wait()
    await platform.stop()
    await db.close()


async def _post_cards(api: FakeBotApi, world: BranchWorld, db_path: Path) -> list[SandboxMessage]:
    """Post each wish's real card to the group as the bot (limits off) and register it as the wish's card."""
    db = await open_database(db_path)
    store = SqlStore(db)
    app = UseCases(store, SystemClock(), SHANGHAI)
    cards: list[SandboxMessage] = []
    async with aiohttp.ClientSession() as session:
        for wish_id in world.wish_ids:
            view = await app.wish_view(wish_id)
            message = wish_card(view, "zh")
            markup = {
                "inline_keyboard": [
                    [
                        {"text": b.label, "url": b.url} if b.url else {"text": b.label, "callback_data": b.payload}
                        for b in row
                    ]
                    for row in message.buttons
                ]
            }
            body = {"chat_id": GROUP_ID, "text": message.text, "parse_mode": "HTML", "reply_markup": markup}
            async with session.post(f"{api.base_url}{api.token}/sendMessage", json=body) as response:
                sent = await response.json()
            message_id = sent["result"]["message_id"]
            await app.card_posted(wish_id, _chat(), str(message_id))
            cards.append(api.chat(GROUP_ID).messages[message_id])
    await db.close()
    return cards


def _chat() -> Any:
    from bot.domain.model import ChatRef

    return ChatRef("telegram", str(GROUP_ID))


def _claim_data(card: SandboxMessage) -> str:
    for button in card.buttons():
        payload = decode(button.get("callback_data"))
        if payload is not None and payload.act == Act.CLAIM:
            return str(button["callback_data"])
    raise LookupError("card has no claim button")


async def _burst(
    api: FakeBotApi, users: list[SandboxUser], cards: list[SandboxMessage], taps: int, spread: float
) -> tuple[list[CallbackQueryRecord], list[float]]:
    """Press ``taps`` claim buttons evenly within ``spread`` seconds; each member taps a card at most once."""
    per_card = -(-taps // len(cards))
    plan = []
    for index in range(taps):
        card_index, k = index % len(cards), index // len(cards)
        member = users[(card_index * 10 + k) % len(users)]
        plan.append((member, cards[card_index]))
    assert per_card <= len(users)
    answered_at: list[float] = [0.0] * taps
    records: list[CallbackQueryRecord] = []
    waiters = []

    async def wait(i: int, record: CallbackQueryRecord) -> None:
        try:
            await record.wait_answer(120)
            answered_at[i] = api.clock()
        except Exception:
            answered_at[i] = 0.0

    batch = 20
    began = time.monotonic()
    for start in range(0, taps, batch):
        target = began + spread * start / taps
        delay = target - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        for i in range(start, min(taps, start + batch)):
            member, card = plan[i]
            record = await api.press_button(member, card, _claim_data(card))
            records.append(record)
            waiters.append(asyncio.create_task(wait(i, record)))
    await asyncio.gather(*waiters)
    return records, answered_at


async def _active_claims(db_path: Path) -> dict[int, int]:
    db = await open_database(db_path)
    try:
        async with db.conn.execute(
            "SELECT wish_id, count(*) FROM claims WHERE status IN ('claimed', 'done', 'confirmed') GROUP BY wish_id"
        ) as cur:
            return {int(r[0]): int(r[1]) for r in await cur.fetchall()}
    finally:
        await db.close()


def _spawn(variant: str, db_path: Path, api: FakeBotApi) -> subprocess.Popen[str]:
    log = (db_path.parent / f"{variant}.log").open("a")
    urls = ["--base-url", api.base_url, "--file-url", api.base_file_url, "--token", api.token]
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.claim_burst", "--bot", variant, "--db", str(db_path), *urls],
        cwd=common.ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )


def run_once(
    variant: str, members: int, wishes: int, slots: int, taps: int, spread: float, settle: float, workdir: Path
) -> dict[str, Any]:
    """One burst against one bot variant on a fresh database and sandbox."""
    db_path = workdir / f"{variant}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    world = seed_branch(db_path, members=members, wishes=wishes, slots=slots, group_chat_id=GROUP_ID)
    return asyncio.run(_run(variant, world, db_path, wishes, slots, taps, spread, settle))


async def _run(
    variant: str,
    world: BranchWorld,
    db_path: Path,
    wishes: int,
    slots: int,
    taps: int,
    spread: float,
    settle: float,
) -> dict[str, Any]:
    api = FakeBotApi(limits=FloodLimits.off())
    secretary = await api.add_user(world.secretary_user_id, "王书记")
    users = [await api.add_user(uid, f"党员{uid}") for uid in world.member_user_ids]
    for user in users:
        user.started = True
    await api.add_group(GROUP_ID, "幸福里e支部", [secretary, *users])
    await api.start()
    proc: subprocess.Popen[str] | None = None
    try:
        cards = await _post_cards(api, world, db_path)
        api.updates.clear()
        api.flood = FloodControl(FloodLimits(), api.clock)
        proc = _spawn(variant, db_path, api)
        assert proc.stdout is not None
        line = await asyncio.to_thread(proc.stdout.readline)
        if line.strip() != "READY":
            raise RuntimeError(f"{variant} bot did not start; see {db_path.parent / f'{variant}.log'}")
        for _ in range(500):  # PTB deletes the webhook right before its first getUpdates
            if api.calls_to("deleteWebhook"):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)
        calls_before = len(api.calls)
        began = api.clock()
        records, answered_at = await _burst(api, users, cards, taps, spread)
        last_answer = max(answered_at)
        await asyncio.sleep(settle)
        window = api.calls[calls_before:]
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()  # the figures are collected; a graceful stop would wait out the long poll
            await asyncio.to_thread(proc.wait)
        await api.stop()
    latencies = [a - r.created_at for r, a in zip(records, answered_at, strict=True) if a > 0]
    answered = len(latencies)
    methods = Counter(c.method for c in window if c.ok)
    too_many = Counter(c.method for c in window if c.status == 429)
    result: dict[str, Any] = {
        "variant": variant,
        "taps": taps,
        "answered": answered,
        "taps_per_s": answered / (last_answer - began) if last_answer > began else 0.0,
        "p50": common.percentile(latencies, 50),
        "p95": common.percentile(latencies, 95),
        "p99": common.percentile(latencies, 99),
        "max": max(latencies, default=0.0),
        "card_edits": methods.get("editMessageText", 0),
        "private_messages": methods.get("sendMessage", 0),
        "too_many_requests": sum(too_many.values()),
        "too_many_by_method": dict(too_many),
        "settle_seconds": settle,
    }
    if variant == "ours":
        claims = await _active_claims(db_path)
        success = sum(1 for r in records if r.answer and r.answer.text and "成功" in r.answer.text)
        tapped = Counter(r.message.message_id for r in records)
        wish_of = {card.message_id: wish_id for card, wish_id in zip(cards, world.wish_ids, strict=True)}
        expected = {wish_of[m]: min(slots, n) for m, n in tapped.items()}
        final = sum(1 for c in cards if f"已认领 {expected.get(wish_of[c.message_id], 0)}/{slots}" in (c.text or ""))
        result.update(
            {
                "claims": sum(claims.values()),
                "slots": wishes * slots,
                "expected_claims": sum(expected.values()),
                "overfilled_wishes": sum(1 for n in claims.values() if n > slots),
                "underfilled_wishes": sum(1 for w, n in expected.items() if claims.get(w, 0) != n),
                "success_toasts": success,
                "cards_final_after_settle": final,
            }
        )
    return result


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    by: dict[str, list[dict[str, Any]]] = {v: [r for r in result["results"] if r["variant"] == v] for v in VARIANTS}

    def med(variant: str, key: str) -> float:
        return common.median([r[key] for r in by[variant]])

    bare, ours = med("bare", "taps_per_s"), med("ours", "taps_per_s")
    ratio = ours / bare if bare else 0.0
    p99 = med("ours", "p99")
    too_many = sum(r["too_many_requests"] for r in by["ours"])
    wrong = sum(r["overfilled_wishes"] + r["underfilled_wishes"] for r in by["ours"])
    unanswered = sum(r["taps"] - r["answered"] for r in by["ours"])
    lines = [
        f"{result['members']} members of one branch group, {result['wishes']} wishes of {result['slots']} slots,"
        f" {result['taps']:,} claim taps spread evenly over {result['spread']} s (each member taps a card at most"
        " once). The sandbox enforces Telegram's limits (30/s overall, 20/min per group, 5/5 s per private chat);"
        " each bot runs in its own interpreter and polls over HTTP; latency is from the tap to the sandbox"
        f" receiving answerCallbackQuery. Median of {len(by['ours'])} run(s) per variant; calls counted until"
        f" {result['settle']} s after the burst.",
        "",
        "| variant | taps/s | p50 s | p95 s | p99 s | max s | answered | card edits | private msgs | 429s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for variant in VARIANTS:
        for r in by[variant]:
            lines.append(
                f"| {variant} | {r['taps_per_s']:.0f} | {r['p50']:.3f} | {r['p95']:.3f} | {r['p99']:.3f} |"
                f" {r['max']:.3f} | {r['answered']}/{r['taps']} | {r['card_edits']} | {r['private_messages']} |"
                f" {r['too_many_requests']} {r['too_many_by_method'] or ''} |"
            )
    last = by["ours"][-1]
    lines += [
        "",
        "| target | figure | verdict |",
        "|---|---:|---|",
        f"| ours >= 70% of bare throughput | {100 * ratio:.0f}% ({ours:.0f} vs {bare:.0f} taps/s) |"
        f" {common.verdict(ratio >= 0.7)} |",
        f"| p99 < 1 s | {p99:.3f} s | {common.verdict(p99 < 1.0)} |",
        f"| zero 429s | {too_many} | {common.verdict(too_many == 0)} |",
        f"| zero wrong claims (each wish: claims == min(slots, members who tapped it)) | {wrong} wishes off; claims"
        f" {last['claims']}, expected {last.get('expected_claims', last['slots'])}, {last['slots']} slots,"
        f" {last['success_toasts']} success toasts | {common.verdict(wrong == 0)} |",
        f"| every tap answered | {unanswered} unanswered | {common.verdict(unanswered == 0)} |",
        f"| cards showing the final state {result['settle']} s after the burst | {last['cards_final_after_settle']}"
        f" of {result['wishes']} | (no target) |",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark (or, with --bot, one bot under test), save results and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--wishes", type=int, default=50)
    parser.add_argument("--slots", type=int, default=5)
    parser.add_argument("--taps", type=int, default=2000)
    parser.add_argument("--spread", type=float, default=1.0, help="seconds over which the taps arrive")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to keep counting after the burst")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--name", default=NAME, help="result name in benchmarks/out/ (for variants)")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/out/<name>.json")
    parser.add_argument("--bot", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--file-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bot:
        asyncio.run(_bot_process(args.bot, Path(args.db), args.base_url, args.file_url, args.token))
        return {}
    workdir = common.scratch_dir(NAME)
    results = []
    for _ in range(args.runs):
        for variant in VARIANTS:
            sizes = (args.members, args.wishes, args.slots, args.taps, args.spread, args.settle)
            results.append(run_once(variant, *sizes, workdir))
    flags = [f"--{k}={getattr(args, k)}" for k in ("members", "wishes", "slots", "taps", "spread", "settle", "runs")]
    if args.name != NAME:
        flags.append(f"--name={args.name}")
    result: dict[str, Any] = {
        **{k: getattr(args, k) for k in ("members", "wishes", "slots", "taps", "spread", "settle", "runs")},
        "results": results,
        "command": common.command_line(f"benchmarks.{NAME}", flags),
    }
    shutil.rmtree(workdir, ignore_errors=True)
    if not args.no_save:
        common.save_result(args.name, result)
    print(json.dumps(results[-2:], ensure_ascii=False)[:2000])
    print(render(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
