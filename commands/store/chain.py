"""The audit hash chain's arithmetic: canonical JSON of a record and its sha256.

A record's ``hash`` is the hex sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
every field in `HASHED_FIELDS` — its chain position ``seq``, its content and ``prev_hash``, the
previous record's hash (`GENESIS_HASH` for the first). Editing a field changes the hash; deleting
a record leaves a gap in ``seq`` and breaks the next record's ``prev_hash`` link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from commands.store.models import GENESIS_HASH, AuditRecord

__all__ = ["GENESIS_HASH", "HASHED_FIELDS", "canonical_json", "record_fields", "record_hash"]

HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "id",
    "at",
    "event",
    "user_id",
    "user_name",
    "team",
    "channel",
    "command_text",
    "action",
    "target_name",
    "cluster_id",
    "cluster_name",
    "params",
    "approvers",
    "approval_id",
    "request_id",
    "job_id",
    "outcome",
    "error_code",
    "duration_ms",
    "prev_hash",
)


def format_time(value: datetime) -> str:
    """A timestamp in the chain's canonical form: UTC, microseconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, compact separators, UTF-8 text, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def record_hash(fields: Mapping[str, Any]) -> str:
    """The hex sha256 of a record given as a mapping holding at least `HASHED_FIELDS`."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    at = payload["at"]
    if isinstance(at, datetime):
        payload["at"] = format_time(at)
    event = payload["event"]
    payload["event"] = str(event.value if hasattr(event, "value") else event)
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def record_fields(record: AuditRecord) -> dict[str, Any]:
    """The hashed fields of a stored record, plus its ``hash``."""
    fields = {name: getattr(record, name) for name in HASHED_FIELDS}
    fields["hash"] = record.hash
    return fields
