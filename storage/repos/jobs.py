"""When each scheduled job last ran, so downtime is caught up once."""

from __future__ import annotations

from datetime import datetime

from bot.ports import storage as ports
from storage import rows
from storage.repos.base import Repo
from storage.rows import ts


class SqlJobRuns(Repo, ports.JobRuns):
    __slots__ = ()

    async def last_run(self, job: str) -> datetime | None:
        return rows.to_dt(await self._scalar("SELECT last_run FROM job_runs WHERE job = ?", (job,)))

    async def set_run(self, job: str, at: datetime) -> None:
        await self._run(
            "INSERT INTO job_runs (job, last_run) VALUES (?, ?)"
            " ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run",
            (job, ts(at)),
        )
