"""Waiting for long DWS operations: a job (GET /v1.0/{project_id}/job/{job_id}) or a cluster state.

Both poll with a fixed interval until a condition holds, a timeout expires
(``DwsWaitTimeoutError``) or the operation fails; a progress callback sees every poll.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from dws.errors import DwsError, DwsWaitTimeoutError

if TYPE_CHECKING:
    from dws.client import DwsClient

JOB_DONE = frozenset({"SUCCESS"})
JOB_FAILED = frozenset({"FAIL", "FAILED", "ERROR"})
ProgressCallback = Callable[[dict[str, Any]], Awaitable[None] | None]


class JobFailedError(DwsError):
    """A job ended in failure; carries its failed_code and failed_detail."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        detail = job.get("failed_detail") or job.get("failed_code") or "no detail given"
        super().__init__(f"job {job.get('job_id')} ({job.get('job_name')}) failed: {detail}")


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
        status = str(job.get("status") or "").upper()
        if status in JOB_FAILED:
            raise JobFailedError(job)
        return status in JOB_DONE, job

    return await _poll(f"job {job_id}", check, timeout, interval, on_progress)


ClusterPredicate = Callable[[dict[str, Any]], bool]


def cluster_is(status: str = "AVAILABLE", *, idle: bool = True) -> ClusterPredicate:
    """A predicate: the cluster has this status and (by default) no running task."""

    def predicate(cluster: dict[str, Any]) -> bool:
        if cluster.get("status") != status:
            return False
        return not (idle and cluster.get("task_status"))

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
    """Poll the cluster details until ``until(cluster)`` holds; returns the cluster object."""
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
