"""The audit log above the store: chain verification, export, redaction.

    report = await verify(db)              # VerifyReport (commands.audit_verify)
    async for line in export(db, "csv", since=parse_since("2h")):   # commands.durations
        sys.stdout.write(line)

Records are written by ``uow.audit.append(AuditEntry(...))`` (``commands.store.audit``) in the
same transaction as the change they describe; each record's hash (HMAC-SHA256 with the audit
key, or unkeyed sha256) covers its fields and the previous record's hash
(``commands.store.chain``). `verify` and `checkpoint` live in ``commands.audit_verify``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any, Literal

from commands.audit_verify import VerifyReport, checkpoint, verify
from commands.store.chain import HASHED_FIELDS, format_time, record_hash
from commands.store.models import AuditRecord
from commands.store.redaction import redact, redact_params
from commands.store.session import Database

__all__ = [
    "EXPORT_COLUMNS",
    "VerifyReport",
    "checkpoint",
    "export",
    "record_hash",
    "redact",
    "redact_params",
    "verify",
]

ExportFormat = Literal["csv", "jsonl"]

EXPORT_COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, "hash", "hash_alg", "key_id")


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
