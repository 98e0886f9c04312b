"""The audit repository: append hash-chained records in the caller's transaction, and query them.

    record = await uow.audit.append(AuditEntry(event=AuditEvent.REQUESTED, user_id="U1", ...))
    records = await uow.audit.append_many(entries)      # one lock, each record chained
    rows = await uow.audit.query(cluster="prod", user="alice", action="restart", since=t, limit=50)

Appending serialises on the chain head row (``audit_chain_head``, id 1): ``SELECT ... FOR
UPDATE`` on PostgreSQL, the database write lock on SQLite (write units of work start with
``BEGIN IMMEDIATE``). The record's ``seq`` is the head's ``last_seq + 1``, so positions are
contiguous whatever rolls back. Command text and parameters are redacted before they are stored,
and a NUL character (which PostgreSQL text cannot hold) is stored visibly as ``\\x00``.

With an audit key (``AuditRepository(session, key)``) each record is hashed by HMAC-SHA256 and
marked ``hmac-sha256`` with the key's id; without one, by plain sha256, marked ``sha256``.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from commands.store._sql import upsert_insert
from commands.store.chain import AuditKey, record_hash
from commands.store.errors import MalformedRecordError
from commands.store.models import (
    GENESIS_HASH,
    KEYED,
    UNKEYED,
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    AuditRecord,
    new_id,
    utcnow,
)
from commands.store.redaction import escape_nul, redact, redact_params

HEAD_ID = 1


@dataclass(frozen=True, slots=True)
class AppendedRecord:
    """Where an appended record landed in the chain."""

    seq: int
    id: str
    at: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """What to record. Only ``event`` is required; ``at`` and ``id`` default to now / a UUID."""

    event: AuditEvent
    user_id: str | None = None
    user_name: str | None = None
    team: str | None = None
    channel: str | None = None
    command_text: str | None = None
    action: str | None = None
    target_name: str | None = None
    cluster_id: str | None = None
    cluster_name: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    approvers: Sequence[str] = ()
    approval_id: str | None = None
    request_id: str | None = None
    job_id: str | None = None
    outcome: str | None = None
    error_code: str | None = None
    duration_ms: int | None = None
    at: datetime | None = None
    id: str | None = None


def _plain_json(value: Any) -> Any:
    """``value`` as it will read back from a JSON column (str keys, lists, str for the rest)."""
    try:
        plain = json.loads(json.dumps(value, default=str, allow_nan=False))
    except ValueError:  # NaN or infinity somewhere: JSON has no such numbers
        return _plain_json(_finite(value))
    return _visible(plain)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _visible(value: Any) -> Any:
    """Plain JSON with every NUL in its strings (keys too) made visible (`escape_nul`)."""
    if isinstance(value, str):
        return escape_nul(value)
    if isinstance(value, dict):
        return {escape_nul(k): _visible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_visible(v) for v in value]
    return value


_TEXT_FIELDS = (
    "user_id",
    "user_name",
    "team",
    "channel",
    "action",
    "target_name",
    "cluster_id",
    "cluster_name",
    "approval_id",
    "request_id",
    "job_id",
    "error_code",
)
_LIMITS: dict[str, int] = {
    column.name: length
    for column in AuditRecord.__table__.columns
    if (length := getattr(column.type, "length", None))
}


def _text(name: str, value: object) -> str | None:
    """A string field as it will be stored: str, cut to the column's length."""
    if value is None:
        return None
    text = escape_nul(str(value))  # PostgreSQL text cannot hold NUL: keep it visible
    limit = _LIMITS.get(name)
    return text[:limit] if limit is not None else text


