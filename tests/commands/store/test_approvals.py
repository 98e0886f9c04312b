"""ApprovalRepository on SQLite and PostgreSQL: votes, transitions, expiry, concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import InvalidRequestError

from commands.store import Approval, ApprovalStatus, Database, VoteChoice
from commands.store.models import utcnow
from tests.db_fixtures import fresh_database


async def _create(db: Database, **overrides: object) -> str:
    fields: dict[str, object] = {
        "action": "restart",
        "command_text": "/dws restart prod-dw",
        "requester_id": "U1",
        "requester_name": "alice",
        "target_name": "default",
        "cluster_id": "c-1",
        "cluster_name": "prod-dw",
        "expires_at": utcnow() + timedelta(minutes=30),
        "required_approvals": 2,
        "approver_roles": ["operator", "admin"],
        "distinct_roles": True,
        "plan_state": {"status": "AVAILABLE", "nodes": 3},
        "channel": "C1",
    }
    fields.update(overrides)
    async with db.unit_of_work() as uow:
        approval = await uow.approvals.create(**fields)  # type: ignore[arg-type]
        return approval.id


async def test_create_and_get(database: Database) -> None:
    approval_id = await _create(database, params={"force": True, "note": "x"})
    async with database.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
    assert approval is not None
    assert approval.status is ApprovalStatus.PENDING
    assert approval.plan_state == {"status": "AVAILABLE", "nodes": 3}
    assert approval.params == {"force": True, "note": "x"}
    assert approval.approver_roles == ["operator", "admin"]
    assert approval.distinct_roles is True
    assert approval.expires_at.tzinfo is not None
    assert approval.expires_at > approval.created_at


async def test_params_are_stored_as_they_execute(database: Database) -> None:
    """What executes is never redacted (issue 12.1); declared secrets are never in params."""
    approval_id = await _create(
        database,
        command_text='/dws params set prod-dw datestyle "password=ISO,MDY"',
        params={"name": "datestyle", "value": "password=ISO,MDY"},
    )
    async with database.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text("SELECT command_text, params FROM approvals WHERE id = :i"),
                {"i": approval_id},
            )
        ).one()
    assert str(row).count("password=ISO,MDY") == 2


async def test_get_unknown_is_none(database: Database) -> None:
    async with database.unit_of_work(readonly=True) as uow:
        assert await uow.approvals.get("nope") is None


async def test_votes_are_unique_per_voter(database: Database) -> None:
    approval_id = await _create(database)
    async with database.unit_of_work() as uow:
        vote = uow.approvals.add_vote
        assert await vote(
            approval_id,
            voter_id="U2",
            voter_name="bob",
            voter_role="operator",
            choice=VoteChoice.APPROVE,
        )
        assert not await vote(
            approval_id,
            voter_id="U2",
            voter_name="bob",
            voter_role="operator",
            choice=VoteChoice.DENY,
        )
        assert await vote(
            approval_id,
            voter_id="U3",
            voter_name="carol",
            voter_role="admin",
            choice=VoteChoice.DENY,
        )
    async with database.unit_of_work(readonly=True) as uow:
        votes = await uow.approvals.votes(approval_id)
        loaded = await uow.approvals.get(approval_id, with_votes=True)
    assert [(v.voter_id, v.choice) for v in votes] == [
        ("U2", VoteChoice.APPROVE),
        ("U3", VoteChoice.DENY),
    ]
    assert loaded is not None and [v.voter_name for v in loaded.votes] == ["bob", "carol"]


async def test_concurrent_votes_of_one_voter_count_once(database: Database) -> None:
    approval_id = await _create(database)

    async def click() -> bool:
        async with database.unit_of_work() as uow:
            return await uow.approvals.add_vote(
                approval_id,
                voter_id="U2",
                voter_name="bob",
                voter_role="operator",
                choice=VoteChoice.APPROVE,
            )

    results = await asyncio.gather(*(click() for _ in range(20)))
    assert results.count(True) == 1
    async with database.unit_of_work(readonly=True) as uow:
        assert len(await uow.approvals.votes(approval_id)) == 1


async def test_votes_relationship_refuses_lazy_loading(database: Database) -> None:
    approval_id = await _create(database)
    async with database.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
        assert approval is not None
        with pytest.raises(InvalidRequestError):
            _ = approval.votes


async def test_try_transition(database: Database) -> None:
    approval_id = await _create(database)
    async with database.unit_of_work() as uow:
        repo = uow.approvals
        assert not await repo.try_transition(
            approval_id, ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING
        )
        assert await repo.try_transition(
            approval_id, ApprovalStatus.PENDING, ApprovalStatus.APPROVED
        )
        assert await repo.try_transition(
            approval_id, [ApprovalStatus.PENDING, ApprovalStatus.APPROVED], ApprovalStatus.EXECUTING
        )
        assert not await repo.try_transition(
            "unknown", ApprovalStatus.PENDING, ApprovalStatus.APPROVED
        )
        approval = await repo.get(approval_id)
    assert approval is not None and approval.status is ApprovalStatus.EXECUTING


async def test_the_hold_of_an_executing_row_decides_who_records_and_when_it_is_stale(
    database: Database,
) -> None:
    approval_id = await _create(database)
    now = utcnow()
    async with database.unit_of_work() as uow:
        repo = uow.approvals
        hold = ("proc-1", now + timedelta(minutes=10))
        assert await repo.try_transition(
            approval_id, ApprovalStatus.PENDING, ApprovalStatus.EXECUTING, now=now, hold=hold
        )
        assert await repo.list_stale(now=now) == []
        assert not await repo.take(approval_id, ("sweeper", now), now=now)  # still held
        later = now + timedelta(minutes=11)
        assert [a.id for a in await repo.list_stale(now=later)] == [approval_id]
        assert await repo.take(approval_id, ("sweeper", later + timedelta(seconds=30)), now=later)
        assert not await repo.release(approval_id, "proc-1", now=later)  # no longer its row
        assert not await repo.try_transition(  # a late outcome never overwrites the sweeper's
            approval_id,
            ApprovalStatus.EXECUTING,
            ApprovalStatus.SUCCEEDED,
            now=later,
            held_by="proc-1",
        )
        assert await repo.try_transition(
            approval_id,
            ApprovalStatus.EXECUTING,
            ApprovalStatus.INTERRUPTED,
            now=later,
            held_by="sweeper",
        )
        approval = await repo.get(approval_id)
        assert await repo.list_stale(now=later + timedelta(days=1)) == []
    assert approval is not None and approval.status is ApprovalStatus.INTERRUPTED
    assert (approval.executor, approval.executing_until) == (None, None)


async def test_a_released_row_is_stale_at_once_unless_a_tracker_follows_it(
    database: Database,
) -> None:
    now = utcnow()
    approval_id = await _create(
        database, status=ApprovalStatus.EXECUTING, hold=("proc-1", now + timedelta(hours=1))
    )
    async with database.unit_of_work() as uow:
        assert await uow.approvals.release(approval_id, "proc-1", now=now)
        assert [a.id for a in await uow.approvals.list_stale(now=now)] == [approval_id]
        assert not await uow.trackers.active_for(approval_id)
        await uow.trackers.create(target_name="default", kind="restart", approval_id=approval_id)
        assert await uow.trackers.active_for(approval_id)


async def test_200_concurrent_transitions_execute_once(db_kind: str, tmp_path: Path) -> None:
    async with fresh_database(db_kind, tmp_path, pool_size=20) as db:
        approval_id = await _create(db)
        async with db.unit_of_work() as uow:
            await uow.approvals.try_transition(
                approval_id, ApprovalStatus.PENDING, ApprovalStatus.APPROVED
            )
        executed: list[int] = []

        async def approve_click(n: int) -> bool:
            async with db.unit_of_work() as uow:  # a separate session and transaction each
                won = await uow.approvals.try_transition(
                    approval_id, ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING
                )
            if won:
                executed.append(n)
            return won

        results = await asyncio.gather(*(approve_click(n) for n in range(200)))
        assert results.count(True) == 1
        assert len(executed) == 1
        async with db.unit_of_work(readonly=True) as uow:
            approval = await uow.approvals.get(approval_id)
        assert approval is not None and approval.status is ApprovalStatus.EXECUTING


async def test_transition_rolled_back_with_its_unit_of_work(database: Database) -> None:
    approval_id = await _create(database)
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            assert await uow.approvals.try_transition(
                approval_id, ApprovalStatus.PENDING, ApprovalStatus.APPROVED
            )
            raise RuntimeError("DWS call failed before commit")
    async with database.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
    assert approval is not None and approval.status is ApprovalStatus.PENDING


async def test_expire_due_expires_each_once(database: Database) -> None:
    now = utcnow()
    old = await _create(database, expires_at=now - timedelta(seconds=1))
    fresh = await _create(database, expires_at=now + timedelta(minutes=5))
    done = await _create(database, expires_at=now - timedelta(minutes=5))
    async with database.unit_of_work() as uow:
        await uow.approvals.try_transition(done, ApprovalStatus.PENDING, ApprovalStatus.DENIED)
    async with database.unit_of_work() as uow:
        assert await uow.approvals.expire_due(now=now) == [old]
    async with database.unit_of_work() as uow:
        assert await uow.approvals.expire_due(now=now) == []
        statuses = {
            i: (await uow.approvals.get(i)).status  # type: ignore[union-attr]
            for i in (old, fresh, done)
        }
    assert statuses == {
        old: ApprovalStatus.EXPIRED,
        fresh: ApprovalStatus.PENDING,
        done: ApprovalStatus.DENIED,
    }


async def test_list_pending_and_filters(database: Database) -> None:
    a = await _create(database, channel="C1", requester_id="U1")
    b = await _create(database, channel="C2", requester_id="U9")
    c = await _create(database, channel="C1", requester_id="U9")
    async with database.unit_of_work() as uow:
        await uow.approvals.try_transition(c, ApprovalStatus.PENDING, ApprovalStatus.CANCELLED)
    async with database.unit_of_work(readonly=True) as uow:
        everything = await uow.approvals.list_pending()
        in_c1 = await uow.approvals.list_pending(channel="C1")
        by_u9 = await uow.approvals.list_pending(requester_id="U9")
    assert {x.id for x in everything} == {a, b}
    assert [x.id for x in in_c1] == [a]
    assert [x.id for x in by_u9] == [b]


async def test_message_ref_and_result(database: Database) -> None:
    approval_id = await _create(database)
    async with database.unit_of_work() as uow:
        await uow.approvals.set_message_ref(approval_id, "C1", "1700000000.000100")
        await uow.approvals.set_result(
            approval_id,
            request_id="req-1",
            job_id="job-1",
            error_code=None,
            text="restart submitted with token=abc",
        )
    async with database.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
    assert isinstance(approval, Approval)
    assert (approval.message_channel, approval.message_ts) == ("C1", "1700000000.000100")
    assert (approval.result_request_id, approval.result_job_id) == ("req-1", "job-1")
    assert approval.result_text == "restart submitted with token=***"


async def test_status_check_constraint(database: Database) -> None:
    approval_id = await _create(database)
    with pytest.raises(sa.exc.IntegrityError):
        async with database.engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE approvals SET status = 'bogus' WHERE id = :i"), {"i": approval_id}
            )
