"""The audit log above the store: chain verification, export, ``--since`` parsing, redaction.

    report = await verify(db)              # VerifyReport: edited, deleted, broken links
    async for line in export(db, "csv", since=parse_since("2h")):
        sys.stdout.write(line)

Records are written by ``uow.audit.append(AuditEntry(...))`` (``commands.store.audit``) in the
same transaction as the change they describe; each record's hash covers its fields and the
previous record's hash (``commands.store.chain``). `verify` recomputes every hash, follows the
``prev_hash`` links and the contiguous ``seq`` numbers, and compares the end of the chain with
the chain head row, so an edited, deleted or replaced record is reported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from commands.store.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    format_time,
    record_fields,
    record_hash,
)
from commands.store.models import AuditRecord
from commands.store.redaction import redact, redact_params
from commands.store.session import Database

__all__ = [
    "EXPORT_COLUMNS",
    "VerifyReport",
    "export",
    "parse_since",
    "record_hash",
    "redact",
    "redact_params",
    "verify",
]

ExportFormat = Literal["csv", "jsonl"]

EXPORT_COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, "hash")


@dataclass
class VerifyReport:
    """What `verify` found. ``ok`` when every record is intact and the chain is complete."""

    checked: int = 0
    last_seq: int = 0
    edited: list[int] = field(default_factory=list)
    deleted: list[tuple[int, int]] = field(default_factory=list)
    broken_links: list[int] = field(default_factory=list)
    tail_replaced: bool = False

    @property
    def ok(self) -> bool:
        """True if nothing was edited, deleted or replaced."""
        return not (self.edited or self.deleted or self.broken_links or self.tail_replaced)

    def problems(self) -> list[str]:
        """One sentence per problem found (empty when ``ok``)."""
        lines = [f"record {seq} was edited (its hash does not match)" for seq in self.edited]
        for first, last in self.deleted:
            what = f"record {first}" if first == last else f"records {first}-{last}"
            lines.append(f"{what} deleted (missing from the chain)")
        lines += [
            f"record {seq} does not link to record {seq - 1} (one of them was replaced)"
            for seq in self.broken_links
        ]
        if self.tail_replaced:
            lines.append(f"record {self.last_seq} does not match the chain head (replaced)")
        return lines

    def summary(self) -> str:
        """One line: the verdict and how many records were checked."""
        if self.ok:
            return f"audit chain intact: {self.checked} records verified"
        return f"audit chain BROKEN: {len(self.problems())} problem(s) in {self.checked} records"


async def verify(db: Database) -> VerifyReport:
    """Recompute every hash and link of the audit chain (records up to the current head)."""
    report = VerifyReport()
    async with db.unit_of_work(readonly=True) as uow:
        head_seq, head_hash = await uow.audit.head()
        expected, prev_hash = 1, GENESIS_HASH
        async for record in uow.audit.stream():
            if record.seq > head_seq:
                break
            report.checked += 1
            if record_hash(record_fields(record)) != record.hash:
                report.edited.append(record.seq)
            if record.seq != expected:
                report.deleted.append((expected, record.seq - 1))
            elif record.prev_hash != prev_hash:
                report.broken_links.append(record.seq)
            expected, prev_hash = record.seq + 1, record.hash
        report.last_seq = expected - 1
        if report.last_seq < head_seq:
            report.deleted.append((report.last_seq + 1, head_seq))
        elif head_seq and prev_hash != head_hash:
            report.tail_replaced = True
    return report


def record_dict(record: AuditRecord) -> dict[str, Any]:
    """A record as plain JSON-ready values (time in the chain's canonical form)."""
    row = {name: getattr(record, name) for name in EXPORT_COLUMNS}
    row["at"] = format_time(record.at)
    row["event"] = record.event.value
    return row


async def export(
    db: Database, fmt: ExportFormat, since: datetime | None = None
) -> AsyncGenerator[str, None]:
    """The audit records (oldest first) as lines ending in ``\\n``: CSV with a header or JSONL.

    JSONL holds the stored values exactly (hashes can be recomputed from it). In CSV, text that a
    spreadsheet would evaluate as a formula (starting with ``=``, ``+``, ``-``, ``@``) is
    prefixed with ``'``; maps and lists are JSON.
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r}: use csv or jsonl")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "csv":
        writer.writerow(EXPORT_COLUMNS)
        yield _drain(buffer)
    async with db.unit_of_work(readonly=True) as uow:
        async for record in uow.audit.stream(since=since):
            row = record_dict(record)
            if fmt == "jsonl":
                yield json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n"
                continue
            writer.writerow([_csv_value(row[name]) for name in EXPORT_COLUMNS])
            yield _drain(buffer)


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value  # a spreadsheet must not evaluate user text as a formula
    return "" if value is None else value


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``2h`` / ``30m`` / ``7d`` (ago) or an ISO time (UTC if no zone) as an aware datetime."""
    match = _DURATION.match(text)
    if match:
        delta = timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
        return (now or datetime.now(UTC)) - delta
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"invalid time {text!r}: use a duration like 30m, 2h, 7d or an ISO time "
            "like 2026-01-31T12:00Z"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
