"""Trackers: follow a submitted DWS operation until it finishes, and record how it ended.

A tracker is a `TrackedOperation` row (it survives a restart). It polls the job
(``list_job_details``) when DWS gave a job id, otherwise the cluster's details
(``list_cluster_details``: status, task_status, action_progress) until the cluster is settled
(its status is one of the settled statuses and no task runs) or a task failed. The answers are
read with the vocabulary of `dws.waiters` (job statuses, cluster predicates).

A tracker judges from evidence: DWS accepts an operation before the cluster shows it, so a
settled cluster proves nothing by itself. It succeeds only once it has seen the operation
start — a task status, action progress, a status other than the one before the request, or the
job — or the job finish. What it saw is stored (``evidence``), so a tracker resumed by another
replica keeps it. With no evidence after ``start_timeout`` seconds (or no end after
``MAX_POLLS`` polls) it ends ``timed_out``: the outcome is unknown, audited ``unknown`` (the
approval too) and the requester is told what to check. Every poll that shows something new is
sent as a progress `Reply` through ``notify`` (``ref`` = the approval id, or the tracker id),
and the end is audited ``succeeded``, ``failed`` or ``unknown``.

    tracking = Tracking(services, interval=5.0, call_timeout=30.0, start_timeout=600.0)
    await tracking.resume_all()          # at start: the worker runs, and picks up every active
                                         # tracker (a dead peer's once its lease runs out)
    await tracking.tick()                # claim due trackers (leased) and poll each once
    await tracking.poll_once(tracker_id) # one step of one tracker (tests drive it directly)
    await tracking.aclose()
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from commands.approval_view import mentions
from commands.registry import CommandContext, Execution, Plan, UserRef
from commands.replies import Field, Reply, Severity
from commands.services import dws_error_text, entry, log
from commands.store.errors import StoreError
from commands.store.models import ApprovalStatus, AuditEvent, TrackedOperation, TrackerStatus
from dws.errors import DwsApiError, DwsError, DwsNotFoundError
from dws.waiters import (
    JOB_DONE,
    JOB_FAILED,
    cluster_is,
    cluster_progress,
    cluster_task,
    job_failure,
    job_status,
)

if TYPE_CHECKING:
    from commands.services import Services
    from commands.store.session import UnitOfWork

CLUSTER_FAILED = frozenset({"UNAVAILABLE", "CREATION FAILED", "FAILED", "DELETED"})
DEFAULT_SETTLED = ("AVAILABLE",)
MAX_POLLS = 2000
KIND_LENGTH = 64  # tracked_operations.kind
START_TIMEOUT = 600.0
"""Seconds a tracker waits to see the operation start before calling its outcome unknown
(the real service starts an accepted operation within seconds)."""
WAITING = "accepted by DWS; waiting for the operation to start"


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll saw: finished or not, success or not, a progress line, an error code, and
    what in the answer shows that the operation started (``evidence``), if anything."""

    done: bool
    ok: bool
    progress: str
    error_code: str | None = None
    evidence: str | None = None


def encode_kind(action: str, settled: tuple[str, ...], before: str | None = None) -> str:
    """The stored ``kind``: the action, the settled statuses when not the default, and the
    cluster's status before the operation (``restart``, ``stop@STOPPED<AVAILABLE``)."""
    kind = action if tuple(settled) == DEFAULT_SETTLED else f"{action}@{','.join(settled)}"
    if before and len(kind) + 1 + len(before) <= KIND_LENGTH:  # never a cut-off status
        return f"{kind}<{before}"
    return kind[:KIND_LENGTH]


def decode_kind(kind: str) -> tuple[str, tuple[str, ...]]:
    """The action and the settled statuses stored in ``kind``."""
    action, _, settled = kind.partition("<")[0].partition("@")
    return action, tuple(s for s in settled.split(",") if s) or DEFAULT_SETTLED


def status_before(kind: str) -> str | None:
    """The cluster's status before the operation, as stored in ``kind`` (None if unknown)."""
    return kind.partition("<")[2] or None


def judge_job(job: dict[str, Any]) -> PollResult:
    """Read a ``list_job_details`` answer (the job itself is evidence that DWS runs it)."""
    status = job_status(job) or "RUNNING"
    progress = f"job {status.lower()}" + (f" {job['progress']}" if job.get("progress") else "")
    if status in JOB_DONE:
        return PollResult(True, True, "job succeeded", evidence="job succeeded")
    if status in JOB_FAILED:
        code = str(job.get("failed_code") or "") or None
        return PollResult(True, False, f"job failed: {job_failure(job)}", code, f"job {status}")
    return PollResult(False, False, progress, evidence=f"job {status}")


