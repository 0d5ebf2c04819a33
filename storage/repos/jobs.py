"""When each scheduled job last ran, so downtime is caught up once; and which instance runs which period."""

from __future__ import annotations

from datetime import UTC, datetime

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

    async def claim_period(
        self, job: str, period: datetime, claimant: str, now: datetime, *, stale_before: datetime
    ) -> bool:
        return await self._changed(
            "INSERT INTO job_periods (job, period, claimed_by, claimed_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (job, period) DO UPDATE"
            " SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at"
            " WHERE job_periods.finished_at IS NULL AND job_periods.claimed_by <> excluded.claimed_by"
            " AND job_periods.claimed_at < ?"
            " RETURNING job",
            (job, _utc(period), claimant, _utc(now), _utc(stale_before)),
        )

    async def finish_period(self, job: str, period: datetime, now: datetime) -> None:
        await self._run(
            "UPDATE job_periods SET finished_at = ? WHERE job = ? AND period = ?", (_utc(now), job, _utc(period))
        )

    async def prune_periods(self, before: datetime) -> int:
        return len(await self._all("DELETE FROM job_periods WHERE period < ? RETURNING job", (_utc(before),)))


def _utc(moment: datetime) -> str:
    """UTC ISO text, so periods and claim times compare as text whatever zone the scheduler computed them in."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
