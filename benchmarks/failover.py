"""Leader failover time: two `ebranch run` instances on PostgreSQL, the leader killed with SIGKILL again and again;
how long until the other says it leads at /leader, and until it delivers a card posted right after the kill."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import common
from benchmarks.instances import EBRANCH, GROUPS, PUBLIC_URL, SECRETARY_ID, RoundRobin, config_for, free_port, seed
from handlers.sandbox import FakeBotApi, FloodLimits

NAME = "failover"
POLL = 0.05


class Instance:
    """One `ebranch run` process with its webhook and /leader ports (restarted on the same config after a kill)."""

    def __init__(self, n: int, config: Path, health: int, log: Path) -> None:
        self.n = n
        self.config = config
        self.health = health
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Run the process; its log is appended to a file."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EBRANCH_")}
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                str(EBRANCH), "run", "--config", str(self.config),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env=env,
            )  # fmt: skip

    async def leads(self, http: aiohttp.ClientSession) -> bool | None:
        """What /leader says; None while it does not answer."""
        try:
            async with http.get(f"http://127.0.0.1:{self.health}/leader") as response:
                body = await response.json()
        except (aiohttp.ClientError, TimeoutError):
            return None
        return bool(body["leader"])

    async def kill(self) -> None:
        """kill -9, and reap it."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM (SIGKILL after 20 s) if it still runs."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            await self.kill()


async def _until(check: Any, within: float) -> float:
    """Poll ``check`` every POLL s until it is true; the monotonic time it first was (raises after ``within``)."""
    began = time.monotonic()
    while not await check():
        if time.monotonic() - began > within:
            raise TimeoutError(f"not within {within} s")
        await asyncio.sleep(POLL)
    return time.monotonic()


async def _run(kills: int, workdir: Path) -> list[dict[str, Any]]:
    api = FakeBotApi(limits=FloodLimits.off())
    await api.start()
    name = f"ebranch_bench_failover_{os.getpid()}"
    url = await common.create_pg_database(name)
    instances: list[Instance] = []
    balancer: RoundRobin | None = None
    timeout = aiohttp.ClientTimeout(total=1)
    try:
        city = await seed(url, api, per_branch=1, wishes_per_branch=0)
        ports = [free_port(), free_port()]
        balancer = RoundRobin([f"http://127.0.0.1:{port}/telegram" for port in ports])
        await balancer.start()
        api.route_webhook(PUBLIC_URL, f"http://127.0.0.1:{balancer.port}/telegram")
        for n, port in enumerate(ports):
            health = free_port()
            extra = f'\n[health]\nlisten = "127.0.0.1:{health}"\n'
            config = config_for(workdir, city, n, port, extra)
            instances.append(Instance(n, config, health, workdir / f"instance{n}.log"))
        secretary, group = api.users[SECRETARY_ID], api.chat(GROUPS[0])
        results = []
        phases = random.Random(13)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            await instances[0].start()
            await _until(lambda: _is(instances[0].leads(http), True), 60)
            await instances[1].start()
            await _until(lambda: _is(instances[1].leads(http), False), 60)
            for k in range(kills):
                states = [await i.leads(http) for i in instances]
                leader = instances[states.index(True)]
                follower = instances[1 - leader.n]
                await asyncio.sleep(phases.uniform(0.5, 2.5))  # anywhere in the survivor's 2 s retry cycle
                title = f"接管测试第{k + 1}次"
                killed_at = time.monotonic()
                await leader.kill()
                await api.user_sends(secretary, group, f"/wish {title} 名额1")
                leads_at = await _until(lambda f=follower: _is(f.leads(http), True), 60)
                delivered_at = await _until(lambda t=title: _posted(api, t), 60)
                results.append(
                    {
                        "kill": k + 1,
                        "killed": leader.n,
                        "leads_s": leads_at - killed_at,
                        "delivers_s": delivered_at - killed_at,
                    }
                )
                print(results[-1], flush=True)
                await leader.start()
                await _until(lambda i=leader: _is(i.leads(http), False), 60)
        return results
    finally:
        for instance in instances:
            await instance.stop()
        if balancer is not None:
            await balancer.stop()
        await api.stop()
        await common.drop_pg_database(name)


async def _is(answer: Any, wanted: bool) -> bool:
    return await answer is wanted


async def _posted(api: FakeBotApi, title: str) -> bool:
    return any(title in (m.text or "") and "已认领" in (m.text or "") for m in api.bot_messages(GROUPS[0]))


def render(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    runs = result["results"]
    leads = [r["leads_s"] for r in runs]
    delivers = [r["delivers_s"] for r in runs]
    lines = [
        f"Two `ebranch run` instances (Telegram webhooks behind a round-robin balancer, fake Bot API) on one"
        f" PostgreSQL database; {len(runs)} times: `kill -9` of the leader, then at once a `/wish` posted to the"
        " group (it reaches the survivor through the balancer); the killed one is restarted and rejoins as follower"
        " before the next kill, which comes 0.5-2.5 s (uniformly) after it is seen following, so the kills fall"
        f" anywhere in the survivor's 2 s retry cycle. Polled every {POLL} s. `leads` = until the survivor's `/leader`"
        " says"
        " `leader: true`; `delivers` = until the new wish's card is in the group (after the 4 s handover a new"
        " leader waits before delivering, `storage/leader.py`).",
        "",
        "| | median s | max s | min s | each run s |",
        "|---|---:|---:|---:|---|",
        f"| leads | {common.median(leads):.2f} | {max(leads):.2f} | {min(leads):.2f} |"
        f" {', '.join(f'{x:.2f}' for x in leads)} |",
        f"| delivers | {common.median(delivers):.2f} | {max(delivers):.2f} | {min(delivers):.2f} |"
        f" {', '.join(f'{x:.2f}' for x in delivers)} |",
        "",
        f"Target: the other takes over within 15 s: {common.verdict(max(delivers) < 15.0)} (max {max(delivers):.2f} s"
        " to the first delivery). Expected from the design: up to `retry_every` (2 s) to lead, + `handover` (4 s) to"
        " deliver.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, save benchmarks/out/failover.json and print a summary."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{NAME}", description=__doc__)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--name", default=NAME)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    workdir = common.scratch_dir(NAME)
    results = asyncio.run(_run(args.kills, workdir))
    flags = [f"--kills={args.kills}"] + ([f"--name={args.name}"] if args.name != NAME else [])
    result: dict[str, Any] = {
        "kills": args.kills,
        "results": results,
        "command": common.command_line(f"benchmarks.{NAME}", flags),
    }
    if not args.no_save:
        common.save_result(args.name, result)
    print(render(result))
    shutil.rmtree(workdir, ignore_errors=True)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