def judge_cluster(
    cluster: dict[str, Any], settled: tuple[str, ...], before: str | None = None
) -> PollResult:
    """Read a cluster's details: settled, failed, or still working (with its progress).

    ``evidence`` is what shows that an operation started: a task status, action progress, or
    a status other than ``before`` (the status when the operation was requested)."""
    status = str(cluster.get("status") or "").upper()
    task = cluster_task(cluster)
    progress_map = cluster_progress(cluster)
    progress = ", ".join(f"{k} {v}" for k, v in progress_map.items()) or task or status
    evidence = None
    if task:
        evidence = f"task {task}"
    elif progress_map:
        evidence = f"progress {progress}"
    elif before and status and status != before.upper():
        evidence = f"status {before.upper()} -> {status}"
    if "FAIL" in task:
        return PollResult(True, False, f"{status}, task {task}", task, evidence)
    if cluster_is(*settled)(cluster):
        return PollResult(True, True, status, evidence=evidence)
    if status in CLUSTER_FAILED and not task:
        return PollResult(True, False, status, status, evidence)
    return PollResult(False, False, progress or "unknown", evidence=evidence)


OUTCOMES = {
    TrackerStatus.SUCCEEDED: (AuditEvent.SUCCEEDED, ApprovalStatus.SUCCEEDED),
    TrackerStatus.FAILED: (AuditEvent.FAILED, ApprovalStatus.FAILED),
    TrackerStatus.TIMED_OUT: (AuditEvent.UNKNOWN, ApprovalStatus.UNKNOWN),
}
"""How a tracker's end is audited and what its approval becomes."""


def tracker_lease(interval: float, call_timeout: float) -> timedelta:
    """How long a claimed tracker stays leased to the worker polling it.

    A poll is one DWS call: the lease outlasts one attempt timing out (``call_timeout``, the
    DWS client's timeout, 30 s by default) and three poll intervals. A worker that dies while
    polling holds its trackers that long; a poll slower than that is only read twice, since a
    tracker finishes once (`TrackerRepository.finish` is conditional)."""
    return timedelta(seconds=max(call_timeout, 3 * interval))


def _status_of(plan: Plan) -> str | None:
    """The cluster's status when the operation was planned (a later other one is evidence)."""
    status = plan.state.get("status")
    return str(status) if status else None


