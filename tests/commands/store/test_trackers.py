"""TrackerRepository and LeaseRepository on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from commands.store import Database, TrackerStatus
from commands.store.models import utcnow


async def _track(db: Database, **overrides: object) -> str:
    fields: dict[str, object] = {"target_name": "default", "kind": "restart", "cluster_id": "c-1"}
    fields.update(overrides)
    async with db.unit_of_work() as uow:
        return (await uow.trackers.create(**fields)).id  # type: ignore[arg-type]


async def test_claim_due_leases_to_one_owner(database: Database) -> None:
    now = utcnow()
    due = await _track(database, next_poll_at=now - timedelta(seconds=1))
    await _track(database, next_poll_at=now + timedelta(minutes=1))
    lease = timedelta(seconds=30)
    async with database.unit_of_work() as uow:
        claimed = await uow.trackers.claim_due("w1", lease_for=lease, now=now)
    assert [op.id for op in claimed] == [due]
    assert claimed[0].lease_owner == "w1"
    async with database.unit_of_work() as uow:
        assert await uow.trackers.claim_due("w2", lease_for=lease, now=now) == []
    later = now + timedelta(seconds=31)  # the first worker died: its lease ran out
    async with database.unit_of_work() as uow:
        again = await uow.trackers.claim_due("w2", lease_for=lease, now=later)
    assert [(op.id, op.lease_owner) for op in again] == [(due, "w2")]


async def test_concurrent_workers_never_share_a_tracker(database: Database) -> None:
    now = utcnow()
    ids = {await _track(database, next_poll_at=now) for _ in range(12)}

    async def worker(name: str) -> list[str]:
        async with database.unit_of_work() as uow:
            ops = await uow.trackers.claim_due(name, lease_for=timedelta(minutes=1), limit=5)
            return [op.id for op in ops]

    batches = await asyncio.gather(*(worker(f"w{i}") for i in range(4)))
    claimed = [i for batch in batches for i in batch]
    assert len(claimed) == len(set(claimed)) == 12
    assert set(claimed) == ids


async def test_record_poll_finish_and_list_active(database: Database) -> None:
    op_id = await _track(database)
    nxt = utcnow() + timedelta(seconds=10)
    async with database.unit_of_work() as uow:
        await uow.trackers.record_poll(
            op_id, next_poll_at=nxt, progress="40%", detail="REBOOTING", job_id="job-9"
        )
        await uow.trackers.set_message_ref(op_id, "C1", "171.2")
    async with database.unit_of_work(readonly=True) as uow:
        op = await uow.trackers.get(op_id)
        active = await uow.trackers.list_active()
    assert op is not None
    assert (op.last_progress, op.detail, op.job_id, op.polls) == ("40%", "REBOOTING", "job-9", 1)
    assert op.next_poll_at == nxt
    assert (op.message_channel, op.message_ts) == ("C1", "171.2")
    assert [a.id for a in active] == [op_id]
    async with database.unit_of_work() as uow:
        assert await uow.trackers.finish(op_id, TrackerStatus.SUCCEEDED, detail="done")
        assert not await uow.trackers.finish(op_id, TrackerStatus.FAILED)
    async with database.unit_of_work(readonly=True) as uow:
        op = await uow.trackers.get(op_id)
        assert await uow.trackers.list_active() == []
    assert op is not None and op.status is TrackerStatus.SUCCEEDED and op.finished_at
    assert op.lease_owner is None


async def test_finish_needs_a_final_status(database: Database) -> None:
    op_id = await _track(database)
    async with database.unit_of_work() as uow:
        with pytest.raises(ValueError, match="final status"):
            await uow.trackers.finish(op_id, TrackerStatus.ACTIVE)


async def test_release_lets_another_worker_claim(database: Database) -> None:
    op_id = await _track(database)
    async with database.unit_of_work() as uow:
        assert len(await uow.trackers.claim_due("w1", lease_for=timedelta(hours=1))) == 1
        await uow.trackers.release(op_id, "w1")
    async with database.unit_of_work() as uow:
        assert [o.id for o in await uow.trackers.claim_due("w2", lease_for=timedelta(hours=1))] == [
            op_id
        ]


async def test_trackers_survive_a_restart(database: Database) -> None:
    op_id = await _track(database, job_id="job-1")
    await database.dispose()  # the process stops; the pool is gone
    async with database.unit_of_work(readonly=True) as uow:
        assert [op.id for op in await uow.trackers.list_active()] == [op_id]


async def test_leases(database: Database) -> None:
    now = utcnow()
    ttl = timedelta(seconds=30)
    async with database.unit_of_work() as uow:
        leases = uow.leases
        assert await leases.acquire("poller", "a", ttl=ttl, now=now)
        assert not await leases.acquire("poller", "b", ttl=ttl, now=now)
        assert await leases.acquire("poller", "a", ttl=ttl, now=now + timedelta(seconds=10))
        assert await leases.holder("poller", now=now) == "a"
        assert not await leases.acquire("poller", "b", ttl=ttl, now=now + timedelta(seconds=39))
        assert await leases.acquire("poller", "b", ttl=ttl, now=now + timedelta(seconds=41))
        assert not await leases.release("poller", "a")
        assert await leases.release("poller", "b")
        assert await leases.holder("poller") is None


async def test_concurrent_lease_acquire_has_one_winner(database: Database) -> None:
    async def try_acquire(owner: str) -> bool:
        async with database.unit_of_work() as uow:
            return await uow.leases.acquire("delivery", owner, ttl=timedelta(minutes=1))

    results = await asyncio.gather(*(try_acquire(f"r{i}") for i in range(10)))
    assert results.count(True) == 1
