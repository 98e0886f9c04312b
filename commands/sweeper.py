"""The sweeper: finish executions a stopped process left behind, from DWS's state, never again.

An approvals row stays ``approved`` or ``executing`` only while its process holds it
(``executor``, ``executing_until``). When the hold has run out and no active tracker follows
the row, the process stopped (or lost the answer) between its intent and its outcome record.
One replica at a time (the lease ``sweeper``) settles such rows:

- ``approved``: nothing was sent (the intent comes first); the approval is voided.
- ``executing``: what DWS shows decides, read-only. The job's status when a job id was
  recorded; otherwise the cluster: a task still running → look again later; a failed task →
  ``failed``; idle → the cluster's events of the action's own stem (`ChangeCommand.event`) since the
  intent (``...Success`` → ``succeeded``,
  ``...Failure`` → ``failed``); nothing yet → looked at again (DWS shows an accepted operation
  only once it starts), until ``NOT_STARTED`` after the intent; then nothing that proves either →
  ``interrupted`` (the requester is asked to check the cluster). Each end is audited and told
  to the requester via ``notify``.

    sweeper = Sweeper(services, flow, owner)
    settled = await sweeper.sweep()      # at start and periodically; the ids it finished
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commands.approval_rules import requester_of
from commands.approval_view import mentions, tally
from commands.approvals import ApprovalFlow
from commands.replies import Reply, Severity
from commands.services import Services, approval_entry, log
from commands.store.errors import StoreError
from commands.store.models import Approval, ApprovalStatus, AuditEvent
from commands.tracking import judge_job
from dws.errors import DwsApiError, DwsError, DwsNotFoundError
from dws.models import parse_time
from dws.waiters import cluster_progress, cluster_task

LEASE = "sweeper"
RECHECK = timedelta(seconds=30)
"""A row whose operation still runs on DWS is looked at again after this."""
GIVE_UP = timedelta(hours=6)
"""An operation still running this long after the intent is called ``interrupted``."""
NOT_STARTED = timedelta(minutes=30)
"""DWS shows an accepted operation only once it starts (a few seconds to minutes later): until
this long after the intent, a cluster showing nothing yet is looked at again, not given up."""
SKEW = timedelta(minutes=1)
"""Events this much before the intent still count (DWS's clock and ours differ)."""
EVENT_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Verdict:
    """What DWS shows: a final status with its sentence, or None (still running)."""

    status: ApprovalStatus | None
    text: str
    error_code: str | None = None


_EVENTS = {
    ApprovalStatus.SUCCEEDED: AuditEvent.SUCCEEDED,
    ApprovalStatus.FAILED: AuditEvent.FAILED,
    ApprovalStatus.INTERRUPTED: AuditEvent.INTERRUPTED,
}
_SEVERITY = {
    ApprovalStatus.SUCCEEDED: Severity.SUCCESS,
    ApprovalStatus.FAILED: Severity.ERROR,
    ApprovalStatus.INTERRUPTED: Severity.WARNING,
}


class Sweeper:
    """Settles stale approved/executing rows under the ``sweeper`` lease."""

    def __init__(
        self,
        services: Services,
        flow: ApprovalFlow,
        owner: str,
        *,
        lease_for: timedelta = timedelta(seconds=60),
    ) -> None:
        self.services = services
        self.flow = flow
        self.owner = owner
        self.lease_for = lease_for

    async def release(self) -> None:
        """Give up the sweeper lease (at shutdown), so another replica sweeps at once."""
        db = self.services.db
        if db is None:
            return
        try:
            async with db.unit_of_work() as uow:
                await uow.leases.release(LEASE, self.owner)
        except StoreError as exc:
            log.warning("sweeper: lease not released: %s", exc)

    async def sweep(self) -> list[str]:
        """Settle every stale row this replica can take now; the ids finished."""
        db = self.services.db
        if db is None:
            return []
        now = self.services.clock()
        taken: list[Approval] = []
        async with db.unit_of_work() as uow:
            if not await uow.leases.acquire(LEASE, self.owner, ttl=self.lease_for, now=now):
                return []
            for row in await uow.approvals.list_stale(now=now):
                if await uow.trackers.active_for(row.id):
                    continue
                if await uow.approvals.take(row.id, (self.owner, now + RECHECK), now=now):
                    taken.append(row)
        settled: list[str] = []
        for row in taken:
            try:
                if await self._settle(row):
                    settled.append(row.id)
            except Exception as exc:  # one row must not stop the others; it is retried later
                log.error("sweeper: %s not settled: %s", row.id, type(exc).__name__, exc_info=exc)
        return settled

    async def _settle(self, row: Approval) -> bool:
        if row.status is ApprovalStatus.APPROVED:
            await self.flow.void_stale(row)
            return True
        since = await self._intent_at(row)
        try:
            verdict = await self._judge(row, since)
        except KeyError:
            gone = f"the DWS target {row.target_name!r} is no longer configured; check the cluster"
            verdict = Verdict(ApprovalStatus.INTERRUPTED, gone)
        except DwsError as exc:  # DWS unreachable now: the next sweep tries again
            log.warning("sweeper: %s: DWS state unreadable: %s", row.id, type(exc).__name__)
            return False
        if verdict.status is None:
            if self.services.clock() - since < GIVE_UP:
                return False
            verdict = Verdict(ApprovalStatus.INTERRUPTED, f"still {verdict.text} after hours")
        return await self._finish(row, verdict)

    async def _intent_at(self, row: Approval) -> datetime:
        db = self.services.db
        assert db is not None
        async with db.unit_of_work(readonly=True) as uow:
            found = await uow.audit.query(approval_id=row.id, event=AuditEvent.EXECUTING, limit=1)
        return found[0].at if found else row.updated_at

    async def _judge(self, row: Approval, since: datetime) -> Verdict:
        dws = self.services.dws_factory(row.target_name)
        if row.result_job_id:
            job = await dws.call("list_job_details", {"job_id": row.result_job_id})
            seen = judge_job(job if isinstance(job, dict) else {})
            if not seen.done:
                return Verdict(None, seen.progress)
            status = ApprovalStatus.SUCCEEDED if seen.ok else ApprovalStatus.FAILED
            return Verdict(status, seen.progress, seen.error_code)
        if not row.cluster_id:
            return Verdict(ApprovalStatus.INTERRUPTED, "DWS shows nothing to judge it by")
        try:
            answer = await dws.call("list_cluster_details", {"cluster_id": row.cluster_id})
            cluster = answer.get("cluster", {}) if isinstance(answer, dict) else {}
        except DwsNotFoundError:
            cluster = {}
        running = _running(cluster if isinstance(cluster, dict) else {})
        if running is not None:
            return running
        spec = self.services.registry.get(row.action)
        stem = spec.change.event if spec is not None and spec.change is not None else ""
        verdict = await self._from_events(dws, row.cluster_id, since - SKEW, stem)
        if (
            verdict.status is ApprovalStatus.INTERRUPTED
            and self.services.clock() - since < NOT_STARTED
        ):
            return Verdict(None, "not started yet")
        return verdict

    async def _from_events(self, dws: Any, cluster_id: str, since: datetime, stem: str) -> Verdict:
        """The latest of the cluster's events of ``stem`` (the action's own) since the intent."""
        try:
            data = await dws.call("list_events", {"offset": "1", "limit": str(EVENT_PAGE)})
        except DwsApiError as exc:
            log.warning("sweeper: events unreadable: %s", exc.error_code)
            data = {}
        events = data.get("events", []) if isinstance(data, dict) else []
        names = [  # newest first, as DWS lists them: the latest word wins
            str(e.get("name") or "")
            for e in events
            if isinstance(e, dict)
            and str(e.get("source_id")) == cluster_id
            and (parse_time(e.get("occur_time")) or since) >= since
        ]
        for name in names:
            if not stem or not name.startswith(stem):  # another operation's word is not ours
                continue
            if name.endswith("Success"):
                return Verdict(ApprovalStatus.SUCCEEDED, f"DWS reported {name}")
            if name.endswith(("Failure", "Failed")):
                return Verdict(ApprovalStatus.FAILED, f"DWS reported {name}", name)
        seen = f" (DWS reported {names[0]} only)" if names else ""
        return Verdict(
            ApprovalStatus.INTERRUPTED,
            f"nothing in DWS shows whether it took effect{seen}; check the cluster",
        )

    async def _finish(self, row: Approval, verdict: Verdict) -> bool:
        db = self.services.db
        assert db is not None
        assert verdict.status is not None
        now = self.services.clock()
        text = f"settled after the bot stopped during the call: {verdict.text}"
        requester = requester_of(row)
        async with db.unit_of_work() as uow:
            votes = await uow.approvals.votes(row.id)
            if not await uow.approvals.try_transition(
                row.id, ApprovalStatus.EXECUTING, verdict.status, now=now, held_by=self.owner
            ):
                return False
            await uow.approvals.set_result(row.id, error_code=verdict.error_code, text=text)
            entry = approval_entry(
                row,
                _EVENTS[verdict.status],
                requester,
                now,
                outcome=text,
                error_code=verdict.error_code,
                approvers=list(tally(row, votes).approvers),
            )
            await uow.audit.append(entry)
        what = f"{row.action} of {row.cluster_name or row.cluster_id or '-'}"
        reply = Reply(
            title=f"{what}: {verdict.status.value}",
            text=text[:1].upper() + text[1:] + ".",
            severity=_SEVERITY[verdict.status],
            ref=row.id,
            mention=mentions(row, votes),
        )
        try:
            await self.services.notify(row.channel or "", reply)
        except Exception as exc:  # the record stands; a chat hiccup must not undo it
            log.warning("sweeper: could not notify %s: %s", row.id, type(exc).__name__)
        return True


def _running(cluster: dict[str, Any]) -> Verdict | None:
    """A verdict from the cluster alone: a failed task, or still running; None when idle."""
    status = str(cluster.get("status") or "").upper()
    task = cluster_task(cluster)
    if "FAIL" in task:
        return Verdict(ApprovalStatus.FAILED, f"the cluster is {status}, task {task}", task)
    if task or cluster_progress(cluster):
        return Verdict(None, f"{status}, task {task or 'in progress'}")
    return None