def _row(entry: AuditEntry, seq: int, prev_hash: str, key: AuditKey | None) -> dict[str, Any]:
    """The stored values of one record, exactly as they will read back, and their hash."""
    at = entry.at or utcnow()
    if at.tzinfo is None:
        raise ValueError("AuditEntry.at must be timezone-aware (UTC)")
    row: dict[str, Any] = {name: _text(name, getattr(entry, name)) for name in _TEXT_FIELDS}
    row.update(
        seq=seq,
        id=_text("id", entry.id) or new_id(),
        at=at,
        event=AuditEvent(entry.event),
        command_text=_text("command_text", redact(str(entry.command_text)))
        if entry.command_text is not None
        else None,
        params=_plain_json(redact_params(dict(entry.params))),
        approvers=_plain_json([str(a) for a in entry.approvers]),
        outcome=_text("outcome", redact(str(entry.outcome))) if entry.outcome is not None else None,
        duration_ms=round(entry.duration_ms) if entry.duration_ms is not None else None,
        prev_hash=prev_hash,
        hash_alg=UNKEYED if key is None else KEYED,
        key_id=None if key is None else key.id,
    )
    row["hash"] = record_hash(row, key)
    return row


_UNREADABLE = {
    "at": "its time is not a valid timestamp",
    "event": "its event is not a known audit event",
    "params": "its params are not valid JSON",
    "approvers": "its approvers are not valid JSON",
}


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored audit row for verification: as the driver returned it (``raw``), decoded as
    the ORM would read it (``values``), or the first reason it cannot be (``problem``)."""

    raw: Mapping[str, Any]
    values: Mapping[str, Any]
    problem: str | None


def _decode(raw: Mapping[str, Any], dialect: sa.Dialect) -> StoredRow:
    values: dict[str, Any] = {}
    for column in AuditRecord.__table__.columns:
        value = raw[column.name]
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        try:
            values[column.name] = process(value) if process is not None else value
        except (ValueError, TypeError, LookupError):
            problem = _UNREADABLE.get(column.name, f"its {column.name} cannot be read")
            return StoredRow(raw, values, problem)
    for name in ("hash", "prev_hash", "hash_alg"):
        if not isinstance(values[name], str):
            return StoredRow(raw, values, f"its {name} is missing")
    return StoredRow(raw, values, None)


class AuditRepository:
    """Appends to and reads the audit log within one unit of work (never commits)."""

    def __init__(self, session: AsyncSession, key: AuditKey | None = None) -> None:
        self.session = session
        self.key = key
        """The audit key new records are hashed with (None: unkeyed sha256)."""

    async def append(self, entry: AuditEntry) -> AppendedRecord:
        """Chain and insert one record; returns it (with ``seq`` and ``hash``)."""
        (record,) = await self.append_many([entry])
        return record

    async def append_many(self, entries: Iterable[AuditEntry]) -> list[AppendedRecord]:
        """Chain and insert several records under one lock, each with its own link and hash."""
        entries = list(entries)
        if not entries:
            return []
        seq, prev_hash = await self._lock_head()
        rows = []
        for entry in entries:
            seq += 1
            row = _row(entry, seq, prev_hash, self.key)
            prev_hash = row["hash"]
            rows.append(row)
        connection = await self.session.connection()  # Core executemany: no ORM bookkeeping
        await connection.execute(sa.insert(AuditRecord), rows)
        await self.session.execute(
            sa.update(AuditChainHead)
            .where(AuditChainHead.id == HEAD_ID)
            .values(last_seq=seq, last_hash=prev_hash)
        )
        return [
            AppendedRecord(row["seq"], row["id"], row["at"], row["prev_hash"], row["hash"])
            for row in rows
        ]

    async def _lock_head(self) -> tuple[int, str]:
        stmt = (
            sa.select(AuditChainHead.last_seq, AuditChainHead.last_hash)
            .where(AuditChainHead.id == HEAD_ID)
            .with_for_update()
        )
        head = (await self.session.execute(stmt)).one_or_none()
        if head is None:  # tables built without the migration's seed row
            await self.session.execute(
                upsert_insert(self.session, AuditChainHead)
                .values(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
                .on_conflict_do_nothing()
            )
            head = (await self.session.execute(stmt)).one()
        return int(head.last_seq), str(head.last_hash)

    async def head(self) -> tuple[int, str]:
        """The chain head: (last seq, last hash); (0, genesis) for an empty log."""
        stmt = sa.select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(
            AuditChainHead.id == HEAD_ID
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return (0, GENESIS_HASH) if row is None else (int(row.last_seq), str(row.last_hash))

    async def query(
        self,
        *,
        cluster: str | None = None,
        user: str | None = None,
        action: str | None = None,
        event: AuditEvent | None = None,
        since: datetime | None = None,
        limit: int = 50,
        approval_id: str | None = None,
    ) -> list[AuditRecord]:
        """Newest records first. ``cluster`` matches id or name; ``user`` matches id or name."""
        stmt = sa.select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
        if approval_id is not None:
            stmt = stmt.where(AuditRecord.approval_id == approval_id)
        if cluster is not None:
            stmt = stmt.where(
                sa.or_(AuditRecord.cluster_id == cluster, AuditRecord.cluster_name == cluster)
            )
        if user is not None:
            stmt = stmt.where(sa.or_(AuditRecord.user_id == user, AuditRecord.user_name == user))
        if action is not None:
            stmt = stmt.where(AuditRecord.action == action)
        if event is not None:
            stmt = stmt.where(AuditRecord.event == event)
        if since is not None:
            stmt = stmt.where(AuditRecord.at >= since)
        try:
            return list((await self.session.scalars(stmt)).all())
        except (ValueError, TypeError, LookupError) as exc:  # JSON, enum or time decoding
            raise MalformedRecordError(
                "the audit log holds a record that cannot be read; `dwsbot audit verify` names it"
            ) from exc

    async def stream(
        self, *, since: datetime | None = None, batch_size: int = 1000
    ) -> AsyncIterator[AuditRecord]:
        """Every record in chain order (oldest first, whatever its ``seq``), read in batches."""
        after: int | None = None
        while True:
            stmt = sa.select(AuditRecord).order_by(AuditRecord.seq).limit(batch_size)
            if after is not None:
                stmt = stmt.where(AuditRecord.seq > after)
            if since is not None:
                stmt = stmt.where(AuditRecord.at >= since)
            batch = list((await self.session.scalars(stmt)).all())
            for record in batch:
                yield record
            if len(batch) < batch_size:
                return
            after = batch[-1].seq
            for record in batch:  # keep the identity map small on long exports
                self.session.expunge(record)

    async def one_snapshot(self) -> None:
        """Make this (read-only) unit of work one consistent view: PostgreSQL's REPEATABLE
        READ; SQLite's deferred BEGIN already is one. Call it first."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))

    async def raw_rows(
        self, *, since: datetime | None = None, batch_size: int = 1000
    ) -> AsyncIterator[StoredRow]:
        """Every stored row in ``seq`` order (``at >= since`` if given), read undecoded and
        decoded row by row.

        For verification and export: a malformed row (bad JSON, an unknown event, a bad time)
        comes back with its ``problem`` instead of failing the whole batch.
        """
        dialect = self.session.get_bind().dialect
        columns: list[sa.ColumnClause[Any]] = [
            sa.column(c.name) for c in AuditRecord.__table__.columns
        ]
        seq: sa.ColumnClause[Any] = sa.column("seq")
        after: int | None = None
        while True:
            stmt = sa.select(*columns).select_from(sa.table(AuditRecord.__tablename__))
            if after is not None:
                stmt = stmt.where(seq > after)
            if since is not None:
                stmt = stmt.where(sa.column("at", AuditRecord.__table__.c.at.type) >= since)
            rows = (await self.session.execute(stmt.order_by(seq).limit(batch_size))).all()
            for row in rows:
                yield _decode(dict(row._mapping), dialect)
            if len(rows) < batch_size:
                return
            after = rows[-1].seq

    async def add_checkpoint(self, line: str) -> None:
        """Store a signed checkpoint line (``dwsbot audit checkpoint``)."""
        self.session.add(AuditCheckpoint(line=line))

    async def checkpoints(self) -> list[tuple[int, str]]:
        """The stored checkpoint lines (id, line), oldest first."""
        stmt = sa.select(AuditCheckpoint.id, AuditCheckpoint.line).order_by(AuditCheckpoint.id)
        return [(int(r.id), str(r.line)) for r in (await self.session.execute(stmt)).all()]

    async def has_head(self) -> bool:
        """Whether the chain head row exists (the migration creates it: missing = deleted)."""
        stmt = sa.select(AuditChainHead.id).where(AuditChainHead.id == HEAD_ID)
        return (await self.session.execute(stmt)).first() is not None
