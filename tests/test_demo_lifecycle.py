"""`ebranch demo` as a person runs it: it says what it seeds, and SIGTERM (like Ctrl+C) deletes its database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

EBRANCH = Path(sys.executable).with_name("ebranch")


async def test_the_demo_says_what_it_seeds_and_sigterm_deletes_its_database(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        str(EBRANCH), "demo", "--port", "0", "--no-browser",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    assert process.stdout is not None
    said: list[str] = []
    try:
        while not any("http://" in line for line in said):
            line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
            assert line, f"the demo ended before it was ready: {said}"
            said.append(line.decode())
        (folder,) = tmp_path.glob("ebranch-demo-*")
        assert list(folder.glob("*.sqlite3"))
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    said.append(rest.decode())

    assert process.returncode == 0
    assert not list(tmp_path.glob("ebranch-demo-*")), "the demo database is gone"
    text = "".join(said)
    assert "正在准备：党员报到" in text and "删除演示数据库" in text, "said in the default language, Chinese"
