"""The audit hash chain's arithmetic: canonical JSON of a record, its hash or HMAC, checkpoints.

A record's ``hash`` is computed over the canonical JSON (sorted keys, no spaces, UTF-8) of every
field in `HASHED_FIELDS` — its chain position ``seq``, its content and ``prev_hash``, the
previous record's hash (`GENESIS_HASH` for the first). How is said by the record's ``hash_alg``:

- ``hmac-sha256`` (`KEYED`): HMAC-SHA256 with the audit key (``DWSBOT_AUDIT_KEY``, kept outside
  the database); ``key_id`` names the key (`AuditKey.id`, a one-way tag: it does not reveal the
  key). Without the key nobody can compute a valid hash, so a rewritten chain does not verify.
- ``sha256`` (`UNKEYED`): plain sha256 (records written before migration 0004, or with no key
  configured). It catches accidental edits only: anyone who can write the database can
  recompute it.

Editing a field changes the hash; deleting a record leaves a gap in ``seq`` and breaks the next
record's ``prev_hash`` link. A `Checkpoint` is a signed line (seq, head hash, time, key id,
HMAC over them) meant to be kept outside the database; it catches a truncated tail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from commands.store.models import GENESIS_HASH, KEYED, UNKEYED, AuditRecord

__all__ = [
    "GENESIS_HASH",
    "HASHED_FIELDS",
    "KEYED",
    "UNKEYED",
    "AuditKey",
    "Checkpoint",
    "canonical_json",
    "record_fields",
    "record_hash",
]

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
MIN_KEY_LENGTH = 32
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class AuditKey:
    """The secret that keys the chain. Its bytes never appear in ``repr``, ``str`` or errors."""

    __slots__ = ("_secret", "id")

    def __init__(self, secret: str) -> None:
        raw = secret.encode("utf-8")
        if len(raw) < MIN_KEY_LENGTH:
            raise ValueError(
                f"the audit key is too short (at least {MIN_KEY_LENGTH} characters; "
                "generate one with `openssl rand -hex 32`)"
            )
        self._secret = raw
        self.id = self.mac("dwsbot audit key id")[:16]
        """A public tag of the key (16 hex digits) stored with each record it hashed."""

    def mac(self, text: str) -> str:
        """The hex HMAC-SHA256 of ``text`` under this key."""
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"AuditKey(id={self.id})"

    __str__ = __repr__


def format_time(value: datetime) -> str:
    """A timestamp in the chain's canonical form: UTC, microseconds, ``Z``."""
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, compact separators, UTF-8 text, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def record_hash(fields: Mapping[str, Any], key: AuditKey | None = None) -> str:
    """The hex hash of a record given as a mapping holding at least `HASHED_FIELDS`.

    With ``key``: HMAC-SHA256 under it (``hmac-sha256``); without: plain sha256 (``sha256``).
    """
    payload = {name: fields[name] for name in HASHED_FIELDS}
    at = payload["at"]
    if isinstance(at, datetime):
        payload["at"] = format_time(at)
    event = payload["event"]
    payload["event"] = str(event.value if hasattr(event, "value") else event)
    text = canonical_json(payload)
    if key is not None:
        return key.mac(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_fields(record: AuditRecord) -> dict[str, Any]:
    """The hashed fields of a stored record, plus its ``hash``, ``hash_alg`` and ``key_id``."""
    fields = {name: getattr(record, name) for name in HASHED_FIELDS}
    fields.update(hash=record.hash, hash_alg=record.hash_alg, key_id=record.key_id)
    return fields


CHECKPOINT_PREFIX = "dwsbot-audit-checkpoint v1"
_CHECKPOINT = re.compile(
    rf"{CHECKPOINT_PREFIX} seq=(?P<seq>0|[1-9][0-9]{{0,17}}) head=(?P<head>[0-9a-f]{{64}}) "
    r"at=(?P<at>\S+) key=(?P<key>[0-9a-f]{16}) mac=(?P<mac>[0-9a-f]{64})"
)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement "at ``at`` the chain ended at record ``seq`` whose hash was ``head``"."""

    seq: int
    head: str
    at: datetime
    key_id: str
    mac: str

    @classmethod
    def sign(cls, key: AuditKey, seq: int, head: str, at: datetime) -> Checkpoint:
        """A checkpoint of (seq, head) at ``at``, signed with ``key``."""
        unsigned = cls(seq, head, at.astimezone(UTC), key.id, "")
        return cls(seq, head, unsigned.at, key.id, key.mac(unsigned.signed_text()))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """A checkpoint from its line; ValueError (one line, naming the format) if it is not one."""
        match = _CHECKPOINT.fullmatch(text.strip())
        at: datetime | None = None
        if match is not None:
            try:
                at = datetime.strptime(match["at"], _TIME_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                at = None
        if match is None or at is None:
            raise ValueError(
                f"not a checkpoint line (expected '{CHECKPOINT_PREFIX} seq=N head=HASH "
                "at=TIME key=ID mac=HMAC', as `dwsbot audit checkpoint` prints)"
            )
        return cls(int(match["seq"]), match["head"], at, match["key"], match["mac"])

    def signed_text(self) -> str:
        """What the MAC covers: the line without its ``mac=`` part."""
        return (
            f"{CHECKPOINT_PREFIX} seq={self.seq} head={self.head} at={format_time(self.at)} "
            f"key={self.key_id}"
        )

    def line(self) -> str:
        """The checkpoint as one line of text (to store, print and keep elsewhere)."""
        return f"{self.signed_text()} mac={self.mac}"

    def signed_by(self, key: AuditKey) -> bool:
        """Whether ``key`` made this checkpoint (constant-time comparison)."""
        return self.key_id == key.id and hmac.compare_digest(self.mac, key.mac(self.signed_text()))
