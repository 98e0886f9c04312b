"""commands.audit_verify: the keyed chain, checkpoints, and rows verify must not overlook.

A forger here has everything but the key: they rewrite rows with SQL and recompute hashes, links
and the head with the published arithmetic (`record_hash` without a key).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from commands.audit import checkpoint, verify
from commands.store import AuditEntry, AuditEvent, AuditRecord, Database
from commands.store.chain import (
    GENESIS_HASH,
    UNKEYED,
    AuditKey,
    Checkpoint,
    format_time,
    record_fields,
    record_hash,
)
from commands.store.models import AuditChainHead, new_id, utcnow
from tests.db_fixtures import database, db_kind, fresh_database

__all__ = ["database", "db_kind"]

KEY = AuditKey("the-audit-key-of-this-test-0123456789")
OTHER = AuditKey("another-key-somebody-guessed-9876543210")


async def _fill(db: Database, n: int = 6) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.append_many(
            AuditEntry(
                event=AuditEvent.EXECUTED, user_name="alice", action="restart", params={"i": i}
            )
            for i in range(n)
        )


async def _sql(db: Database, *statements: str) -> None:
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(sa.text(statement))


async def _forge(
    db: Database,
    *,
    first: int = 1,
    mark: str | None = None,
    change: Callable[[AuditRecord], None] = lambda rec: None,
    update_head: bool = True,
) -> None:
    """Rewrite records ``first``.. consistently without the key: content, hashes, links, head."""
    async with db.unit_of_work() as uow:
        stmt = sa.select(AuditRecord).order_by(AuditRecord.seq)
        records = list((await uow.session.scalars(stmt)).all())
        prev = GENESIS_HASH
        for rec in records:
            if rec.seq >= first:
                change(rec)
                if mark is not None:
                    rec.hash_alg, rec.key_id = mark, None
                rec.prev_hash = prev
                rec.hash = record_hash(record_fields(rec))
            prev = rec.hash
        if update_head:
            await uow.session.execute(
                sa.update(AuditChainHead).values(last_seq=records[-1].seq, last_hash=prev)
            )


def _mallory(rec: AuditRecord) -> None:
    rec.user_name = "mallory"


async def test_forged_chain_with_its_marks_is_reported(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database)
    await _forge(database, change=_mallory)
    report = await verify(database)
    assert not report.ok
    assert report.edited == [1, 2, 3, 4, 5, 6]
    assert "records 1-6 were edited (its hash does not match)" in report.problems()


async def test_replaced_tail_with_the_head_recomputed_without_the_key_is_reported(
    database: Database,
) -> None:
    database.audit_key = KEY
    await _fill(database)
    await _forge(database, first=4, change=_mallory)  # rows 4-6, their links and the head
    async with database.unit_of_work(readonly=True) as uow:
        assert [r.user_name async for r in uow.audit.stream()] == ["alice"] * 3 + ["mallory"] * 3
        assert (await uow.audit.head())[0] == 6
    report = await verify(database)
    assert report.edited == [4, 5, 6] and report.broken_links == []
    assert not report.tail_replaced  # the head agrees with the forged rows: only the key tells
    assert report.problems() == ["records 4-6 were edited (its hash does not match)"]


async def test_forged_chain_marked_unkeyed_is_caught_by_a_checkpoint(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database)
    signed, _ = await checkpoint(database)
    assert signed is not None and signed.seq == 6
    await _forge(database, mark=UNKEYED, change=_mallory)
    report = await verify(database)  # the stored checkpoint
    assert report.problems() == [
        f"checkpoint of record 6 at {_at(signed)}: record 6 no longer has the hash it had "
        "(the chain was rewritten)"
    ]
    await _sql(database, "DELETE FROM audit_checkpoints")  # the forger removes it too
    assert (await verify(database)).ok  # the limit: now it looks like a chain never keyed ...
    kept = await verify(database, [Checkpoint.parse(signed.line())])  # ... but a kept line
    assert not kept.ok and "the chain was rewritten" in kept.problems()[0]


async def test_tail_rewritten_unkeyed_after_keyed_records_is_reported(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database)
    await _forge(database, first=4, mark=UNKEYED, change=_mallory)
    report = await verify(database)
    assert report.downgraded == [4, 5, 6]
    assert report.problems() == [
        "records 4-6 unkeyed after keyed records (rewritten without the key)"
    ]


async def test_truncated_tail_is_caught_by_a_checkpoint(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database)
    signed, _ = await checkpoint(database)
    assert signed is not None
    await _fill(database, 2)
    await _sql(database, "DELETE FROM audit_records WHERE seq > 4")
    await _forge(database, first=99)  # the head now names record 4: a consistent, shorter chain
    report = await verify(database)
    assert not report.ok and report.last_seq == 4
    assert (
        "the chain now ends at record 4, so records 5-6 were removed (truncated tail)"
        in (report.problems()[0])
    )
    await _sql(database, "DELETE FROM audit_checkpoints")
    assert (await verify(database)).ok  # every record and link is valid: only a checkpoint knows
    assert "truncated tail" in (await verify(database, [signed])).problems()[0]


def _at(cp: Checkpoint) -> str:
    return format_time(cp.at)


async def test_wrong_key_is_reported(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database, 3)
    signed, _ = await checkpoint(database)
    assert signed is not None
    database.audit_key = OTHER
    report = await verify(database)
    assert report.wrong_key == {KEY.id: [1, 2, 3]}
    assert report.problems() == [
        f"records 1-3 hashed with another key (id {KEY.id}; the configured key is {OTHER.id}): "
        "wrong DWSBOT_AUDIT_KEY?",
        f"checkpoint of record 3 at {_at(signed)} was signed with another key (id {KEY.id})",
    ]


async def test_keyed_records_without_a_key_are_not_called_intact(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database, 2)
    signed, _ = await checkpoint(database)
    assert signed is not None
    database.audit_key = None
    report = await verify(database)
    assert not report.ok and report.needs_key == [1, 2]
    assert report.notes() == ["1 stored checkpoint(s) not checked: no audit key"]
    with pytest.raises(ValueError, match="needs the audit key"):
        await verify(database, [signed])


async def test_unkeyed_records_then_keyed_ones_verify_as_such(database: Database) -> None:
    await _fill(database, 3)  # written before there was a key (or before migration 0004)
    database.audit_key = KEY
    await _fill(database, 2)
    report = await verify(database)
    assert report.ok and (report.unkeyed, report.keyed) == (3, 2)
    assert report.notes()[0].startswith("3 record(s) are unkeyed (sha256)")


async def test_forged_checkpoint_line_is_reported(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database, 3)
    signed, _ = await checkpoint(database)
    assert signed is not None
    forged = Checkpoint.parse(signed.line().replace("seq=3", "seq=2"))
    report = await verify(database, [forged])
    assert report.problems() == [
        f"checkpoint of record 2 at {_at(signed)}: its signature does not verify (forged)"
    ]
    assert (await verify(database, [signed])).checkpoints_checked == 2  # stored + given


async def test_a_broken_chain_is_never_signed(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database, 3)
    await _sql(database, "UPDATE audit_records SET user_name = 'mallory' WHERE seq = 2")
    signed, report = await checkpoint(database)
    assert signed is None and report.edited == [2]
    async with database.unit_of_work(readonly=True) as uow:
        assert await uow.audit.checkpoints() == []


async def test_checkpoint_needs_a_key(database: Database) -> None:
    with pytest.raises(ValueError, match="set DWSBOT_AUDIT_KEY"):
        await checkpoint(database)


def test_checkpoint_line_parses_back_and_rejects_anything_else() -> None:
    signed = Checkpoint.sign(KEY, 42, "ab" * 32, utcnow())
    assert Checkpoint.parse(signed.line()) == signed and signed.signed_by(KEY)
    assert not signed.signed_by(OTHER)
    line = signed.line()
    for bad in (
        "",
        "hello",
        line.replace("seq=42", "seq=-1"),
        line + " x",
        line[:-1],
        line.replace("at=", "at=2026-13-40T").replace("Z key", "Z key"),
    ):
        with pytest.raises(ValueError, match="not a checkpoint line"):
            Checkpoint.parse(bad)


def test_the_key_never_shows() -> None:
    secret = "the-audit-key-of-this-test-0123456789"
    assert secret not in repr(KEY) and secret not in str(KEY)
    with pytest.raises(ValueError, match="too short") as info:
        AuditKey("short-secret")
    assert "short-secret" not in str(info.value)


# --- rows verify used to overlook (issue 12, item 3) -------------------------------------------


async def _clone(db: Database, seq: int, new_seq: int) -> None:
    """Insert a copy of record ``seq`` at position ``new_seq`` (as a database admin could)."""
    table = sa.Table(AuditRecord.__tablename__, AuditRecord.metadata)
    async with db.engine.begin() as conn:
        row = dict((await conn.execute(sa.select(table).where(table.c.seq == seq))).one()._mapping)
        row.update(seq=new_seq, id=new_id())
        await conn.execute(sa.insert(table), [row])


async def test_a_row_at_seq_zero_is_reported(database: Database) -> None:
    await _fill(database, 3)
    await _clone(database, 1, 0)
    report = await verify(database)
    assert report.problems() == ["record 0 outside the chain (positions start at 1)"]


async def test_a_row_after_the_head_is_reported(database: Database) -> None:
    await _fill(database, 3)
    await _clone(database, 3, 4)
    await _clone(database, 3, 5)
    report = await verify(database)
    assert report.problems() == ["records 4-5 after the chain head (added outside the chain)"]


async def test_a_deleted_head_row_is_reported(database: Database) -> None:
    await _fill(database, 3)
    await _sql(database, "DELETE FROM audit_chain_head")
    report = await verify(database)
    assert report.checked == 3
    assert report.problems() == ["the chain head row (audit_chain_head) is missing (deleted)"]


async def test_an_unknown_event_is_reported_as_malformed(database: Database) -> None:
    await _fill(database)
    if database.dialect == "postgresql":
        drop = "ALTER TABLE audit_records DROP CONSTRAINT ck_audit_records_audit_event"
    else:
        drop = "PRAGMA ignore_check_constraints = ON"
    await _sql(database, drop, "UPDATE audit_records SET event = 'made_up' WHERE seq = 3")
    report = await verify(database)
    assert report.checked == 6
    assert report.problems() == ["record 3 malformed: its event is not a known audit event"]


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        (
            "UPDATE audit_records SET params = '{not json' WHERE seq = 2",
            "its params are not valid JSON",
        ),
        (
            "UPDATE audit_records SET approvers = '[' WHERE seq = 2",
            "its approvers are not valid JSON",
        ),
        (
            "UPDATE audit_records SET at = 'yesterday' WHERE seq = 2",
            "its time is not a valid timestamp",
        ),
        (
            "UPDATE audit_records SET hash_alg = 'md5' WHERE seq = 2",
            "its hash_alg is neither sha256 nor hmac-sha256",
        ),
    ],
)
async def test_malformed_rows_are_reported_not_raised(
    tmp_path: Path, statement: str, problem: str
) -> None:
    # SQLite: its JSON and time columns hold any text (PostgreSQL refuses these values).
    async with fresh_database("sqlite", tmp_path) as db:
        await _fill(db, 4)
        await _sql(db, statement)
        report = await verify(db)
    assert report.checked == 4
    assert report.problems() == [f"record 2 malformed: {problem}"]


async def test_verify_while_records_are_appended(database: Database) -> None:
    database.audit_key = KEY
    await _fill(database, 20)
    stop = asyncio.Event()

    async def writer() -> None:
        while not stop.is_set():
            await _fill(database, 3)

    writers = [asyncio.create_task(writer()) for _ in range(3)]
    try:
        reports = [await verify(database) for _ in range(5)]
    finally:
        stop.set()
        await asyncio.gather(*writers)
    assert all(r.ok for r in reports), [r.problems() for r in reports]


async def test_export_keeps_a_malformed_row_as_stored(tmp_path: Path) -> None:
    from commands.audit import export

    async with fresh_database("sqlite", tmp_path) as db:
        await _fill(db, 4)
        await _sql(db, "UPDATE audit_records SET params = '{not json' WHERE seq = 2")
        rows = [json.loads(line) async for line in export(db, "jsonl")]
        text = "".join([line async for line in export(db, "csv")])
    assert [r["seq"] for r in rows] == [1, 2, 3, 4]  # every record, none lost
    assert rows[1]["params"] == "{not json"  # what is stored, as text
    assert rows[1]["malformed"] == "its params are not valid JSON"
    assert all("malformed" not in r for r in (rows[0], rows[2], rows[3]))
    assert text.count("\n") == 5 and "{not json" in text
