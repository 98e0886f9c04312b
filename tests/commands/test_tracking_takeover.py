"""Two trackers' workers on one database (SQLite and PostgreSQL): a replica that started with
nothing to track still takes over the tracker a crashed peer leaves behind, once its lease runs
out, and follows it to the end — the real handlers' DWS client against the in-process
simulator, both on the simulator's (frozen) clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from commands.replies import Severity
from commands.store.models import TrackedOperation, TrackerStatus
from commands.tracking import Tracking, encode_kind
from tests.commands.test_e2e_simulator import Env, env
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind", "env"]


async def tracker_when(
    env: Env, tracker_id: str, test: Callable[[TrackedOperation], bool]
) -> TrackedOperation:
    """The tracker once ``test`` holds for it (polled; AssertionError after 30 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30.0
    while True:
        async with env.db.unit_of_work(readonly=True) as uow:
            op = await uow.trackers.get(tracker_id)
        assert op is not None
        if test(op):
            return op
        assert loop.time() < deadline, f"tracker never got there: {op.status} {op.last_progress}"
        await asyncio.sleep(0.01)


async def test_a_replica_started_idle_takes_over_a_dead_peers_tracker(env: Env) -> None:
    survivor = Tracking(env.make_dispatcher().services, interval=0.01, owner="survivor")
    assert await survivor.resume_all() == []  # nothing to track when it started
    try:
        cluster = env.cluster("reporting")
        env.state.restart_cluster(cluster.id)  # the peer's restart, accepted by DWS
        async with env.db.unit_of_work() as uow:  # its tracker, claimed by the peer's worker
            op = await uow.trackers.create(
                target_name="sim",
                kind=encode_kind("restart", ("AVAILABLE",), "AVAILABLE"),
                cluster_id=cluster.id,
                cluster_name=cluster.name,
                message_channel="C-ops",
                requester=("alice", "Alice", None),
                now=env.now(),
            )
            [held] = await uow.trackers.claim_due("peer", lease_for=survivor.lease, now=env.now())
        assert held.id == op.id  # and then the peer dies mid-poll: the lease is never given up

        env.advance(env.state.start_delay)  # the restart shows: REBOOTING
        assert await survivor.tick() == 0  # the peer's lease still holds
        env.advance(survivor.lease.total_seconds())  # it runs out
        seen = await tracker_when(env, op.id, lambda t: t.evidence is not None)
        assert seen.evidence == "task REBOOTING" and seen.status is TrackerStatus.ACTIVE

        env.advance(3600)  # the restart ends
        done = await tracker_when(env, op.id, lambda t: t.status is not TrackerStatus.ACTIVE)
        assert done.status is TrackerStatus.SUCCEEDED
        outcomes = [r for _, r in env.sent if r.severity is Severity.SUCCESS]
        assert [r.title for r in outcomes] == [f"restart of {cluster.name}: succeeded"]
    finally:
        await survivor.aclose()
