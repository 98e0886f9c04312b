"""AuditRepository: chained appends in the caller's transaction, queries, serialised writers."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa

from commands.store import AuditEntry, AuditEvent, AuditRecord, Database
from commands.store.chain import GENESIS_HASH, record_fields, record_hash
from commands.store.models import utcnow


def _entry(**overrides: object) -> AuditEntry:
    fields: dict[str, object] = {
        "event": AuditEvent.REQUESTED,
        "user_id": "U1",
        "user_name": "alice",
        "team": "T1",
        "channel": "C1",
        "command_text": "/dws restart prod-dw",
        "action": "restart",
        "target_name": "default",
        "cluster_id": "c-1",
        "cluster_name": "prod-dw",
        "params": {"force": False},
    }
    fields.update(overrides)
    return AuditEntry(**fields)  # type: ignore[arg-type]


async def _all(db: Database) -> list[AuditRecord]:
    async with db.unit_of_work(readonly=True) as uow:
        return [r async for r in uow.audit.stream(batch_size=3)]


async def test_append_links_each_record_to_the_previous(database: Database) -> None:
    async with database.unit_of_work() as uow:
        first = await uow.audit.append(_entry())
        more = await uow.audit.append_many([_entry(event=AuditEvent.APPROVED)] * 4)
    records = await _all(database)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS_HASH
    for prev, rec in itertools.pairwise(records):
        assert rec.prev_hash == prev.hash
    for rec in records:  # the hash read back equals the hash computed at insert
        assert record_hash(record_fields(rec)) == rec.hash
    assert [first.hash, *(m.hash for m in more)] == [r.hash for r in records]
    async with database.unit_of_work(readonly=True) as uow:
        assert await uow.audit.head() == (5, records[-1].hash)


async def test_append_is_part_of_the_callers_transaction(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            await uow.audit.append(_entry())
            raise RuntimeError("the change failed")
    async with database.unit_of_work() as uow:
        record = await uow.audit.append(_entry())
    assert record.seq == 1  # no gap left by the rolled-back record


async def test_concurrent_appenders_keep_one_chain(database: Database) -> None:
    async def writer(n: int) -> None:
        for i in range(5):
            async with database.unit_of_work() as uow:
                await uow.audit.append(_entry(user_id=f"U{n}", outcome=str(i)))

    await asyncio.gather(*(writer(n) for n in range(8)))
    records = await _all(database)
    assert [r.seq for r in records] == list(range(1, 41))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


async def test_secrets_never_reach_the_table(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.append(
            _entry(
                command_text="/dws reset-password prod-dw --password Hunter2!",
                params={"password": "Hunter2!", "nested": {"token": "tok-123"}, "n": 1},
                outcome="failed: sk=SECRETKEY rejected",
            )
        )
    async with database.engine.connect() as conn:
        dump = str((await conn.execute(sa.text("SELECT * FROM audit_records"))).all())
    for secret in ("Hunter2!", "tok-123", "SECRETKEY"):
        assert secret not in dump
    assert "reset-password prod-dw" in dump


async def test_non_json_params_are_stored_as_they_read_back(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.append(_entry(params={1: ("a", "b"), "when": utcnow().date()}))
    (record,) = await _all(database)
    assert record.params["1"] == ["a", "b"]
    assert isinstance(record.params["when"], str)
    assert record_hash(record_fields(record)) == record.hash


async def test_query_filters(database: Database) -> None:
    now = utcnow()
    async with database.unit_of_work() as uow:
        await uow.audit.append_many(
            [
                _entry(at=now - timedelta(hours=3), action="stop"),
                _entry(user_id="U2", user_name="bob", cluster_id="c-2", cluster_name="dev"),
                _entry(event=AuditEvent.DENIED_BY_POLICY, action="restart"),
                _entry(action="snapshot create", cluster_name="prod-dw"),
            ]
        )
    async with database.unit_of_work(readonly=True) as uow:
        q = uow.audit.query
        assert [r.seq for r in await q()] == [4, 3, 2, 1]
        assert [r.seq for r in await q(limit=2)] == [4, 3]
        assert [r.seq for r in await q(cluster="dev")] == [2]
        assert [r.seq for r in await q(cluster="c-2")] == [2]
        assert [r.seq for r in await q(user="bob")] == [2]
        assert [r.seq for r in await q(user="U1")] == [4, 3, 1]
        assert [r.seq for r in await q(action="stop")] == [1]
        assert [r.seq for r in await q(event=AuditEvent.DENIED_BY_POLICY)] == [3]
        assert [r.seq for r in await q(since=now - timedelta(hours=1))] == [4, 3, 2]
        assert [r.seq for r in await q(cluster="prod-dw", action="restart")] == [3]


async def test_head_is_recreated_when_missing(database: Database) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM audit_chain_head"))
    async with database.unit_of_work() as uow:
        record = await uow.audit.append(_entry())
    assert (record.seq, record.prev_hash) == (1, GENESIS_HASH)


async def test_event_check_constraint(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.append(_entry())
    with pytest.raises(sa.exc.IntegrityError):
        async with database.engine.begin() as conn:
            await conn.execute(sa.text("UPDATE audit_records SET event = 'made_up'"))


async def test_values_are_stored_as_they_read_back(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.append(
            _entry(user_name="x" * 1000, channel=12345, duration_ms=12.6)  # type: ignore[arg-type]
        )
    (record,) = await _all(database)
    assert record.user_name == "x" * 256
    assert record.channel == "12345"
    assert record.duration_ms == 13
    assert record_hash(record_fields(record)) == record.hash


async def test_naive_time_is_refused(database: Database) -> None:
    from datetime import datetime

    async with database.unit_of_work() as uow:
        with pytest.raises(ValueError, match="timezone-aware"):
            await uow.audit.append(_entry(at=datetime(2026, 1, 1)))
