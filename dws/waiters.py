"""Waiting for long DWS operations: a job (GET /v1.0/{project_id}/job/{job_id}) or a cluster state.

Both poll with a fixed interval until a condition holds, a timeout expires
(``DwsWaitTimeoutError``) or the operation fails; a progress callback sees every poll.

The vocabulary is shared with the bot's stored trackers (`commands.tracking`), which judge the
same answers poll by poll: `JOB_DONE` / `JOB_FAILED` (`job_status`, `job_failure`), and the
cluster readings `cluster_is`, `cluster_task` and `cluster_progress`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from dws.errors import DwsError, DwsWaitTimeoutError

if TYPE_CHECKING:
    from dws.client import DwsClient

JOB_DONE = frozenset({"SUCCESS", "SUCCEEDED", "FINISHED"})
"""Job statuses that mean it finished successfully (the reference shows SUCCESS)."""
JOB_FAILED = frozenset({"FAIL", "FAILED", "ERROR"})
"""Job statuses that mean it failed (the reference's example shows FAIL)."""
ProgressCallback = Callable[[dict[str, Any]], Awaitable[None] | None]


def job_status(job: dict[str, Any]) -> str:
    """The job's status, upper case ("" when the answer has none)."""
    return str(job.get("status") or "").upper()


def job_failure(job: dict[str, Any]) -> str:
    """What a failed job says about its failure."""
    return str(job.get("failed_detail") or job.get("failed_code") or "no detail given")


class JobFailedError(DwsError):
    """A job ended in failure; carries its failed_code and failed_detail."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        super().__init__(
            f"job {job.get('job_id')} ({job.get('job_name')}) failed: {job_failure(job)}"
        )


async def wait_for_job(
    client: DwsClient,
    job_id: str,
    *,
    timeout: float = 3600.0,
    interval: float = 5.0,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Poll a job until it succeeds (returns the last answer) or fails (JobFailedError)."""

    async def check() -> tuple[bool, dict[str, Any]]:
        job = await client.call("list_job_details", {"job_id": job_id})
        job = job if isinstance(job, dict) else {}
        status = job_status(job)
        if status in JOB_FAILED:
            raise JobFailedError(job)
        return status in JOB_DONE, job

    return await _poll(f"job {job_id}", check, timeout, interval, on_progress)


ClusterPredicate = Callable[[dict[str, Any]], bool]


def cluster_task(cluster: dict[str, Any]) -> str:
    """The cluster's task_status, upper case ("" when no task runs)."""
    return str(cluster.get("task_status") or "").upper()


def cluster_progress(cluster: dict[str, Any]) -> dict[str, str]:
    """The cluster's action_progress (running action → "NN%"), empty when there is none."""
    progress = cluster.get("action_progress")
    if not isinstance(progress, dict):
        return {}
    return {str(k): str(v) for k, v in progress.items()}


def cluster_is(*statuses: str, idle: bool = True) -> ClusterPredicate:
    """A predicate: the cluster has one of these statuses (default AVAILABLE; any case) and,
    by default, no running task."""
    wanted = {s.upper() for s in statuses or ("AVAILABLE",)}

    def predicate(cluster: dict[str, Any]) -> bool:
        if str(cluster.get("status") or "").upper() not in wanted:
            return False
        return not (idle and cluster_task(cluster))

    return predicate


async def wait_for_cluster(
    client: DwsClient,
    cluster_id: str,
    *,
    until: ClusterPredicate | None = None,
    timeout: float = 3600.0,
    interval: float = 10.0,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Poll the cluster details until ``until(cluster)`` holds; returns the cluster object.

    Right after DWS accepts an operation the cluster still looks as before, so "settled" can
    hold before the operation has even started: the bot's trackers wait for evidence first
    (`commands.tracking`)."""
    condition = until or cluster_is()

    async def check() -> tuple[bool, dict[str, Any]]:
        answer = await client.call("list_cluster_details", {"cluster_id": cluster_id})
        cluster = answer.get("cluster", {}) if isinstance(answer, dict) else {}
        return condition(cluster), cluster

    return await _poll(f"cluster {cluster_id}", check, timeout, interval, on_progress)


async def _poll(
    what: str,
    check: Callable[[], Awaitable[tuple[bool, dict[str, Any]]]],
    timeout: float,
    interval: float,
    on_progress: ProgressCallback | None,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        done, state = await check()
        if on_progress is not None:
            result = on_progress(state)
            if result is not None:
                await result
        if done:
            return state
        if time.monotonic() + interval > deadline:
            raise DwsWaitTimeoutError(f"gave up waiting for {what} after {timeout:g} s")
        await asyncio.sleep(interval)