class Tracking:
    """Creates trackers and runs one worker that polls the due ones under a lease.

    The worker claims due trackers with the store's `claim_due` (a lease per tracker, see
    `tracker_lease`), so several replicas sharing one database never poll the same operation
    at once, and a crashed replica's trackers are picked up when its leases run out: by every
    replica whose worker runs, which `resume_all` starts at start-up whether or not any
    tracker is active then.
    """

    def __init__(
        self,
        services: Services,
        *,
        interval: float = 5.0,
        owner: str | None = None,
        call_timeout: float = 30.0,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.services = services
        self.interval = interval
        self.start_timeout = start_timeout
        """Seconds without evidence that the operation started before the outcome is unknown."""
        self.owner = owner or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.lease = tracker_lease(interval, call_timeout)
        self._worker: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._active: set[str] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def create(
        self,
        uow: UnitOfWork,
        *,
        ctx: CommandContext,
        plan: Plan,
        execution: Execution,
        approval_id: str | None,
        command_text: str | None = None,
        approvers: Sequence[str] = (),
    ) -> TrackedOperation:
        """Store a new active tracker in ``uow`` (the caller launches it after commit)."""
        user = ctx.user
        return await uow.trackers.create(
            requester=(user.id, user.display, user.team or None),
            command_text=command_text,
            request_id=execution.request_id,
            params=dict(plan.params),
            approvers=list(approvers),
            target_name=ctx.target_name,
            kind=encode_kind(plan.action, execution.settled_statuses, _status_of(plan)),
            cluster_id=plan.cluster_id,
            cluster_name=plan.cluster_name,
            job_id=execution.job_id,
            approval_id=approval_id,
            message_channel=ctx.channel,
            now=self.services.clock(),
        )

    def launch(self, tracker_id: str) -> None:
        """Make sure the worker runs and polls ``tracker_id`` soon."""
        self._active.add(tracker_id)
        self._idle.clear()
        self._start()
        self._wake.set()

    def _start(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def resume_all(self) -> list[str]:
        """Start the worker (at start-up) and have it poll every active tracker soon; their ids.

        The worker runs even when no tracker is active: the trackers a stopped or crashed
        replica leaves behind later are claimed by it once their leases run out."""
        db = self.services.db
        if db is None:
            return []
        self._start()
        async with db.unit_of_work(readonly=True) as uow:
            ids = [op.id for op in await uow.trackers.list_active(limit=1000)]
        for tracker_id in ids:
            self.launch(tracker_id)
        return ids

    async def aclose(self) -> None:
        """Stop the worker and give up its leases: active trackers stay in the database, and
        another replica (or the next start) resumes them at once."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        db = self.services.db
        if db is not None:
            try:
                async with db.unit_of_work() as uow:
                    await uow.trackers.release_all(self.owner)
            except StoreError as exc:  # the leases then run out by themselves
                log.warning("trackers: leases not released: %s", exc)

    async def wait(self) -> None:
        """Wait until every tracker launched here has finished (tests, graceful shutdown)."""
        await self._idle.wait()

    async def tick(self) -> int:
        """Claim the due trackers and poll each once; how many were polled."""
        db = self.services.db
        if db is None:
            return 0
        async with db.unit_of_work() as uow:
            claimed = await uow.trackers.claim_due(
                self.owner, lease_for=self.lease, now=self.services.clock()
            )
        for op in claimed:
            try:
                await self.poll_once(op.id)
            except Exception as exc:  # one bad tracker must not stop the others
                log.error("tracker %s poll failed: %s", op.id, type(exc).__name__, exc_info=exc)
        return len(claimed)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.tick()
            except Exception as exc:  # the database may be down for a while: keep trying
                log.warning("tracker worker: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)

    def _done(self, tracker_id: str) -> None:
        self._active.discard(tracker_id)
        if not self._active:
            self._idle.set()

    async def poll_once(self, tracker_id: str) -> bool:
        """Poll once, record it, send progress; True when the operation has finished."""
        db = self.services.db
        assert db is not None
        async with db.unit_of_work(readonly=True) as uow:
            op = await uow.trackers.get(tracker_id)
        if op is None or op.status is not TrackerStatus.ACTIVE:
            self._done(tracker_id)
            return True
        if not op.job_id and not op.cluster_id:
            await self._give_up(op, "DWS gave neither a job nor a cluster to follow")
            return True
        if op.polls >= MAX_POLLS:
            await self._give_up(op, f"it had not finished after {op.polls} polls")
            return True
        result = await self._observe(op)
        evidence = op.evidence or result.evidence
        if result.done and (evidence or not result.ok):
            status = TrackerStatus.SUCCEEDED if result.ok else TrackerStatus.FAILED
            await self._finish(tracker_id, result, status, evidence=evidence)
            return True
        if not evidence:  # settled or not, nothing shows the operation started yet
            waited = (self.services.clock() - op.started_at).total_seconds()
            if waited >= self.start_timeout:
                await self._give_up(
                    op, f"nothing showed it started within {waited:.0f} s ({result.progress})"
                )
                return True
            seen = result.progress
            result = PollResult(False, False, seen if WAITING in seen else f"{WAITING} ({seen})")
        if result.progress != (op.last_progress or ""):
            await self._notify(op, result)
        async with db.unit_of_work() as uow:
            await uow.trackers.record_poll(
                tracker_id,
                progress=result.progress[:256],
                next_poll_at=self.services.clock() + timedelta(seconds=self.interval),
                evidence=evidence[:256] if evidence and not op.evidence else None,
            )
            await uow.trackers.release(tracker_id, self.owner)
        return False

    async def _give_up(self, op: TrackedOperation, why: str) -> None:
        """End the tracker ``timed_out``: the outcome is unknown; say what to check."""
        what = op.cluster_name or op.cluster_id
        check = (
            f"check `/dws cluster {what}` and `/dws events {what}`"
            if what
            else f"check `/dws job {op.job_id}`"
            if op.job_id
            else "check the DWS console"
        )
        text = f"Outcome unknown: {why}. DWS accepted the request; {check} before trying again."
        await self._finish(op.id, PollResult(True, False, text), TrackerStatus.TIMED_OUT)

    async def _observe(self, op: TrackedOperation) -> PollResult:
        _action, settled = decode_kind(op.kind)
        try:
            dws = self.services.dws_factory(op.target_name)
            if op.job_id:
                job = await dws.call("list_job_details", {"job_id": op.job_id})
                return judge_job(job if isinstance(job, dict) else {})
            answer = await dws.call("list_cluster_details", {"cluster_id": op.cluster_id})
            cluster = answer.get("cluster", {}) if isinstance(answer, dict) else {}
            cluster = cluster if isinstance(cluster, dict) else {}
            return judge_cluster(cluster, settled, status_before(op.kind))
        except DwsNotFoundError as exc:
            return PollResult(True, False, dws_error_text(exc), exc.error_code)
        except DwsApiError as exc:
            if exc.status >= 500 or exc.status == 429:
                return PollResult(False, False, op.last_progress or "waiting for DWS")
            return PollResult(True, False, dws_error_text(exc), exc.error_code)
        except (DwsError, KeyError) as exc:  # transport trouble: keep polling
            log.warning("tracker %s poll failed: %s", op.id, type(exc).__name__)
            return PollResult(False, False, op.last_progress or "waiting for DWS")

    async def _finish(
        self,
        tracker_id: str,
        result: PollResult,
        status: TrackerStatus,
        *,
        evidence: str | None = None,
    ) -> None:
        db = self.services.db
        assert db is not None
        now = self.services.clock()
        event, final = OUTCOMES[status]
        async with db.unit_of_work() as uow:
            op = await uow.trackers.get(tracker_id)
            if op is None or not await uow.trackers.finish(
                tracker_id,
                status,
                detail=result.progress,
                error_code=result.error_code,
                now=now,
                evidence=evidence[:256] if evidence and not op.evidence else None,
            ):
                self._done(tracker_id)
                return  # another worker finished it
            approval = await uow.approvals.get(op.approval_id) if op.approval_id else None
            votes = await uow.approvals.votes(approval.id) if approval is not None else ()
            action, _ = decode_kind(op.kind)
            requester = None
            if op.requester_id or approval is not None:
                requester = UserRef(
                    op.requester_id or (approval.requester_id if approval else "") or "",
                    op.requester_name or (approval.requester_name if approval else "") or "",
                    op.requester_team or (approval.requester_team if approval else "") or "",
                )
            await uow.audit.append(
                entry(
                    event,
                    requester,
                    channel=op.message_channel,
                    at=now,
                    command_text=op.command_text or (approval.command_text if approval else None),
                    params=op.params or {},
                    approvers=op.approvers or [],
                    request_id=op.request_id,
                    action=action,
                    target_name=op.target_name,
                    cluster_id=op.cluster_id,
                    cluster_name=op.cluster_name,
                    approval_id=op.approval_id,
                    job_id=op.job_id,
                    outcome=result.progress,
                    error_code=result.error_code,
                    duration_ms=int((now - op.started_at).total_seconds() * 1000),
                )
            )
            if approval is not None:
                await uow.approvals.try_transition(
                    approval.id, ApprovalStatus.EXECUTING, final, now=now
                )
        self._done(tracker_id)
        told = mentions(approval, votes) if approval is not None else (op.requester_id or "",)
        await self._notify(op, result, status, mention=tuple(i for i in told if i))

    async def _notify(
        self,
        op: TrackedOperation,
        result: PollResult,
        status: TrackerStatus | None = None,
        *,
        mention: tuple[str, ...] = (),
    ) -> None:
        action, _ = decode_kind(op.kind)
        what = f"{action} of {op.cluster_name or op.cluster_id or op.job_id}"
        if not result.done:
            reply = Reply(title=f"{what}: in progress", text=result.progress)
        elif status is TrackerStatus.TIMED_OUT:
            reply = Reply(
                title=f"{what}: outcome unknown", text=result.progress, severity=Severity.WARNING
            )
        elif result.ok:
            reply = Reply(
                title=f"{what}: succeeded", text=result.progress, severity=Severity.SUCCESS
            )
        else:
            reply = Reply(title=f"{what}: failed", text=result.progress, severity=Severity.ERROR)
        fields = [Field("Requested by", op.requester_name or op.requester_id or "-")]
        if op.approvers:
            fields.append(Field("Approved by", ", ".join(op.approvers)))
        if op.job_id:
            fields.append(Field("Job", op.job_id))
        reply = Reply(
            title=reply.title,
            text=reply.text,
            severity=reply.severity,
            fields=tuple(fields),
            ref=op.approval_id or op.id,
            mention=mention,
        )
        try:
            await self.services.notify(op.message_channel or "", reply)
        except Exception as exc:  # a chat hiccup must not stop tracking
            log.warning("tracker %s could not notify: %s", op.id, type(exc).__name__)
