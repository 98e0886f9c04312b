"""Trackers judge from evidence, end to end: the real handlers and DWS client against the
simulator (whose accepted operations start a few simulated seconds later, as on the real
service) and the store on SQLite and PostgreSQL.

A settled cluster proves nothing by itself: a tracker succeeds only once it has seen the
operation start (task, progress, status change, job) or the job finish; otherwise it ends with
an unknown outcome after its bound, audited and told to the requester."""

from __future__ import annotations

from typing import Any

from commands.audit import verify
from commands.dispatch import Dispatcher
from commands.replies import Severity
from commands.store.models import ApprovalStatus, AuditEvent, TrackedOperation, TrackerStatus
from tests.commands.test_e2e_simulator import ALICE, BOB, Env, env, idle_cluster
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind", "env"]


async def approved(env: Env, text: str) -> tuple[str, TrackedOperation]:
    """Request ``text`` as alice, approve it as bob; the approval id and its tracker."""
    pending = await env.say(ALICE, text)
    assert pending.ref, pending
    done = await env.click(BOB, pending.ref)
    assert done.severity is Severity.SUCCESS, done
    async with env.db.unit_of_work(readonly=True) as uow:
        [op] = await uow.trackers.list_active()
    return pending.ref, op


async def restartable(env: Env) -> str:
    listing = await env.say(ALICE, "/dws clusters")
    return idle_cluster(env, listing.rows, listing.columns)


async def read(env: Env, tracker_id: str, approval_id: str) -> tuple[Any, Any]:
    async with env.db.unit_of_work(readonly=True) as uow:
        return await uow.trackers.get(tracker_id), await uow.approvals.get(approval_id)


async def audited(env: Env, event: AuditEvent) -> list[Any]:
    async with env.db.unit_of_work(readonly=True) as uow:
        return list(await uow.audit.query(event=event))


async def test_no_success_before_a_delayed_restart_starts(env: Env) -> None:
    name = await restartable(env)
    approval_id, op = await approved(env, f"/dws restart {name}")
    tracking = env.dispatcher.tracking
    for _ in range(int(env.state.start_delay)):  # the cluster still shows AVAILABLE, no task
        assert await tracking.poll_once(op.id) is False
        env.advance(1)
    tracker, approval = await read(env, op.id, approval_id)
    assert tracker.status is TrackerStatus.ACTIVE and tracker.evidence is None
    assert "waiting for the operation to start" in (tracker.last_progress or "")
    assert approval.status is ApprovalStatus.EXECUTING
    assert await audited(env, AuditEvent.SUCCEEDED) == []
    assert all("succeeded" not in reply.title for _, reply in env.sent)

    assert await tracking.poll_once(op.id) is False  # the restart has started
    tracker, _ = await read(env, op.id, approval_id)
    assert tracker.evidence == "task REBOOTING"
    env.advance(3600)
    assert await tracking.poll_once(op.id) is True
    tracker, approval = await read(env, op.id, approval_id)
    assert tracker.status is TrackerStatus.SUCCEEDED and tracker.evidence == "task REBOOTING"
    assert approval.status is ApprovalStatus.SUCCEEDED
    assert env.sent[-1][1].severity is Severity.SUCCESS


async def test_evidence_survives_a_resume_on_another_replica(env: Env) -> None:
    name = await restartable(env)
    approval_id, op = await approved(env, f"/dws restart {name}")
    env.advance(env.state.start_delay)
    assert await env.dispatcher.tracking.poll_once(op.id) is False  # sees REBOOTING
    await env.dispatcher.aclose()  # replica 1 goes away
    env.advance(3600)  # the restart finishes while nobody watches: AVAILABLE, no task
    replica2: Dispatcher = env.make_dispatcher()
    try:
        assert replica2.tracking.owner != env.dispatcher.tracking.owner
        assert await replica2.resume_trackers() == [op.id]
        assert await replica2.tracking.poll_once(op.id) is True
    finally:
        await replica2.aclose()
    tracker, approval = await read(env, op.id, approval_id)
    assert tracker.status is TrackerStatus.SUCCEEDED and tracker.evidence == "task REBOOTING"
    assert approval.status is ApprovalStatus.SUCCEEDED


async def test_without_evidence_the_outcome_is_unknown_after_the_bound(env: Env) -> None:
    env.state.start_delay = 3600.0  # DWS accepts the restart but nothing shows for an hour
    tracking = env.dispatcher.tracking
    assert tracking.start_timeout == 600.0
    name = await restartable(env)
    approval_id, op = await approved(env, f"/dws restart {name}")
    env.advance(tracking.start_timeout - 1)
    assert await tracking.poll_once(op.id) is False  # within the bound: still waiting
    env.advance(1)
    assert await tracking.poll_once(op.id) is True
    tracker, approval = await read(env, op.id, approval_id)
    assert tracker.status is TrackerStatus.TIMED_OUT and tracker.evidence is None
    assert approval.status is ApprovalStatus.UNKNOWN
    assert await audited(env, AuditEvent.SUCCEEDED) == []
    [record] = await audited(env, AuditEvent.UNKNOWN)
    assert (record.user_id, record.user_name, record.approvers) == ("alice", "Alice", ["Bob"])
    assert record.approval_id == approval_id and record.cluster_name == name
    assert record.outcome and "nothing showed it started within 600 s" in record.outcome
    [(channel, message)] = [(c, m) for c, m in env.sent if "outcome unknown" in m.title]
    assert channel == "C-ops" and message.ref == approval_id
    assert message.severity is Severity.WARNING and "outcome unknown" in message.title
    assert f"/dws cluster {name}" in message.text and f"/dws events {name}" in message.text
    assert (await verify(env.db)).ok
    env.advance(3600)  # the restart does happen later: nothing changes the recorded outcome
    assert await tracking.poll_once(op.id) is True
    assert len(await audited(env, AuditEvent.UNKNOWN)) == 1


async def test_a_restart_finished_between_two_polls_is_unknown_not_success(env: Env) -> None:
    name = await restartable(env)
    approval_id, op = await approved(env, f"/dws restart {name}")
    assert await env.dispatcher.tracking.poll_once(op.id) is False
    env.advance(3600)  # it started and finished unseen
    assert await env.dispatcher.tracking.poll_once(op.id) is True
    tracker, approval = await read(env, op.id, approval_id)
    assert tracker.status is TrackerStatus.TIMED_OUT
    assert approval.status is ApprovalStatus.UNKNOWN


async def test_job_based_tracking_sees_the_job(env: Env) -> None:
    stopped = next(c for c in env.state.clusters.values() if c.status == "STOPPED")
    approval_id, op = await approved(env, f"/dws start {stopped.name}")
    assert op.job_id
    assert await env.dispatcher.tracking.poll_once(op.id) is False  # the job runs at once
    tracker, _ = await read(env, op.id, approval_id)
    assert tracker.evidence == "job RUNNING"
    env.advance(3600)
    assert await env.dispatcher.tracking.poll_once(op.id) is True
    tracker, approval = await read(env, op.id, approval_id)
    assert tracker.status is TrackerStatus.SUCCEEDED and tracker.evidence == "job RUNNING"
    assert approval.status is ApprovalStatus.SUCCEEDED
    assert env.cluster(stopped.name).status == "AVAILABLE"
