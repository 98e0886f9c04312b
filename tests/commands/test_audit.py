"""commands.audit: chain verification, CSV/JSONL export, --since parsing, secret redaction."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from commands.audit import EXPORT_COLUMNS, export, redact, redact_params, verify
from commands.durations import parse_since
from commands.store import AuditEntry, AuditEvent, AuditRecord, Database
from commands.store.chain import record_fields, record_hash
from commands.store.models import utcnow
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]


async def _fill(db: Database, n: int = 6, at: datetime | None = None) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.append_many(
            AuditEntry(
                event=AuditEvent.REQUESTED if i % 2 else AuditEvent.EXECUTED,
                user_id=f"U{i}",
                user_name="alice",
                command_text=f"/dws restart prod-{i}",
                action="restart",
                cluster_id=f"c-{i}",
                cluster_name=f"prod-{i}",
                params={"i": i, "tags": ["a", "b"]},
                approvers=["bob", "carol"],
                request_id=f"req-{i}",
                duration_ms=10 * i,
                at=at,
            )
            for i in range(1, n + 1)
        )


async def _sql(db: Database, statement: str) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(sa.text(statement))


async def test_intact_chain_verifies(database: Database) -> None:
    assert (await verify(database)).ok  # empty log
    await _fill(database)
    report = await verify(database)
    assert report.ok and report.checked == 6 and report.last_seq == 6
    assert report.problems() == []
    assert report.summary() == "audit chain intact: 6 records verified"


async def test_edited_record_is_reported(database: Database) -> None:
    await _fill(database)
    await _sql(database, "UPDATE audit_records SET command_text = '/dws clusters' WHERE seq = 3")
    report = await verify(database)
    assert not report.ok
    assert report.edited == [3]
    assert report.problems() == ["record 3 was edited (its hash does not match)"]
    assert "BROKEN" in report.summary()


async def test_edit_with_recomputed_hash_breaks_the_next_link(database: Database) -> None:
    await _fill(database)
    await _sql(database, "UPDATE audit_records SET duration_ms = 1 WHERE seq = 2")
    async with database.unit_of_work() as uow:  # a careful forger recomputes record 2's hash
        rec = (await uow.session.scalars(sa.select(AuditRecord).where(AuditRecord.seq == 2))).one()
        rec.hash = record_hash(record_fields(rec))
    report = await verify(database)
    assert report.edited == [] and report.broken_links == [3]


async def test_deleted_record_is_reported(database: Database) -> None:
    await _fill(database)
    await _sql(database, "DELETE FROM audit_records WHERE seq IN (3, 4)")
    report = await verify(database)
    assert report.deleted == [(3, 4)]
    assert report.problems() == ["records 3-4 deleted (missing from the chain)"]


async def test_deleted_tail_is_reported(database: Database) -> None:
    await _fill(database)
    await _sql(database, "DELETE FROM audit_records WHERE seq = 6")
    report = await verify(database)
    assert report.deleted == [(6, 6)]
    assert report.problems() == ["record 6 deleted (missing from the chain)"]


async def test_replaced_tail_is_reported(database: Database) -> None:
    await _fill(database)
    async with database.unit_of_work() as uow:  # records 4-6 rewritten, consistently
        stmt = sa.select(AuditRecord).order_by(AuditRecord.seq)
        records = list((await uow.session.scalars(stmt)).all())
        for prev, rec in itertools.pairwise(records):
            if rec.seq >= 4:
                rec.user_name, rec.command_text = "mallory", "/dws clusters"
                rec.prev_hash = prev.hash
                rec.hash = record_hash(record_fields(rec))
    report = await verify(database)
    assert report.edited == [] and report.broken_links == []  # every hash and link holds ...
    assert report.tail_replaced  # ... but the head still names the original record 6
    assert report.problems() == ["record 6 does not match the chain head (replaced)"]


async def test_nul_stays_visible_in_storage_and_export(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.append(
            AuditEntry(
                event=AuditEvent.REQUESTED,
                user_name="al\x00ice",
                command_text="/dws restart prod\x00dw",
                params={"na\x00me": ["v\x00"]},
                approvers=["b\x00ob"],
            )
        )
    async with database.unit_of_work(readonly=True) as uow:
        (record,) = [r async for r in uow.audit.stream()]
    assert record.command_text == "/dws restart prod\\x00dw"
    assert (record.user_name, record.approvers) == ("al\\x00ice", ["b\\x00ob"])
    assert record.params == {"na\\x00me": ["v\\x00"]}
    assert record_hash(record_fields(record)) == record.hash
    (row,) = [json.loads(x) async for x in export(database, "jsonl")]
    assert row["command_text"] == "/dws restart prod\\x00dw"
    text = "".join([line async for line in export(database, "csv")])
    assert "\x00" not in text
    (csv_row,) = list(csv.DictReader(io.StringIO(text)))
    assert csv_row["user_name"] == "al\\x00ice"
    assert json.loads(csv_row["params"]) == {"na\\x00me": ["v\\x00"]}


async def test_export_jsonl(database: Database) -> None:
    await _fill(database, 3)
    lines = [line async for line in export(database, "jsonl")]
    assert all(line.endswith("\n") for line in lines)
    rows = [json.loads(line) for line in lines]
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) == set(EXPORT_COLUMNS)
    assert rows[1]["params"] == {"i": 2, "tags": ["a", "b"]}
    assert rows[1]["approvers"] == ["bob", "carol"]
    assert rows[0]["event"] == "requested" and rows[0]["at"].endswith("Z")
    assert rows[2]["prev_hash"] == rows[1]["hash"]
    assert all(record_hash(r) == r["hash"] for r in rows)  # verifiable offline


async def test_export_csv(database: Database) -> None:
    await _fill(database, 3)
    text = "".join([line async for line in export(database, "csv")])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert [r["seq"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["command_text"] == "/dws restart prod-1"
    assert json.loads(rows[0]["params"]) == {"i": 1, "tags": ["a", "b"]}
    assert rows[0]["team"] == ""


async def test_export_csv_defuses_formulas(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.append(
            AuditEntry(event=AuditEvent.DENIED_BY_POLICY, user_name="=HYPERLINK(1)", channel="-C")
        )
    text = "".join([line async for line in export(database, "csv")])
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert (row["user_name"], row["channel"]) == ("'=HYPERLINK(1)", "'-C")
    (raw,) = [json.loads(x) async for x in export(database, "jsonl")]
    assert raw["user_name"] == "=HYPERLINK(1)"


async def test_export_since(database: Database) -> None:
    await _fill(database, 2, at=utcnow() - timedelta(days=2))
    await _fill(database, 3)
    rows = [json.loads(x) async for x in export(database, "jsonl", since=parse_since("1d"))]
    assert [r["seq"] for r in rows] == [3, 4, 5]
    empty = [x async for x in export(database, "csv", since=utcnow() + timedelta(hours=1))]
    assert len(empty) == 1  # the header only


async def test_export_rejects_unknown_format(database: Database) -> None:
    with pytest.raises(ValueError, match="csv or jsonl"):
        [x async for x in export(database, "xml")]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "/dws reset-password prod --password Hunter2 --force",
            "/dws reset-password prod --password *** --force",
        ),
        ("/dws reset-password prod --password=Hunter2", "/dws reset-password prod --password=***"),
        ("login password=abc sk=XYZ ak=AKID", "login password=*** sk=*** ak=AKID"),
        ("db_password: 'a b' next", "db_password: *** next"),
        ("--token abc123 --secret 's p'", "--token *** --secret ***"),
        ("postgresql://u:pw@host/db", "postgresql://u:***@host/db"),
        ("use xoxb-123-abc please", "use *** please"),
        ("Authorization=Bearer eyJhbGciOi.eyJzdWIi.sig", "Authorization=*** ***"),
        ("header bearer abc.def", "header bearer ***"),
        (
            "/dws params set prod max_connections=100 risk=low task=1",
            "/dws params set prod max_connections=100 risk=low task=1",
        ),
        ("tokens: 5", "tokens: 5"),
        ('{"password": "a b", "name": "x"}', '{"password": ***, "name": "x"}'),
        ("{'sk': 'K'}", "{'sk': ***}"),
        ("/dws clusters", "/dws clusters"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_iam_token() -> None:
    token = "MII" + "A1b2C3d4" * 20
    assert token not in redact(f"X-Auth-Token {token}")


def test_redact_params() -> None:
    params = {
        "password": "p",
        "new_password": "p2",
        "nested": {"sk": "s", "ok": "password=z", "list": ["token=q", 3]},
        "disk": 3,
        "name": "prod",
        "api-key": None,
    }
    assert redact_params(params) == {
        "password": "***",
        "new_password": "***",
        "nested": {"sk": "***", "ok": "password=***", "list": ["token=***", 3]},
        "disk": 3,
        "name": "prod",
        "api-key": None,
    }
