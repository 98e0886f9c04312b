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
from commands.store.audit import StoredRow
from commands.store.chain import HASHED_FIELDS, format_time, record_hash
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


def record_dict(stored: StoredRow) -> dict[str, Any]:
    """A stored row as plain JSON-ready values (time in the chain's canonical form).

    A malformed row (see ``audit verify``) is kept as stored, its values as text, with
    ``malformed`` saying why: an export never drops or stops at a record."""
    if stored.problem is not None:
        row = {name: _stored_text(stored.raw.get(name)) for name in EXPORT_COLUMNS}
        row["malformed"] = stored.problem
        return row
    values = stored.values
    row = {name: values[name] for name in EXPORT_COLUMNS}
    row["at"] = format_time(values["at"])
    row["event"] = str(values["event"])
    return row


def _stored_text(value: Any) -> Any:
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


async def export(
    db: Database, fmt: ExportFormat, since: datetime | None = None
) -> AsyncGenerator[str, None]:
    """The audit records (oldest first) as lines ending in ``\\n``: CSV with a header or JSONL.

    JSONL holds the stored values exactly (hashes can be recomputed from it); a malformed row is
    exported as stored, with ``malformed`` (JSONL) saying why. In CSV, text that a
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
        async for stored in uow.audit.raw_rows(since=since):
            row = record_dict(stored)
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
